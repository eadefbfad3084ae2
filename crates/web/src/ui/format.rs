//! Numbers as a careful analyst writes them: the value with its unit, the 95%
//! CI beside it, n always shown, small samples said to be small, and a change
//! called significant only when the test says so.

use throughline_dashboard::{Estimate, Format, Tile};

pub fn value(format: Format, e: &Estimate) -> String {
    if e.is_empty() {
        return "—".into();
    }
    number(format, e.value)
}

pub fn number(format: Format, v: f64) -> String {
    match format {
        Format::Score => format!("{v:.1}"),
        Format::Percent => format!("{:.1}%", v * 100.0),
        Format::Mean => format!("{v:.2}"),
        Format::Hours => format!("{v:.1} h"),
    }
}

pub fn ci(format: Format, e: &Estimate) -> String {
    if e.is_empty() {
        return "no data".into();
    }
    format!(
        "95% CI {} to {}",
        number(format, e.ci_low),
        number(format, e.ci_high)
    )
}

pub fn n(e: &Estimate) -> String {
    let small = if e.small_sample && e.n > 0 {
        " (small sample)"
    } else {
        ""
    };
    format!("n = {}{small}", group(e.n))
}

/// 1234567 → "1,234,567".
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An aggregate amount, one way on every page: "6,385", "24.7 k", "2.35 M" (the
/// currency goes before it: `amount`). Negative amounts keep their sign.
pub fn money(v: f64) -> String {
    let sign = if v < 0.0 && v.abs() >= 0.5 { "−" } else { "" };
    let a = v.abs();
    if a >= 1e6 {
        format!("{sign}{:.2} M", a / 1e6)
    } else if a >= 1e4 {
        format!("{sign}{:.1} k", a / 1e3)
    } else {
        format!("{sign}{}", group(a.round() as u64))
    }
}

/// An aggregate amount with its currency: "GBP 6,385".
pub fn amount(currency: &str, v: f64) -> String {
    format!("{currency} {}", money(v)).trim().to_string()
}

/// One transaction's amount, to the penny: "GBP 12.99".
pub fn price(currency: &str, v: f64) -> String {
    format!("{currency} {v:.2}").trim().to_string()
}

/// "GBP 391.2 k · EUR 34.7 k": one figure per currency, never summed across them.
pub fn amounts(list: &[throughline_dashboard::Money]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter()
        .map(|m| amount(&m.currency, m.amount))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "p < 0.001".into(),
        Some(p) => format!("p = {p:.3}"),
        None => "no test".into(),
    }
}

/// "+2.3 vs previous period" with the delta in the tile's unit.
pub fn delta(t: &Tile) -> String {
    if t.current.is_empty() || t.previous.is_empty() {
        return "no previous period to compare".into();
    }
    let sign = if t.delta > 0.0 {
        "+"
    } else if t.delta < 0.0 {
        "−"
    } else {
        "±"
    };
    let size = match t.format {
        Format::Percent => format!("{:.1} pts", t.delta.abs() * 100.0),
        f => number(f, t.delta.abs()),
    };
    format!("{sign}{size} vs previous period")
}

/// CSS class and words for a change: significant good / bad, or not significant.
pub fn verdict(t: &Tile) -> (&'static str, String) {
    if t.current.small_sample || t.previous.small_sample {
        return ("neutral", "sample too small to judge".into());
    }
    if !t.significant {
        return (
            "neutral",
            format!("not significant ({})", p_value(t.p_value)),
        );
    }
    let words = match t.p_value {
        Some(_) => format!("significant ({})", p_value(t.p_value)),
        None => "significant (95% CIs do not overlap)".into(),
    };
    (if t.improved() { "good" } else { "bad" }, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(group(999), "999");
        assert_eq!(number(Format::Percent, 0.8123), "81.2%");
        assert_eq!(money(2_345_678.0), "2.35 M");
        assert_eq!(money(6385.41), "6,385");
        assert_eq!(money(24_680.0), "24.7 k");
        assert_eq!(money(-1575.0), "−1,575");
        assert_eq!(amount("EUR", 1575.0), "EUR 1,575");
        assert_eq!(price("GBP", 12.5), "GBP 12.50");
        assert_eq!(p_value(Some(0.0004)), "p < 0.001");
        let e = Estimate {
            value: 23.45,
            n: 12,
            se: 1.0,
            ci_low: 10.0,
            ci_high: 30.0,
            small_sample: true,
        };
        assert_eq!(value(Format::Score, &e), "23.4");
        assert_eq!(ci(Format::Score, &e), "95% CI 10.0 to 30.0");
        assert_eq!(n(&e), "n = 12 (small sample)");
        assert_eq!(value(Format::Score, &Estimate::empty()), "—");
    }
}
