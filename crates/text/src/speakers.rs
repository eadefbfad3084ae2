//! Speaker labels at the start of a transcript line: "Customer:", "Agent (Sam):",
//! "Sam (agent):", "[10:02] Rep:", "10:02 AM Caller:", "2024-03-01 10:02:33 - Bot:".
//!
//! Only a closed list of role words makes a label: a bare name ("Sam:") says nothing about
//! which side spoke, and a survey comment's "Note:" or "Delivery:" must stay plain text.
//! Every scan reads at most `MAX_PREFIX` bytes of its line, so labelling a text is linear.

use serde::Serialize;

/// Which side of a conversation wrote a stretch of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    Customer,
    /// A person or bot answering for the company.
    Agent,
    /// Lines quoted from an earlier message of an email thread: nobody's words in this one.
    Quoted,
    /// System notices ("System: chat transferred") and text before the first label.
    Other,
}

/// The most bytes of a line a label (timestamp, role, name and colon) may take.
const MAX_PREFIX: usize = 64;

/// Roles a label may be on its own. "Support" is a team answering, "Me" the customer's own
/// export of a chat.
const AGENT_ROLES: &[&str] = &[
    "agent",
    "rep",
    "representative",
    "support",
    "advisor",
    "adviser",
    "operator",
    "bot",
    "chatbot",
    "assistant",
    "csr",
    "associate",
    "specialist",
];
const CUSTOMER_ROLES: &[&str] = &[
    "customer", "caller", "client", "user", "me", "visitor", "guest",
];
/// Words that end a multi-word agent role ("Customer Service", "Support Team") but are too
/// common as survey headings ("Service: slow", "Staff: rude") to be a label alone.
const AGENT_TAILS: &[&str] = &["service", "care", "team", "staff", "desk", "helpdesk"];
/// Words that may come before the last word of a multi-word agent role ("Live Agent",
/// "Customer Service Rep", "Virtual Assistant", "Tech Support").
const AGENT_QUALIFIERS: &[&str] = &[
    "customer",
    "client",
    "support",
    "service",
    "care",
    "sales",
    "live",
    "virtual",
    "chat",
    "ai",
    "tech",
    "technical",
    "help",
    "senior",
    "human",
    "team",
];

/// The speaker a line's label names and the byte offset (in `line`) where its words start,
/// or `None` when the line has no speaker label.
pub fn label(line: &str) -> Option<(Speaker, usize)> {
    let bytes = line.as_bytes();
    let limit = crate::char_floor(line, MAX_PREFIX);
    crate::work::count(limit);
    let mut at = skip_spaces(bytes, 0, limit);
    at = skip_timestamp(line, at, limit).unwrap_or(at);
    let colon = label_colon(&bytes[at..limit])? + at;
    let speaker = role_of_label(line[at..colon].trim())?;
    Some((speaker, skip_spaces(bytes, colon + 1, bytes.len())))
}

/// The first `:` outside brackets ("Agent (10:02):" ends at its second colon).
fn label_colon(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0u32;
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b':' if depth == 0 => return Some(index),
            _ => {}
        }
    }
    None
}

