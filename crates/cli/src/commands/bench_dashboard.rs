//! `throughline bench --dashboard`: the executive overview's server time (p50,
//! p99) and an NPS-by-month-by-channel query at a large company's scale —
//! synthetic survey responses and events through SQLite into the analytics copy —
//! beside DuckDB on the very same Parquet segments (`crates/dashboard/bench/duckdb_bench.py`).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use throughline_analytics::{AnalyticsConfig, AnalyticsCopy, Manifest};
use throughline_dashboard::{Dashboard, DashboardSettings, Filters};
use throughline_domain::{
    Action, Dimension, Identity, IdentityPolicy, Signal, SignalKind, SignalParts,
};
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

use crate::args::BenchArgs;

const BATCH: usize = 50_000;
const CHANNELS: [&str; 6] = ["web", "app", "email", "phone", "store", "chat"];
const BRANDS: [&str; 3] = ["Northwind", "Kestrel", "Ardent"];
const COMMENTS: [&str; 8] = [
    "delivery was late again and nobody answered my emails",
    "staff were lovely but the app keeps crashing",
    "great price, quick delivery, will buy again",
    "on hold for an hour, then cut off. never again",
    "the refund took three weeks to arrive",
    "easy checkout and friendly support",
    "product quality has gone down, disappointed",
    "sorted it out quickly, thank you",
];

/// The NPS-by-month-by-channel query both engines run.
pub const NPS_BY_MONTH_BY_CHANNEL: &str = "SELECT date_trunc('month', occurred_at) AS m, channel, \
     100.0 * (sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) - sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)) / count(nps) AS nps, \
     count(nps) AS n FROM signals WHERE nps IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2";

/// Most timed cache-miss overviews (each scans the copy a dozen times).
const COLD_RUNS: usize = 10;
/// Signals that arrive before each timed miss.
const ARRIVALS: usize = 100;
/// The arrivals are drawn from this many reads of this many stored signals each.
const POOL_READS: usize = 20;
const POOL_READ_ROWS: usize = 500;

/// What both `--dashboard` and `--sql` measure on: a data directory (generated, or
/// reused from an earlier `--keep`) with the workspace `bench` in its SQLite file and
/// its analytics copy built or refreshed.
pub(crate) struct BenchData {
    pub dir: std::path::PathBuf,
    pub store: Arc<dyn Store>,
    pub ws: throughline_domain::WorkspaceId,
    pub copy: Arc<AnalyticsCopy>,
    /// A line saying what was loaded (or reused) and how long it took.
    pub loaded: String,
}

/// Generates (or reuses) the bench's data directory and builds its analytics copy:
/// `--demo` loads the demo company, otherwise `--responses` survey responses and
/// `--events` events (`default_events` when not given).
pub(crate) async fn prepare(
    settings: &crate::settings::Settings,
    args: &BenchArgs,
    name: &str,
    default_events: usize,
) -> anyhow::Result<BenchData> {
    let dir = match &args.reuse {
        Some(dir) => dir.clone(),
        None => {
            std::env::temp_dir().join(format!("throughline-bench-{name}-{}", std::process::id()))
        }
    };
    std::fs::create_dir_all(&dir)?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(
        // The data directory's own layout, so that `--keep` leaves one `serve` can open.
        &dir.join("throughline.sqlite"),
        Durability::Normal,
    )?);
    let ws = store.ensure_workspace("bench").await?.id;
    let events = args.events.unwrap_or(default_events);
    let started = Instant::now();
    let written = if args.reuse.is_some() {
        0
    } else if args.demo {
        let config = throughline_demo::DemoConfig {
            customers: args.customers,
            ..Default::default()
        };
        crate::commands::demo::generate_into(store.as_ref(), ws, &config).await?
    } else {
        load(store.as_ref(), ws, args.responses, events).await?
    };
    let load_s = started.elapsed().as_secs_f64();
    let copy = crate::wiring::open_analytics_in(settings, &dir, store.clone())?;
    let started = Instant::now();
    if args.reuse.is_some() {
        copy.refresh().await?;
    } else {
        copy.rebuild().await?;
    }
    let copy_s = started.elapsed().as_secs_f64();
    let what = if args.demo {
        format!("the demo company, {} customers", args.customers)
    } else {
        format!("{} responses, {events} events", args.responses)
    };
    let loaded = match &args.reuse {
        Some(dir) => format!(
            "reused {}; analytics copy refreshed in {copy_s:.1} s",
            dir.display()
        ),
        None => format!("{written} signals ({what}) loaded into SQLite in {load_s:.1} s; analytics copy (with text analysis) built in {copy_s:.1} s"),
    };
    Ok(BenchData {
        dir,
        store,
        ws,
        copy,
        loaded,
    })
}

