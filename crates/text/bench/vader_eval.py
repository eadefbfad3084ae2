"""Scores VADER's tweet ground truth with Python vaderSentiment using the same definitions as
examples/eval_tweets.rs: human neutral band |rating| <= 0.5, VADER neutral band |compound| < 0.05.

pip install vaderSentiment; python3 crates/text/bench/vader_eval.py FILE
"""
import math
import sys

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def label(value, band, inclusive):
    if value > band or (not inclusive and value >= band):
        return 1
    if value < -band or (not inclusive and value <= -band):
        return -1
    return 0


def main():
    analyzer = SentimentIntensityAnalyzer()
    gold, predicted = [], []
    with open(sys.argv[1], encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) < 3:
                continue
            gold.append(float(parts[1]))
            predicted.append(analyzer.polarity_scores(parts[2])["compound"])
    n = len(gold)
    mx, my = sum(gold) / n, sum(predicted) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(gold, predicted))
    sxx = sum((x - mx) ** 2 for x in gold)
    syy = sum((y - my) ** 2 for y in predicted)
    r = sxy / math.sqrt(sxx * syy)
    g = [label(x, 0.5, True) for x in gold]
    p = [label(y, 0.05, False) for y in predicted]
    accuracy = sum(a == b for a, b in zip(g, p)) / n
    f1s = []
    for c in (-1, 0, 1):
        tp = sum(a == c and b == c for a, b in zip(g, p))
        fp = sum(a != c and b == c for a, b in zip(g, p))
        fn = sum(a == c and b != c for a, b in zip(g, p))
        f1s.append(0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    print(f"vader n={n} pearson_r={r:.4f} accuracy_3class={accuracy:.4f} macro_f1={sum(f1s) / 3:.4f}")


if __name__ == "__main__":
    main()
