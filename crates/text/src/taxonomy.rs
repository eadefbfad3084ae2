//! Theme taxonomy files: parsing and validation (theme → sub-themes → phrases / lemmas / near).
//!
//! The file is TOML. Every error names the line, the field and the reason, because analysts edit
//! these files by hand. `compile` in `themes` turns a valid `Taxonomy` into automata.

use serde::Deserialize;
use toml::Spanned;

use crate::error::TextError;

/// The shipped customer- and employee-experience taxonomy.
pub const DEFAULT_TAXONOMY: &str = include_str!("../data/default_taxonomy.toml");

/// "Both terms within N words of each other", e.g. `{ all = ["hold", "hour"], within = 6 }`.
#[derive(Clone, Debug, PartialEq)]
pub struct NearRule {
    pub all: Vec<String>,
    pub within: usize,
}

/// Words and rules that put a comment under a theme or sub-theme.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matchers {
    /// Exact phrases, matched case-insensitively on whole words.
    pub phrases: Vec<String>,
    /// Base forms matched with their inflections ("deliver" → delivers, delivered, delivering).
    pub lemmas: Vec<String>,
    pub near: Vec<NearRule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SubTheme {
    pub id: String,
    pub label: String,
    pub matchers: Matchers,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub id: String,
    pub label: String,
    /// Matchers that name the theme without a sub-theme.
    pub matchers: Matchers,
    pub subs: Vec<SubTheme>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Taxonomy {
    pub name: String,
    pub themes: Vec<Theme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: Option<String>,
    #[serde(rename = "theme")]
    themes: Vec<RawTheme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    id: Spanned<String>,
    label: Spanned<String>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    lemmas: Vec<Spanned<String>>,
    #[serde(default)]
    near: Vec<Spanned<RawNear>>,
    #[serde(default, rename = "sub")]
    subs: Vec<Spanned<RawSub>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSub {
    id: Spanned<String>,
    label: Spanned<String>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    lemmas: Vec<Spanned<String>>,
    #[serde(default)]
    near: Vec<Spanned<RawNear>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNear {
    all: Vec<String>,
    within: usize,
}

struct Checker<'a> {
    source: &'a str,
}

impl Checker<'_> {
    fn line(&self, offset: usize) -> usize {
        self.source[..offset.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn fail<T>(
        &self,
        offset: usize,
        field: &str,
        reason: impl Into<String>,
    ) -> Result<T, TextError> {
        Err(TextError::Taxonomy {
            line: self.line(offset),
            field: field.to_string(),
            reason: reason.into(),
        })
    }

    fn id(
        &self,
        id: &Spanned<String>,
        field: &str,
        seen: &mut Vec<String>,
    ) -> Result<String, TextError> {
        let value = id.get_ref().trim();
        let valid = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return self.fail(
                id.span().start,
                field,
                format!("id `{value}` must be non-empty lowercase letters, digits or `_`"),
            );
        }
        if seen.iter().any(|s| s == value) {
            return self.fail(id.span().start, field, format!("duplicate id `{value}`"));
        }
        seen.push(value.to_string());
        Ok(value.to_string())
    }

    fn label(&self, label: &Spanned<String>, field: &str) -> Result<String, TextError> {
        let value = label.get_ref().trim();
        if value.is_empty() {
            return self.fail(label.span().start, field, "label must not be empty");
        }
        Ok(value.to_string())
    }

    fn matchers(
        &self,
        path: &str,
        phrases: &[Spanned<String>],
        lemmas: &[Spanned<String>],
        near: &[Spanned<RawNear>],
    ) -> Result<Matchers, TextError> {
        let mut out = Matchers::default();
        for phrase in phrases {
            let value = phrase.get_ref().trim();
            if value.is_empty() {
                return self.fail(
                    phrase.span().start,
                    &format!("{path}.phrases"),
                    "phrase must not be empty",
                );
            }
            out.phrases.push(value.to_lowercase());
        }
        for lemma in lemmas {
            let value = lemma.get_ref().trim();
            if value.is_empty() || value.contains(char::is_whitespace) {
                return self.fail(
                    lemma.span().start,
                    &format!("{path}.lemmas"),
                    format!("lemma `{value}` must be one word; use phrases for several"),
                );
            }
            out.lemmas.push(value.to_lowercase());
        }
        for rule in near {
            let raw = rule.get_ref();
            let field = format!("{path}.near");
            if raw.all.len() < 2 || raw.all.iter().any(|t| t.trim().is_empty()) {
                return self.fail(
                    rule.span().start,
                    &field,
                    "`all` needs at least two non-empty terms",
                );
            }
            if !(1..=20).contains(&raw.within) {
                return self.fail(
                    rule.span().start,
                    &field,
                    "`within` must be between 1 and 20 words",
                );
            }
            out.near.push(NearRule {
                all: raw.all.iter().map(|t| t.trim().to_lowercase()).collect(),
                within: raw.within,
            });
        }
        Ok(out)
    }
}

/// The first `quoted` name in a serde message ("unknown field `colour`"), used as the field.
fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

fn is_empty(matchers: &Matchers) -> bool {
    matchers.phrases.is_empty() && matchers.lemmas.is_empty() && matchers.near.is_empty()
}

impl Taxonomy {
    /// The shipped default taxonomy (validated by a unit test, so this cannot fail at run time).
    pub fn default_taxonomy() -> Taxonomy {
        Taxonomy::parse(DEFAULT_TAXONOMY).expect("the shipped taxonomy is valid")
    }

    pub fn parse(source: &str) -> Result<Taxonomy, TextError> {
        let checker = Checker { source };
        let raw: RawFile = toml::from_str(source).map_err(|error| TextError::Taxonomy {
            line: error.span().map_or(0, |span| checker.line(span.start)),
            field: backticked(error.message()).unwrap_or("toml").to_string(),
            reason: error.message().trim().to_string(),
        })?;
        let mut seen = Vec::new();
        let mut themes = Vec::with_capacity(raw.themes.len());
        for theme in &raw.themes {
            let id = checker.id(&theme.id, "theme.id", &mut seen)?;
            let path = format!("theme `{id}`");
            let label = checker.label(&theme.label, &format!("{path}.label"))?;
            let matchers = checker.matchers(&path, &theme.phrases, &theme.lemmas, &theme.near)?;
            let mut subs = Vec::with_capacity(theme.subs.len());
            for sub in &theme.subs {
                let sub_id = checker.id(&sub.get_ref().id, &format!("{path}.sub.id"), &mut seen)?;
                let sub_path = format!("{path}.sub `{sub_id}`");
                let raw_sub = sub.get_ref();
                let sub_label = checker.label(&raw_sub.label, &format!("{sub_path}.label"))?;
                let sub_matchers = checker.matchers(
                    &sub_path,
                    &raw_sub.phrases,
                    &raw_sub.lemmas,
                    &raw_sub.near,
                )?;
                if is_empty(&sub_matchers) {
                    return checker.fail(
                        sub.span().start,
                        &sub_path,
                        "needs at least one of phrases, lemmas or near",
                    );
                }
                subs.push(SubTheme {
                    id: sub_id,
                    label: sub_label,
                    matchers: sub_matchers,
                });
            }
            if is_empty(&matchers) && subs.is_empty() {
                return checker.fail(
                    theme.id.span().start,
                    &path,
                    "needs phrases, lemmas, near or a sub-theme",
                );
            }
            themes.push(Theme {
                id,
                label,
                matchers,
                subs,
            });
        }
        if themes.is_empty() {
            return checker.fail(0, "theme", "the taxonomy has no themes");
        }
        Ok(Taxonomy {
            name: raw.name.unwrap_or_else(|| "custom".to_string()),
            themes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_error(source: &str, expected: &str) {
        let error = Taxonomy::parse(source)
            .expect_err("should be rejected")
            .to_string();
        assert!(error.contains(expected), "{error}");
    }

    #[test]
    fn default_taxonomy_is_valid() {
        let taxonomy = Taxonomy::default_taxonomy();
        assert!(taxonomy.themes.len() >= 12);
    }

    #[test]
    fn errors_name_line_field_and_reason() {
        check_error(
            "[[theme]]\nid = \"a\"\nlabel = \"A\"\n",
            "line 2, field `theme `a``: needs phrases",
        );
        check_error(
            "[[theme]]\nid = \"Bad Id\"\nlabel = \"A\"\nphrases = [\"x\"]\n",
            "line 2, field `theme.id`: id `Bad Id`",
        );
        check_error(
            "[[theme]]\nid = \"a\"\nlabel = \"A\"\nphrases = [\"x\"]\n[[theme]]\nid = \"a\"\nlabel = \"B\"\nphrases = [\"y\"]\n",
            "line 6, field `theme.id`: duplicate id `a`",
        );
        check_error(
            "[[theme]]\nid = \"a\"\nlabel = \"A\"\nphrases = [\"x\"]\ncolour = 1\n",
            "unknown field `colour`",
        );
        check_error(
            "[[theme]]\nid = \"a\"\nlabel = \"A\"\nnear = [{ all = [\"x\"], within = 3 }]\n",
            "line 4, field `theme `a`.near`: `all` needs at least two",
        );
        check_error(
            "[[theme]]\nid = \"a\"\nlabel = \"A\"\nlemmas = [\"two words\"]\n",
            "line 4, field `theme `a`.lemmas`",
        );
        check_error("name = \"x\"\ntheme = []\n", "no themes");
    }
}
