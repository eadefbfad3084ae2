//! `throughline value spend FILE`: acquisition spend from a CSV into the store, so the
//! value page can set acquisition cost against lifetime value.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use throughline_domain::{AcquisitionSpend, RawSpend};

use crate::settings::Settings;
use crate::wiring;

/// Most rows one spend file may hold (a month per channel and campaign for decades).
pub const MAX_ROWS: usize = 100_000;

/// The rows that parsed, and one message per row that did not (`line N, field: reason`).
pub fn read(reader: impl std::io::Read) -> anyhow::Result<(Vec<AcquisitionSpend>, Vec<String>)> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = csv.headers().context("reading the header line")?.clone();
    for required in ["channel", "month", "amount", "currency"] {
        if !headers.iter().any(|h| h == required) {
            anyhow::bail!(
                "missing column `{required}` (columns: channel,campaign,month,amount,currency)"
            );
        }
    }
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for (i, record) in csv.records().enumerate() {
        let line = i + 2;
        if good.len() + bad.len() >= MAX_ROWS {
            anyhow::bail!("more than {MAX_ROWS} rows; split the file");
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                bad.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let cell = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(str::to_string)
        };
        let raw = RawSpend {
            channel: cell("channel"),
            campaign: cell("campaign"),
            month: cell("month"),
            amount: cell("amount").map(serde_json::Value::String),
            currency: cell("currency"),
        };
        match AcquisitionSpend::parse(&raw) {
            Ok(row) => good.push(row),
            Err(e) => bad.extend(
                e.errors
                    .iter()
                    .map(|f| format!("line {line}, field `{}`: {}", f.field, f.reason)),
            ),
        }
    }
    Ok((good, bad))
}

pub async fn run(settings: &Settings, file: &Path, workspace: &str) -> anyhow::Result<ExitCode> {
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let (rows, rejected) = read(std::io::BufReader::new(reader))?;
    let store = wiring::open_store(settings).await?;
    let ws = store.ensure_workspace(workspace).await?;
    let written = store.put_acquisition_spend(ws.id, &rows).await?;
    for message in &rejected {
        eprintln!("rejected: {message}");
    }
    println!(
        "wrote {written} spend rows to workspace {workspace:?}; {} rejected",
        rejected.len()
    );
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn keeps_good_rows_and_names_each_bad_one() {
        let csv = "channel,campaign,month,amount,currency\n\
                   social,spring,2026-03,1200.50,GBP\n\
                   web,,2026-13,10,GBP\n\
                   search,,2026-03,-5,usd\n\
                   store,,2026-04,300,eur\n";
        let (good, bad) = read(csv.as_bytes()).unwrap();
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].amount, 1200.5);
        assert_eq!(good[1].currency, "EUR");
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad[0].starts_with("line 3, field `month`"), "{bad:?}");
        assert!(bad[1].starts_with("line 4, field `amount`"), "{bad:?}");
        let missing = read("channel,month,amount\nweb,2026-01,1\n".as_bytes());
        assert!(missing.unwrap_err().to_string().contains("currency"));
    }
}
