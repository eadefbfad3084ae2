//! HTTP batch bodies: a JSON array or NDJSON in, signals plus one [`Reject`] per bad field out.
//!
//! Record indexes are 0-based positions among the *records*: for NDJSON, blank lines are
//! not records and are not counted, but each reject also carries the 1-based physical
//! `line` so a client can find it in the body it sent.

use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::Value;
use throughline_domain::{RecordRejected, Signal, SliceError};

/// How a batch body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// One JSON array of records.
    Json,
    /// One JSON object per line; blank lines are skipped.
    Ndjson,
    /// No usable content type: decided from the body's first non-whitespace byte.
    Sniff,
}

impl BodyFormat {
    /// Picks the format from a `Content-Type` header value; parameters such as
    /// `charset` are ignored. A missing or unknown type is sniffed from the body.
    pub fn from_content_type(content_type: Option<&str>) -> BodyFormat {
        let Some(value) = content_type else {
            return BodyFormat::Sniff;
        };
        let essence = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonl"
            | "application/jsonlines" => BodyFormat::Ndjson,
            "application/json" => BodyFormat::Json,
            _ => BodyFormat::Sniff,
        }
    }

    /// `[` as the first non-whitespace byte means a JSON array; anything else is NDJSON
    /// (so an empty body is an empty NDJSON batch, not a syntax error).
    pub fn sniff(body: &[u8]) -> BodyFormat {
        match strip_bom(body).iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => BodyFormat::Json,
            _ => BodyFormat::Ndjson,
        }
    }
}

/// Limits on one batch. The web layer enforces the body size while reading too; it is
/// checked again here so that every caller gets the same answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLimits {
    pub max_records: usize,
    pub max_body_bytes: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            max_records: 10_000,
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Why a whole batch was refused. Everything else is a per-record [`Reject`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("the body is {got} bytes; the limit is {limit}")]
    TooLarge { limit: usize, got: usize },
    #[error("the batch holds {got} records; the limit is {limit}")]
    TooManyRecords { limit: usize, got: usize },
    #[error(
        "the body is not a valid JSON array of records: {message} at line {line} column {column}"
    )]
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
}

/// One problem with one field of one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reject {
    /// 0-based index of the record in the batch (blank NDJSON lines not counted).
    pub index: usize,
    /// 1-based line of the record in an NDJSON body; absent for a JSON array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The wire field, e.g. `nps` or `customer.email`; `record` for the record as a whole.
    pub field: String,
    pub reason: String,
}

/// A parsed batch. `rejects` is ordered by `index`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedBatch {
    pub signals: Vec<Signal>,
    /// The record index of each signal, parallel to `signals`.
    pub indexes: Vec<usize>,
    pub rejects: Vec<Reject>,
    /// Records seen, good and bad.
    pub records: usize,
}

impl ParsedBatch {
    fn push(&mut self, index: usize, line: Option<usize>, result: Result<Signal, RecordRejected>) {
        self.records += 1;
        match result {
            Ok(signal) => {
                self.signals.push(signal);
                self.indexes.push(index);
            }
            Err(rejected) => self
                .rejects
                .extend(rejected.errors.into_iter().map(|e| Reject {
                    index,
                    line,
                    field: e.field,
                    reason: e.reason,
                })),
        }
    }
}

/// Parses a batch body. Bad records become [`Reject`]s and never block the good ones;
/// only an oversize body, too many records or a broken JSON array fail the whole batch.
pub fn parse_batch(
    body: &[u8],
    format: BodyFormat,
    limits: &BatchLimits,
) -> Result<ParsedBatch, BatchError> {
    if body.len() > limits.max_body_bytes {
        return Err(BatchError::TooLarge {
            limit: limits.max_body_bytes,
            got: body.len(),
        });
    }
    let body = strip_bom(body);
    match format {
        BodyFormat::Json => parse_array(body, limits),
        BodyFormat::Ndjson => parse_ndjson(body, limits),
        BodyFormat::Sniff => parse_batch(body, BodyFormat::sniff(body), limits),
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn parse_ndjson(body: &[u8], limits: &BatchLimits) -> Result<ParsedBatch, BatchError> {
    // Framing first (cheap), so the record limit is checked before any parsing.
    let lines: Vec<(usize, &[u8])> = body
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !is_blank(line))
        .map(|(i, line)| (i + 1, line))
        .collect();
    if lines.len() > limits.max_records {
        return Err(BatchError::TooManyRecords {
            limit: limits.max_records,
            got: lines.len(),
        });
    }
    let parsed = lines.iter().map(|(_, line)| parse_line(line));
    // Room for every record up front: growing by doubling copied the signals and
    // faulted in fresh pages at each step.
    let mut out = ParsedBatch {
        signals: Vec::with_capacity(lines.len()),
        indexes: Vec::with_capacity(lines.len()),
        ..ParsedBatch::default()
    };
    for (index, ((line, _), result)) in lines.iter().zip(parsed).enumerate() {
        out.push(index, Some(*line), result);
    }
    Ok(out)
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Parses one NDJSON line into a signal; a JSON syntax error is a reject of field `record`.
pub(crate) fn parse_line(line: &[u8]) -> Result<Signal, RecordRejected> {
    match Signal::parse_slice(line) {
        Ok(signal) => Ok(signal),
        Err(SliceError::Rejected(rejected)) => Err(rejected),
        Err(SliceError::Syntax(e)) => Err(RecordRejected {
            errors: vec![throughline_domain::FieldError::new(
                "record",
                json_syntax_reason(&e),
            )],
        }),
    }
}

/// The serde error without its " at line 1 column N" suffix (always line 1 for one line),
/// with the column said first so it reads well next to the record's own line number.
pub(crate) fn json_syntax_reason(e: &serde_json::Error) -> String {
    format!(
        "invalid JSON at column {}: {}",
        e.column(),
        without_position(e)
    )
}

/// serde_json's message without the position it appends, so that we can place it.
fn without_position(e: &serde_json::Error) -> String {
    let mut text = e.to_string();
    if let Some(at) = text.rfind(" at line ") {
        text.truncate(at);
    }
    text
}

fn parse_array(body: &[u8], limits: &BatchLimits) -> Result<ParsedBatch, BatchError> {
    let mut out = ParsedBatch::default();
    let mut too_many = None;
    let mut de = serde_json::Deserializer::from_slice(body);
    let seed = ArraySeed {
        max_records: limits.max_records,
        out: &mut out,
        too_many: &mut too_many,
    };
    let parsed = seed.deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = parsed {
        let message = without_position(&e);
        // serde_json says column 0 for an error found before the first byte was consumed.
        let column = e.column().max(1);
        return Err(BatchError::Malformed {
            line: e.line(),
            column,
            message,
        });
    }
    if let Some(got) = too_many {
        return Err(BatchError::TooManyRecords {
            limit: limits.max_records,
            got,
        });
    }
    Ok(out)
}

/// Streams the array: each element becomes a signal as soon as it is read, while it is
/// still in cache; past the limit elements are only counted, so an oversize batch costs
/// no allocation and the error can still say how many came.
struct ArraySeed<'a> {
    max_records: usize,
    out: &'a mut ParsedBatch,
    too_many: &'a mut Option<usize>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while index < self.max_records {
            let Some(value) = seq.next_element::<Value>()? else {
                return Ok(());
            };
            self.out.push(index, None, Signal::parse(&value));
            index += 1;
        }
        let mut got = index;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            got += 1;
        }
        if got > self.max_records {
            *self.too_many = Some(got);
        }
        Ok(())
    }
}
