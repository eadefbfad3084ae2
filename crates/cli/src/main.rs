//! `throughline`: parse the command line, set up logging, run one command.

use clap::Parser;
use throughline_cli::{args, commands, settings};

fn main() -> std::process::ExitCode {
    quiet_when_the_reader_has_enough();
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

/// `throughline text "…" --json | head`: a reader that closes the pipe early has read
/// what it wanted; printing then fails, and `println!` panics with a backtrace. Such a
/// panic ends the process quietly instead, with the status a shell gives a process
/// killed by SIGPIPE (128 + 13), as other command-line tools end.
fn quiet_when_the_reader_has_enough() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
