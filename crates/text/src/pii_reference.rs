//! The PII scanner as it was before it was made linear (commit 85376a9), kept only as a test
//! oracle: `pii::tests` checks that the linear scanner finds exactly the same spans on
//! generated texts. It is quadratic on hostile input, so tests feed it short texts only.

use super::{PiiKind, PiiMatch};

/// Finds PII spans, sorted and non-overlapping.
pub fn find(text: &str) -> Vec<PiiMatch> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    if !bytes.iter().any(|b| *b == b'@' || b.is_ascii_digit()) {
        return found;
    }
    let mut at = 0;
    while at < bytes.len() {
        // Jump to the first place a scanner could match: the local part before the next `@`,
        // or three bytes before the next digit ("+(44", an IBAN's country letters).
        let email_start = bytes[at..].iter().position(|b| *b == b'@').map(|offset| {
            let mut start = at + offset;
            while start > at && is_local_char(bytes[start - 1]) {
                start -= 1;
            }
            start
        });
        let digit_start = bytes[at..]
            .iter()
            .position(u8::is_ascii_digit)
            .map(|offset| (at + offset).saturating_sub(3).max(at));
        match email_start.into_iter().chain(digit_start).min() {
            Some(start) => at = start,
            None => break,
        }
        let next = scan_email(bytes, at)
            .or_else(|| scan_iban(bytes, at))
            .or_else(|| scan_digits(bytes, at));
        match next {
            Some(hit) => {
                at = hit.end;
                found.push(hit);
            }
            // A digit run that is no identifier is skipped whole, so its tail ("1111 1112" of
            // a failed card number) is not retried as a shorter phone number.
            None if bytes[at].is_ascii_digit() => {
                at += 1;
                while at < bytes.len()
                    && (bytes[at].is_ascii_digit()
                        || matches!(bytes[at], b' ' | b'-' | b'.')
                            && bytes.get(at + 1).is_some_and(u8::is_ascii_digit))
                {
                    at += 1;
                }
            }
            None => at += 1,
        }
    }
    found
}

fn is_boundary(bytes: &[u8], at: usize) -> bool {
    at == 0 || !bytes[at - 1].is_ascii_alphanumeric()
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// An email starting at `at`: local part, `@`, dotted domain with a 2+ letter top level.
fn scan_email(bytes: &[u8], at: usize) -> Option<PiiMatch> {
    if !is_local_char(bytes[at]) || (at > 0 && is_local_char(bytes[at - 1])) {
        return None;
    }
    let mut cursor = at;
    while cursor < bytes.len() && is_local_char(bytes[cursor]) {
        cursor += 1;
    }
    if cursor == at || bytes.get(cursor) != Some(&b'@') {
        return None;
    }
    let domain_start = cursor + 1;
    let mut end = domain_start;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'.' | b'-'))
    {
        end += 1;
    }
    while end > domain_start && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let domain = &bytes[domain_start..end];
    let last_dot = domain.iter().rposition(|b| *b == b'.')?;
    let tld = &domain[last_dot + 1..];
    (last_dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(
        PiiMatch {
            kind: PiiKind::Email,
            start: at,
            end,
        },
    )
}

/// An IBAN: country letters, check digits, then up to 30 letters/digits, optionally grouped
/// by single spaces; the longest prefix that passes mod-97 wins.
fn scan_iban(bytes: &[u8], at: usize) -> Option<PiiMatch> {
    let head = bytes.get(at..at + 4)?;
    if !is_boundary(bytes, at)
        || !head[0].is_ascii_uppercase()
        || !head[1].is_ascii_uppercase()
        || !head[2].is_ascii_digit()
        || !head[3].is_ascii_digit()
    {
        return None;
    }
    let mut chars: Vec<(u8, usize)> = Vec::with_capacity(34);
    let mut cursor = at;
    while cursor < bytes.len() && chars.len() < 34 {
        let b = bytes[cursor];
        if b.is_ascii_digit() || b.is_ascii_uppercase() {
            chars.push((b, cursor + 1));
            cursor += 1;
        } else if b == b' ' && bytes.get(cursor + 1).is_some_and(u8::is_ascii_alphanumeric) {
            cursor += 1;
        } else {
            break;
        }
    }
    for length in (15..=chars.len()).rev() {
        let end = chars[length - 1].1;
        let ends_cleanly = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        if ends_cleanly && iban_checksum_ok(chars[..length].iter().map(|(b, _)| *b)) {
            return Some(PiiMatch {
                kind: PiiKind::Iban,
                start: at,
                end,
            });
        }
    }
    None
}

