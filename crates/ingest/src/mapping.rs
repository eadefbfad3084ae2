//! Column mapping for file import: which source column feeds which wire field, and
//! which wire fields get one constant value for every row. Built from `--map` / `--set`
//! flags and a TOML mapping file; every entry is validated when the mapping is built,
//! so a typo fails before the first row is read.

use serde_json::Value;
use std::path::Path;

use crate::path::WirePath;

/// Why a mapping could not be built. Each message names the flag or the file line.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("{at}: {reason}")]
    Invalid { at: String, reason: String },
    #[error("mapping file line {line}: {message}")]
    Toml { line: usize, message: String },
    #[error("cannot read the mapping file {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// A validated mapping. The default maps nothing: CSV headers that are wire field names
/// map to themselves and NDJSON records pass through unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    columns: Vec<(WirePath, String)>,
    constants: Vec<(WirePath, Value)>,
}

impl Mapping {
    /// `(wire field, source column)` pairs given explicitly.
    pub fn columns(&self) -> &[(WirePath, String)] {
        &self.columns
    }

    /// `(wire field, value)` pairs set on every row.
    pub fn constants(&self) -> &[(WirePath, Value)] {
        &self.constants
    }

    /// True when nothing is mapped or set, so records can pass through untouched.
    pub fn is_identity(&self) -> bool {
        self.columns.is_empty() && self.constants.is_empty()
    }

    /// Maps `column` to the wire field `field`, replacing any earlier entry for that field.
    pub fn map_column(&mut self, field: &str, column: &str) -> Result<(), MappingError> {
        let invalid = |reason| MappingError::Invalid {
            at: format!("field {field:?}"),
            reason,
        };
        let path = WirePath::parse(field).map_err(invalid)?;
        self.map_path(path, column).map_err(invalid)
    }

    /// Sets the wire field `field` to `value` on every row, replacing any earlier entry.
    /// The value is converted like a cell (`nps` "9" gives the number 9).
    pub fn set_constant(&mut self, field: &str, value: &str) -> Result<(), MappingError> {
        let invalid = |reason| MappingError::Invalid {
            at: format!("field {field:?}"),
            reason,
        };
        let path = WirePath::parse(field).map_err(invalid)?;
        self.set_path(path, value).map_err(invalid)
    }

    pub(crate) fn map_path(&mut self, path: WirePath, column: &str) -> Result<(), String> {
        if column.trim().is_empty() {
            return Err(format!("{path}: the column name is empty"));
        }
        self.forget(&path);
        self.columns.push((path, column.trim().to_string()));
        Ok(())
    }

    pub(crate) fn set_path(&mut self, path: WirePath, value: &str) -> Result<(), String> {
        let value = path
            .convert(value)
            .map_err(|reason| format!("{path}: {reason}"))?
            .ok_or_else(|| format!("{path}: the constant is empty"))?;
        self.forget(&path);
        self.constants.push((path, value));
        Ok(())
    }

    /// Applies `--map FIELD=COLUMN` and `--set FIELD=VALUE` flags on top of this mapping
    /// (usually one read from a file): a flag wins over the file for its field, but
    /// naming one field twice among the flags is an error.
    pub fn with_flags(mut self, maps: &[String], sets: &[String]) -> Result<Mapping, MappingError> {
        let mut seen = Vec::new();
        let flags = maps
            .iter()
            .map(|m| ("map", "COLUMN", m))
            .chain(sets.iter().map(|s| ("set", "VALUE", s)));
        for (flag, what, given) in flags {
            let at = format!("--{flag} {given}");
            let invalid = |reason: String| MappingError::Invalid {
                at: at.clone(),
                reason,
            };
            let (field, value) = given.split_once('=').ok_or_else(|| {
                invalid(format!("expected FIELD={what}, e.g. customer.email=Email"))
            })?;
            let path = WirePath::parse(field).map_err(invalid)?;
            if seen.contains(&path) {
                return Err(invalid(format!("{path} is given more than once")));
            }
            seen.push(path.clone());
            let result = match flag {
                "map" => self.map_path(path, value),
                _ => self.set_path(path, value),
            };
            result.map_err(invalid)?;
        }
        Ok(self)
    }

    /// Reads a TOML mapping file; see [`Mapping::from_toml`].
    pub fn from_toml_file(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Mapping::from_toml(&text)
    }

    /// Parses a mapping file:
    ///
    /// ```toml
    /// [columns]              # wire field = "Source Column"
    /// customer.email = "Email"
    /// nps = "How likely are you to recommend us?"
    /// [constants]            # wire field = value for every row
    /// source = "shop"
    /// kind = "survey_response"
    /// ```
    ///
    /// Dotted keys may be written bare or quoted (`"customer.email"`).
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        crate::mapping_file::parse(text)
    }

    fn forget(&mut self, path: &WirePath) {
        self.columns.retain(|(p, _)| p != path);
        self.constants.retain(|(p, _)| p != path);
    }
}
