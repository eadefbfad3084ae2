//! The analysis commands that need no store: `text`, `eval sentiment`, `value fit`.

use anyhow::Context;
use std::process::ExitCode;

use crate::args::{EvalCommand, TextArgs, ValueCommand};

pub fn text(args: TextArgs) -> anyhow::Result<ExitCode> {
    let analysis = throughline_text::analyze(&args.text);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&analysis)?);
    } else {
        println!("{analysis}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn eval(cmd: EvalCommand) -> anyhow::Result<ExitCode> {
    let EvalCommand::Sentiment { file, json } = cmd;
    let reader =
        std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let analyzer = throughline_text::Analyzer::new();
    let options = throughline_text::EvalOptions::default();
    let report = throughline_text::evaluate(reader, &options, |t| analyzer.sentiment_score(t))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("n               {}", report.n);
        if let Some(r) = report.pearson_r {
            println!("pearson_r       {r:.4}");
        }
        println!("accuracy_3class {:.4}", report.accuracy_3class);
        println!("macro_f1        {:.4}", report.macro_f1);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn value(cmd: ValueCommand) -> anyhow::Result<ExitCode> {
    let ValueCommand::Fit {
        file,
        calibration_end,
        period,
        json,
    } = cmd
    else {
        anyhow::bail!("`value spend` needs the store; it is run by `commands::spend`");
    };
    let calibration_end = calibration_end
        .map(|d| throughline_value::Date::parse(&d).map_err(anyhow::Error::msg))
        .transpose()
        .context("--calibration-end")?;
    let options = throughline_value::FitOptions {
        calibration_end,
        period: period.parse()?,
    };
    let reader =
        std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let report = throughline_value::fit_from_csv(std::io::BufReader::new(reader), &options)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}
