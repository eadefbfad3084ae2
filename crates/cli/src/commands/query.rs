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
        print_table(&result.columns, &result.rows);
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
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn print_table(columns: &[String], rows: &[Vec<serde_json::Value>]) {
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = cells
                .iter()
                .map(|r| r.get(i).map_or(0, |s| s.chars().count()))
                .max();
            widest.unwrap_or(0).max(c.len()).min(60)
        })
        .collect();
    let line = |values: Vec<&str>| {
        let padded: Vec<String> = values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{:<w$}", v.chars().take(*w).collect::<String>(), w = *w))
            .collect();
        println!("{}", padded.join(" | ").trim_end());
    };
    line(columns.iter().map(String::as_str).collect());
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-")
    );
    for row in &cells {
        line(row.iter().map(String::as_str).collect());
    }
}
