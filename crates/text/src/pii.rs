//! PII redaction: finds emails, payment cards, IBANs, phone numbers, US SSNs and IP addresses
//! and replaces each with a typed placeholder such as `[EMAIL]`.
//!
//! Hand-written scanners instead of regexes: the text is only scanned around an `@` or a digit,
//! so text without either (most comments) costs one pass over its bytes. Card numbers must pass
//! the Luhn check and IBANs the ISO 7064 mod-97 check, which keeps order numbers and dates out.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PiiKind {
    Email,
    Card,
    Iban,
    Phone,
    Ssn,
    Ip,
}

impl PiiKind {
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[EMAIL]",
            PiiKind::Card => "[CARD]",
            PiiKind::Iban => "[IBAN]",
            PiiKind::Phone => "[PHONE]",
            PiiKind::Ssn => "[SSN]",
            PiiKind::Ip => "[IP]",
        }
    }
}

/// One redacted span, as byte offsets into the original text (the value itself is not kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PiiMatch {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// The work one scan did, so tests can check that it grows linearly with the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Bytes examined, over every loop of the scan: a byte looked at twice counts twice.
    pub steps: u64,
}

/// Finds PII spans, sorted and non-overlapping.
pub fn find(text: &str) -> Vec<PiiMatch> {
    find_with_stats(text).0
}

/// `find`, and the work it took.
///
/// Linear in the text: the scan moves forward through candidate positions, and each thing it
/// looks for is found once and remembered until passed: the next `@` with the start of the
/// local part before it (a local part belongs to one `@`, so it is walked back over once),
/// and the next digit. Each scanner then reads a bounded stretch, except the email scanner,
/// which reads a local part only from its first character and a domain only after its `@`
/// (so each byte at most twice over the whole text).
pub fn find_with_stats(text: &str) -> (Vec<PiiMatch>, ScanStats) {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut steps = 0;
    // Most comments have neither: one pass, and done.
    let first = search(bytes, 0, |b| b == b'@' || b.is_ascii_digit(), &mut steps);
    if first == bytes.len() {
        return (found, ScanStats { steps });
    }
    let mut next = Candidates::new(bytes, first, &mut steps);
    let mut at = 0;
    while at < bytes.len() {
        // Jump to the first place a scanner could match: the local part before the next `@`,
        // or three bytes before the next digit ("+(44", an IBAN's country letters).
        match next.first_from(bytes, at, &mut steps) {
            Some(start) => at = start,
            None => break,
        }
        let hit = scan_email(bytes, at, &mut steps)
            .or_else(|| scan_iban(bytes, at, &mut steps))
            .or_else(|| scan_digits(bytes, at, &mut steps));
        match hit {
            Some(hit) => {
                at = hit.end;
                found.push(hit);
            }
            // A digit run that is no identifier is skipped whole, so its tail ("1111 1112" of
            // a failed card number) is not retried as a shorter phone number.
            None if bytes[at].is_ascii_digit() => {
                let from = at;
                at += 1;
                while at < bytes.len()
                    && (bytes[at].is_ascii_digit()
                        || matches!(bytes[at], b' ' | b'-' | b'.')
                            && bytes.get(at + 1).is_some_and(u8::is_ascii_digit))
                {
                    at += 1;
                }
                steps += (at - from) as u64;
            }
            None => at += 1,
        }
    }
    (found, ScanStats { steps })
}

/// The next `@` and the next digit at or after the scan position, each searched for again
/// only once the scan has passed it, so no stretch of text is searched twice.
struct Candidates {
    /// The next `@` (the text's length when there is none) and the start of the run of
    /// local-part characters just before it.
    at_sign: usize,
    local_start: usize,
    /// The next digit (the text's length when there is none).
    digit: usize,
}

impl Candidates {
    /// The candidates from the start of the text, whose first `@` or digit is at `first`.
    fn new(bytes: &[u8], first: usize, steps: &mut u64) -> Candidates {
        let mut candidates = Candidates {
            at_sign: first,
            local_start: first,
            digit: first,
        };
        candidates.find_at_sign(bytes, first, steps);
        candidates.digit = search(bytes, first, |b| b.is_ascii_digit(), steps);
        candidates
    }

    fn find_at_sign(&mut self, bytes: &[u8], from: usize, steps: &mut u64) {
        self.at_sign = search(bytes, from, |b| b == b'@', steps);
        let mut start = self.at_sign;
        if start < bytes.len() {
            // Walks back over this `@`'s own local part only, which no other `@` shares.
            while start > 0 && is_local_char(bytes[start - 1]) {
                start -= 1;
            }
            *steps += (self.at_sign - start) as u64;
        }
        self.local_start = start;
    }

