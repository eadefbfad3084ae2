//! Building a mapping from flags and files, and the errors a typo gives.

use serde_json::json;

use crate::{Mapping, WirePath};

/// A mapping in a compact form: `field<-Column` and `field=value`, in order.
fn summary(mapping: &Mapping) -> Vec<String> {
    let columns = mapping.columns().iter().map(|(p, c)| format!("{p}<-{c}"));
    let constants = mapping.constants().iter().map(|(p, v)| format!("{p}={v}"));
    columns.chain(constants).collect()
}

fn flags(maps: &[&str], sets: &[&str]) -> Result<Mapping, String> {
    let maps: Vec<String> = maps.iter().map(|s| s.to_string()).collect();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    Mapping::default()
        .with_flags(&maps, &sets)
        .map_err(|e| e.to_string())
}

fn check_toml(text: &str, want: Result<&[&str], &str>) {
    let got = Mapping::from_toml(text)
        .map(|m| summary(&m))
        .map_err(|e| e.to_string());
    let want = want
        .map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .map_err(str::to_string);
    assert_eq!(got, want, "mapping file:\n{text}");
}

#[test]
fn flags_build_a_mapping() {
    let m = flags(
        &["customer.email=Email", "nps= Score "],
        &["source=shop", "kind=survey_response", "csat=4"],
    )
    .unwrap();
    let want = [
        "customer.email<-Email",
        "nps<-Score",
        "source=\"shop\"",
        "kind=\"survey_response\"",
        "csat=4",
    ];
    assert_eq!(summary(&m), want);
    assert!(Mapping::default().is_identity());
}

#[test]
fn flag_errors_name_the_flag_and_field() {
    let cases: &[(&[&str], &[&str], &str)] = &[
        (
            &["customer.email"],
            &[],
            "--map customer.email: expected FIELD=COLUMN, e.g. customer.email=Email",
        ),
        (
            &["customer.mail=Email"],
            &[],
            "--map customer.mail=Email: \"customer.mail\" is not a wire field",
        ),
        (
            &["score=S"],
            &[],
            "--map score=S: \"score\" is not a wire field",
        ),
        (
            &["ratings.=S"],
            &[],
            "--map ratings.=S: \"ratings.\" needs a name after the dot, e.g. ratings.ease",
        ),
        (
            &["text="],
            &[],
            "--map text=: text: the column name is empty",
        ),
        (
            &[],
            &["nps=nine"],
            "--set nps=nine: nps: \"nine\" is not a number",
        ),
        (
            &[],
            &["source="],
            "--set source=: source: the constant is empty",
        ),
        (
            &["nps=A"],
            &["nps=9"],
            "--set nps=9: nps is given more than once",
        ),
    ];
    for (maps, sets, want) in cases {
        let err = flags(maps, sets).unwrap_err();
        assert!(
            err.starts_with(want),
            "{maps:?} {sets:?}\n got: {err}\nwant: {want}"
        );
    }
}

#[test]
fn mapping_files() {
    let bare = "[columns]\ncustomer.email = \"Email\"\nnps = \"Score\"\n\n[constants]\nsource = \"shop\"\n";
    check_toml(
        bare,
        Ok(&["customer.email<-Email", "nps<-Score", "source=\"shop\""]),
    );
    let quoted = "[columns]\n\"ratings.ease\" = \"Ease\"\n[columns.properties]\nplan = \"Plan\"\n";
    check_toml(quoted, Ok(&["properties.plan<-Plan", "ratings.ease<-Ease"]));
    // TOML numbers and datetimes are taken as the text they spell.
    let typed = "[constants]\nnps = 9\namount = 1.5\noccurred_at = 2026-03-01T10:00:00Z\n";
    check_toml(
        typed,
        Ok(&[
            "amount=1.5",
            "nps=9",
            "occurred_at=\"2026-03-01T10:00:00Z\"",
        ]),
    );
    check_toml("", Ok(&[]));
}

#[test]
fn mapping_file_errors_name_the_line() {
    let cases: &[(&str, &str)] = &[
        (
            "[columns]\nnps = \"Score\"\ncustomer.mail = \"Email\"\n",
            "mapping file line 3 ([columns] customer.mail): \"customer.mail\" is not a wire field",
        ),
        (
            "[columns]\nnps = \"Score\n",
            "mapping file line 2: invalid basic string",
        ),
        (
            "[colums]\nnps = \"Score\"\n",
            "mapping file line 1: unknown field `colums`, expected `columns` or `constants`",
        ),
        (
            "[columns]\ntext = [\"A\", \"B\"]\n",
            "mapping file line 2 ([columns] text): expected text, found an array",
        ),
        (
            "[columns]\nnps = \"A\"\n[constants]\nnps = 9\n",
            "mapping file line 4 ([constants] nps): nps appears in both [columns] and [constants]",
        ),
        (
            "[constants]\n\ncsat = \"good\"\n",
            "mapping file line 3 ([constants] csat): csat: \"good\" is not a number",
        ),
    ];
    for (text, want) in cases {
        let err = Mapping::from_toml(text).unwrap_err().to_string();
        assert!(
            err.starts_with(want),
            "file:\n{text}\n got: {err}\nwant: {want}"
        );
    }
}

#[test]
fn flags_override_the_file() {
    let file =
        Mapping::from_toml("[columns]\nnps = \"Score\"\n[constants]\nsource = \"file\"\n").unwrap();
    let maps = vec!["nps=NPS".to_string()];
    let sets = vec!["source=flag".to_string()];
    let m = file.with_flags(&maps, &sets).unwrap();
    assert_eq!(summary(&m), ["nps<-NPS", "source=\"flag\""]);
}

#[test]
fn cells_convert_by_wire_field() {
    let cases = [
        ("nps", " 9 ", Ok(Some(json!(9)))),
        ("amount", "19.99", Ok(Some(json!(19.99)))),
        ("ratings.ease", "4", Ok(Some(json!(4)))),
        ("nps", "", Ok(None)),
        ("text", "  ", Ok(None)),
        ("properties.zip", "01234", Ok(Some(json!("01234")))),
        (
            "customer",
            r#"{"email":"a@b.co"}"#,
            Ok(Some(json!({"email": "a@b.co"}))),
        ),
        ("amount", "NaN", Err("\"NaN\" is not a number".to_string())),
        (
            "customer",
            "a@b.co",
            Err("must hold a JSON object: invalid JSON at column 1: expected value".into()),
        ),
    ];
    for (field, cell, want) in cases {
        assert_eq!(
            WirePath::parse(field).unwrap().convert(cell),
            want,
            "{field} {cell:?}"
        );
    }
}
