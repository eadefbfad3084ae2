//! Intake parsing: HTTP batch bodies and import files into valid signals plus per-record rejects.
//!
//! **API boundary:** this crate knows nothing of storage, HTTP or async. The web crate
//! hands it a body and a content type and maps [`BatchError`] to status codes; the CLI
//! hands it a file and a [`Mapping`] and writes the chunks to a store. Every record is
//! parsed by `Signal::parse`, so a bad record is reported field by field and never stops
//! the good ones around it.

mod batch;
mod csv_rows;
pub mod csv_safe;
mod file;
mod mapping;
mod mapping_file;
mod ndjson_rows;
mod parallel;
mod path;
mod redact;
mod rejects;

pub use batch::{parse_batch, BatchError, BatchLimits, BodyFormat, ParsedBatch, Reject};
pub use file::{Chunk, Chunks, FileError, FileFormat, FileReader, FileReject};
pub use mapping::{Mapping, MappingError};
pub use path::WirePath;
pub use redact::{redact_texts, PiiPolicy};
pub use rejects::{create_rejects_file, RejectsWriter};

#[cfg(test)]
mod tests;