/// ISO 13616: move the first four characters to the end, letters become 10..35, mod 97 == 1.
pub fn iban_checksum_ok(chars: impl Iterator<Item = u8> + Clone) -> bool {
    let rearranged = chars.clone().skip(4).chain(chars.take(4));
    let mut remainder: u32 = 0;
    for b in rearranged {
        let value = if b.is_ascii_digit() {
            (b - b'0') as u32
        } else {
            (b - b'A') as u32 + 10
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// Luhn check over ASCII digits.
pub fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0;
    for (index, digit) in digits.iter().rev().enumerate() {
        let mut value = (digit - b'0') as u32;
        if index % 2 == 1 {
            value *= 2;
            if value > 9 {
                value -= 9;
            }
        }
        sum += value;
    }
    sum % 10 == 0
}

/// A run of digits with phone/card separators starting at `at`: card, SSN, IP or phone.
fn scan_digits(bytes: &[u8], at: usize) -> Option<PiiMatch> {
    let first = bytes[at];
    let plus = first == b'+';
    if !(first.is_ascii_digit() || plus || first == b'(') || !is_boundary(bytes, at) {
        return None;
    }
    let mut digits: Vec<u8> = Vec::with_capacity(20);
    let mut separators = 0;
    let mut dots = 0;
    let mut cursor = at + 1;
    if first.is_ascii_digit() {
        digits.push(first);
    }
    let mut end = if first.is_ascii_digit() { at + 1 } else { at };
    while cursor < bytes.len() && digits.len() <= 19 {
        let b = bytes[cursor];
        if b.is_ascii_digit() {
            digits.push(b);
            end = cursor + 1;
        } else if matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
            && bytes
                .get(cursor + 1)
                .is_some_and(|n| n.is_ascii_digit() || *n == b'(')
        {
            separators += 1;
            dots += (b == b'.') as usize;
        } else if b == b')' {
            // "(555) 123": a closing bracket followed by a space.
        } else {
            break;
        }
        cursor += 1;
    }
    if end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
        return None;
    }
    let span = &bytes[at..end];
    let count = digits.len();
    // Added since 85376a9, with the scanner: a date is not a phone number.
    if !plus && super::starts_with_date(span) {
        return None;
    }
    if !plus && dots == 3 && separators == 3 && is_ipv4(span) {
        return Some(PiiMatch {
            kind: PiiKind::Ip,
            start: at,
            end,
        });
    }
    if !plus && (13..=19).contains(&count) && dots == 0 && luhn_ok(&digits) {
        return Some(PiiMatch {
            kind: PiiKind::Card,
            start: at,
            end,
        });
    }
    if !plus && count == 9 && span.len() == 11 && span[3] == b'-' && span[6] == b'-' {
        return Some(PiiMatch {
            kind: PiiKind::Ssn,
            start: at,
            end,
        });
    }
    let phone_like = dots == 0 || dots == separators;
    // Without a country prefix, longer runs are more often account or order numbers.
    if phone_like && ((plus && (8..=15).contains(&count)) || (10..=12).contains(&count)) {
        return Some(PiiMatch {
            kind: PiiKind::Phone,
            start: at,
            end,
        });
    }
    None
}

fn is_ipv4(span: &[u8]) -> bool {
    span.split(|b| *b == b'.').all(|part| {
        !part.is_empty()
            && part.len() <= 3
            && std::str::from_utf8(part)
                .ok()
                .and_then(|p| p.parse::<u16>().ok())
                .is_some_and(|v| v <= 255)
    })
}
