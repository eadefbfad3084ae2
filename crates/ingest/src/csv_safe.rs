//! Cells of the CSV files we write, safe to open in a spreadsheet: a cell that starts
//! with `=`, `+`, `-`, `@`, tab or carriage return is read by Excel, LibreOffice and
//! Google Sheets as a formula, which can run commands or send the sheet's data away
//! (CSV injection). Such a cell is written with a single quote in front, the OWASP
//! advice; spreadsheets show it as text.
//!
//! The quote is undone when a CSV is imported ([`restore_formula`]), so a rejects file
//! (whose phone numbers start with `+`) can still be fixed and imported again as it
//! is. To keep that exact, a cell that already starts with quotes before such a
//! character gets one more, and reading takes exactly one away.
//!
//! Every CSV writer of ours writes its records through [`write_record`].

use std::borrow::Cow;
use std::io::Write;

/// Whether a spreadsheet would take `cell`, or `cell` without its leading quotes,
/// for a formula.
fn needs_quote(cell: &[u8]) -> bool {
    let unquoted = cell.iter().position(|&b| b != b'\'');
    matches!(
        unquoted.and_then(|i| cell.get(i)),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// `cell` as it is safe to write into a CSV file: with a `'` in front if a
/// spreadsheet would read it as a formula.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The value behind a cell [`neutralize_formula`] wrote: its first quote taken away
/// when what follows would have needed one. Any other cell is returned unchanged.
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest.as_bytes()) => rest,
        _ => cell,
    }
}

/// Writes one record with every cell neutralised.
pub fn write_record<W: Write, I, T>(writer: &mut csv::Writer<W>, cells: I) -> csv::Result<()>
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    for cell in cells {
        writer.write_field(neutralize_formula(cell.as_ref()).as_bytes())?;
    }
    writer.write_record(None::<&[u8]>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_a_quote_that_reading_takes_away() {
        let cases = [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=already", "''=already"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("'quoted", "'quoted"),
            ("", ""),
            ("'", "'"),
        ];
        for (cell, written) in cases {
            assert_eq!(neutralize_formula(cell), written, "{cell:?}");
            assert_eq!(restore_formula(written), cell, "{written:?}");
        }
    }

    #[test]
    fn records_are_written_neutralised() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        write_record(&mut writer, ["=1+1", "ok", "-5"]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=1+1,ok,'-5\n");
    }
}
