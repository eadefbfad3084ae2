//! `Signal::parse_slice` (the fast path ingest uses) must give exactly what the general
//! path gives (`serde_json::Value`, then `Signal::parse`): the same signal, the same
//! errors in the same order, the same syntax error. Checked on demo records and on
//! many variants of them, good and bad.

use serde_json::{json, Map, Value};
use throughline_demo::DemoConfig;
use throughline_domain::{Signal, SliceError};

/// Parses `bytes` both ways and fails the test on any difference.
fn same(bytes: &[u8]) {
    let fast = Signal::parse_slice(bytes);
    let general = serde_json::from_slice::<Value>(bytes).map(|v| Signal::parse(&v));
    let text = String::from_utf8_lossy(bytes);
    match (fast, general) {
        (Ok(a), Ok(Ok(b))) => assert_eq!(a, b, "{text}"),
        (Err(SliceError::Rejected(a)), Ok(Err(b))) => assert_eq!(a, b, "{text}"),
        (Err(SliceError::Syntax(a)), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("{text}: fast {a:?}, general {b:?}"),
    }
}

fn demo_records() -> Vec<Map<String, Value>> {
    let config = DemoConfig {
        customers: 300,
        employees: 40,
        ..DemoConfig::default()
    };
    let mut out = Vec::new();
    throughline_demo::generate(&config, |s| match serde_json::to_value(s.to_wire()) {
        Ok(Value::Object(m)) => out.push(m),
        other => panic!("a wire signal is an object, got {other:?}"),
    });
    out
}

/// Values each field is set to in turn: good, bad, odd.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(""),
        json!("  padded  "),
        json!("x".repeat(201)),
        json!("Say \"hi\"\n\u{e9}\u{1F600}"),
        json!(5),
        json!(9.0),
        json!(7.5),
        json!(-1),
        json!(1e300),
        json!(true),
        json!([]),
        json!({}),
        json!({"email": "Ann@Example.com", "phone": "+44 20 7946 0958"}),
        json!({"handle": "@ann", "network": 5}),
        json!({"handle": "twitter:@Ann"}),
        json!({"email": null, "account_id": " A-1 "}),
        json!({"email": "info@acme.com", "other": 1}),
        json!({"ease": 4, "speed": {"value": 8, "min": 0, "max": 10, "x": 1}}),
        json!({"ease": 6}),
        json!("2026-03-01T10:00:00+02:00"),
        json!("2026-03-01 10:00"),
        json!("EUR"),
        json!("purchase"),
        json!("hired"),
        json!("En"),
    ]
}

#[test]
fn demo_records_parse_the_same_both_ways() {
    let records = demo_records();
    assert!(records.len() > 5_000, "{} records", records.len());
    for record in &records {
        same(serde_json::to_string(record).unwrap().as_bytes());
    }
}

#[test]
fn variants_parse_the_same_both_ways() {
    let records = demo_records();
    let fields = throughline_domain::wire::FIELDS;
    // A spread of kinds: every record would be slow and add little.
    for record in records.iter().step_by(97) {
        for field in fields.iter().copied().chain(["unknown"]) {
            let mut without = record.clone();
            without.remove(field);
            same(serde_json::to_string(&without).unwrap().as_bytes());
            for value in replacements() {
                let mut changed = record.clone();
                changed.insert(field.to_string(), value.clone());
                let text = serde_json::to_string(&changed).unwrap();
                same(text.as_bytes());
                // The same key twice: the later one counts, as in a `Value`.
                let twice = format!("{{\"{field}\":{value},{}", &text[1..]);
                same(twice.as_bytes());
                let twice = format!("{},\"{field}\":{value}}}", &text[..text.len() - 1]);
                same(twice.as_bytes());
            }
        }
        let text = serde_json::to_string(record).unwrap();
        same(format!("  {text} \r").as_bytes());
        same(serde_json::to_string_pretty(record).unwrap().as_bytes());
        same(text.replace("\"kind\"", "\"kin\\u0064\"").as_bytes());
        same(format!("[{text}]").as_bytes());
        same(format!("{text} x").as_bytes());
        same(&text.as_bytes()[..text.len() / 2]);
    }
}

#[test]
fn odd_documents_parse_the_same_both_ways() {
    for text in [
        "",
        " ",
        "[]",
        "{}",
        "null",
        "\"s\"",
        "1",
        "{\"kind\":",
        "{]",
        "\u{FEFF}{}",
    ] {
        same(text.as_bytes());
    }
}
