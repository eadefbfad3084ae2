//! The value models per workspace, fitted once per analytics high-water mark: models
//! fitted on months of history do not move with the last few minutes of intake, so
//! under a steady stream they are refitted at most every [`REFIT_AFTER`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use throughline_domain::WorkspaceId;

use crate::error::Result;
use crate::read::Reader;
use crate::value::{self, Fitted};

/// A refit waits at least this long after the last one while signals keep arriving.
const REFIT_AFTER: Duration = Duration::from_secs(300);

struct Kept {
    high_water: i64,
    fitted_at: Instant,
    fitted: Arc<Fitted>,
}

#[derive(Default)]
pub(crate) struct ValueCache(Mutex<HashMap<WorkspaceId, Kept>>);

impl ValueCache {
    /// The workspace's fitted models, fitted now if none are kept or they are too old.
    pub(crate) async fn fitted(&self, rd: &Reader, ws: WorkspaceId) -> Result<Arc<Fitted>> {
        let high_water = rd.analytics.pulled_high_water();
        if let Some(k) = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&ws)
        {
            if k.high_water == high_water || k.fitted_at.elapsed() < REFIT_AFTER {
                return Ok(Arc::clone(&k.fitted));
            }
        }
        let fitted = Arc::new(value::fit(rd, ws, high_water).await?);
        let kept = Kept {
            high_water,
            fitted_at: Instant::now(),
            fitted: Arc::clone(&fitted),
        };
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(ws, kept);
        Ok(fitted)
    }
}
