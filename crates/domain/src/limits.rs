//! Explicit limits on one record: sizes, and the characters a label or a text may hold.
//! Batch and body limits live with the intake edge.

use chrono::{DateTime, TimeDelta, Utc};

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

/// Earliest accepted time of a signal (`occurred_at`, `first_response_at`,
/// `resolved_at`): 1900-01-01T00:00:00Z. Older than any experience record; anything
/// before it is a typo or a zero date. It also keeps every time well inside what the
/// analytics engine can hold as nanoseconds (1677-09-21 to 2262-04-11).
pub const EARLIEST_TIME: DateTime<Utc> =
    DateTime::from_timestamp_secs(-2_208_988_800).expect("1900-01-01T00:00:00Z is a valid time");

/// How far past the time of intake a signal's times may lie: one day, for senders'
/// clocks that run ahead. A time further out is a typo (2300 for 2030) or a unit
/// mistake, and would make it the newest signal of its workspace for ever.
pub const MAX_FUTURE: TimeDelta = TimeDelta::days(1);

/// The latest time accepted at intake time `now`: `now` plus [`MAX_FUTURE`].
pub fn latest_time(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_add_signed(MAX_FUTURE).unwrap_or(now)
}

/// Why `value` cannot be a label (a dimension, `reason`, `source`, `external_id`, an
/// identity, a rating or event name): it holds a control character (C0 including tab
/// and newline, DEL, C1). Labels are shown in terminals, menus, file names and
/// spreadsheets, where an escape sequence or a NUL is an attack or a broken row.
pub fn label_chars(value: &str) -> Result<(), String> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "holds the control character U+{:04X}; labels must be printable",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// Why `value` cannot be free text: it holds NUL. Texts keep their newlines, tabs and
/// other whitespace as written; NUL ends strings in C tools and some databases.
pub fn text_chars(value: &str) -> Result<(), String> {
    if value.contains('\0') {
        return Err("holds the control character U+0000 (NUL)".into());
    }
    Ok(())
}
