//! SVG building blocks every chart shares: escaping, ids, number formatting, the palette,
//! the accessible root element and the "No data" chart.

use serde::{Deserialize, Serialize};

/// The system font stack: no web font to fetch, and native-looking text on every device.
pub const FONT_STACK: &str = "system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif";

/// Body text: near-black, 16:1 on white.
pub const TEXT: &str = "#202124";
/// Axis labels and secondary text: 6.3:1 on white, above WCAG AA's 4.5:1.
pub const MUTED: &str = "#5f6368";
/// Gridlines are decoration, not information, so they may be faint.
pub const GRID: &str = "#e3e5e8";
pub const BLUE: &str = "#1f5fa8";
pub const RED: &str = "#b3261e";
pub const GREEN: &str = "#1b7f3b";
pub const AMBER: &str = "#8a5a00";
pub const GREY: &str = "#5f6368";
pub const PURPLE: &str = "#6a3d9a";

/// Series colours, all ≥ 4.5:1 on white. Red and green come late so that two-series charts
/// (the common case) do not rely on red/green distinction.
pub const SERIES: [&str; 6] = [BLUE, AMBER, PURPLE, GREEN, RED, GREY];
/// Dash patterns cycle with a different period from the colours, so series stay apart in
/// greyscale print-outs and for colour-blind readers.
pub const DASHES: [&str; 3] = ["", "6 3", "2 3"];

/// Whether a bar or dot stands out, and in which direction; drawn as green / red (and, for
/// dots, a distinct shape so colour is not the only cue).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Highlight {
    #[default]
    None,
    Good,
    Bad,
}

impl Highlight {
    pub(crate) fn colour(self) -> &'static str {
        match self {
            Highlight::None => BLUE,
            Highlight::Good => GREEN,
            Highlight::Bad => RED,
        }
    }
}

/// XML-escapes text for element content and attribute values alike. Characters XML 1.0
/// forbids (most C0 controls, U+FFFE, U+FFFF) are dropped, because one of them in a label
/// would make the whole document unparseable for exports.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Keeps an id prefix to `[A-Za-z0-9_-]` so it is safe in attributes and CSS selectors, and
/// starts it with a letter, which `url(#…)` references and older tools expect.
pub(crate) fn sanitize_id(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'c');
    }
    out
}

/// Formats a coordinate or value with at most two decimals and no trailing zeros, which
/// keeps output small and byte-identical across runs. Non-finite numbers become 0 rather
/// than `NaN`, which would corrupt the drawing.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let s = format!("{v:.2}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Formats with exactly `decimals` decimals (tick labels read better aligned: 0.0, 0.5, 1.0).
pub(crate) fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// An estimate of rendered text width: we cannot measure fonts server-side, and 0.58 em per
/// character is a slightly generous average for system sans-serif fonts.
pub(crate) fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars().count() as f64 * font_px * 0.58
}

/// Shortens a label to `max_chars` characters (not bytes: labels may be any language),
/// ending with an ellipsis; the full text stays available in tooltips and the description.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Text attributes, built once per style so call sites stay short.
pub(crate) fn style(size: u32, fill: &str, anchor: &str, bold: bool) -> String {
    let weight = if bold { " font-weight=\"600\"" } else { "" };
    format!("font-size=\"{size}\" fill=\"{fill}\" text-anchor=\"{anchor}\"{weight}")
}

/// An SVG document being written. Holding the buffer privately means every chart opens and
/// closes the root the same way.
pub(crate) struct Svg {
    buf: String,
}

