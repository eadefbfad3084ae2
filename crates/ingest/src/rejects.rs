//! The rejects file: every rejected row once, as it was, with its line and why, so a
//! person can fix the rows and import the rejects file itself again.
//!
//! CSV: the original header plus `_line` and `_reason`, then each row plus those two
//! cells. NDJSON: `{"line": 7, "reason": "…", "record": <the original line>}`; a line
//! that was not JSON at all is kept as a string under `record`.

use std::io::Write;

use crate::file::{FileFormat, FileReader, FileReject};

/// Writes rejected rows. A row with several bad fields is written once, its reasons
/// joined as `field: reason; field: reason`. Nothing (not even the header) is written
/// until the first reject, so a clean import leaves an empty output.
pub struct RejectsWriter<W: Write> {
    out: Out<W>,
    rows: u64,
}

enum Out<W: Write> {
    Csv {
        writer: Box<csv::Writer<W>>,
        headers: Option<Vec<String>>,
    },
    Ndjson(W),
}

impl<W: Write> RejectsWriter<W> {
    /// A CSV rejects file repeating `headers` (the import file's header).
    pub fn csv(out: W, headers: &[String]) -> Self {
        let writer = Box::new(csv::WriterBuilder::new().flexible(true).from_writer(out));
        RejectsWriter {
            out: Out::Csv {
                writer,
                headers: Some(headers.to_vec()),
            },
            rows: 0,
        }
    }

    pub fn ndjson(out: W) -> Self {
        RejectsWriter {
            out: Out::Ndjson(out),
            rows: 0,
        }
    }

    /// The rejects file matching what `reader` reads.
    pub fn for_reader(out: W, reader: &FileReader) -> Self {
        match reader.format() {
            FileFormat::Csv => RejectsWriter::csv(out, reader.headers()),
            FileFormat::Ndjson => RejectsWriter::ndjson(out),
        }
    }

    /// Writes the rows behind `rejects` (as in a [`crate::Chunk`]: ordered by line).
    pub fn write(&mut self, rejects: &[FileReject]) -> std::io::Result<()> {
        for row in rejects.chunk_by(|a, b| a.line == b.line) {
            let reason = row
                .iter()
                .map(|r| format!("{}: {}", r.field, r.reason))
                .collect::<Vec<_>>()
                .join("; ");
            self.write_row(row[0].line, &row[0].raw, &reason)?;
            self.rows += 1;
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> std::io::Result<W> {
        match self.out {
            Out::Csv { writer, .. } => writer.into_inner().map_err(|e| e.into_error()),
            Out::Ndjson(mut out) => {
                out.flush()?;
                Ok(out)
            }
        }
    }

    fn write_row(&mut self, line: u64, raw: &str, reason: &str) -> std::io::Result<()> {
        match &mut self.out {
            Out::Csv { writer, headers } => {
                if let Some(headers) = headers.take() {
                    let extra = ["_line", "_reason"];
                    writer.write_record(headers.iter().map(String::as_str).chain(extra))?;
                }
                // The raw row is one CSV record; read it back so the writer quotes it anew.
                let mut cells = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(raw.as_bytes());
                let mut record = csv::StringRecord::new();
                if !cells.read_record(&mut record).unwrap_or(false) {
                    record = csv::StringRecord::from(vec![raw]);
                }
                let line = line.to_string();
                writer.write_record(record.iter().chain([line.as_str(), reason]))?;
                Ok(())
            }
            Out::Ndjson(out) => {
                write!(out, "{{\"line\":{line},\"reason\":")?;
                serde_json::to_writer(&mut *out, reason)?;
                out.write_all(b",\"record\":")?;
                if serde_json::from_str::<serde::de::IgnoredAny>(raw).is_ok() {
                    out.write_all(raw.trim().as_bytes())?;
                } else {
                    serde_json::to_writer(&mut *out, raw)?;
                }
                out.write_all(b"}\n")
            }
        }
    }
}
