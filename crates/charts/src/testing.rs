//! Checks every chart test applies: the accessible root element, well-formed XML, no script,
//! readable font sizes and compact numbers. A stack-based scan stands in for an XML parser
//! so the crate needs no extra dependency.

/// A label that would break out of its element, attribute or document if left unescaped.
pub(crate) const HOSTILE: &str = "<script>alert(1)</script> & \"quotes\" 'apostrophes' ]]>";

/// Asserts the properties every chart promises; panics with the SVG on failure.
pub(crate) fn assert_chart(svg: &str, id: &str) {
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "),
        "{svg}"
    );
    assert!(svg.contains(" width=\"100%\""), "{svg}");
    assert!(svg.contains(" role=\"img\""), "{svg}");
    let labelled = format!(" aria-labelledby=\"{id}-title {id}-desc\"");
    assert!(svg.contains(&labelled), "{svg}");
    assert!(svg.contains(&format!("<title id=\"{id}-title\">")), "{svg}");
    assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")), "{svg}");
    assert!(!svg.to_ascii_lowercase().contains("<script"), "{svg}");
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    if let Err(why) = well_formed(svg) {
        panic!("not well-formed: {why}\n{svg}");
    }
    for size in attribute_values(svg, "font-size") {
        let size: f64 = size.parse().unwrap_or(0.0);
        assert!(size >= 11.0, "font-size {size} < 11\n{svg}");
    }
    for tag in tags(svg) {
        assert!(at_most_two_decimals(tag), "more than two decimals in {tag}");
    }
}

/// Checks that tags balance, the document has one root, attributes are quoted and every `&`
/// starts an entity. Enough to catch escaping mistakes, which is what matters here.
pub(crate) fn well_formed(svg: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    let mut roots = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("unclosed tag")?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                match open.pop() {
                    Some(expected) if expected == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split(' ').next().unwrap_or("");
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("bad tag name in <{tag}>"));
            }
            check_attributes(&body[name.len()..])?;
            if open.is_empty() {
                roots += 1;
            }
            if !self_closing {
                open.push(name);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if open.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            check_entities(text)?;
            if text.contains('>') {
                return Err(format!("raw > in text {text:?}"));
            }
            rest = &rest[end..];
        }
    }
    match (roots, open.is_empty()) {
        (1, true) => Ok(()),
        (n, true) => Err(format!("{n} root elements")),
        _ => Err(format!("unclosed elements {open:?}")),
    }
}

fn check_attributes(mut attrs: &str) -> Result<(), String> {
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return Ok(());
        }
        let eq = attrs
            .find("=\"")
            .ok_or(format!("unquoted attribute in {attrs:?}"))?;
        let name = &attrs[..eq];
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("bad attribute name {name:?}"));
        }
        let value_start = &attrs[eq + 2..];
        let close = value_start.find('"').ok_or("unterminated attribute")?;
        let value = &value_start[..close];
        if value.contains('<') {
            return Err(format!("raw < in attribute {value:?}"));
        }
        check_entities(value)?;
        attrs = &value_start[close + 1..];
    }
}

fn check_entities(text: &str) -> Result<(), String> {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..];
        let known = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];
        if !known.iter().any(|k| entity.starts_with(k)) {
            return Err(format!("bare & in {text:?}"));
        }
    }
    Ok(())
}

/// The inside of every start tag (`<…>`), where coordinates live.
fn tags(svg: &str) -> impl Iterator<Item = &str> {
    svg.split('<')
        .skip(1)
        .filter_map(|part| part.split('>').next())
}

fn attribute_values<'a>(svg: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let needle = format!(" {name}=\"");
    svg.split(needle.as_str())
        .skip(1)
        .filter_map(|part| part.split('"').next())
        .collect::<Vec<_>>()
        .into_iter()
}

/// False when any run of digits after a decimal point is longer than two.
fn at_most_two_decimals(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'.' && i > 0 && bytes[i - 1].is_ascii_digit() {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 2 {
                return false;
            }
            i += digits;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_accepts_and_rejects() {
        let good = [
            "<svg a=\"1\"><g><text>x &amp; y</text></g><line x1=\"0\"/></svg>",
            "<svg><title id=\"t\">&lt;script&gt;</title></svg>",
        ];
        for svg in good {
            assert_eq!(well_formed(svg), Ok(()), "{svg}");
        }
        let bad = [
            "<svg><g></svg>",
            "<svg></g></svg>",
            "<svg><text>a & b</text></svg>",
            "<svg><text>a <b</text></svg>",
            "<svg a=1></svg>",
            "<svg a=\"<\"></svg>",
            "<svg></svg><svg></svg>",
            "<svg><text>x</text>",
        ];
        for svg in bad {
            assert!(well_formed(svg).is_err(), "{svg}");
        }
        assert!(at_most_two_decimals("line x1=\"1.25\" y1=\"3\""));
        assert!(!at_most_two_decimals("line x1=\"1.255\""));
    }
}
