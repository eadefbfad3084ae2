//! What the CLI prints from stored data: terminal escapes in a text reach the screen
//! only as visible escapes, and labels with control characters never get stored.
//! A reader that stops early (`| head`) ends the output without a panic.

use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_throughline");

fn run(data: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("THROUGHLINE_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("THROUGHLINE_LOG", "warn")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn record(id: u32, channel: &str, text: &str) -> String {
    serde_json::json!({
        "kind": "review", "source": "app", "external_id": id.to_string(),
        "occurred_at": "2026-03-01T10:00:00Z", "customer": {"email": "a@b.co"},
        "channel": channel, "text": text
    })
    .to_string()
}

#[test]
fn query_tables_show_control_characters_as_escapes_and_labels_refuse_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let input = dir.path().join("in.ndjson");
    let lines = [
        // A text may hold anything printable and whitespace; this one clears the screen.
        record(1, "web", "\u{1b}[2J\u{1b}[31mred\nnext line"),
        // A label may not: the record is rejected on `channel`.
        record(2, "web\u{1b}[8m", "fine"),
        record(3, "web\u{0}", "fine"),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = run(
        data,
        &[
            "import",
            input.to_str().unwrap(),
            "--workspace",
            "w",
            "--quiet",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("1 accepted"), "{stderr}");
    let rejects = std::fs::read_to_string(dir.path().join("in.ndjson.rejects.ndjson")).unwrap();
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    for line in rejects.lines() {
        let reject: serde_json::Value = serde_json::from_str(line).unwrap();
        let reason = reject["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("channel: holds the control character U+"),
            "{reason}"
        );
    }

    let sql = "SELECT text, channel FROM signals";
    let out = run(data, &["query", "--workspace", "w", sql]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        !table.chars().any(|c| c != '\n' && c.is_control()),
        "raw control characters in {table:?}"
    );
    assert!(
        table.contains("\\u{1b}[2J\\u{1b}[31mred\\nnext line"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 3, "header, rule, one row: {table}");

    // JSON keeps the value exact, escaped by JSON itself.
    let out = run(data, &["query", "--workspace", "w", "--json", sql]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["rows"][0][0], "\u{1b}[2J\u{1b}[31mred\nnext line",
        "{json}"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_without_a_panic() {
    use std::io::Read;
    // Far more output than a pipe buffers (64 KiB), so printing meets the closed pipe.
    let text = "My package got delayed with no update. ".repeat(1500);
    let mut child = Command::new(BIN)
        .args(["text", &text, "--json"])
        .env("THROUGHLINE_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone (dropped); the rest of the output meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert_eq!(&first[..1], b"{");
}
