//! CSV rows into wire records: the mapping compiled against the header into a plan of
//! (wire field ← column index | constant), then applied to each reused `ByteRecord`.
//! A cell a CSV writer quoted against formula injection is read without that quote
//! (`csv_safe`), so our own rejects files import again unchanged.

use csv::ByteRecord;
use serde_json::{Map, Value};
use std::io::Read;
use throughline_domain::Signal;

use crate::csv_safe::restore_formula;
use crate::file::{merge_errors, row_result, Chunk, FileError, RowResult, READ_BUFFER};
use crate::mapping::Mapping;
use crate::parallel::map_ordered;
use crate::path::WirePath;

enum Source {
    Column(usize),
    Constant(Value),
}

pub(crate) struct CsvRows {
    reader: csv::Reader<Box<dyn Read + Send>>,
    headers: Vec<String>,
    /// Whole objects (`customer`) come before fields inside them (`customer.email`),
    /// so a mapped object is extended rather than overwritten.
    plan: Vec<(WirePath, Source)>,
    /// Reused between chunks so that cells are read into warm buffers.
    records: Vec<ByteRecord>,
}

impl CsvRows {
    pub(crate) fn new(source: Box<dyn Read + Send>, mapping: &Mapping) -> Result<Self, FileError> {
        let mut reader = csv::ReaderBuilder::new()
            .buffer_capacity(READ_BUFFER)
            .flexible(true)
            .from_reader(source);
        let headers: Vec<String> = match reader.byte_headers() {
            Ok(h) => h
                .iter()
                .map(|c| restore_formula(String::from_utf8_lossy(c).trim()).to_string())
                .collect(),
            Err(e) => return Err(read_error(1, e)),
        };
        let plan = if headers.is_empty() {
            Vec::new()
        } else {
            plan(&headers, mapping)?
        };
        Ok(CsvRows {
            reader,
            headers,
            plan,
            records: Vec::new(),
        })
    }

    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    pub(crate) fn ignored_columns(&self) -> Vec<String> {
        let used = |i: usize| {
            self.plan
                .iter()
                .any(|(_, s)| matches!(s, Source::Column(c) if *c == i))
        };
        (0..self.headers.len())
            .filter(|i| !used(*i))
            .map(|i| self.headers[i].clone())
            .collect()
    }

    /// Reads up to `chunk_size` records, then turns them into signals on `threads` threads.
    pub(crate) fn next_chunk(
        &mut self,
        chunk_size: usize,
        threads: usize,
    ) -> Result<Chunk, FileError> {
        let mut read = 0;
        while read < chunk_size {
            if read == self.records.len() {
                self.records.push(ByteRecord::new());
            }
            let line = self.reader.position().line();
            match self.reader.read_byte_record(&mut self.records[read]) {
                Ok(false) => break,
                Ok(true) => read += 1,
                Err(e) => return Err(read_error(line, e)),
            }
        }
        let records = &self.records[..read];
        let (plan, columns) = (&self.plan, self.headers.len());
        let results = map_ordered(records, threads, |record| row(plan, columns, record));
        let mut chunk = Chunk::default();
        for (record, result) in records.iter().zip(results) {
            let line = record.position().map_or(0, |p| p.line());
            chunk.push(line, || raw_row(record), result);
        }
        Ok(chunk)
    }
}

fn row(plan: &[(WirePath, Source)], columns: usize, record: &ByteRecord) -> RowResult {
    if record.len() != columns {
        let reason = format!("has {} fields; the header has {columns}", record.len());
        return Err(vec![("record".into(), reason)]);
    }
    let mut object = Map::new();
    let mut errors = Vec::new();
    for (path, source) in plan {
        let value = match source {
            Source::Constant(value) => Some(value.clone()),
            Source::Column(i) => match std::str::from_utf8(&record[*i]) {
                Ok(cell) => path
                    .convert(restore_formula(cell))
                    .unwrap_or_else(|reason| {
                        errors.push((path.to_string(), reason));
                        None
                    }),
                Err(_) => {
                    errors.push((path.to_string(), "is not valid UTF-8".into()));
                    None
                }
            },
        };
        if let Some(value) = value {
            path.insert(&mut object, value);
        }
    }
    merge_errors(errors, row_result(Signal::parse(&Value::Object(object))))
}

/// Explicit mappings first, then headers that are wire names themselves.
fn plan(headers: &[String], mapping: &Mapping) -> Result<Vec<(WirePath, Source)>, FileError> {
    let mut plan = Vec::new();
    for (path, column) in mapping.columns() {
        let index =
            headers
                .iter()
                .position(|h| h == column)
                .ok_or_else(|| FileError::MissingColumn {
                    field: path.to_string(),
                    column: column.clone(),
                    available: headers.join(", "),
                })?;
        plan.push((path.clone(), Source::Column(index)));
    }
    for (path, value) in mapping.constants() {
        plan.push((path.clone(), Source::Constant(value.clone())));
    }
    for (index, header) in headers.iter().enumerate() {
        let Ok(path) = WirePath::parse(header) else {
            continue;
        };
        let explicit = plan.iter().any(|(p, _)| *p == path);
        // A header named like a wire field but mapped elsewhere stays with that mapping.
        let used = mapping.columns().iter().any(|(_, c)| c == header);
        if !explicit && !used {
            plan.push((path, Source::Column(index)));
        }
    }
    plan.sort_by_key(|(path, _)| !matches!(path, WirePath::Field(_)));
    Ok(plan)
}

/// The row re-encoded as one CSV record (no line terminator), for a rejects file.
fn raw_row(record: &ByteRecord) -> String {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    if writer.write_byte_record(record).is_err() {
        return String::new();
    }
    let bytes = writer.into_inner().unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    text.trim_end_matches(['\r', '\n']).to_string()
}

fn read_error(line: u64, e: csv::Error) -> FileError {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
    };
    FileError::Read { line, source }
}
