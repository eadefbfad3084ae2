//! CSV import: automatic and explicit mapping, constants, conversions, bad rows.

use super::{merged, read_all, reject_summary};
use crate::{FileError, FileFormat, FileReader, Mapping};

fn mapping(maps: &[&str], sets: &[&str]) -> Mapping {
    let maps: Vec<String> = maps.iter().map(|s| s.to_string()).collect();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    Mapping::default().with_flags(&maps, &sets).unwrap()
}

/// Imports `csv` and compares the good lines and `line field` of each reject.
fn check(csv: &str, mapping: &Mapping, good_lines: &[u64], rejects: &[&str]) {
    let all = merged(read_all(csv, FileFormat::Csv, mapping, 2));
    assert_eq!(
        all.lines, good_lines,
        "good lines of\n{csv}\nrejects: {:?}",
        all.rejects
    );
    assert_eq!(reject_summary(&all), rejects, "rejects of\n{csv}");
}

const WIRE_HEADERS: &str =
    "kind,source,external_id,occurred_at,customer.email,nps,ratings.ease,properties.plan,text\n";

#[test]
fn wire_name_headers_import_with_no_flags() {
    let csv = format!(
        "{WIRE_HEADERS}\
         survey_response,shop,1,2026-03-01T10:00:00Z,a@b.co,9,4,gold,\n\
         survey_response,shop,2,2026-03-01T10:00:00Z,b@b.co,,,,\"Lovely, \"\"really\"\"\"\n\
         survey_response,shop,3,2026-03-01T10:00:00Z,c@b.co,ten,,,ok\n\
         survey_response,shop,4,2026-03-01T10:00:00Z,d@b.co,11,,,ok\n\
         survey_response,shop,5,2026-03-01T10:00:00Z,not-an-email,,9,,ok\n\
         survey_response,shop,6\n"
    );
    let rejects = [
        "4 nps",
        "5 nps",
        "6 customer.email",
        "6 ratings.ease",
        "7 record",
    ];
    check(&csv, &Mapping::default(), &[2, 3], &rejects);

    let all = merged(read_all(&csv, FileFormat::Csv, &Mapping::default(), 100));
    let first = &all.signals[0];
    assert_eq!(first.nps(), Some(9));
    assert_eq!(first.ratings()["ease"].value, 4.0);
    assert_eq!(first.properties()["plan"], "gold");
    assert_eq!(all.signals[1].text(), Some("Lovely, \"really\""));
    assert_eq!(all.rejects[0].reason, "\"ten\" is not a number");
    assert_eq!(all.rejects[4].reason, "has 3 fields; the header has 9");
}

#[test]
fn flags_map_columns_and_set_constants() {
    let csv = "Email,Score,Comment,When,Id,Extra\n\
               a@b.co,9,Great,2026-03-01T10:00:00Z,1,x\n\
               b@b.co,3,,2026-03-01T10:00:00Z,2,y\n";
    let m = mapping(
        &[
            "customer.email=Email",
            "nps=Score",
            "text=Comment",
            "occurred_at=When",
            "external_id=Id",
        ],
        &["source=shop", "kind=survey_response"],
    );
    check(csv, &m, &[2, 3], &[]);
    let reader = FileReader::new(
        std::io::Cursor::new(csv.as_bytes().to_vec()),
        FileFormat::Csv,
        &m,
    )
    .unwrap();
    assert_eq!(reader.ignored_columns(), ["Extra"]);
    // A constant wins over a header of the same name; an unmapped header is ignored.
    let with_source = "source,kind,external_id,occurred_at,customer.email,nps\n\
                       crm,survey_response,1,2026-03-01T10:00:00Z,a@b.co,7\n";
    let all = merged(read_all(
        with_source,
        FileFormat::Csv,
        &mapping(&[], &["source=shop"]),
        10,
    ));
    assert_eq!(all.signals[0].source(), "shop");
}

#[test]
fn a_mapped_column_missing_from_the_header_fails_up_front() {
    let m = mapping(&["customer.email=E-mail"], &[]);
    let err = FileReader::new(
        std::io::Cursor::new(b"Email,Score\n".to_vec()),
        FileFormat::Csv,
        &m,
    )
    .err()
    .expect("a missing column is an error");
    assert!(matches!(err, FileError::MissingColumn { .. }));
    assert_eq!(
        err.to_string(),
        "the mapping names column \"E-mail\" for customer.email, but the header has no such column; it has: Email, Score"
    );
}

#[test]
fn empty_files_and_chunking() {
    check("", &Mapping::default(), &[], &[]);
    check(WIRE_HEADERS, &Mapping::default(), &[], &[]);
    assert!(read_all("", FileFormat::Csv, &Mapping::default(), 10).is_empty());
    let rows: String = (0..5)
        .map(|i| format!("survey_response,shop,{i},2026-03-01T10:00:00Z,a@b.co,9,,,\n"))
        .collect();
    let chunks = read_all(
        &format!("{WIRE_HEADERS}{rows}"),
        FileFormat::Csv,
        &Mapping::default(),
        2,
    );
    let sizes: Vec<usize> = chunks.iter().map(|c| c.rows).collect();
    assert_eq!(sizes, [2, 2, 1]);
}

#[test]
fn quoted_newlines_keep_line_numbers_and_bytes_are_counted() {
    let csv = format!(
        "{WIRE_HEADERS}survey_response,shop,1,2026-03-01T10:00:00Z,a@b.co,,,,\"two\nlines\"\n\
         survey_response,shop,2,2026-03-01T10:00:00Z,a@b.co,99,,,ok\n"
    );
    check(&csv, &Mapping::default(), &[2], &["4 nps"]);
    let mut reader = FileReader::new(
        std::io::Cursor::new(csv.as_bytes().to_vec()),
        FileFormat::Csv,
        &Mapping::default(),
    )
    .unwrap();
    while reader.next_chunk(1).unwrap().is_some() {}
    assert_eq!(reader.bytes_read(), csv.len() as u64);
}
