//! The rejects file: every rejected row once, as it was, with its line and why, so a
//! person can fix the rows and import the rejects file itself again.
//!
//! CSV: the original header plus `_line` and `_reason`, then each row plus those two
//! cells. NDJSON: `{"line": 7, "reason": "…", "record": <the original line>}`; a line
//! that was not JSON at all is kept as a string under `record`.
//!
//! CSV cells are written through [`crate::csv_safe`], so a formula in a rejected row
//! does not run when the file is opened in a spreadsheet. [`create_rejects_file`]
//! opens the file without writing through a link or over the input.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::csv_safe;
use crate::file::{FileFormat, FileReader, FileReject};

/// Creates the rejects file at `path` for an import of `input`, readable by its owner
/// only (it holds the rows as they were, personal data included). Refused when
/// `path` is the input file under any name (same device and inode: `--rejects
/// input.csv` would empty the file being read), a symbolic link (writing through it
/// lands wherever it points), or anything but a regular file. A regular file
/// already there (a rejects file of an earlier run) is replaced; the new one is
/// created with `create_new`, which fails rather than follow a link planted
/// in between. A refusal's message says why, not which path: the caller names it.
pub fn create_rejects_file(path: &Path, input: &Path) -> std::io::Result<File> {
    let refuse = |why: &str| {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it {why}"),
        ))
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return refuse("is a symbolic link; give the rejects file a path of its own");
        }
        Ok(meta) if !meta.is_file() => return refuse("is not a regular file"),
        Ok(meta) => {
            if let Ok(input_meta) = std::fs::metadata(input) {
                if same_file(&meta, &input_meta) {
                    return refuse("is the input file; give the rejects file another path");
                }
            }
            std::fs::remove_file(path)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

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
                    let headers = headers.iter().map(String::as_str);
                    csv_safe::write_record(writer, headers.chain(extra))?;
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
                // Cells as the file had them: a quote a CSV writer put before a
                // formula is taken away, so the writer adds exactly one back.
                let cells = record.iter().map(csv_safe::restore_formula);
                csv_safe::write_record(writer, cells.chain([line.as_str(), reason]))?;
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
