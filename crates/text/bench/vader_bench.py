"""Times Python vaderSentiment and the Rust analyser on the same texts, in the same run, on one
core, and prints medians of several repetitions and the speed ratios.

    pip install vaderSentiment
    CARGO_TARGET_DIR=/work/target-text cargo build --release -p throughline-text --example bench
    python3 crates/text/bench/vader_bench.py FILE --rust-bin /work/target-text/release/examples/bench

Repetitions alternate (VADER pass, then one Rust run of both passes), both pinned to the same
core, so a machine that gets busier or quieter during the run affects both sides alike. The
ratio reported is the median of the per-repetition ratios.
"""
import argparse
import json
import os
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
    parser.add_argument("--core", type=int, default=0)
    parser.add_argument("--rust-passes", type=int, default=5)
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split("\t", 2)[2] for line in handle
                 if not line.startswith("#") and line.count("\t") >= 2]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.core})
    analyzer = SentimentIntensityAnalyzer()
    for text in texts[:200]:  # warm-up
        analyzer.polarity_scores(text)
    vader, sentiment, full, sentiment_ratio, full_ratio, rss = [], [], [], [], [], 0
    for _ in range(args.repetitions):
        start = time.perf_counter()
        for text in texts:
            analyzer.polarity_scores(text)
        vader.append(len(texts) / (time.perf_counter() - start))
        # taskset pins the Rust run to the same core, so both figures are per core.
        # The Rust passes are ~50x shorter than VADER's, so each run reports the median of
        # --rust-passes passes, which keeps one scheduler hiccup from deciding the figure.
        output = subprocess.run(["taskset", "-c", str(args.core), args.rust_bin, args.file,
                                 str(args.rust_passes)],
                                check=True, capture_output=True, text=True).stdout
        rust = json.loads(output.strip().splitlines()[-1])
        sentiment.append(rust["sentiment_texts_per_s"])
        full.append(rust["full_texts_per_s"])
        sentiment_ratio.append(sentiment[-1] / vader[-1])
        full_ratio.append(full[-1] / vader[-1])
        rss = max(rss, rust["peak_rss_kib"])
    vader_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    median = statistics.median
    print(f"texts: {len(texts)}, repetitions: {args.repetitions} (medians, one core, interleaved)")
    print(f"vaderSentiment (Python):      {median(vader):>12,.0f} texts/s   peak RSS {vader_rss_kib / 1024:.1f} MiB")
    print(f"throughline sentiment only:   {median(sentiment):>12,.0f} texts/s   "
          f"ratio {median(sentiment_ratio):.1f}x")
    print(f"throughline full pipeline:    {median(full):>12,.0f} texts/s   "
          f"ratio {median(full_ratio):.1f}x   peak RSS {rss / 1024:.1f} MiB")
    print("per-repetition ratios (sentiment, full): "
          + ", ".join(f"{s:.1f}/{f:.1f}" for s, f in zip(sentiment_ratio, full_ratio)))


if __name__ == "__main__":
    main()
