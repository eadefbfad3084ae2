//! `POST /api/v1/text/analyze`: the full analysis of one text — sentiment per
//! sentence, themes with aspect sentiment, emotions, effort, intents, language,
//! PII — with the words and rules behind every label (the "explain" view).
//!
//! An analysis is CPU work (milliseconds for the longest text), so it runs on
//! tokio's blocking threads, never on the threads that serve requests, and only a
//! few at once: a burst of long texts waits for a slot or is answered 429 instead
//! of taking every core from `/healthz` and the rest of the API (issue 19).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use throughline_domain::limits::MAX_TEXT_BYTES;
use throughline_text::Analysis;
use tokio::sync::Semaphore;

use crate::auth::Authed;
use crate::extract;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct AnalyzeBody {
    text: String,
}

pub async fn analyze(
    State(state): State<AppState>,
    Authed(_): Authed,
    extract::Json(body): extract::Json<AnalyzeBody>,
) -> Result<Json<Analysis>, ApiError> {
    if body.text.len() > MAX_TEXT_BYTES {
        return Err(ApiError::too_large(format!(
            "text is longer than {MAX_TEXT_BYTES} bytes"
        )));
    }
    let analyzer = state.analytics.text_analyzer().clone();
    let analysis = Gate::for_process()
        .run(move || analyzer.analyzer().analyze(&body.text))
        .await?;
    Ok(Json(analysis))
}

/// How long a request waits for a free analysis slot before it is answered 429.
const SLOT_WAIT: Duration = Duration::from_secs(1);

/// Seconds a client turned away for want of a slot is told to wait.
const RETRY_AFTER_SECS: u64 = 1;

/// Slots for analyses: a request takes one, waiting at most `wait`, and its
/// analysis keeps it until it ends, on a blocking thread.
struct Gate {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Gate {
    fn new(slots: usize, wait: Duration) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// The process's gate (one server per process): one slot per core but one,
    /// so a core stays free for every other request while analyses run.
    fn for_process() -> &'static Gate {
        static GATE: OnceLock<Gate> = OnceLock::new();
        GATE.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            Gate::new(cores.saturating_sub(1), SLOT_WAIT)
        })
    }

    /// Runs `work` on a blocking thread once a slot is free, or refuses with
    /// `Busy` when none frees up within the wait.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let slot = match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            // The semaphore is never closed; a timeout is the only way here.
            _ => {
                return Err(ApiError::Busy {
                    retry_after_secs: RETRY_AFTER_SECS,
                    message: "the server is analysing as many texts as it runs at once; \
                              retry shortly"
                        .into(),
                })
            }
        };
        tokio::task::spawn_blocking(move || {
            // Held until the work ends, even when the client has gone and this
            // task's result is dropped: the bound is on analyses running.
            let _slot = slot;
            work()
        })
        .await
        .map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work runs on another thread than the request's: on a one-thread
    /// runtime, the old inline call ran on the test's own thread.
    #[tokio::test(flavor = "current_thread")]
    async fn work_runs_off_the_request_thread() {
        let gate = Gate::new(1, SLOT_WAIT);
        let here = std::thread::current().id();
        let there = gate.run(|| std::thread::current().id()).await.unwrap();
        assert_ne!(here, there);
    }

    /// With every slot taken, a request is refused with 429 (`Busy`, retry after a
    /// second) once the wait is over, and served again when a slot is free.
    #[tokio::test(flavor = "current_thread")]
    async fn excess_work_is_refused_as_busy() {
        let gate = Gate::new(2, Duration::from_millis(20));
        let taken = gate.slots.clone().acquire_many_owned(2).await.unwrap();
        match gate.run(|| 1).await {
            Err(ApiError::Busy {
                retry_after_secs, ..
            }) => assert_eq!(retry_after_secs, RETRY_AFTER_SECS),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(taken);
        assert_eq!(gate.run(|| 1).await.unwrap(), 1);
    }

    /// A request dropped mid-analysis (the client went away) leaves its slot
    /// taken until the analysis ends, so the bound holds on what runs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slot_is_held_until_the_work_ends() {
        let gate = Arc::new(Gate::new(1, SLOT_WAIT));
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
        let request = tokio::spawn({
            let gate = Arc::clone(&gate);
            async move {
                gate.run(move || {
                    let _ = started_tx.send(());
                    let _ = finish_rx.recv();
                })
                .await
            }
        });
        started_rx.await.unwrap();
        request.abort();
        let held_while_running = gate.slots.available_permits() == 0;
        // Let the work end before asserting, so a failure cannot leave it blocked.
        finish_tx.send(()).unwrap();
        let _ = request.await;
        assert!(
            held_while_running,
            "the slot is free while the work still runs"
        );
        // Returns once the work has ended and given its slot back.
        drop(gate.slots.acquire().await.unwrap());
    }
}