/// Keeps the data directory (`--keep`, `--reuse`) or deletes it.
pub(crate) fn finish(args: &BenchArgs, dir: &Path) {
    if args.keep || args.reuse.is_some() {
        println!("data kept in {} (workspace `bench`)", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}

pub async fn run(settings: &crate::settings::Settings, args: &BenchArgs) -> anyhow::Result<()> {
    let BenchData {
        dir,
        store,
        ws,
        copy,
        loaded,
    } = prepare(settings, args, "dash", 10_000_000).await?;
    let dash = Dashboard::new(copy.clone(), DashboardSettings::default());

    // The first overview after opening also decodes the columns it reads into
    // the hot column cache: reported on its own, not mixed into the misses.
    let t = Instant::now();
    dash.compute_overview(ws, &Filters::default()).await?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    // A cache miss happens when signals arrive (the copy moves on) or a filter set is
    // asked for the first time. Under steady intake the copy's in-memory tail is half
    // full on average, so it is filled to that first; then, before each timed miss,
    // a few signals arrive and the copy catches up, as a live server would.
    let cold_runs = args.queries.clamp(1, COLD_RUNS);
    let latest = copy
        .query_batches(ws, "SELECT max(occurred_at) AS t FROM signals")
        .await?
        .i64s("t")?
        .first()
        .copied()
        .flatten()
        .context("no signals")?;
    let latest = DateTime::from_timestamp_micros(latest).context("newest time")?;
    let pool = arrival_pool(store.as_ref(), ws).await?;
    let menus = dash
        .dimension_values(ws, &[Dimension::Channel, Dimension::Brand])
        .await?;
    let values = |dim: &str| {
        menus
            .iter()
            .find(|(d, _)| *d == dim)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (channels, brands) = (values("channel"), values("brand"));
    let tail_goal = AnalyticsConfig::default().tail_max_rows / 2;
    let mut arrived = 0;
    while copy.tail_rows() < tail_goal {
        let n = BATCH.min(tail_goal - copy.tail_rows());
        arrived += arrive(store.as_ref(), ws, latest, arrived, n, &pool).await?;
        copy.refresh().await?;
    }
    let tail_rows = copy.tail_rows();
    let mut cold = Vec::new();
    // CPU time is steadier than wall time on a busy machine: it is what a miss costs
    // the server whether or not the cores were free (the arrivals are not counted).
    let mut cpu_total = Some(0.0);
    for _ in 0..cold_runs {
        arrived += arrive(store.as_ref(), ws, latest, arrived, ARRIVALS, &pool).await?;
        copy.refresh().await?;
        let cpu_before = process_cpu_ms();
        let t = Instant::now();
        let o = dash.compute_overview(ws, &Filters::default()).await?;
        cold.push(t.elapsed().as_secs_f64() * 1000.0);
        cpu_total = cpu_total
            .zip(cpu_before.zip(process_cpu_ms()))
            .map(|(sum, (before, after))| sum + after - before);
        anyhow::ensure!(!o.tiles.is_empty(), "the overview came back empty");
    }
    let cpu_per_miss = cpu_total.map(|sum| sum / cold_runs as f64);
    // A filter set never asked for: nothing kept applies, every row is read.
    let mut unseen = Vec::new();
    let one_each = channels
        .iter()
        .map(|c| Filters {
            channel: Some(c.clone()),
            ..Filters::default()
        })
        .chain(brands.iter().map(|b| Filters {
            brand: Some(b.clone()),
            ..Filters::default()
        }));
    for filters in one_each.take(cold_runs) {
        let t = Instant::now();
        dash.compute_overview(ws, &filters).await?;
        unseen.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // What a page view costs while the copy is unchanged: the first computes and
    // is not counted (it is the cold figure), the rest are answered from the cache.
    dash.overview(ws, &Filters::default()).await?;
    let mut overview = Vec::new();
    for _ in 0..args.queries {
        let t = Instant::now();
        let o = dash.overview(ws, &Filters::default()).await?;
        overview.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(!o.tiles.is_empty(), "the overview came back empty");
    }
    let mut nps = Vec::new();
    for _ in 0..args.queries {
        let t = Instant::now();
        let answer = copy.query_batches(ws, NPS_BY_MONTH_BY_CHANNEL).await?;
        nps.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(answer.num_rows() > 0, "no rows");
    }
    println!("{loaded}");
    println!(
        "{:<44} {:>10} {:>10} {:>6}",
        "figure (ms)", "p50", "p99", "runs"
    );
    println!(
        "{:<44} {:>10.2} {:>10.2} {:>6}",
        "executive overview, served (cached)",
        pct(&mut overview, 0.5),
        pct(&mut overview, 0.99),
        args.queries
    );
    println!(
        "{:<44} {:>10.1} {:>10} {:>6}",
        "executive overview, first after opening", first_ms, "", 1
    );
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>6}",
        "executive overview, miss after new signals",
        pct(&mut cold, 0.5),
        pct(&mut cold, 0.99),
        cold_runs
    );
    if let Some(cpu) = cpu_per_miss {
        println!(
            "{:<44} {:>10.1} {:>10} {:>6}",
            "  CPU time per miss, all threads (mean)", cpu, "", cold_runs
        );
    }
    println!(
        "  ({ARRIVALS} signals of the workspace's own mix arrived before each miss; the copy's tail held {tail_rows}+ rows)"
    );
    if !unseen.is_empty() {
        println!(
            "{:<44} {:>10.1} {:>10.1} {:>6}",
            "executive overview, a filter set not seen yet",
            pct(&mut unseen, 0.5),
            pct(&mut unseen, 0.99),
            unseen.len()
        );
    }
    println!(
        "{:<44} {:>10.1} {:>10.1} {:>6}",
        "NPS by month by channel (Throughline)",
        pct(&mut nps, 0.5),
        pct(&mut nps, 0.99),
        args.queries
    );
    duckdb_side_by_side(
        &dir.join("analytics"),
        ws.0,
        args.queries,
        pct(&mut nps, 0.5),
    )?;
    finish(args, &dir);
    Ok(())
}

/// This process's user + system CPU time so far, in milliseconds (Linux: the
/// clock ticks of /proc/self/stat, 10 ms each); `None` where that file is absent.
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// The nearest-rank percentile.
pub(crate) fn pct(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len().max(1));
    values.get(rank - 1).copied().unwrap_or(f64::NAN)
}

/// Runs a Python DuckDB script (`script`: the interpreter's arguments that name it,
/// a file or `-c` and its text) with `--workspace`, `args` and the copy's Parquet
/// segment files. `Ok(Err(why))` when it could not run (no Python, no `duckdb`).
pub(crate) fn run_duckdb(
    analytics: &Path,
    workspace: i64,
    script: &[&str],
    args: &[String],
) -> anyhow::Result<Result<String, String>> {
    let manifest = Manifest::load(analytics)?.context("no analytics manifest after the rebuild")?;
    let files: Vec<String> = manifest
        .segment_paths(analytics)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let out = std::process::Command::new("python3")
        .args(script)
        .arg("--workspace")
        .arg(workspace.to_string())
        .args(args)
        .args(&files)
        .output();
    Ok(match out {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr)
            .lines()
            .last()
            .unwrap_or("")
            .to_string()),
        Err(e) => Err(e.to_string()),
    })
}

