//! Explicit size limits on one record. Batch and body limits live with the intake edge.

/// Longest accepted free text, in bytes (a long call transcript fits).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Longest dimension value (channel, touchpoint, brand, …) and identifier, in bytes.
pub const MAX_LABEL_BYTES: usize = 200;
/// Longest `source` / `external_id`, in bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Most named custom ratings on one record.
pub const MAX_RATINGS: usize = 50;
/// Largest `properties` object, serialized, in bytes.
pub const MAX_PROPERTIES_BYTES: usize = 16 * 1024;
