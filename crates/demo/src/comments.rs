//! Free-text comments that read like people wrote them: composed from clause fragments
//! (`phrases`) with hedges, intensifiers, negated mild forms, contrasts, openers and
//! closers, varied lengths, the odd emoji and the odd typo.

use rand::Rng;

use crate::dist::{chance, pick, DemoRng};
use crate::phrases::*;
pub use crate::themes::{Theme, CUSTOMER_THEMES, EMPLOYEE_THEMES};

/// Writes one comment. `tone` runs from −1 (furious) to 1 (delighted); `theme` is what
/// it is mainly about and `aside` what else it may mention.
pub fn comment(rng: &mut DemoRng, tone: f64, theme: Theme, aside: Theme) -> String {
    let mut text = if chance(rng, 0.05) {
        short(rng, tone)
    } else {
        body(rng, tone, theme, aside)
    };
    decorate(rng, &mut text, tone);
    text
}

fn short(rng: &mut DemoRng, tone: f64) -> String {
    let base = if tone > 0.3 {
        pick(rng, SHORT_GOOD)
    } else if tone < -0.3 {
        pick(rng, SHORT_BAD)
    } else {
        pick(rng, SHORT_MIXED)
    };
    let tail = pick(
        rng,
        &["", ".", "!", "!!", " thanks", " tbh", "...", " overall"],
    );
    format!("{base}{tail}")
}

fn body(rng: &mut DemoRng, tone: f64, theme: Theme, aside: Theme) -> String {
    let mut out = String::new();
    if chance(rng, 0.15) {
        out.push_str(pick(rng, OPENERS));
        out.push(' ');
    }
    if chance(rng, 0.18) {
        out.push_str(pick(rng, HEDGES));
    }
    if tone >= 0.4 {
        out.push_str(&clause(rng, theme, true, false));
        if chance(rng, 0.5) {
            out.push_str(pick(rng, JOINS));
            let mild = chance(rng, 0.3);
            out.push_str(&clause(rng, aside, true, mild));
        }
        if chance(rng, 0.12) {
            out.push_str(pick(rng, CONTRASTS));
            out.push_str(&clause(rng, aside, false, true));
        }
    } else if tone <= -0.4 {
        out.push_str(&clause(rng, theme, false, false));
        if chance(rng, 0.45) {
            out.push_str(pick(rng, JOINS));
            let second = if chance(rng, 0.5) { theme } else { aside };
            let mild = chance(rng, 0.3);
            let mut next = clause(rng, second, false, mild);
            if out.ends_with(&next) {
                next = clause(rng, aside, false, true);
            }
            out.push_str(&next);
        }
        if chance(rng, 0.15) {
            out.push_str(pick(rng, CONTRASTS));
            out.push_str(&clause(rng, aside, true, true));
        }
    } else if chance(rng, 0.55) {
        // Mixed feelings: one good thing, then what went wrong (or the other way round).
        let bad_first = tone < 0.0 && chance(rng, 0.4);
        let mild = chance(rng, 0.4);
        out.push_str(&clause(
            rng,
            if bad_first { theme } else { aside },
            !bad_first,
            mild,
        ));
        out.push_str(pick(rng, CONTRASTS));
        let mild = chance(rng, 0.4);
        out.push_str(&clause(
            rng,
            if bad_first { aside } else { theme },
            bad_first,
            mild,
        ));
    } else {
        out.push_str(&clause(rng, theme, tone >= 0.0, true));
        if chance(rng, 0.35) {
            out.push_str(pick(rng, JOINS));
            out.push_str(&clause(rng, aside, tone >= 0.0, true));
        }
    }
    terminate(rng, &mut out, tone);
    if chance(rng, 0.3) {
        let staff = EMPLOYEE_THEMES.contains(&theme) || theme == Theme::Partnership;
        let closer = match (tone >= 0.4, tone <= -0.4, staff) {
            (true, _, false) => pick(rng, GOOD_CLOSERS),
            (true, _, true) => pick(rng, STAFF_GOOD_CLOSERS),
            (_, true, false) => pick(rng, BAD_CLOSERS),
            (_, true, true) => pick(rng, STAFF_BAD_CLOSERS),
            _ => pick(rng, MIXED_CLOSERS),
        };
        out.push(' ');
        out.push_str(closer);
    }
    sentence_case(&out)
}