    /// The first position from `at` where a scanner may match, if any.
    fn first_from(&mut self, bytes: &[u8], at: usize, steps: &mut u64) -> Option<usize> {
        if self.at_sign < at {
            self.find_at_sign(bytes, at, steps);
        }
        if self.digit < at {
            self.digit = search(bytes, at, |b| b.is_ascii_digit(), steps);
        }
        let email = (self.at_sign < bytes.len()).then(|| self.local_start.max(at));
        let digit = (self.digit < bytes.len()).then(|| self.digit.saturating_sub(3).max(at));
        email.into_iter().chain(digit).min()
    }
}

/// The first byte from `from` that `wanted` accepts, or the length when none does.
fn search(bytes: &[u8], from: usize, wanted: impl Fn(u8) -> bool, steps: &mut u64) -> usize {
    match bytes[from..].iter().position(|&b| wanted(b)) {
        Some(offset) => {
            *steps += offset as u64 + 1;
            from + offset
        }
        None => {
            *steps += (bytes.len() - from) as u64;
            bytes.len()
        }
    }
}

/// Replaces every PII span by its placeholder; returns the new text and the spans found.
pub fn redact(text: &str) -> (String, Vec<PiiMatch>) {
    let found = find(text);
    (replace(text, &found), found)
}

/// `text` with each of `found` (sorted, non-overlapping spans in it) replaced by its
/// placeholder.
pub fn replace(text: &str, found: &[PiiMatch]) -> String {
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for hit in found {
        out.push_str(&text[last..hit.start]);
        out.push_str(hit.kind.placeholder());
        last = hit.end;
    }
    out.push_str(&text[last..]);
    out
}

