//! The rejects file: one row per rejected record, as it was, with its line and reasons.

use super::{merged, read_all, survey};
use crate::{FileFormat, FileReader, Mapping, RejectsWriter};

fn rejects_of(text: &str, format: FileFormat) -> String {
    let reader = FileReader::new(
        std::io::Cursor::new(text.as_bytes().to_vec()),
        format,
        &Mapping::default(),
    )
    .unwrap();
    let mut writer = RejectsWriter::for_reader(Vec::new(), &reader);
    let all = merged(read_all(text, format, &Mapping::default(), 2));
    writer.write(&all.rejects).unwrap();
    String::from_utf8(writer.finish().unwrap()).unwrap()
}

#[test]
fn csv_rejects_repeat_the_row_with_line_and_reason() {
    let csv = "kind,source,external_id,occurred_at,customer.email,nps,text\n\
               survey_response,shop,1,2026-03-01T10:00:00Z,a@b.co,9,fine\n\
               survey_response,shop,2,2026-03-01T10:00:00Z,nope,11,\"a, b\"\n\
               survey_response,shop,3,yesterday,a@b.co,x,\n";
    let want = "kind,source,external_id,occurred_at,customer.email,nps,text,_line,_reason\n\
                survey_response,shop,2,2026-03-01T10:00:00Z,nope,11,\"a, b\",3,\"customer.email: an email needs exactly one '@'; nps: must be a whole number from 0 to 10, got 11\"\n\
                survey_response,shop,3,yesterday,a@b.co,x,,4,\"nps: \"\"x\"\" is not a number; occurred_at: \"\"yesterday\"\" is not an RFC 3339 timestamp with a timezone, e.g. 2026-03-01T14:30:00Z\"\n";
    assert_eq!(rejects_of(csv, FileFormat::Csv), want);
}

#[test]
fn ndjson_rejects_wrap_the_original_line() {
    let bad = survey("2").replace("\"nps\":9", "\"nps\":11");
    let text = format!("{}\n{bad}\n{{oops\n", survey("1"));
    let want = format!(
        "{{\"line\":2,\"reason\":\"nps: must be a whole number from 0 to 10, got 11\",\"record\":{bad}}}\n\
         {{\"line\":3,\"reason\":\"record: invalid JSON at column 2: key must be a string\",\"record\":\"{{oops\"}}\n"
    );
    assert_eq!(rejects_of(&text, FileFormat::Ndjson), want);
}

#[test]
fn a_clean_import_writes_nothing() {
    assert_eq!(rejects_of(&survey("1"), FileFormat::Ndjson), "");
    assert_eq!(rejects_of("kind,nps\n", FileFormat::Csv), "");
}
