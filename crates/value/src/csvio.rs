//! CSV readers for purchases and customer summaries, with errors naming line and field.
//!
//! A small hand-written splitter (comma-separated, RFC 4180 quotes within one line) keeps the
//! dependency list short; the inputs are narrow numeric tables.

use std::borrow::Cow;
use std::io::Read;

use crate::date::Date;
use crate::error::{Result, ValueError};
use crate::summary::{CustomerSummary, Purchase};

/// What a CSV file turned out to contain, judged by its header.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// `customer_id, date, amount` rows.
    Purchases(Vec<Purchase>),
    /// `frequency, recency, T[, monetary_value]` rows.
    Summaries(Vec<CustomerSummary>),
}

const PURCHASE_COLS: [&[&str]; 3] = [
    &["customer_id", "customer"],
    &["date"],
    &["amount", "value"],
];
const SUMMARY_COLS: [&[&str]; 3] = [&["frequency", "x"], &["recency", "t_x"], &["t"]];
const MONETARY_COL: &[&str] = &["monetary_value", "monetary", "zbar"];

/// Reads either layout, deciding by the header.
pub fn read_input(mut reader: impl Read) -> Result<Input> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    let mut lines = text.lines();
    let header = lines.next().ok_or(ValueError::Empty)?;
    let cols = header_names(header);
    if find(&cols, PURCHASE_COLS[0]).is_some() {
        parse_purchases(&cols, lines).map(Input::Purchases)
    } else if find(&cols, SUMMARY_COLS[0]).is_some() {
        parse_summaries(&cols, lines).map(Input::Summaries)
    } else {
        Err(ValueError::UnknownLayout(header.trim().to_string()))
    }
}

/// Reads a purchases CSV: `customer_id`, `date` (YYYY-MM-DD or YYYYMMDD), `amount`.
pub fn read_purchases(mut reader: impl Read) -> Result<Vec<Purchase>> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    let mut lines = text.lines();
    let cols = header_names(lines.next().ok_or(ValueError::Empty)?);
    parse_purchases(&cols, lines)
}

/// Reads a summaries CSV: `frequency`, `recency`, `T`, optional `monetary_value`
/// (aliases `x`, `t_x`, `zbar` accepted, as in the CDNOW files).
pub fn read_summaries(mut reader: impl Read) -> Result<Vec<CustomerSummary>> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    let mut lines = text.lines();
    let cols = header_names(lines.next().ok_or(ValueError::Empty)?);
    parse_summaries(&cols, lines)
}

fn header_names(header: &str) -> Vec<String> {
    let mut fields = Vec::new();
    split_record(header.trim_start_matches('\u{feff}'), &mut fields);
    fields
        .iter()
        .map(|f| f.trim().to_ascii_lowercase())
        .collect()
}

fn find(cols: &[String], names: &[&str]) -> Option<usize> {
    cols.iter().position(|c| names.contains(&c.as_str()))
}

fn require(cols: &[String], names: &[&str]) -> Result<usize> {
    find(cols, names).ok_or_else(|| ValueError::MissingColumn {
        column: names[0].to_string(),
        found: cols.join(", "),
    })
}

/// Iterates non-blank data lines with their 1-based line numbers (header is line 1).
fn records<'a>(
    lines: impl Iterator<Item = &'a str>,
    width: usize,
    mut row: impl FnMut(usize, &[Cow<'a, str>]) -> Result<()>,
) -> Result<()> {
    let mut fields = Vec::with_capacity(width);
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = i + 2;
        split_record(line, &mut fields);
        if fields.len() < width {
            return Err(ValueError::FieldCount {
                line: line_no,
                expected: width,
                found: fields.len(),
            });
        }
        row(line_no, &fields)?;
    }
    Ok(())
}

fn bad(line: usize, field: &str, message: String) -> ValueError {
    ValueError::BadField {
        line,
        field: field.to_string(),
        message,
    }
}

fn number(line: usize, field: &str, text: &str) -> Result<f64> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(bad(line, field, format!("`{t}` is not a finite number"))),
    }
}

fn parse_purchases<'a>(
    cols: &[String],
    lines: impl Iterator<Item = &'a str>,
) -> Result<Vec<Purchase>> {
    let (ic, id, ia) = (
        require(cols, PURCHASE_COLS[0])?,
        require(cols, PURCHASE_COLS[1])?,
        require(cols, PURCHASE_COLS[2])?,
    );
    let width = ic.max(id).max(ia) + 1;
    let mut out = Vec::new();
    records(lines, width, |line, f| {
        let customer_id = f[ic].trim();
        if customer_id.is_empty() {
            return Err(bad(line, "customer_id", "empty customer id".into()));
        }
        let date = Date::parse(&f[id]).map_err(|m| bad(line, "date", m))?;
        let amount = number(line, "amount", &f[ia])?;
        out.push(Purchase {
            customer_id: customer_id.to_string(),
            date,
            amount,
        });
        Ok(())
    })?;
    Ok(out)
}

