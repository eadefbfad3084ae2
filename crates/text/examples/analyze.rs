//! Analyses each argument and prints the human-readable report (add `--json` for JSON).
//!
//! cargo run -p throughline-text --example analyze -- "staff were lovely but delivery was late"

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    for text in args.iter().filter(|a| *a != "--json") {
        let analysis = throughline_text::analyze(text);
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&analysis).expect("analysis serializes")
            );
        } else {
            println!("{analysis}\n");
        }
    }
}
