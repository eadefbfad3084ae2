//! NDJSON file rows: one JSON object per line, parsed straight into a `Value` and, when
//! a mapping is given, renamed into wire fields before `Signal::parse`.

use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use throughline_domain::Signal;

use crate::batch::json_syntax_reason;
use crate::file::{merge_errors, row_result, Chunk, FileError, RowResult, READ_BUFFER};
use crate::mapping::Mapping;
use crate::parallel::map_ordered;

pub(crate) struct NdjsonRows {
    reader: BufReader<Box<dyn Read + Send>>,
    /// `None` when the mapping is the identity: records go to the domain untouched.
    mapping: Option<Mapping>,
    line: u64,
    /// The current chunk's lines, back to back; reused between chunks.
    buffer: Vec<u8>,
}

impl NdjsonRows {
    pub(crate) fn new(source: Box<dyn Read + Send>, mapping: &Mapping) -> Self {
        NdjsonRows {
            reader: BufReader::with_capacity(READ_BUFFER, source),
            mapping: (!mapping.is_identity()).then(|| mapping.clone()),
            line: 0,
            buffer: Vec::with_capacity(READ_BUFFER),
        }
    }

    /// Frames up to `chunk_size` lines into one buffer, then parses them on `threads` threads.
    pub(crate) fn next_chunk(
        &mut self,
        chunk_size: usize,
        threads: usize,
    ) -> Result<Chunk, FileError> {
        self.buffer.clear();
        let mut rows: Vec<(u64, Range<usize>)> = Vec::with_capacity(chunk_size.min(1 << 16));
        while rows.len() < chunk_size {
            let start = self.buffer.len();
            match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => break,
                Ok(_) => self.line += 1,
                Err(source) => {
                    return Err(FileError::Read {
                        line: self.line,
                        source,
                    })
                }
            }
            let range = content(&self.buffer[start..], self.line == 1);
            let range = start + range.start..start + range.end;
            if self.buffer[range.clone()]
                .iter()
                .all(u8::is_ascii_whitespace)
            {
                self.buffer.truncate(start);
                continue;
            }
            rows.push((self.line, range));
        }
        let (buffer, mapping) = (&self.buffer, self.mapping.as_ref());
        let results = map_ordered(&rows, threads, |(_, range)| {
            parse_row(&buffer[range.clone()], mapping)
        });
        let mut chunk = Chunk::default();
        for ((line, range), result) in rows.iter().zip(results) {
            chunk.push(
                *line,
                || String::from_utf8_lossy(&buffer[range.clone()]).into_owned(),
                result,
            );
        }
        Ok(chunk)
    }
}

/// The part of a raw line that is the record: without its line ending and, on the
/// first line, without a UTF-8 byte order mark.
fn content(raw: &[u8], first: bool) -> Range<usize> {
    let mut end = raw.len();
    if raw[..end].ends_with(b"\n") {
        end -= 1;
    }
    if raw[..end].ends_with(b"\r") {
        end -= 1;
    }
    let begin = if first && raw[..end].starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    begin..end
}

fn parse_row(line: &[u8], mapping: Option<&Mapping>) -> RowResult {
    let Some(mapping) = mapping else {
        // No renaming: the domain reads the bytes itself, without a `Value` in between.
        return row_result(crate::batch::parse_line(line));
    };
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(e) => return Err(vec![("record".into(), json_syntax_reason(&e))]),
    };
    let Value::Object(mut object) = value else {
        return row_result(Signal::parse(&value));
    };
    let errors = remap(&mut object, mapping);
    merge_errors(errors, row_result(Signal::parse(&Value::Object(object))))
}

/// Moves each mapped source key to its wire field and sets the constants. A mapped
/// value that arrives as text is converted like a CSV cell (`"9"` → 9 for `nps`);
/// unmapped keys pass through as they are.
fn remap(object: &mut Map<String, Value>, mapping: &Mapping) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    // Take every source value before inserting any, so a key that is both a source and
    // a target (or feeds two targets) is read before it is overwritten.
    let moved: Vec<_> = mapping
        .columns()
        .iter()
        .map(|(path, key)| (path, object.get(key).cloned(), true))
        .collect();
    for (_, key) in mapping.columns() {
        object.remove(key);
    }
    // Constants were converted when the mapping was built.
    let constants = mapping
        .constants()
        .iter()
        .map(|(path, value)| (path, Some(value.clone()), false));
    let mut entries: Vec<_> = moved.into_iter().chain(constants).collect();
    entries.sort_by_key(|(path, _, _)| !matches!(path, crate::WirePath::Field(_)));
    for (path, value, convert) in entries {
        let value = match value {
            None | Some(Value::Null) => continue,
            Some(Value::String(text)) if convert => match path.convert(&text) {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err(reason) => {
                    errors.push((path.to_string(), reason));
                    continue;
                }
            },
            Some(other) => other,
        };
        path.insert(object, value);
    }
    errors
}