impl Svg {
    /// Opens the root element with its title and description. The id is sanitised here so
    /// no chart can forget to.
    pub(crate) fn open(id: &str, title: &str, desc: &str, width: f64, height: f64) -> Svg {
        let id = sanitize_id(id);
        let mut buf = String::with_capacity(4096);
        buf.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"100%\" \
             role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{FONT_STACK}\">",
            num(width),
            num(height)
        ));
        buf.push_str(&format!(
            "<title id=\"{id}-title\">{}</title>",
            escape(title)
        ));
        buf.push_str(&format!("<desc id=\"{id}-desc\">{}</desc>", escape(desc)));
        Svg { buf }
    }

    /// Appends markup the caller built from numbers and constants only; user text goes
    /// through [`Svg::text`] or [`escape`].
    pub(crate) fn raw(&mut self, markup: &str) {
        self.buf.push_str(markup);
    }

    /// Appends a `<text>` element; `content` is escaped here.
    pub(crate) fn text(&mut self, x: f64, y: f64, style: &str, content: &str) {
        self.buf.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" {style}>{}</text>",
            num(x),
            num(y),
            escape(content)
        ));
    }

    /// The chart title drawn at the top-left, so exported SVG files are self-explanatory.
    /// The chart's title: one line at 16 px when it fits `max_chars`, else two lines at
    /// 13 px broken between words, so a long title (an alert's headline) is read whole
    /// rather than cut off. Only a title longer than both lines is shortened.
    pub(crate) fn heading(&mut self, title: &str, max_chars: usize) {
        if title.chars().count() <= max_chars {
            self.text(8.0, 22.0, &style(16, TEXT, "start", true), title);
            return;
        }
        let per_line = max_chars * 16 / 13;
        let (first, rest) = break_line(title, per_line);
        let small = style(13, TEXT, "start", true);
        self.text(8.0, 15.0, &small, first);
        self.text(8.0, 31.0, &small, &truncate(rest, per_line));
    }

    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, attrs: &str) {
        self.buf.push_str(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {attrs}/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        ));
    }

    pub(crate) fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }
}

/// A chart with no data still says what it would have shown, and says so in words.
pub(crate) fn no_data(id: &str, title: &str, width: f64, height: f64) -> String {
    let mut svg = Svg::open(id, title, &format!("{title}: no data."), width, height);
    let small = height < 60.0;
    if !small {
        svg.heading(title, (width / 9.5) as usize);
    }
    let y = if small {
        height / 2.0 + 4.0
    } else {
        height / 2.0 + 6.0
    };
    let size = if small { 11 } else { 14 };
    svg.text(
        width / 2.0,
        y,
        &style(size, MUTED, "middle", false),
        "No data",
    );
    svg.finish()
}

/// `text` split after the last space that leaves the first part within `width` chars
/// (at `width` chars when there is no space to break at).
pub(crate) fn break_line(text: &str, width: usize) -> (&str, &str) {
    let limit = text
        .char_indices()
        .nth(width)
        .map_or(text.len(), |(at, _)| at);
    if limit == text.len() {
        return (text, "");
    }
    match text[..=limit].rfind(' ') {
        Some(space) if space > 0 => (&text[..space], text[space + 1..].trim_start()),
        _ => (&text[..limit], &text[limit..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        let cases = [
            ("plain", "plain"),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("a & b", "a &amp; b"),
            ("\"double\" 'single'", "&quot;double&quot; &#39;single&#39;"),
            ("&amp;", "&amp;amp;"),
            ("bell\u{7}tab\t", "belltab "),
            ("Zürich – 東京", "Zürich – 東京"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape(input), expected, "escape({input:?})");
        }
    }

    #[test]
    fn sanitises_ids() {
        let cases = [
            ("nps-trend_1", "nps-trend_1"),
            ("a b\"><script>", "a_b___script_"),
            ("", "c"),
            ("9lives", "c9lives"),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize_id(input), expected, "sanitize_id({input:?})");
        }
    }

    #[test]
    fn formats_numbers_with_at_most_two_decimals() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (-0.001, "0"),
            (12.0, "12"),
            (12.5, "12.5"),
            (1.0 / 3.0, "0.33"),
            (-23.456, "-23.46"),
            (f64::NAN, "0"),
            (f64::INFINITY, "0"),
        ];
        for (input, expected) in cases {
            assert_eq!(num(input), expected, "num({input})");
        }
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(0.6, 1), "0.6");
    }

    #[test]
    fn long_titles_break_between_words() {
        assert_eq!(break_line("short title", 20), ("short title", ""));
        assert_eq!(
            break_line("Complaints about Delivery for Kestrel up 289%", 30),
            ("Complaints about Delivery for", "Kestrel up 289%")
        );
        assert_eq!(break_line("abcdefghij", 4), ("abcd", "efghij"));
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("Customer support", 8), "Custome…");
        assert_eq!(truncate("東京東京東京", 3), "東京…");
    }

    /// WCAG 2 contrast ratio against white.
    fn contrast_on_white(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        1.05 / (luminance + 0.05)
    }

    #[test]
    fn text_and_series_colours_meet_wcag_aa() {
        for colour in [TEXT, MUTED, BLUE, RED, GREEN, AMBER, GREY, PURPLE] {
            let ratio = contrast_on_white(colour);
            assert!(ratio >= 4.5, "{colour} has contrast {ratio:.2}:1");
        }
    }
}
