//! The overview's result cache: the CXO's first screen is answered from the last
//! computation for the same workspace and filters, as PostHog and Qualtrics
//! dashboards are, instead of scanning the copy a dozen times per page view.
//!
//! Exact, not approximate: a result is keyed by the analytics copy's generation,
//! and equal generations read equal data. When the copy has moved on, a result at
//! most `overview_max_stale_secs` old is served marked `fresh: false` while one
//! recomputation runs in the background (stale-while-revalidate); older results
//! are recomputed before answering. Concurrent requests for the same key share one
//! computation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use throughline_domain::Chain;

use chrono::{DateTime, Utc};
use serde::Serialize;
use throughline_domain::WorkspaceId;
use tokio::sync::OnceCell;

use crate::error::Result;
use crate::filters::Filters;
use crate::overview::{compute_overview, Overview};
use crate::read::Reader;

/// Most (workspace, filters) results kept; the least recently used goes first.
const MAX_ENTRIES: usize = 256;

type Key = (WorkspaceId, Filters);
type Slot = Arc<OnceCell<Arc<Computed>>>;

/// One computation's result; requests that shared it report the same `computed_at`.
struct Computed {
    overview: Overview,
    computed_at: DateTime<Utc>,
}

/// How current an overview is, shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Freshness {
    /// When the figures were computed.
    pub computed_at: DateTime<Utc>,
    /// False when newer signals have arrived since; a recomputation is under way.
    pub fresh: bool,
}

#[derive(Default)]
pub(crate) struct OverviewCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

struct Entry {
    done: Option<Done>,
    /// The computation under way, for the generation it was started at.
    pending: Option<(u64, Slot)>,
    used: Instant,
}

#[derive(Clone)]
struct Done {
    generation: u64,
    computed: Arc<Computed>,
    /// When it was filed, for the staleness limit.
    at: Instant,
}

/// What a lookup decided, taken under the lock and acted on outside it. A slot
/// comes with the generation it computes for (no older than the one it was
/// started at), which is what its result is filed under.
enum Plan {
    Hit(Done),
    Stale(Done, u64, Slot),
    Compute(u64, Slot),
}

impl OverviewCache {
    fn plan(&self, key: &Key, generation: u64, max_stale: Duration) -> Plan {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if !entries.contains_key(key) && entries.len() >= MAX_ENTRIES {
            evict_oldest(&mut entries);
        }
        let entry = entries.entry(key.clone()).or_insert_with(|| Entry {
            done: None,
            pending: None,
            used: Instant::now(),
        });
        entry.used = Instant::now();
        if let Some(done) = entry.done.as_ref().filter(|d| d.generation == generation) {
            return Plan::Hit(done.clone());
        }
        let stale = entry
            .done
            .as_ref()
            .filter(|d| d.at.elapsed() <= max_stale)
            .cloned();
        let (g, slot) = match &entry.pending {
            Some((g, slot)) if *g == generation => (*g, Arc::clone(slot)),
            // While stale results are served, one recomputation at a time per key.
            Some((g, slot)) if stale.is_some() && !slot.initialized() => (*g, Arc::clone(slot)),
            _ => {
                let slot: Slot = Arc::default();
                entry.pending = Some((generation, Arc::clone(&slot)));
                (generation, slot)
            }
        };
        match stale {
            Some(done) => Plan::Stale(done, g, slot),
            None => Plan::Compute(g, slot),
        }
    }

    /// Keeps a finished result unless a newer one is already there.
    fn finish(&self, key: &Key, generation: u64, computed: Arc<Computed>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = entries.get_mut(key) else {
            return;
        };
        if entry
            .done
            .as_ref()
            .is_some_and(|d| d.generation > generation)
        {
            return;
        }
        entry.done = Some(Done {
            generation,
            computed,
            at: Instant::now(),
        });
        if entry
            .pending
            .as_ref()
            .is_some_and(|(g, _)| *g <= generation)
        {
            entry.pending = None;
        }
    }
}

fn evict_oldest(entries: &mut HashMap<Key, Entry>) {
    if let Some(oldest) = entries
        .iter()
        .min_by_key(|(_, e)| e.used)
        .map(|(k, _)| k.clone())
    {
        entries.remove(&oldest);
    }
}

/// The executive overview for `filters`, from `cache` when it is current (see the
/// module comment), with how fresh it is.
pub(crate) async fn overview(
    rd: &Arc<Reader>,
    cache: &Arc<OverviewCache>,
    ws: WorkspaceId,
    filters: &Filters,
) -> Result<Overview> {
    filters.validate()?;
    let generation = rd.generation();
    let key = (ws, filters.clone());
    let max_stale = Duration::from_secs(rd.settings.overview_max_stale_secs);
    match cache.plan(&key, generation, max_stale) {
        Plan::Hit(done) => Ok(with_freshness(&done.computed, true)),
        Plan::Stale(done, g, slot) => {
            // On a task of its own, so a client that goes away does not cancel it;
            // further tasks on the same slot wait for it rather than compute again.
            if !slot.initialized() {
                let (rd, cache) = (Arc::clone(rd), Arc::clone(cache));
                tokio::spawn(async move {
                    if let Err(e) = fill(&rd, &cache, &key, g, &slot).await {
                        tracing::warn!(error = %Chain(&e), "overview recomputation failed");
                    }
                });
            }
            Ok(with_freshness(&done.computed, false))
        }
        Plan::Compute(g, slot) => {
            let computed = fill(rd, cache, &key, g, &slot).await?;
            Ok(with_freshness(&computed, true))
        }
    }
}

async fn fill(
    rd: &Reader,
    cache: &OverviewCache,
    key: &Key,
    generation: u64,
    slot: &Slot,
) -> Result<Arc<Computed>> {
    let computed = slot
        .get_or_try_init(|| async {
            let overview = compute_overview(rd, key.0, &key.1).await?;
            Ok::<_, crate::error::DashboardError>(Arc::new(Computed {
                overview,
                computed_at: Utc::now(),
            }))
        })
        .await?;
    cache.finish(key, generation, Arc::clone(computed));
    Ok(Arc::clone(computed))
}

fn with_freshness(computed: &Computed, fresh: bool) -> Overview {
    Overview {
        freshness: Some(Freshness {
            computed_at: computed.computed_at,
            fresh,
        }),
        ..computed.overview.clone()
    }
}
