//! Benchmark: BG/NBD + Gamma-Gamma fits on CDNOW and on a large synthetic cohort.
//!
//! cargo run --release -p throughline-value --example value_bench -- [--runs 5] [--n 1000000]
//!     [--out /tmp/throughline-value-bench]
//! Writes the synthetic summaries to OUT/synthetic_N.csv so bench/lifetimes_bench.py can time
//! the Python `lifetimes` package on exactly the same data.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use throughline_value::sim::{simulate, SimDesign};
use throughline_value::{
    fit_bgnbd_data, fit_from_csv, fit_gamma_gamma_data, read_summaries, BgNbdData, BgNbdParams,
    CustomerSummary, FitOptions, GammaGammaData, GammaGammaParams,
};

struct Args {
    runs: usize,
    n: usize,
    out: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        runs: 5,
        n: 1_000_000,
        out: std::env::temp_dir().join("throughline-value-bench"),
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    for w in v.chunks(2) {
        match (w[0].as_str(), w.get(1)) {
            ("--runs", Some(x)) => a.runs = x.parse().expect("--runs N"),
            ("--n", Some(x)) => a.n = x.parse().expect("--n N"),
            ("--out", Some(x)) => a.out = PathBuf::from(x),
            _ => panic!("usage: bench [--runs N] [--n N] [--out DIR]"),
        }
    }
    a
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

/// Reads the file and fits both models `runs` times; prints medians and the estimates.
fn bench_file(label: &str, path: &Path, runs: usize) {
    let (mut read_s, mut agg_s, mut bg_s, mut gg_s, mut total_s) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let (summaries, t_read) =
            time(|| read_summaries(File::open(path).expect("open")).expect("parse"));
        let ((bgd, ggd), t_agg) = time(|| {
            (
                BgNbdData::from_summaries(&summaries),
                GammaGammaData::from_summaries(&summaries),
            )
        });
        let (bg, t_bg) = time(|| fit_bgnbd_data(&bgd).expect("bg/nbd fit"));
        let (gg, t_gg) = time(|| fit_gamma_gamma_data(&ggd).expect("gamma-gamma fit"));
        total_s.push(start.elapsed().as_secs_f64());
        read_s.push(t_read);
        agg_s.push(t_agg);
        bg_s.push(t_bg);
        gg_s.push(t_gg);
        last = Some((bg, gg, summaries.len(), bgd.n_distinct()));
    }
    // End to end as the CLI runs it: read, aggregate, both fits (concurrently) and SEs.
    let e2e: Vec<f64> = (0..runs)
        .map(|_| {
            time(|| {
                fit_from_csv(File::open(path).expect("open"), &FitOptions::default()).expect("fit")
            })
            .1
        })
        .collect();
    let (bg, gg, n, distinct) = last.expect("at least one run");
    let (p, q) = (bg.params, gg.params);
    println!("== {label}: {n} customers ({distinct} distinct (x, t_x, T)), {runs} runs");
    println!(
        "  median seconds: read {:.4}  aggregate {:.4}  bg/nbd fit {:.4}  gamma-gamma fit {:.4}  total {:.4}",
        median(read_s), median(agg_s), median(bg_s.clone()), median(gg_s.clone()), median(total_s)
    );
    println!(
        "  median seconds: fits only (bg/nbd + gamma-gamma) {:.4}  fit_from_csv end to end {:.4}",
        median(bg_s.iter().zip(&gg_s).map(|(a, b)| a + b).collect()),
        median(e2e)
    );
    println!(
        "  BG/NBD r={:.6} alpha={:.6} a={:.6} b={:.6} LL={:.3} (se {:.4} {:.4} {:.4} {:.4})",
        p.r,
        p.alpha,
        p.a,
        p.b,
        bg.log_likelihood,
        bg.std_errors.r,
        bg.std_errors.alpha,
        bg.std_errors.a,
        bg.std_errors.b
    );
    println!(
        "  Gamma-Gamma p={:.6} q={:.6} v={:.6} LL={:.3} on {} customers",
        q.p, q.q, q.v, gg.log_likelihood, gg.n_customers
    );
}

fn write_csv(path: &Path, data: &[CustomerSummary]) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    writeln!(w, "frequency,recency,T,monetary_value")?;
    for s in data {
        writeln!(
            w,
            "{},{},{},{}",
            s.frequency,
            s.recency,
            s.t,
            s.monetary_value.unwrap_or(0.0)
        )?;
    }
    w.flush()
}

fn main() {
    let a = args();
    let cdnow = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cdnow_customers_summary_with_transactions.csv");
    bench_file("CDNOW", &cdnow, a.runs);

    // Truth = the published CDNOW estimates.
    let bg = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let gg = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };
    std::fs::create_dir_all(&a.out).expect("create output dir");
    let path = a.out.join(format!("synthetic_{}.csv", a.n));
    let (data, t_sim) = time(|| simulate(&bg, Some(&gg), &SimDesign::cdnow_like(), a.n, 20_05));
    write_csv(&path, &data).expect("write synthetic csv");
    println!(
        "\nsimulated {} customers in {:.2}s (truth r=0.243 alpha=4.414 a=0.793 b=2.426; p=6.25 q=3.74 v=15.44; daily grid)",
        a.n, t_sim
    );
    println!("wrote {}", path.display());
    bench_file("synthetic", &path, a.runs);
}
