//! HTTP batch bodies: framing, per-record rejects, limits, content types.

use super::survey;
use crate::{parse_batch, BatchError, BatchLimits, BodyFormat, Reject};

/// Parses `body` and compares a one-line summary: good indexes, then
/// `index@line:field` per reject (line `-` for a JSON array), or the batch error.
fn check(body: &str, format: BodyFormat, limits: &BatchLimits, want: &str) {
    let got = match parse_batch(body.as_bytes(), format, limits) {
        Ok(b) => {
            assert_eq!(b.signals.len(), b.indexes.len());
            let rejects: Vec<String> = b
                .rejects
                .iter()
                .map(|r| {
                    format!(
                        "{}@{}:{}",
                        r.index,
                        r.line.map_or("-".into(), |l| l.to_string()),
                        r.field
                    )
                })
                .collect();
            format!("ok {:?} rejects {:?} of {}", b.indexes, rejects, b.records)
        }
        Err(e) => format!("error {e}"),
    };
    assert_eq!(got, want, "body {body:?}");
}

fn bad_nps(id: &str) -> String {
    survey(id).replace("\"nps\":9", "\"nps\":11")
}

#[test]
fn ndjson_bodies_reject_per_record() {
    let limits = BatchLimits::default();
    let ndjson = BodyFormat::Ndjson;
    let mixed = [
        survey("a"),
        String::new(),
        "{\"kind\": ".into(),
        bad_nps("c"),
        survey("d"),
    ]
    .join("\n");
    check(
        &mixed,
        ndjson,
        &limits,
        r#"ok [0, 3] rejects ["1@3:record", "2@4:nps"] of 4"#,
    );
    // CRLF, a trailing newline and whitespace-only lines are all fine.
    let crlf = format!("{}\r\n  \r\n{}\r\n", survey("a"), survey("b"));
    check(&crlf, ndjson, &limits, r#"ok [0, 1] rejects [] of 2"#);
    // One record, two bad fields: two rejects with the same index.
    let two = survey("a").replace("\"nps\":9", "\"nps\":11,\"csat\":0");
    check(
        &two,
        ndjson,
        &limits,
        r#"ok [] rejects ["0@1:nps", "0@1:csat"] of 1"#,
    );
    check(
        "[1, 2]\n5",
        ndjson,
        &limits,
        r#"ok [] rejects ["0@1:record", "1@2:record"] of 2"#,
    );
    check("", ndjson, &limits, "ok [] rejects [] of 0");
}

#[test]
fn a_bad_ndjson_line_names_the_column() {
    let body = format!("{}\n{{\"kind\": tweet}}", survey("a"));
    let parsed = parse_batch(body.as_bytes(), BodyFormat::Ndjson, &BatchLimits::default()).unwrap();
    let want = Reject {
        index: 1,
        line: Some(2),
        field: "record".into(),
        reason: "invalid JSON at column 11: expected ident".into(),
    };
    assert_eq!(parsed.rejects, vec![want]);
}

#[test]
fn json_array_bodies() {
    let limits = BatchLimits::default();
    let json = BodyFormat::Json;
    let array = format!("[{}, {}, 5]", survey("a"), bad_nps("b"));
    check(
        &array,
        json,
        &limits,
        r#"ok [0] rejects ["1@-:nps", "2@-:record"] of 3"#,
    );
    check("[]", json, &limits, "ok [] rejects [] of 0");
    let broken = format!("[{},\n {{\"kind\": }}]", survey("a"));
    check(
        &broken,
        json,
        &limits,
        "error the body is not a valid JSON array of records: expected value at line 2 column 11",
    );
    check("{\"kind\": \"ticket\"}", json, &limits, "error the body is not a valid JSON array of records: invalid type: map, expected a JSON array of records at line 1 column 1");
    check("[] []", json, &limits, "error the body is not a valid JSON array of records: trailing characters at line 1 column 4");
    check("", json, &limits, "error the body is not a valid JSON array of records: EOF while parsing a value at line 1 column 1");
}

#[test]
fn limits() {
    let two = BatchLimits {
        max_records: 2,
        ..BatchLimits::default()
    };
    let three_lines = format!("{}\n\n{}\n{}\n", survey("a"), survey("b"), survey("c"));
    check(
        &three_lines,
        BodyFormat::Ndjson,
        &two,
        "error the batch holds 3 records; the limit is 2",
    );
    let array = format!("[{}, {}, {}]", survey("a"), survey("b"), survey("c"));
    check(
        &array,
        BodyFormat::Json,
        &two,
        "error the batch holds 3 records; the limit is 2",
    );
    let exactly_two = format!("{}\n{}\n\n", survey("a"), survey("b"));
    check(
        &exactly_two,
        BodyFormat::Ndjson,
        &two,
        "ok [0, 1] rejects [] of 2",
    );
    let small = BatchLimits {
        max_body_bytes: 10,
        ..BatchLimits::default()
    };
    let want = format!(
        "error the body is {} bytes; the limit is 10",
        survey("a").len()
    );
    check(&survey("a"), BodyFormat::Ndjson, &small, &want);
    let err = parse_batch(three_lines.as_bytes(), BodyFormat::Ndjson, &two).unwrap_err();
    assert_eq!(err, BatchError::TooManyRecords { limit: 2, got: 3 });
}

#[test]
fn content_types_and_sniffing() {
    let cases = [
        (Some("application/x-ndjson"), BodyFormat::Ndjson),
        (Some("application/ndjson"), BodyFormat::Ndjson),
        (Some("application/jsonl"), BodyFormat::Ndjson),
        (Some("Application/JSON; charset=utf-8"), BodyFormat::Json),
        (Some("text/plain"), BodyFormat::Sniff),
        (None, BodyFormat::Sniff),
    ];
    for (content_type, want) in cases {
        assert_eq!(
            BodyFormat::from_content_type(content_type),
            want,
            "{content_type:?}"
        );
    }
    assert_eq!(BodyFormat::sniff(b" \n [{}]"), BodyFormat::Json);
    assert_eq!(BodyFormat::sniff(b"\xEF\xBB\xBF[]"), BodyFormat::Json);
    assert_eq!(BodyFormat::sniff(b"{}\n{}"), BodyFormat::Ndjson);
    assert_eq!(BodyFormat::sniff(b""), BodyFormat::Ndjson);

    let limits = BatchLimits::default();
    let array = format!("\n[{}]", survey("a"));
    check(&array, BodyFormat::Sniff, &limits, "ok [0] rejects [] of 1");
    let lines = format!("{}\n{}", survey("a"), survey("b"));
    check(
        &lines,
        BodyFormat::Sniff,
        &limits,
        "ok [0, 1] rejects [] of 2",
    );
}

#[test]
fn rejects_serialize_for_the_api() {
    let with_line = Reject {
        index: 3,
        line: Some(5),
        field: "nps".into(),
        reason: "r".into(),
    };
    let without = Reject {
        line: None,
        ..with_line.clone()
    };
    let json = serde_json::to_string(&[with_line, without]).unwrap();
    assert_eq!(
        json,
        r#"[{"index":3,"line":5,"field":"nps","reason":"r"},{"index":3,"field":"nps","reason":"r"}]"#
    );
}

#[test]
fn large_batches_keep_record_order() {
    let lines: Vec<String> = (0..3000)
        .map(|i| {
            if i % 5 == 1 {
                bad_nps(&i.to_string())
            } else {
                survey(&i.to_string())
            }
        })
        .collect();
    let limits = BatchLimits::default();
    for (format, body) in [
        (BodyFormat::Ndjson, lines.join("\n")),
        (BodyFormat::Json, format!("[{}]", lines.join(","))),
    ] {
        let parsed = parse_batch(body.as_bytes(), format, &limits).unwrap();
        let bad: Vec<usize> = (0..3000).filter(|i| i % 5 == 1).collect();
        assert_eq!(
            parsed.rejects.iter().map(|r| r.index).collect::<Vec<_>>(),
            bad,
            "{format:?}"
        );
        let ids: Vec<usize> = parsed
            .signals
            .iter()
            .map(|s| s.external_id().parse().unwrap())
            .collect();
        assert_eq!(ids, parsed.indexes, "{format:?}");
        assert_eq!(parsed.indexes.len(), 2400);
    }
}
