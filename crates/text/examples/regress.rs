//! Development aid: prints sentiment score (rounded, then its exact bits) and full analysis
//! JSON per text, one line each, so two builds can be diffed.
fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let raw = std::fs::read_to_string(&path).expect("file");
    let analyzer = throughline_text::Analyzer::new();
    for text in raw.lines().filter_map(|l| l.splitn(3, '\t').nth(2)) {
        let score = analyzer.sentiment_score(text);
        let analysis = analyzer.analyze(text);
        println!(
            "{score:.6}\t{:08x}\t{}",
            score.to_bits(),
            serde_json::to_string(&analysis).expect("serializes")
        );
    }
}