/// Runs DuckDB (Python `duckdb`) on the copy's Parquet segments with the same SQL.
fn duckdb_side_by_side(
    analytics: &Path,
    workspace: i64,
    runs: usize,
    ours_ms: f64,
) -> anyhow::Result<()> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dashboard/bench/duckdb_bench.py"
    );
    let args = ["--runs".to_string(), runs.to_string()];
    match run_duckdb(analytics, workspace, &[script], &args)? {
        Ok(text) => {
            print!("{text}");
            for line in text.lines() {
                let mut parts = line.split_whitespace().rev();
                let how = line
                    .strip_prefix("NPS by month by channel (DuckDB, ")
                    .and_then(|rest| rest.split(')').next());
                if let (Some(p50), Some(how)) =
                    (parts.nth(2).and_then(|v| v.parse::<f64>().ok()), how)
                {
                    println!(
                        "  ratio DuckDB ({how}) / Throughline, p50: {:.2} (above 1: Throughline is faster)",
                        p50 / ours_ms
                    );
                }
            }
        }
        Err(why) => println!("DuckDB comparison skipped: {why}"),
    }
    Ok(())
}

/// Streams synthetic responses and events into the store in batches.
async fn load(
    store: &dyn Store,
    ws: throughline_domain::WorkspaceId,
    responses: usize,
    events: usize,
) -> anyhow::Result<u64> {
    let policy = IdentityPolicy::default();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let start: DateTime<FixedOffset> = Utc
        .with_ymd_and_hms(2024, 11, 1, 0, 0, 0)
        .single()
        .context("start")?
        .fixed_offset();
    let span_secs = 730 * 86_400;
    let customers = (responses / 4).max(1);
    let mut written = 0u64;
    let total = responses + events;
    let mut i = 0usize;
    while i < total {
        let n = BATCH.min(total - i);
        let batch: Vec<Signal> = (i..i + n)
            .map(|k| {
                let mut s = synthetic(&mut rng, customers, k < responses);
                s.external_id = k.to_string();
                s.occurred_at = start + Duration::seconds(rng.random_range(0..span_secs));
                s.check(Utc::now())
            })
            .collect::<Result<_, _>>()?;
        written += store.ingest(ws, &batch, &policy).await?.accepted as u64;
        i += n;
    }
    Ok(written)
}