fn skip_spaces(bytes: &[u8], mut at: usize, limit: usize) -> usize {
    while at < limit && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

/// The offset after a leading timestamp and its separator ("[10:02] ", "10:02 AM - ",
/// "(2024-03-01 10:02:33) "), if `at` starts one.
fn skip_timestamp(line: &str, at: usize, limit: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let after = match bytes.get(at)? {
        open @ (b'[' | b'(') => {
            let close = if *open == b'[' { b']' } else { b')' };
            let end = at + 1 + bytes[at + 1..limit].iter().position(|&b| b == close)?;
            let inside = &line[at + 1..end];
            // A redacted identifier where a timestamp was is skipped like one.
            if !(is_timestamp(inside) || is_placeholder(inside)) {
                return None;
            }
            end + 1
        }
        b'0'..=b'9' => {
            // Up to the first space after a `d:dd` time, with an optional AM / PM.
            let end = at + bytes[at..limit].iter().position(|&b| b == b' ')?;
            let mut end = end;
            if !is_timestamp(&line[at..end]) || !line[at..end].contains(':') {
                // "2024-03-01 10:02": a date, a space, then the time.
                let next = end + 1 + bytes.get(end + 1..limit)?.iter().position(|&b| b == b' ')?;
                if !is_timestamp(&line[at..next]) || !line[end..next].contains(':') {
                    return None;
                }
                end = next;
            }
            let meridiem = skip_spaces(bytes, end, limit);
            if is_meridiem(&bytes[meridiem..limit]) {
                end = meridiem + 2;
            }
            end
        }
        _ => return None,
    };
    let mut at = skip_spaces(bytes, after, limit);
    // A separator between the time and the speaker: "10:02 - Agent:", "[10:02] | Agent:".
    for separator in ["-", "–", "|"] {
        if line[at..limit].starts_with(separator) {
            at = skip_spaces(bytes, at + separator.len(), limit);
        }
    }
    Some(at)
}

/// Digits with the separators of dates and times, at least one `d:dd` or a date, and maybe
/// AM / PM or a `T` / `Z`: "10:02", "10:02:33 PM", "2024-03-01T10:02Z", "03/01/2024, 10:02".
fn is_timestamp(text: &str) -> bool {
    let text = text.trim();
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let body = text
        .trim_end_matches(|c: char| c.is_ascii_alphabetic() && "apmAPMZz".contains(c))
        .trim_end();
    digits >= 3
        && body.bytes().all(|b| {
            b.is_ascii_digit() || matches!(b, b':' | b'/' | b'-' | b'.' | b',' | b' ' | b'T' | b'+')
        })
        && (body.contains(':') || body.contains('/') || body.contains('-'))
}

/// "AM" or "PM" as a word of its own at the start of `bytes` (not the "Am" of "Amanda").
fn is_meridiem(bytes: &[u8]) -> bool {
    bytes.len() >= 2
        && (bytes[..2].eq_ignore_ascii_case(b"am") || bytes[..2].eq_ignore_ascii_case(b"pm"))
        && bytes.get(2).is_none_or(|b| !b.is_ascii_alphanumeric())
}

fn is_placeholder(text: &str) -> bool {
    matches!(text, "PHONE" | "IP" | "SSN" | "CARD" | "EMAIL" | "IBAN")
}

/// The speaker a label's text names: a role ("Customer", "Live Agent"), a role and a name
/// ("Agent Sam", "Agent (Sam)") or a name and a role ("Sam (agent)", "Sam [Support]").
fn role_of_label(label: &str) -> Option<Speaker> {
    if label.is_empty() {
        return None;
    }
    if let Some(open) = label.find(['(', '[']) {
        let inner = label[open + 1..].strip_suffix([')', ']'])?.trim();
        let outer = label[..open].trim();
        // "Agent (Sam)" or "Agent (10:02)": the role is outside; "Sam (agent)": inside.
        return role(outer).or_else(|| role(inner).filter(|_| is_name(outer)));
    }
    if let Some(speaker) = role(label) {
        return Some(speaker);
    }
    // "Agent Sam", "Customer Jane Doe": a one-word role and a capitalised name.
    let (first, name) = label.split_once(' ')?;
    let speaker = role(first)?;
    let capitalised = name
        .split_whitespace()
        .all(|word| word.starts_with(|c: char| c.is_uppercase()));
    (capitalised && is_name(name)).then_some(speaker)
}

/// A role on its own, or a multi-word agent role.
fn role(label: &str) -> Option<Speaker> {
    let lower = label.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    match words[..] {
        [] => None,
        ["system"] => Some(Speaker::Other),
        ["end", "user"] => Some(Speaker::Customer),
        [word] if CUSTOMER_ROLES.contains(&word) => Some(Speaker::Customer),
        [word] if AGENT_ROLES.contains(&word) => Some(Speaker::Agent),
        [_] => None,
        [ref qualifiers @ .., last] if words.len() <= 4 => {
            let ends_as_agent = AGENT_ROLES.contains(&last) || AGENT_TAILS.contains(&last);
            let qualified = qualifiers.iter().all(|q| AGENT_QUALIFIERS.contains(q));
            (ends_as_agent && qualified).then_some(Speaker::Agent)
        }
        _ => None,
    }
}

/// One to four words of letters (with inner `.`, `'` or `-`): a person's name.
fn is_name(text: &str) -> bool {
    let mut count = 0;
    for word in text.split_whitespace() {
        count += 1;
        let letters = word
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '-'));
        if !letters || !word.starts_with(char::is_alphabetic) {
            return false;
        }
    }
    (1..=4).contains(&count)
}

#[cfg(test)]
mod tests {
    use super::{label, Speaker};

    fn check(line: &str, expected: Option<(Speaker, &str)>) {
        let found = label(line).map(|(speaker, at)| (speaker, &line[at..]));
        assert_eq!(found, expected, "{line:?}");
    }

    #[test]
    fn roles_names_and_timestamps() {
        use Speaker::{Agent, Customer, Other};
        check("Customer: where is it", Some((Customer, "where is it")));
        check("AGENT: hello", Some((Agent, "hello")));
        check("Agent (Sam): hi", Some((Agent, "hi")));
        check("Sam (agent): hi", Some((Agent, "hi")));
        check("Jane Doe [Customer]: hi", Some((Customer, "hi")));
        check("Agent Sam: hi", Some((Agent, "hi")));
        check("Customer Service Rep: hi", Some((Agent, "hi")));
        check("Live Agent: hi", Some((Agent, "hi")));
        check("Virtual Assistant: hi", Some((Agent, "hi")));
        check("Me: hi", Some((Customer, "hi")));
        check("Caller:", Some((Customer, "")));
        check(
            "System: chat transferred",
            Some((Other, "chat transferred")),
        );
        check("[10:02] Customer: hi", Some((Customer, "hi")));
        check("[10:02:33 AM] Rep: hi", Some((Agent, "hi")));
        check("10:02 Agent: hi", Some((Agent, "hi")));
        check("10:02 AM Agent: hi", Some((Agent, "hi")));
        check("10:02 - Bot: hi", Some((Agent, "hi")));
        check("2024-03-01 10:02:33 Client: hi", Some((Customer, "hi")));
        check("(03/01/2024, 10:02) Advisor: hi", Some((Agent, "hi")));
        check("  Operator:hi", Some((Agent, "hi")));
        check("Agent (10:02): hi", Some((Agent, "hi")));
    }

    #[test]
    fn headings_names_and_prose_are_no_labels() {
        for line in [
            "Note: delivery was late",
            "Delivery: fine",
            "Service: slow",
            "Staff: rude",
            "Subject: Where is my order?",
            "Sam: hi there",
            "User interface: clunky",
            "The agent: useless",
            "14 times: that's how often I called",
            "10:02 was when I called",
            "I told the customer service rep: no",
            "Customer service was awful: never again",
            "http://example.com",
            "",
        ] {
            check(line, None);
        }
    }
}