fn is_boundary(bytes: &[u8], at: usize) -> bool {
    at == 0 || !bytes[at - 1].is_ascii_alphanumeric()
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// An email starting at `at`: local part, `@`, dotted domain with a 2+ letter top level.
fn scan_email(bytes: &[u8], at: usize, steps: &mut u64) -> Option<PiiMatch> {
    *steps += 1;
    if !is_local_char(bytes[at]) || (at > 0 && is_local_char(bytes[at - 1])) {
        return None;
    }
    let mut cursor = at;
    while cursor < bytes.len() && is_local_char(bytes[cursor]) {
        cursor += 1;
    }
    *steps += (cursor - at) as u64;
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
    // Read forward once, then back over the trimmed end and the domain looking for its dot.
    *steps += 2 * (end - domain_start) as u64;
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

/// The most characters an IBAN has (ISO 13616).
const IBAN_MAX: usize = 34;

/// An IBAN: country letters, check digits, then up to 30 letters/digits, optionally grouped
/// by single spaces; the longest prefix that passes mod-97 wins.
fn scan_iban(bytes: &[u8], at: usize, steps: &mut u64) -> Option<PiiMatch> {
    *steps += 1;
    let head = bytes.get(at..at + 4)?;
    if !is_boundary(bytes, at)
        || !head[0].is_ascii_uppercase()
        || !head[1].is_ascii_uppercase()
        || !head[2].is_ascii_digit()
        || !head[3].is_ascii_digit()
    {
        return None;
    }
    // The characters, each with the end of the span that stops after it.
    let mut chars = [0u8; IBAN_MAX];
    let mut ends = [0usize; IBAN_MAX];
    let mut count = 0;
    let mut cursor = at;
    while cursor < bytes.len() && count < IBAN_MAX {
        let b = bytes[cursor];
        if b.is_ascii_digit() || b.is_ascii_uppercase() {
            chars[count] = b;
            ends[count] = cursor + 1;
            count += 1;
            cursor += 1;
        } else if b == b' ' && bytes.get(cursor + 1).is_some_and(u8::is_ascii_alphanumeric) {
            cursor += 1;
        } else {
            break;
        }
    }
    *steps += (cursor - at) as u64;
    if count < 15 {
        return None;
    }
    // The checksum reads the characters after the first four, then those four. The remainder
    // after every prefix of the former is kept, so each length tried adds only the four.
    let mut remainders = [0u32; IBAN_MAX + 1];
    for index in 4..count {
        remainders[index + 1] = mod97_push(remainders[index], chars[index]);
    }
    *steps += count as u64;
    for length in (15..=count).rev() {
        *steps += 4;
        let end = ends[length - 1];
        let ends_cleanly = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        let remainder = chars[..4]
            .iter()
            .fold(remainders[length], |r, &b| mod97_push(r, b));
        if ends_cleanly && remainder == 1 {
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
    rearranged.fold(0, mod97_push) == 1
}

/// The mod-97 remainder of a number after one more IBAN character is appended to its digits
/// (a letter is the two digits 10..35).
fn mod97_push(remainder: u32, b: u8) -> u32 {
    let value = if b.is_ascii_digit() {
        (b - b'0') as u32
    } else {
        (b - b'A') as u32 + 10
    };
    if value >= 10 {
        (remainder * 100 + value) % 97
    } else {
        (remainder * 10 + value) % 97
    }
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

/// How far the digit scanner reads from where it starts. Every real card or phone number
/// (at most 19 digits, single separators, "(555) 123") is far shorter; without a bound, a
/// long run of brackets, which count as separators, would be read again from every digit
/// before it.
const DIGIT_SPAN_MAX: usize = 64;

/// A run of digits with phone/card separators starting at `at`: card, SSN, IP or phone.
fn scan_digits(bytes: &[u8], at: usize, steps: &mut u64) -> Option<PiiMatch> {
    *steps += 1;
    let first = bytes[at];
    let plus = first == b'+';
    if !(first.is_ascii_digit() || plus || first == b'(') || !is_boundary(bytes, at) {
        return None;
    }
    let mut digits = [0u8; 20];
    let mut count = 0;
    let mut separators = 0;
    let mut dots = 0;
    let mut cursor = at + 1;
    if first.is_ascii_digit() {
        digits[0] = first;
        count = 1;
    }
    let mut end = if first.is_ascii_digit() { at + 1 } else { at };
    let limit = bytes.len().min(at + DIGIT_SPAN_MAX);
    while cursor < limit && count <= 19 {
        let b = bytes[cursor];
        if b.is_ascii_digit() {
            digits[count] = b;
            count += 1;
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
    *steps += (cursor - at) as u64;
    if end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
        return None;
    }
    let span = &bytes[at..end];
    let digits = &digits[..count];
    // "2026-03-05 14:30" has a phone number's digits and separators: a date is not one.
    if !plus && starts_with_date(span) {
        return None;
    }
    if !plus && dots == 3 && separators == 3 && is_ipv4(span) {
        return Some(PiiMatch {
            kind: PiiKind::Ip,
            start: at,
            end,
        });
    }
    if !plus && (13..=19).contains(&count) && dots == 0 && luhn_ok(digits) {
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

/// `YYYY-MM-DD` with a month and day that exist on some calendar, then the end or a
/// non-digit (a time may follow).
fn starts_with_date(span: &[u8]) -> bool {
    let number = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = span.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let shape = span.get(4) == Some(&b'-')
        && span.get(7) == Some(&b'-')
        && span.get(10).is_none_or(|b| !b.is_ascii_digit());
    shape
        && number(0..4).is_some()
        && number(5..7).is_some_and(|m| (1..=12).contains(&m))
        && number(8..10).is_some_and(|d| (1..=31).contains(&d))
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

#[cfg(test)]
#[path = "pii_reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(redact(input).0, expected, "{input}");
    }

    #[test]
    fn dates_and_times_are_not_phone_numbers() {
        check(
            "delivered 2026-03-05 14:30, call 07700 900123",
            "delivered 2026-03-05 14:30, call [PHONE]",
        );
        check("on 2026-03-05 at noon", "on 2026-03-05 at noon");
        // Not a date (no 13th month, a four-digit last group): still a number.
        check("ring 2025-13-05 1430", "ring [PHONE]");
        check("ring 2025-11-2233 99", "ring [PHONE]");
    }

    #[test]
    fn redacts_structured_identifiers() {
        check(
            "mail me at jane.doe+cx@example.co.uk.",
            "mail me at [EMAIL].",
        );
        check(
            "card 4111 1111 1111 1111 was charged",
            "card [CARD] was charged",
        );
        check("card 4111-1111-1111-1111", "card [CARD]");
        check(
            "IBAN GB82 WEST 1234 5698 7654 32 please",
            "IBAN [IBAN] please",
        );
        check("iban DE89370400440532013000", "iban [IBAN]");
        check("call +44 20 7946 0958 now", "call [PHONE] now");
        check("call (555) 123-4567 today", "call [PHONE] today");
        check("ssn 123-45-6789", "ssn [SSN]");
        check("from 192.168.10.1 yesterday", "from [IP] yesterday");
    }

    #[test]
    fn leaves_ordinary_numbers_alone() {
        check(
            "order 12345 arrived on 2024-05-12",
            "order 12345 arrived on 2024-05-12",
        );
        check(
            "card 4111 1111 1111 1112 fails luhn",
            "card 4111 1111 1111 1112 fails luhn",
        );
        check(
            "GB82 WEST 1234 5698 7654 33 bad checksum",
            "GB82 WEST 1234 5698 7654 33 bad checksum",
        );
        check(
            "waited 3 hours, version 2.5.1",
            "waited 3 hours, version 2.5.1",
        );
        check("@handle and user@localhost", "@handle and user@localhost");
    }

    #[test]
    fn checksums() {
        assert!(luhn_ok(b"79927398713"));
        assert!(!luhn_ok(b"79927398710"));
        assert!(iban_checksum_ok(b"GB82WEST12345698765432".iter().copied()));
        assert!(!iban_checksum_ok(b"GB82WEST12345698765433".iter().copied()));
    }

    /// Texts that made the scanner before this one revisit what it had read: every `@` or
    /// digit sent it searching to the end of the text for the next one, and walking back over
    /// a local part it had already walked back over. One repeated unit each.
    const HOSTILE: &[(&str, &str)] = &[
        ("a-run then @", ""),
        ("@ run", "@"),
        ("a@ pairs", "a@"),
        ("a1 pairs", "a1 "),
        ("1( pairs", "1("),
        ("1)))) blocks", "1)))))))))))))))))))))))))))))))"),
        ("1-space pairs", "1 "),
        ("digit run", "1"),
        ("iban heads", "AB12 "),
        ("emails", "a@b.co "),
        ("email-like", "x.y@z.q "),
        (
            "dotted domain",
            "a@b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b",
        ),
        ("plus signs", "+1"),
        ("brackets", "((((((((((((((((((((((((((((((1"),
    ];

    fn hostile(name: &str, unit: &str, bytes: usize) -> String {
        if name == "a-run then @" {
            "a".repeat(bytes - 1) + "@"
        } else {
            unit.repeat(bytes / unit.len())
        }
    }

    /// The scan reads each byte a bounded number of times whatever the text: its work per
    /// byte stays under a constant as hostile texts grow from 4 KiB to 64 KiB. The scanner
    /// before this one read "aaaa…a@" 2 000 times per byte at 4 KiB and 32 000 at 64 KiB.
    #[test]
    fn work_grows_linearly_on_hostile_text() {
        const STEPS_PER_BYTE: u64 = 48;
        for &(name, unit) in HOSTILE {
            for bytes in [4 << 10, 16 << 10, 64 << 10] {
                let text = hostile(name, unit, bytes);
                let (found, stats) = find_with_stats(&text);
                let n = text.len() as u64;
                assert!(
                    stats.steps <= STEPS_PER_BYTE * n,
                    "{name} at {n} bytes: {} steps, {:.1} per byte",
                    stats.steps,
                    stats.steps as f64 / n as f64
                );
                if bytes == 4 << 10 && !may_reach_digit_span_limit(&text) {
                    assert_eq!(found, reference::find(&text), "{name}");
                }
            }
        }
    }

    /// A small deterministic generator (xorshift), so the same texts are tried on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// The only place the scanners read differently from the old ones: a digit scan stops
    /// after `DIGIT_SPAN_MAX` bytes. It can get there only on a stretch of that many bytes of
    /// digits, `+`, spaces, dots, dashes and brackets holding fewer than 20 digits.
    fn may_reach_digit_span_limit(text: &str) -> bool {
        let bytes = text.as_bytes();
        let scanned = |b: &u8| b.is_ascii_digit() || b"+ .-()".contains(b);
        bytes.windows(DIGIT_SPAN_MAX).any(|window| {
            window.iter().all(scanned) && window.iter().filter(|b| b.is_ascii_digit()).count() < 20
        })
    }

    /// Finds exactly what the scanner before the linear one found, on texts made of
    /// identifiers, near-misses and the characters the scanners care about, in random order.
    #[test]
    fn same_spans_as_the_previous_scanner() {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "G",
            "B",
            "1",
            "4",
            "0",
            "9",
            "@",
            ".",
            " ",
            " ",
            "-",
            "(",
            ")",
            "+",
            "_",
            "%",
            "é",
            "\n",
            ",",
            "x.y",
            "order",
            "4111 1111 1111 1111",
            "4111-1111-1111-1112",
            "GB82 WEST 1234 5698 7654 32",
            "GB82 WEST 1234 5698 7654 33",
            "DE89370400440532013000",
            "+44 20 7946 0958",
            "(555) 123-4567",
            "123-45-6789",
            "192.168.10.1",
            "10.0.0.256",
            "2.5.1",
            "jane.doe+cx@example.co.uk",
            "user@localhost",
            "a@b.co",
            "@handle",
            "2024-05-12",
            "79927398713",
            "+1 (555) 010-9999",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut compared, mut skipped) = (0, 0);
        for round in 0..40_000 {
            let mut text = String::new();
            let pieces = 1 + rng.below(if round % 2 == 0 { 12 } else { 40 });
            for _ in 0..pieces {
                // Half the texts of single characters only, which pack the separators densely.
                let piece = if round % 4 == 0 {
                    PIECES[rng.below(21)]
                } else {
                    PIECES[rng.below(PIECES.len())]
                };
                text.push_str(piece);
            }
            if may_reach_digit_span_limit(&text) {
                skipped += 1;
                continue;
            }
            compared += 1;
            assert_eq!(find(&text), reference::find(&text), "{text:?}");
        }
        assert!(
            skipped * 100 < compared,
            "{skipped} skipped, {compared} compared"
        );
    }
}