/// Signals of the workspace's own mix of kinds (a sample of what it holds), to be
/// sent again as new ones while the dashboard is served.
async fn arrival_pool(
    store: &dyn Store,
    ws: throughline_domain::WorkspaceId,
) -> anyhow::Result<Vec<Signal>> {
    let high = store.high_water().await?.0;
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut pool = Vec::new();
    for _ in 0..POOL_READS {
        let from = throughline_domain::SignalSeq(rng.random_range(0..high.max(1)));
        let rows = store.signals_after(from, POOL_READ_ROWS).await?;
        pool.extend(
            rows.into_iter()
                .filter(|r| r.workspace == ws)
                .map(|r| r.signal),
        );
    }
    anyhow::ensure!(!pool.is_empty(), "no signals to send again");
    Ok(pool)
}

/// `n` signals that arrive while the dashboard is served: signals of `pool` under new
/// ids (unique per run, so a reused directory gets new ones, not duplicates), moved
/// into the 30 days before `latest` (so the newest month stays the newest), with their
/// response and resolution times moved alike.
async fn arrive(
    store: &dyn Store,
    ws: throughline_domain::WorkspaceId,
    latest: DateTime<Utc>,
    from: usize,
    n: usize,
    pool: &[Signal],
) -> anyhow::Result<usize> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(from as u64);
    let run = std::process::id();
    let batch: Vec<Signal> = (from..from + n)
        .map(|k| {
            let mut s = pool[rng.random_range(0..pool.len())].clone().into_parts();
            s.external_id = format!("bench-live-{run}-{k}");
            let at = latest - Duration::seconds(rng.random_range(0..30 * 86_400));
            let shift = at.fixed_offset() - s.occurred_at;
            s.occurred_at = at.fixed_offset();
            s.first_response_at = s.first_response_at.map(|t| t + shift);
            s.resolved_at = s.resolved_at.map(|t| t + shift);
            s.check(Utc::now())
        })
        .collect::<Result<_, _>>()?;
    let policy = IdentityPolicy::default();
    let accepted = store.ingest(ws, &batch, &policy).await?.accepted;
    anyhow::ensure!(
        accepted == n,
        "{} of {n} arriving signals were not new",
        n - accepted
    );
    Ok(accepted)
}

/// The synthetic events' actions, the steps of a shop's funnel, each with its share
/// of the events in percent.
pub(crate) const EVENT_ACTIONS: [(&str, u32); 5] = [
    ("page_viewed", 50),
    ("product_viewed", 25),
    ("added_to_cart", 13),
    ("checkout_started", 7),
    ("order_placed", 5),
];

/// One synthetic survey response (`response`) or web event of one of `customers`.
fn synthetic(rng: &mut rand::rngs::StdRng, customers: usize, response: bool) -> SignalParts {
    static TEMPLATE: std::sync::OnceLock<Signal> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        Signal::parse(&serde_json::json!({
            "kind": "survey_response", "source": "bench", "external_id": "0",
            "occurred_at": "2024-11-01T00:00:00Z", "customer": {"email": "c0@example.com"}, "nps": 9
        }))
        .expect("the template is valid")
    });
    let mut s = template.clone().into_parts();
    let customer = rng.random_range(0..customers);
    s.identities =
        vec![Identity::email(&format!("c{customer}@example.com")).expect("a valid email")];
    s.dimensions[Dimension::Channel.index()] =
        Some(CHANNELS[rng.random_range(0..CHANNELS.len())].to_string());
    s.dimensions[Dimension::Brand.index()] = Some(BRANDS[customer % BRANDS.len()].to_string());
    if response {
        s.nps = Some(rng.random_range(0..=10));
        s.csat = rng.random_bool(0.5).then(|| rng.random_range(1..=5));
        s.text = rng
            .random_bool(0.4)
            .then(|| COMMENTS[rng.random_range(0..COMMENTS.len())].to_string());
    } else {
        s.kind = SignalKind::Event;
        s.nps = None;
        let mut draw = rng.random_range(0..100u32);
        let (name, _) = EVENT_ACTIONS
            .iter()
            .find(|(_, share)| {
                let hit = draw < *share;
                draw = draw.saturating_sub(*share);
                hit
            })
            .unwrap_or(&EVENT_ACTIONS[0]);
        s.action = Some(Action::Event((*name).to_string()));
    }
    s
}
