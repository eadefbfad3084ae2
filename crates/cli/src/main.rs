//! `throughline`: parse the command line, set up logging, run one command.

use clap::Parser;
use throughline_cli::{args, commands, settings};

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    settings::init_tracing(cli.global.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
