#!/usr/bin/env python3
"""Times the Python `lifetimes` package on the same CSVs as examples/bench.rs.

Setup (once): python3 -m venv /work/venv-lifetimes && /work/venv-lifetimes/bin/pip install lifetimes
Run:          /work/venv-lifetimes/bin/python bench/lifetimes_bench.py [--runs 3] CSV [CSV ...]
CSV columns:  frequency,recency,T[,monetary_value] (aliases x,t_x,zbar as in the CDNOW file).

Two ways are timed: "per-row" is how lifetimes is documented (one row per customer); "weighted"
first groups identical rows and passes counts as `weights`, the fastest use of lifetimes we know.
Times cover the fits only (pandas read_csv is reported separately).
"""
import argparse
import statistics
import sys
import time
import warnings

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

warnings.filterwarnings("ignore")


def load(path):
    t0 = time.perf_counter()
    d = pd.read_csv(path)
    d = d.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    return d, time.perf_counter() - t0


def fit_per_row(d):
    t0 = time.perf_counter()
    bg = BetaGeoFitter().fit(d["frequency"], d["recency"], d["T"])
    t_bg = time.perf_counter() - t0
    rep = d[(d["frequency"] > 0) & (d["monetary_value"] > 0)]
    t0 = time.perf_counter()
    gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    return bg, gg, t_bg, time.perf_counter() - t0


def fit_weighted(d):
    t0 = time.perf_counter()
    g = d.groupby(["frequency", "recency", "T"]).size().reset_index(name="w")
    bg = BetaGeoFitter().fit(g["frequency"], g["recency"], g["T"], weights=g["w"])
    t_bg = time.perf_counter() - t0
    rep = d[(d["frequency"] > 0) & (d["monetary_value"] > 0)]
    t0 = time.perf_counter()
    h = rep.groupby(["frequency", "monetary_value"]).size().reset_index(name="w")
    gg = GammaGammaFitter().fit(h["frequency"], h["monetary_value"], weights=h["w"])
    return bg, gg, t_bg, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mode", choices=["per-row", "weighted", "both"], default="both")
    ap.add_argument("csv", nargs="+")
    a = ap.parse_args()
    modes = ["per-row", "weighted"] if a.mode == "both" else [a.mode]
    for path in a.csv:
        d, t_read = load(path)
        print(f"== {path}: {len(d)} customers (pandas read_csv {t_read:.3f}s)")
        for mode in modes:
            fit = fit_per_row if mode == "per-row" else fit_weighted
            t_bg, t_gg = [], []
            for _ in range(a.runs):
                bg, gg, tb, tg = fit(d)
                t_bg.append(tb)
                t_gg.append(tg)
            p, q = bg.params_, gg.params_
            print(f"  lifetimes {mode}: median seconds ({a.runs} runs): bg/nbd fit "
                  f"{statistics.median(t_bg):.4f}  gamma-gamma fit {statistics.median(t_gg):.4f}  "
                  f"total {statistics.median([x + y for x, y in zip(t_bg, t_gg)]):.4f}")
            print(f"    BG/NBD r={p['r']:.6f} alpha={p['alpha']:.6f} a={p['a']:.6f} b={p['b']:.6f}")
            print(f"    Gamma-Gamma p={q['p']:.6f} q={q['q']:.6f} v={q['v']:.6f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
