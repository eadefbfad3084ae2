//! Where SQL runs: a tokio runtime of its own, apart from the one that answers
//! HTTP, takes intake and refreshes the copy. DataFusion's operators are CPU
//! work that yields only between batches; on the request runtime one tenant's
//! cross join held every worker thread, and `/healthz` went unanswered for
//! minutes. Here a query can only take the query threads.
//!
//! Every query has a deadline: the caller gets `Timeout` at the deadline, and the
//! query's task is aborted then, so its work stops at its next yield (DataFusion
//! yields at least once per batch of its scans). A query holds its admission slot
//! until its task has really stopped, so the limits below count work still running.
//!
//! Ad-hoc SQL is admitted under two limits: queries running at once in all, and
//! per workspace. The dashboard's own queries skip admission (their pages share
//! one computation per filter set) but still run here, under the same deadline.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use throughline_domain::Chain;

use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

use crate::error::{AnalyticsError, Result};

/// How many queries may run at once, in all and per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub total: usize,
    pub per_workspace: usize,
}

impl Default for Admission {
    fn default() -> Self {
        Self {
            total: 4,
            per_workspace: 2,
        }
    }
}

/// The query runtime and its admission counts. Dropping it stops its threads
/// without waiting for them (a query past its deadline may still be unwinding).
pub struct QueryPool {
    runtime: Option<Runtime>,
    admission: Admission,
    counts: Arc<Mutex<Counts>>,
    /// Tasks started and not yet finished, admitted or not (for status and tests).
    running: Arc<AtomicUsize>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_workspace: HashMap<i64, usize>,
}

/// Stack of a query thread. Planning walks expressions recursively; DataFusion
/// grows the stack on the heap where that is deep (`recursive_protection`), but
/// dropping a deep syntax tree is plain recursion, so the threads start large.
/// It is address space: pages are touched only when used.
const STACK_BYTES: usize = 64 << 20;

impl QueryPool {
    /// A runtime with one worker per core (at least two), named `tl-query`.
    pub fn new(admission: Admission) -> Result<Self> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .max_blocking_threads(workers)
            .thread_name("tl-query")
            .thread_stack_size(STACK_BYTES)
            .enable_time()
            .build()
            .map_err(|e| AnalyticsError::Task(format!("cannot start the query runtime: {e}")))?;
        Ok(Self {
            runtime: Some(runtime),
            admission,
            counts: Arc::default(),
            running: Arc::default(),
        })
    }

    /// Queries whose work has not stopped yet.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Runs ad-hoc SQL for `workspace`: refused with `Busy` when the workspace or
    /// the server already runs as many queries as allowed.
    pub async fn run_admitted<T, F>(&self, workspace: i64, deadline: Duration, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let slot = self.admit(workspace)?;
        self.spawn(deadline, work, Some(slot)).await
    }

    /// Runs the dashboard's own SQL: no admission, the same deadline and isolation.
    pub async fn run<T, F>(&self, deadline: Duration, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        self.spawn(deadline, work, None).await
    }

    fn admit(&self, workspace: i64) -> Result<Slot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = counts.per_workspace.get(&workspace).copied().unwrap_or(0);
        if mine >= self.admission.per_workspace {
            return Err(AnalyticsError::Busy(format!(
                "this workspace already runs {mine} queries, the most allowed at once; \
                 retry when one has finished"
            )));
        }
        if counts.total >= self.admission.total {
            return Err(AnalyticsError::Busy(format!(
                "the server already runs {} queries, the most allowed at once; retry shortly",
                counts.total
            )));
        }
        counts.total += 1;
        *counts.per_workspace.entry(workspace).or_default() += 1;
        Ok(Slot {
            counts: Arc::clone(&self.counts),
            workspace,
        })
    }

    async fn spawn<T, F>(&self, deadline: Duration, work: F, slot: Option<Slot>) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let Some(runtime) = self.runtime.as_ref() else {
            return Err(AnalyticsError::Task("the query runtime has stopped".into()));
        };
        self.running.fetch_add(1, Ordering::AcqRel);
        let running = Running(Arc::clone(&self.running));
        let handle = runtime.spawn(async move {
            // Both are released when the task ends: finished, failed or aborted.
            let _slot = slot;
            let _running = running;
            work.await
        });
        // If the caller goes away (a client hung up), the query stops too.
        let _abort = AbortOnDrop(handle.abort_handle());
        match tokio::time::timeout(deadline, handle).await {
            Err(_) => Err(AnalyticsError::Timeout(deadline)),
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) if e.is_panic() => {
                tracing::error!(error = %Chain(&e), "a query panicked");
                Err(AnalyticsError::Task(format!(
                    "the query failed inside the engine: {e}"
                )))
            }
            Ok(Err(e)) => Err(AnalyticsError::Task(e.to_string())),
        }
    }
}

impl Drop for QueryPool {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One admitted query's place in the counts, given back when dropped.
struct Slot {
    counts: Arc<Mutex<Counts>>,
    workspace: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.total -= 1;
        if let Some(n) = counts.per_workspace.get_mut(&self.workspace) {
            *n -= 1;
            if *n == 0 {
                counts.per_workspace.remove(&self.workspace);
            }
        }
    }
}

struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(total: usize, per_workspace: usize) -> Arc<QueryPool> {
        Arc::new(
            QueryPool::new(Admission {
                total,
                per_workspace,
            })
            .unwrap(),
        )
    }

    /// A query that never finishes on its own.
    async fn forever() -> Result<()> {
        std::future::pending::<()>().await;
        Ok(())
    }

    #[tokio::test]
    async fn admission_counts_per_workspace_and_in_all() {
        let pool = pool(3, 2);
        let long = Duration::from_secs(60);
        let mut held = Vec::new();
        for ws in [1, 1, 2] {
            let p = Arc::clone(&pool);
            held.push(tokio::spawn(async move {
                p.run_admitted(ws, long, forever()).await
            }));
        }
        while pool.running() < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let third_of_1 = pool.run_admitted(1, long, async { Ok(()) }).await;
        assert!(matches!(third_of_1, Err(AnalyticsError::Busy(ref m)) if m.contains("workspace")));
        let fourth = pool.run_admitted(3, long, async { Ok(()) }).await;
        assert!(matches!(fourth, Err(AnalyticsError::Busy(ref m)) if m.contains("server")));
        // The dashboard's queries are not admitted, so they still run.
        assert_eq!(pool.run(long, async { Ok(7) }).await.unwrap(), 7);
        // A caller that goes away aborts its query and frees its slot.
        held.remove(0).abort();
        while pool.running() > 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            pool.run_admitted(1, long, async { Ok(1) }).await.unwrap(),
            1
        );
    }

    #[tokio::test]
    async fn a_query_past_its_deadline_is_stopped() {
        let pool = pool(4, 4);
        let answer = pool
            .run_admitted(1, Duration::from_millis(50), forever())
            .await;
        assert!(matches!(answer, Err(AnalyticsError::Timeout(_))));
        while pool.running() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(pool.counts.lock().unwrap().total, 0);
    }

    #[tokio::test]
    async fn a_panicking_query_is_an_error_not_a_crash() {
        let pool = pool(4, 4);
        let answer: Result<()> = pool
            .run(Duration::from_secs(5), async { panic!("engine bug") })
            .await;
        assert!(matches!(answer, Err(AnalyticsError::Task(ref m)) if m.contains("engine")));
    }
}
