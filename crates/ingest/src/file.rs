//! File import: a CSV or NDJSON file read in chunks of signals plus per-row rejects,
//! with a byte counter for a progress bar. Reading is streaming: memory is bounded by
//! the chunk size, not the file size.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use throughline_domain::Signal;

use crate::csv_rows::CsvRows;
use crate::mapping::Mapping;
use crate::ndjson_rows::NdjsonRows;

/// Bytes asked of the file per read; large reads keep syscalls out of the profile.
pub(crate) const READ_BUFFER: usize = 1 << 20;

/// How an import file is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Ndjson,
}

impl FileFormat {
    /// `.csv` is CSV; `.ndjson` and `.jsonl` are NDJSON (case-insensitive). `.json` is
    /// not guessed: it is as often one JSON array, which would fail on every line.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(FileFormat::Csv),
            "ndjson" | "jsonl" => Some(FileFormat::Ndjson),
            _ => None,
        }
    }
}

/// One rejected field of one row. A row with two bad fields gives two rejects with the
/// same `line` and `raw`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReject {
    /// 1-based line the row starts on (the CSV header is line 1).
    pub line: u64,
    /// The wire field, or `record` for the row as a whole.
    pub field: String,
    pub reason: String,
    /// The row as it was: the NDJSON line, or the CSV row re-encoded as one CSV record.
    pub raw: String,
}

/// Up to `chunk_size` rows of a file: the good ones as signals, the bad ones as rejects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chunk {
    pub signals: Vec<Signal>,
    /// The 1-based line of each signal, parallel to `signals`.
    pub lines: Vec<u64>,
    /// Ordered by line.
    pub rejects: Vec<FileReject>,
    /// Rows read into this chunk, good and bad (blank lines are not rows).
    pub rows: usize,
}

impl Chunk {
    pub(crate) fn push(&mut self, line: u64, raw: impl FnOnce() -> String, result: RowResult) {
        self.rows += 1;
        match result {
            Ok(signal) => {
                self.signals.push(signal);
                self.lines.push(line);
            }
            Err(errors) => {
                let raw = raw();
                self.rejects
                    .extend(errors.into_iter().map(|(field, reason)| FileReject {
                        line,
                        field,
                        reason,
                        raw: raw.clone(),
                    }));
            }
        }
    }
}

/// A row parsed: the signal, or `(field, reason)` for each problem.
pub(crate) type RowResult = Result<Signal, Vec<(String, String)>>;

pub(crate) fn row_result(parsed: Result<Signal, throughline_domain::RecordRejected>) -> RowResult {
    parsed.map_err(|r| r.errors.into_iter().map(|e| (e.field, e.reason)).collect())
}

/// Conversion errors first; the domain's complaints about the same fields (usually
/// "is required" after the bad cell was dropped) would only repeat them.
pub(crate) fn merge_errors(mut errors: Vec<(String, String)>, parsed: RowResult) -> RowResult {
    if errors.is_empty() {
        return parsed;
    }
    if let Err(more) = parsed {
        let fresh: Vec<_> = more
            .into_iter()
            .filter(|(f, _)| !errors.iter().any(|(e, _)| e == f))
            .collect();
        errors.extend(fresh);
    }
    Err(errors)
}

/// Why an import stopped. Bad rows are not errors; these are.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot open {path}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot tell the format of {path}: name it .csv, .ndjson or .jsonl, or give the format"
    )]
    UnknownFormat { path: PathBuf },
    #[error("read error after line {line}")]
    Read { line: u64, source: std::io::Error },
    #[error("the mapping names column {column:?} for {field}, but the header has no such column; it has: {available}")]
    MissingColumn {
        field: String,
        column: String,
        available: String,
    },
}

/// Reads an import file chunk by chunk.
pub struct FileReader {
    format: FileFormat,
    rows: Rows,
    bytes_read: Arc<AtomicU64>,
    total_bytes: Option<u64>,
    threads: usize,
}

enum Rows {
    Csv(Box<CsvRows>),
    Ndjson(NdjsonRows),
}

impl FileReader {
    /// Opens `path`; the format comes from the extension unless given.
    pub fn open(
        path: &Path,
        format: Option<FileFormat>,
        mapping: &Mapping,
    ) -> Result<FileReader, FileError> {
        let format = format
            .or_else(|| FileFormat::from_path(path))
            .ok_or_else(|| FileError::UnknownFormat {
                path: path.to_path_buf(),
            })?;
        let open_error = |source| FileError::Open {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(open_error)?;
        let total = file.metadata().map_err(open_error)?.len();
        let mut reader = FileReader::new(file, format, mapping)?;
        reader.total_bytes = Some(total);
        Ok(reader)
    }

    /// Reads from any byte source, e.g. standard input or an in-memory buffer.
    pub fn new(
        source: impl Read + Send + 'static,
        format: FileFormat,
        mapping: &Mapping,
    ) -> Result<FileReader, FileError> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counted = Counted {
            inner: source,
            count: Arc::clone(&bytes_read),
        };
        let rows = match format {
            FileFormat::Csv => Rows::Csv(Box::new(CsvRows::new(Box::new(counted), mapping)?)),
            FileFormat::Ndjson => Rows::Ndjson(NdjsonRows::new(Box::new(counted), mapping)),
        };
        Ok(FileReader {
            format,
            rows,
            bytes_read,
            total_bytes: None,
            threads: 1,
        })
    }

    /// The next up to `chunk_size` rows; `None` at the end of the file.
    pub fn next_chunk(&mut self, chunk_size: usize) -> Result<Option<Chunk>, FileError> {
        let chunk_size = chunk_size.max(1);
        let chunk = match &mut self.rows {
            Rows::Csv(rows) => rows.next_chunk(chunk_size, self.threads)?,
            Rows::Ndjson(rows) => rows.next_chunk(chunk_size, self.threads)?,
        };
        Ok((chunk.rows > 0).then_some(chunk))
    }

    /// Parses each chunk on up to `threads` threads (default 1). Worth it only when
    /// parsing, not the store, is the bottleneck and a core is idle: a second thread
    /// costs about a third more CPU per row.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// The chunks as an iterator; it stops after the first error.
    pub fn chunks(self, chunk_size: usize) -> Chunks {
        Chunks {
            reader: self,
            chunk_size,
            failed: false,
        }
    }

    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// Bytes read from the source so far (ahead of the rows handed out by up to one buffer).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// A handle on the byte counter, for a progress bar on another thread.
    pub fn progress(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// The file's size when opened from a path.
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// The CSV header as read (empty for NDJSON or an empty file); a rejects file repeats it.
    pub fn headers(&self) -> &[String] {
        match &self.rows {
            Rows::Csv(rows) => rows.headers(),
            Rows::Ndjson(_) => &[],
        }
    }

    /// CSV columns that feed no wire field and are skipped, so the caller can warn.
    pub fn ignored_columns(&self) -> Vec<String> {
        match &self.rows {
            Rows::Csv(rows) => rows.ignored_columns(),
            Rows::Ndjson(_) => Vec::new(),
        }
    }
}

/// Iterator over a [`FileReader`]'s chunks.
pub struct Chunks {
    reader: FileReader,
    chunk_size: usize,
    failed: bool,
}

impl Chunks {
    pub fn reader(&self) -> &FileReader {
        &self.reader
    }
}

impl Iterator for Chunks {
    type Item = Result<Chunk, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.reader.next_chunk(self.chunk_size).transpose();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

/// Counts bytes as they are read, for progress reporting.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
