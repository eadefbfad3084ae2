//! `throughline query "SQL"`: read-only SQL over one workspace, printed as a table or JSON.

use anyhow::Context;
use std::process::ExitCode;

use crate::args::QueryArgs;
use crate::settings::Settings;
use crate::wiring;

pub async fn run(settings: &Settings, args: QueryArgs) -> anyhow::Result<ExitCode> {
    let store = wiring::open_store(settings).await?;
    let ws = store
        .workspace_by_name(&args.workspace)
        .await?
        .with_context(|| format!("no workspace named {:?}", args.workspace))?;
    let copy = wiring::open_analytics(settings, store).await?;
    copy.refresh().await?;
    let result = copy.query(ws.id, &args.sql).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", render_table(&result.columns, &result.rows));
        eprintln!(
            "({} rows{})",
            result.row_count,
            if result.truncated { ", truncated" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "NULL".into(),
        serde_json::Value::String(s) => visible(s),
        other => other.to_string(),
    }
}

/// `s` with every character that would act on the terminal instead of being shown
/// written as an escape: control characters (C0 with tab and newline, which would
/// break the table's rows, DEL, C1; an ESC starting a sequence is shown, so the rest
/// of it is plain text) as `\t`, `\n`, `\r` or `\u{1b}`, and the bidirectional
/// formatting characters, which reorder what is shown after them.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Unicode's explicit directional marks, embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The answer as a text table, every value and column name made [`visible`].
fn render_table(columns: &[String], rows: &[Vec<serde_json::Value>]) -> String {
    let columns: Vec<String> = columns.iter().map(|c| visible(c)).collect();
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = cells
                .iter()
                .map(|r| r.get(i).map_or(0, |s| s.chars().count()))
                .max();
            widest.unwrap_or(0).max(c.chars().count()).min(60)
        })
        .collect();
    let line = |values: Vec<&str>| {
        let padded: Vec<String> = values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{:<w$}", v.chars().take(*w).collect::<String>(), w = *w))
            .collect();
        format!("{}\n", padded.join(" | ").trim_end())
    };
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let mut out = line(columns.iter().map(String::as_str).collect());
    out.push_str(&rule.join("-+-"));
    out.push('\n');
    for row in &cells {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_shows_control_characters_as_escapes() {
        let columns = vec!["x\u{1b}]0;pwned\u{7}".to_string(), "n".to_string()];
        let rows = vec![
            vec![json!("\u{1b}[2J\u{1b}[31mred"), json!(1)],
            vec![
                json!("a\nb\tc\r\u{0}\u{7f}\u{9b}6n\u{202e}gnp.exe"),
                json!(null),
            ],
        ];
        let table = render_table(&columns, &rows);
        assert!(
            !table
                .chars()
                .any(|c| c != '\n' && (c.is_control() || is_bidi_control(c))),
            "{table:?}"
        );
        assert_eq!(table.lines().count(), 4, "{table}");
        assert!(table.contains("\\u{1b}[2J\\u{1b}[31mred"), "{table}");
        assert!(
            table.contains("a\\nb\\tc\\r\\u{0}\\u{7f}\\u{9b}6n\\u{202e}gnp.exe"),
            "{table}"
        );
        assert!(table.starts_with("x\\u{1b}]0;pwned\\u{7}"), "{table}");
    }
}