/// One clause about `theme`; `mild` uses the generic "not bad" / "wasn't great" forms.
pub fn clause(rng: &mut DemoRng, theme: Theme, good: bool, mild: bool) -> String {
    let p = phrases(theme);
    let whole = if good { p.good_whole } else { p.bad_whole };
    let raw = if !mild && chance(rng, 0.3) {
        (pick(rng, whole)).to_string()
    } else {
        let predicate = match (mild, good) {
            (true, true) => pick(rng, MILD_GOOD),
            (true, false) => pick(rng, MILD_BAD),
            (false, true) => pick(rng, p.good),
            (false, false) => pick(rng, p.bad),
        };
        let subject = pick(rng, p.subjects);
        match subject.strip_suffix('*') {
            Some(plural) => format!("{plural} {}", agree(predicate)),
            None => format!("{subject} {predicate}"),
        }
    };
    fill(rng, &raw)
}

/// The predicate's first verb in its plural form ("was fine" → "were fine").
pub fn agree(predicate: &str) -> String {
    let (verb, rest) = predicate.split_once(' ').unwrap_or((predicate, ""));
    let plural = match verb {
        "was" => "were",
        "wasn't" => "weren't",
        "is" => "are",
        "isn't" => "aren't",
        "has" => "have",
        "hasn't" => "haven't",
        "doesn't" => "don't",
        other => match other
            .strip_suffix("es")
            .filter(|s| s.ends_with("sh") || s.ends_with("ch"))
        {
            Some(stem) => return format!("{stem} {rest}").trim_end().to_string(),
            None => {
                return format!("{} {rest}", other.strip_suffix('s').unwrap_or(other))
                    .trim_end()
                    .to_string()
            }
        },
    };
    format!("{plural} {rest}").trim_end().to_string()
}

fn fill(rng: &mut DemoRng, raw: &str) -> String {
    let with_i = raw.replace("{i}", pick(rng, INTENSIFIERS));
    if with_i.contains("{n}") {
        with_i.replace("{n}", &rng.random_range(2..=14).to_string())
    } else {
        with_i
    }
}

fn terminate(rng: &mut DemoRng, out: &mut String, tone: f64) {
    let end = if tone.abs() > 0.7 && chance(rng, 0.3) {
        pick(rng, &["!", "!!", "!!!"])
    } else {
        pick(rng, &[".", ".", ".", "", "..."])
    };
    out.push_str(end);
}

fn decorate(rng: &mut DemoRng, text: &mut String, tone: f64) {
    if chance(rng, 0.07) {
        let emoji = if tone >= 0.0 {
            pick(rng, EMOJI_GOOD)
        } else {
            pick(rng, EMOJI_BAD)
        };
        text.push(' ');
        text.push_str(emoji);
    }
    if chance(rng, 0.06) {
        *text = text.to_lowercase();
    }
    if chance(rng, 0.12) {
        typo(rng, text);
        if chance(rng, 0.3) {
            typo(rng, text);
        }
    }
}

/// Swaps two neighbouring letters, drops one or doubles one, as fast typists do.
pub fn typo(rng: &mut DemoRng, text: &mut String) {
    let mut chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_ascii_alphabetic() && chars[i + 1].is_ascii_alphabetic())
        .collect();
    if letters.is_empty() {
        return;
    }
    let i = letters[rng.random_range(0..letters.len())];
    match rng.random_range(0..3) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        _ => chars.insert(i, chars[i]),
    }
    *text = chars.into_iter().collect();
}

/// Capitalises the first letter and the first letter after each sentence end.
fn sentence_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = true;
    for c in s.chars() {
        if upper && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
        if matches!(c, '.' | '!' | '?') {
            upper = true;
        } else if !c.is_whitespace() && upper && !c.is_alphabetic() {
            upper = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::rng_for;

    #[test]
    fn plural_subjects_take_plural_verbs() {
        assert_eq!(agree("was fine"), "were fine");
        assert_eq!(agree("crashes constantly"), "crash constantly");
        assert_eq!(agree("makes the job easier"), "make the job easier");
        assert_eq!(agree("did the job"), "did the job");
        assert_eq!(
            agree("hasn't kept up with prices"),
            "haven't kept up with prices"
        );
    }

    #[test]
    fn comments_vary_and_look_like_sentences() {
        let mut rng = rng_for(7, 0, 0, 0);
        let mut seen = std::collections::HashSet::new();
        for i in 0..2000 {
            let tone = (i % 21) as f64 / 10.0 - 1.0;
            let c = comment(&mut rng, tone, Theme::Delivery, CUSTOMER_THEMES[i % 9]);
            assert!(!c.trim().is_empty() && c.trim() == c, "{c:?}");
            seen.insert(c);
        }
        assert!(seen.len() >= 1900, "only {} distinct", seen.len());
    }
}