fn parse_summaries<'a>(
    cols: &[String],
    lines: impl Iterator<Item = &'a str>,
) -> Result<Vec<CustomerSummary>> {
    let (ix, ir, it) = (
        require(cols, SUMMARY_COLS[0])?,
        require(cols, SUMMARY_COLS[1])?,
        require(cols, SUMMARY_COLS[2])?,
    );
    let im = find(cols, MONETARY_COL);
    let width = ix.max(ir).max(it) + 1;
    let mut out = Vec::new();
    records(lines, width, |line, f| {
        let x = number(line, "frequency", &f[ix])?;
        if x < 0.0 || x.fract() != 0.0 || x > f64::from(u32::MAX) {
            return Err(bad(
                line,
                "frequency",
                format!("`{x}` is not a whole number >= 0"),
            ));
        }
        let recency = number(line, "recency", &f[ir])?;
        let t = number(line, "T", &f[it])?;
        if t <= 0.0 {
            return Err(bad(line, "T", format!("{t} must be > 0")));
        }
        if recency < 0.0 || recency > t + 1e-9 {
            return Err(bad(
                line,
                "recency",
                format!("{recency} must be within [0, T = {t}]"),
            ));
        }
        let monetary_value = match im.and_then(|i| f.get(i)) {
            Some(s) if !s.trim().is_empty() => Some(number(line, "monetary_value", s)?),
            _ => None,
        };
        out.push(CustomerSummary {
            frequency: x as u32,
            recency,
            t,
            monetary_value,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Splits one CSV line into fields; borrows unless a field is quoted.
fn split_record<'a>(line: &'a str, out: &mut Vec<Cow<'a, str>>) {
    out.clear();
    let line = line.strip_suffix('\r').unwrap_or(line);
    let bytes = line.as_bytes();
    let mut start = 0;
    while start <= bytes.len() {
        if bytes.get(start) == Some(&b'"') {
            let mut value = String::new();
            let mut i = start + 1;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        value.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                let ch_len = line[i..].chars().next().map_or(1, char::len_utf8);
                value.push_str(&line[i..i + ch_len]);
                i += ch_len;
            }
            out.push(Cow::Owned(value));
            // Skip to the next comma (anything after the closing quote is ignored).
            start = match line[i..].find(',') {
                Some(off) => i + off + 1,
                None => bytes.len() + 1,
            };
        } else {
            let end = line[start..]
                .find(',')
                .map_or(bytes.len(), |off| start + off);
            out.push(Cow::Borrowed(&line[start..end]));
            start = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        let mut f = Vec::new();
        split_record(r#"a,"b,c","d""e",,f"#, &mut f);
        assert_eq!(f, vec!["a", "b,c", "d\"e", "", "f"]);
        split_record("x\r", &mut f);
        assert_eq!(f, vec!["x"]);
    }

    #[test]
    fn reads_both_layouts() {
        let p = "customer_id,date,amount\nc1,1997-01-01,9.5\n\nc1,19970105,\"2\"\n";
        match read_input(p.as_bytes()).unwrap() {
            Input::Purchases(v) => {
                assert_eq!(v.len(), 2);
                assert_eq!(v[1].date, Date::parse("1997-01-05").unwrap());
            }
            other => panic!("wrong layout {other:?}"),
        }
        let s = "ID,x,t_x,T,zbar\n1,2,30.43,38.86,22.35\n2,0,0,38.86,0\n";
        match read_input(s.as_bytes()).unwrap() {
            Input::Summaries(v) => {
                assert_eq!(v[0].frequency, 2);
                assert_eq!(v[0].monetary_value, Some(22.35));
            }
            other => panic!("wrong layout {other:?}"),
        }
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let e = read_purchases(
            "customer_id,date,amount\nc1,1997-01-01,1\nc2,1997-02-30,1\n".as_bytes(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 3") && e.contains("`date`"), "{e}");
        let e = read_summaries("frequency,recency,T\n1.5,1,2\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("`frequency`"), "{e}");
        let e = read_summaries("frequency,recency,T\n1,3,2\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`recency`"), "{e}");
        let e = read_summaries("frequency,recency,T\n1,1\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2") && e.contains("expected at least 3"),
            "{e}"
        );
        let e = read_input("a,b\n".as_bytes()).unwrap_err().to_string();
        assert!(e.contains("unrecognised header"), "{e}");
        let e = read_summaries("frequency,T\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing column `recency`"), "{e}");
    }
}
