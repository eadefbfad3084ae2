"""Times Python vaderSentiment and the Rust analyser on the same texts, in the same run, on one
core, and prints medians of several repetitions and the speed ratios.

    pip install vaderSentiment
    CARGO_TARGET_DIR=/work/target-text cargo build --release -p throughline-text --example bench
    python3 crates/text/bench/vader_bench.py FILE --rust-bin /work/target-text/release/examples/bench
"""
import argparse
import json
import resource
import statistics
import subprocess
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--rust-bin", default="/work/target-text/release/examples/bench")
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 2)[2] for line in handle
                 if not line.startswith("#") and line.count("\t") >= 2]
    analyzer = SentimentIntensityAnalyzer()
    rates = []
    for _ in range(args.repetitions):
        start = time.perf_counter()
        for text in texts:
            analyzer.polarity_scores(text)
        rates.append(len(texts) / (time.perf_counter() - start))
    vader = statistics.median(rates)
    vader_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # taskset pins the Rust run to one core too, so both figures are per core.
    output = subprocess.run(["taskset", "-c", "0", args.rust_bin, args.file, str(args.repetitions)],
                            check=True, capture_output=True, text=True).stdout
    rust = json.loads(output.strip().splitlines()[-1])
    print(f"texts: {len(texts)}, repetitions: {args.repetitions} (medians, one core)")
    print(f"vaderSentiment (Python):      {vader:>12,.0f} texts/s   peak RSS {vader_rss_kib / 1024:.1f} MiB")
    print(f"throughline sentiment only:   {rust['sentiment_texts_per_s']:>12,.0f} texts/s   "
          f"ratio {rust['sentiment_texts_per_s'] / vader:.1f}x")
    print(f"throughline full pipeline:    {rust['full_texts_per_s']:>12,.0f} texts/s   "
          f"ratio {rust['full_texts_per_s'] / vader:.1f}x   peak RSS {rust['peak_rss_kib'] / 1024:.1f} MiB"
          f"   analyser build {rust['build_ms']:.0f} ms")


if __name__ == "__main__":
    main()
