//! NDJSON file import: identity by default, renaming when mapped, bad lines as rejects.

use super::{merged, read_all, reject_summary, survey};
use crate::{FileFormat, FileReader, Mapping};

fn check(text: &str, mapping: &Mapping, good_lines: &[u64], rejects: &[&str]) {
    let all = merged(read_all(text, FileFormat::Ndjson, mapping, 2));
    assert_eq!(
        all.lines, good_lines,
        "good lines of\n{text}\nrejects: {:?}",
        all.rejects
    );
    assert_eq!(reject_summary(&all), rejects, "rejects of\n{text}");
}

#[test]
fn ndjson_files_pass_records_through() {
    let text = format!(
        "\u{feff}{}\n\n{}\nnot json\n{}\r\n",
        survey("1"),
        survey("2").replace("\"nps\":9", "\"nps\":11"),
        survey("3")
    );
    check(&text, &Mapping::default(), &[1, 5], &["3 nps", "4 record"]);
    let all = merged(read_all(&text, FileFormat::Ndjson, &Mapping::default(), 10));
    assert_eq!(all.rows, 4);
    assert_eq!(all.rejects[1].raw, "not json");
    assert_eq!(
        all.rejects[1].reason,
        "invalid JSON at column 2: expected ident"
    );
    check("", &Mapping::default(), &[], &[]);
    check("\n\n", &Mapping::default(), &[], &[]);
}

#[test]
fn a_mapping_renames_ndjson_fields() {
    let line = r#"{"Email":"a@b.co","score":"9","id":"x1","when":"2026-03-01T10:00:00Z","kind":"survey_response"}"#;
    let bad = r#"{"Email":"b@b.co","score":"high","id":"x2","when":"2026-03-01T10:00:00Z","kind":"survey_response"}"#;
    let maps: Vec<String> = [
        "customer.email=Email",
        "nps=score",
        "external_id=id",
        "occurred_at=when",
        "properties.id=id",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = Mapping::default()
        .with_flags(&maps, &["source=app".to_string()])
        .unwrap();
    check(&format!("{line}\n{bad}\n"), &m, &[1], &["2 nps"]);
    let all = merged(read_all(line, FileFormat::Ndjson, &m, 10));
    let s = &all.signals[0];
    assert_eq!(
        (s.nps(), s.source(), s.external_id()),
        (Some(9), "app", "x1")
    );
    assert_eq!(s.properties()["id"], "x1");
}

#[test]
fn formats_from_extensions() {
    let cases = [
        ("a.csv", Some(FileFormat::Csv)),
        ("a.CSV", Some(FileFormat::Csv)),
        ("a.jsonl", Some(FileFormat::Ndjson)),
        ("a.ndjson", Some(FileFormat::Ndjson)),
        ("a.json", None),
        ("a.txt", None),
        ("a", None),
    ];
    for (name, want) in cases {
        assert_eq!(
            FileFormat::from_path(std::path::Path::new(name)),
            want,
            "{name}"
        );
    }
}

#[test]
fn chunks_parsed_on_threads_keep_line_order() {
    // Enough rows per chunk for the parallel path; every 7th row is bad.
    let text: String = (0..2000)
        .map(|i| {
            if i % 7 == 3 {
                survey(&i.to_string()).replace("\"nps\":9", "\"nps\":-1")
            } else {
                survey(&i.to_string())
            }
        })
        .map(|line| line + "\n")
        .collect();
    let bytes = std::io::Cursor::new(text.into_bytes());
    let mut reader = FileReader::new(bytes, FileFormat::Ndjson, &Mapping::default()).unwrap();
    reader.set_threads(3);
    let all = merged(reader.chunks(900).map(Result::unwrap).collect());
    let bad: Vec<u64> = (0..2000).filter(|i| i % 7 == 3).map(|i| i + 1).collect();
    let good: Vec<u64> = (1..=2000).filter(|l| !bad.contains(l)).collect();
    assert_eq!(all.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), bad);
    assert_eq!(all.lines, good);
    let ids: Vec<String> = all
        .signals
        .iter()
        .map(|s| s.external_id().to_owned())
        .collect();
    let want: Vec<String> = good.iter().map(|l| (l - 1).to_string()).collect();
    assert_eq!(ids, want);
}
