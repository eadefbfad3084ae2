//! Table-driven tests of the public API: each `check` helper takes a tiny inline input
//! and the outcome it must give.

mod batch;
mod csv_import;
mod fast_path;
mod mapping;
mod ndjson_import;
mod rejects_file;

use crate::{Chunk, FileFormat, FileReader, Mapping};

/// A good survey response as one NDJSON line, with `external_id` `id`. It carries `text`
/// so that a bad `nps` gives one reject, not also "needs at least one of nps, …".
pub(crate) fn survey(id: &str) -> String {
    format!(
        r#"{{"kind":"survey_response","source":"s","external_id":"{id}","occurred_at":"2026-03-01T10:00:00Z","customer":{{"email":"a@b.co"}},"text":"ok","nps":9}}"#
    )
}

/// Reads `text` whole with `mapping`, in chunks of `chunk_size`.
pub(crate) fn read_all(
    text: &str,
    format: FileFormat,
    mapping: &Mapping,
    chunk_size: usize,
) -> Vec<Chunk> {
    let reader = FileReader::new(
        std::io::Cursor::new(text.as_bytes().to_vec()),
        format,
        mapping,
    )
    .expect("the reader opens");
    reader
        .chunks(chunk_size)
        .map(|c| c.expect("no read error"))
        .collect()
}

/// All chunks merged into one, for assertions that do not care about chunking.
pub(crate) fn merged(chunks: Vec<Chunk>) -> Chunk {
    let mut all = Chunk::default();
    for c in chunks {
        all.signals.extend(c.signals);
        all.lines.extend(c.lines);
        all.rejects.extend(c.rejects);
        all.rows += c.rows;
    }
    all
}

/// `line field` for every reject, the compact form the tables compare against.
pub(crate) fn reject_summary(chunk: &Chunk) -> Vec<String> {
    chunk
        .rejects
        .iter()
        .map(|r| format!("{} {}", r.line, r.field))
        .collect()
}
