//! `query_folded`: the same answer as reading everything at once, after new rows
//! in the tail, a new segment, a compaction and a profile merge, while only what
//! is new is read again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use throughline_analytics::{
    AnalyticsConfig, AnalyticsCopy, AnalyticsError, Partial, QueryBatches,
};

use crate::hot::add_signals;
use crate::{small_config, FakeStore, WS1};

/// Signals and NPS answers per (profile, channel): a sum per key.
#[derive(Clone, Debug, Default, PartialEq)]
struct PerKey(BTreeMap<(i64, String), (i64, i64)>);

impl Partial for PerKey {
    fn merge(&mut self, other: Self) {
        for (k, (n, s)) in other.0 {
            let e = self.0.entry(k).or_default();
            e.0 += n;
            e.1 += s;
        }
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn bytes(&self) -> usize {
        self.0.len() * 64
    }
}

const SQL: &str = "SELECT profile_id AS p, channel AS c, count(*) AS n, sum(nps) AS s \
                   FROM signals GROUP BY 1, 2";

fn per_key(answer: &QueryBatches, seen: &AtomicUsize) -> Result<PerKey, AnalyticsError> {
    let (p, c) = (answer.i64s("p")?, answer.strings("c")?);
    let (n, s) = (answer.i64s("n")?, answer.i64s("s")?);
    let mut out = PerKey::default();
    for i in 0..answer.num_rows() {
        seen.fetch_add(n[i].unwrap_or(0) as usize, Ordering::Relaxed);
        let key = (p[i].unwrap_or(-1), c[i].clone().unwrap_or_default());
        out.merge(PerKey(BTreeMap::from([(
            key,
            (n[i].unwrap_or(0), s[i].unwrap_or(0)),
        )])));
    }
    Ok(out)
}

/// The folded answer, checked against one read of everything, and how many
/// signals the fold was handed to get it.
async fn folded(copy: &AnalyticsCopy) -> (PerKey, usize) {
    let seen = AtomicUsize::new(0);
    let got = copy
        .query_folded(WS1, SQL, |a| per_key(a, &seen))
        .await
        .unwrap();
    let whole = copy.query_batches(WS1, SQL).await.unwrap();
    assert_eq!(*got, per_key(&whole, &AtomicUsize::new(0)).unwrap());
    (Arc::unwrap_or_clone(got), seen.load(Ordering::Relaxed))
}

async fn catch_up(copy: &AnalyticsCopy, flush: bool) {
    copy.refresh().await.unwrap();
    if flush {
        copy.flush().await.unwrap();
    }
}

#[tokio::test]
async fn folded_answers_equal_whole_ones_and_read_only_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    let copy =
        AnalyticsCopy::open_with(dir.path().to_path_buf(), store.clone(), small_config()).unwrap();
    // Two segments (of 300 rows: above the compaction threshold) and a tail of 20.
    add_signals(&store, 1, 0, 300);
    catch_up(&copy, true).await;
    add_signals(&store, 1, 300, 300);
    catch_up(&copy, true).await;
    add_signals(&store, 1, 600, 20);
    catch_up(&copy, false).await;
    let (first, seen) = folded(&copy).await;
    assert_eq!(seen, 620, "the first call reads everything");
    assert!(copy.fold_memo_bytes() > 0);

    // New rows in the tail: only they are read.
    add_signals(&store, 1, 620, 5);
    catch_up(&copy, false).await;
    let (second, seen) = folded(&copy).await;
    assert_eq!(seen, 5);
    assert_ne!(second, first);
    assert_eq!(folded(&copy).await.1, 0, "nothing new: nothing read");

    // The tail flushed into a third segment: that segment is read, once.
    add_signals(&store, 1, 625, 300);
    catch_up(&copy, true).await;
    assert_eq!(folded(&copy).await.1, 325);
    add_signals(&store, 1, 925, 1);
    catch_up(&copy, false).await;
    assert_eq!(folded(&copy).await.1, 1);

    // Small segments, each folded once written, then merged by compaction: the kept
    // segments are no longer a prefix, so everything is read again.
    for from in [926, 936] {
        add_signals(&store, 1, from, 10);
        catch_up(&copy, true).await;
        assert_eq!(folded(&copy).await.1, if from == 926 { 11 } else { 10 });
    }
    add_signals(&store, 1, 946, 10);
    catch_up(&copy, true).await;
    let (_, seen) = folded(&copy).await;
    assert_eq!(seen, 956);

    // A merge moves signals to another profile: read again with the new profiles.
    store.merge(1, 5, 6);
    catch_up(&copy, false).await;
    let (merged, seen) = folded(&copy).await;
    assert_eq!(seen, 956);
    assert!(merged.0.keys().all(|(p, _)| *p != 5), "{merged:?}");
    // The same merges at the next refresh: what was kept still holds.
    add_signals(&store, 1, 956, 3);
    catch_up(&copy, false).await;
    assert_eq!(folded(&copy).await.1, 3);
}

#[tokio::test]
async fn without_the_hot_cache_everything_is_read_each_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FakeStore::default());
    let config = AnalyticsConfig {
        hot_cache_bytes: 0,
        ..small_config()
    };
    let copy = AnalyticsCopy::open_with(dir.path().to_path_buf(), store.clone(), config).unwrap();
    add_signals(&store, 1, 0, 300);
    catch_up(&copy, true).await;
    add_signals(&store, 1, 300, 7);
    catch_up(&copy, false).await;
    assert_eq!(folded(&copy).await.1, 307);
    assert_eq!(folded(&copy).await.1, 307);
    assert_eq!(copy.fold_memo_bytes(), 0);
}
