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

#[test]
fn csv_rejects_neutralise_formulas_and_import_again_unchanged() {
    let csv = "kind,source,external_id,occurred_at,customer.phone,nps,text\n\
               survey_response,shop,1,2026-03-01T10:00:00Z,+44 20 7946 0000,11,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n\
               survey_response,shop,2,2026-03-01T10:00:00Z,+44 20 7946 0001,12,@SUM(A1)\n";
    let rejects = rejects_of(csv, FileFormat::Csv);
    let want = "kind,source,external_id,occurred_at,customer.phone,nps,text,_line,_reason\n\
                survey_response,shop,1,2026-03-01T10:00:00Z,'+44 20 7946 0000,11,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",2,\"nps: must be a whole number from 0 to 10, got 11\"\n\
                survey_response,shop,2,2026-03-01T10:00:00Z,'+44 20 7946 0001,12,'@SUM(A1),3,\"nps: must be a whole number from 0 to 10, got 12\"\n";
    assert_eq!(rejects, want);
    // Fixed and imported again, the cells are the values they were.
    let fixed = rejects.replace(",11,", ",9,").replace(",12,", ",8,");
    let chunk = merged(read_all(&fixed, FileFormat::Csv, &Mapping::default(), 10));
    assert!(chunk.rejects.is_empty(), "{:?}", chunk.rejects);
    let texts: Vec<_> = chunk
        .signals
        .iter()
        .map(|s| s.text().map(str::to_owned))
        .collect();
    assert_eq!(
        texts,
        [
            Some("=HYPERLINK(\"http://x\",\"y\")".to_string()),
            Some("@SUM(A1)".to_string())
        ]
    );
    assert_eq!(chunk.signals[0].identities()[0].value, "+442079460000");
    // A rejects file of a rejects file quotes once, not twice.
    let again = fixed.replace(",9,", ",11,");
    let twice = rejects_of(&again, FileFormat::Csv);
    assert!(twice.contains(",'+44 20 7946 0000,"), "{twice}");
}

#[cfg(unix)]
#[test]
fn the_rejects_file_is_never_the_input_nor_written_through_a_link() {
    use crate::create_rejects_file;
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("tl-rejects-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.csv");
    std::fs::write(&input, "kind\nsurvey_response\n").unwrap();
    let err = |path: &std::path::Path| create_rejects_file(path, &input).unwrap_err().to_string();

    assert!(err(&input).contains("is the input file"), "{}", err(&input));
    let hard = dir.join("hard.csv");
    std::fs::hard_link(&input, &hard).unwrap();
    assert!(err(&hard).contains("is the input file"));
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    assert!(err(&link).contains("symbolic link"), "{}", err(&link));
    let dangling = dir.join("dangling.csv");
    std::os::unix::fs::symlink(dir.join("elsewhere"), &dangling).unwrap();
    assert!(err(&dangling).contains("symbolic link"));
    assert!(!dir.join("elsewhere").exists());
    assert!(err(&dir).contains("not a regular file"));
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        "kind\nsurvey_response\n",
        "the input is untouched"
    );

    // An earlier run's rejects file is replaced, and the new one is the owner's only.
    let rejects = dir.join("input.csv.rejects.csv");
    std::fs::write(&rejects, "old").unwrap();
    std::fs::set_permissions(&rejects, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut file = create_rejects_file(&rejects, &input).unwrap();
    std::io::Write::write_all(&mut file, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&rejects).unwrap(), "new");
    let mode = std::fs::metadata(&rejects).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    std::fs::remove_dir_all(&dir).unwrap();
}
