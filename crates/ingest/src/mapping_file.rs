//! The TOML mapping file: `[columns]` and `[constants]`, read with spans so that every
//! error names the line it comes from.

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::mapping::{Mapping, MappingError};
use crate::path::WirePath;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: BTreeMap<String, Located>,
    #[serde(default)]
    constants: BTreeMap<String, Located>,
}

/// A value in a section with its byte span when the parser knows it. Bare dotted keys
/// (`customer.email = "Email"`) arrive as implicit tables, which have no span, so
/// `toml::Spanned` cannot be used: it fails on them instead of going without.
struct Located {
    span: Option<usize>,
    node: Node,
}

enum Node {
    Table(BTreeMap<String, Located>),
    Text(String),
    /// Anything that cannot be a column name or constant.
    Other(&'static str),
}
pub(crate) fn parse(text: &str) -> Result<Mapping, MappingError> {
    let file: MappingFile = toml::from_str(text).map_err(|e| MappingError::Toml {
        line: e.span().map_or(1, |span| line_of(text, span.start)),
        message: e.message().trim_end().to_string(),
    })?;
    let mut columns = Vec::new();
    let mut constants = Vec::new();
    flatten("", &file.columns, &mut columns);
    flatten("", &file.constants, &mut constants);

    let mut mapping = Mapping::default();
    let mut seen: Vec<WirePath> = Vec::new();
    let sections = columns
        .iter()
        .map(|c| ("columns", c))
        .chain(constants.iter().map(|c| ("constants", c)));
    for (section, (key, located)) in sections {
        let at = match located.span {
            Some(start) => format!(
                "mapping file line {} ([{section}] {key})",
                line_of(text, start)
            ),
            None => format!("mapping file [{section}] {key}"),
        };
        let invalid = |reason: String| MappingError::Invalid {
            at: at.clone(),
            reason,
        };
        let path = WirePath::parse(key).map_err(invalid)?;
        if seen.contains(&path) {
            return Err(invalid(format!(
                "{path} appears in both [columns] and [constants]"
            )));
        }
        seen.push(path.clone());
        let value = match &located.node {
            Node::Text(value) => value,
            Node::Other(what) => return Err(invalid(format!("expected text, found {what}"))),
            Node::Table(_) => return Err(invalid("expected text, found a table".into())),
        };
        let result = match section {
            "columns" => mapping.map_path(path, value),
            _ => mapping.set_path(path, value),
        };
        result.map_err(invalid)?;
    }
    Ok(mapping)
}

fn flatten<'a>(
    prefix: &str,
    table: &'a BTreeMap<String, Located>,
    out: &mut Vec<(String, &'a Located)>,
) {
    for (key, located) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match &located.node {
            Node::Table(inner) => flatten(&key, inner, out),
            _ => out.push((key, located)),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

// The names by which the `toml` deserializer recognises a request for a span and
// hands over an unquoted datetime (`serde_spanned` / `toml_datetime` 0.6, used by toml
// 0.8). Should they change, values simply arrive without spans and errors lose their
// line; the `mapping_file_errors_name_the_line` test notices.
const SPANNED: &str = "$__serde_spanned_private_Spanned";
const SPAN_START: &str = "$__serde_spanned_private_start";
const SPAN_END: &str = "$__serde_spanned_private_end";
const SPAN_VALUE: &str = "$__serde_spanned_private_value";
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Located {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct(
            SPANNED,
            &[SPAN_START, SPAN_END, SPAN_VALUE],
            LocatedVisitor,
        )
    }
}

/// The value inside a span: whatever it is, without asking for a span again.
struct Inner(Located);

impl<'de> Deserialize<'de> for Inner {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LocatedVisitor).map(Inner)
    }
}

struct LocatedVisitor;

fn leaf(text: impl ToString) -> Located {
    Located {
        span: None,
        node: Node::Text(text.to_string()),
    }
}

impl<'de> Visitor<'de> for LocatedVisitor {
    type Value = Located;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a column name, a constant or a table of them")
    }

    fn visit_str<E>(self, v: &str) -> Result<Located, E> {
        Ok(leaf(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Located, E> {
        Ok(leaf(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Located, E> {
        Ok(leaf(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Located, E> {
        Ok(leaf(v))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Located, E> {
        Ok(leaf(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Located, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Located {
            span: None,
            node: Node::Other("an array"),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Located, A::Error> {
        let mut table = BTreeMap::new();
        let mut span = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                SPAN_START => span = Some(map.next_value::<usize>()?),
                SPAN_END => {
                    map.next_value::<IgnoredAny>()?;
                }
                SPAN_VALUE => {
                    let Inner(inner) = map.next_value::<Inner>()?;
                    return Ok(Located {
                        span,
                        node: inner.node,
                    });
                }
                // An unquoted `occurred_at = 2026-03-01T10:00:00Z` is meant as text.
                TOML_DATETIME => return Ok(leaf(map.next_value::<String>()?)),
                _ => {
                    let value = map.next_value::<Located>()?;
                    table.insert(key, value);
                }
            }
        }
        Ok(Located {
            span,
            node: Node::Table(table),
        })
    }
}
