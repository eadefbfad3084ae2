//! How far the analytics copy trails the system of record, as a tenant may see it.
//! Every figure is computed from the copy, so until it has caught up (after a start,
//! a rebuild or a burst of intake) every page shows a banner and every metrics answer
//! carries `analytics_lag`: partial data is never presented as the current picture.

use axum::http::{HeaderName, HeaderValue};
use schemars::JsonSchema;
use serde::Serialize;

use crate::{ApiError, AppState};

/// Response header with the copy's progress (0–1) on every metrics answer, CSV too.
pub const PROGRESS_HEADER: HeaderName = HeaderName::from_static("throughline-analytics-progress");

/// Whether the copy has caught up, how far along it is, and how old the last
/// refresh is. Sequence numbers and signal counts are server-wide, so they would
/// tell one tenant how much every other tenant sends: they stay in the logs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct TenantLag {
    pub caught_up: bool,
    /// Share of the store's signals the copy holds, 0–1, rounded down to 0.01 (so
    /// 1.0 only when caught up).
    pub progress: f64,
    pub last_refresh_age_ms: Option<u64>,
}

/// A metrics answer in JSON: the view model's fields and `analytics_lag`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "{T}Answer")]
pub struct Lagged<T> {
    #[serde(flatten)]
    pub view: T,
    /// Whether the analytics copy the figures come from has caught up with the store;
    /// until it has, every figure is partial.
    pub analytics_lag: TenantLag,
}

impl TenantLag {
    pub fn of(lag: &throughline_analytics::Lag) -> TenantLag {
        let caught_up = lag.behind_signals == 0;
        let share = if lag.store_high_water <= 0 {
            1.0
        } else {
            (lag.copy_high_water as f64 / lag.store_high_water as f64).clamp(0.0, 1.0)
        };
        let mut progress = (share * 100.0).floor() / 100.0;
        if !caught_up {
            progress = progress.min(0.99);
        }
        TenantLag {
            caught_up,
            progress,
            last_refresh_age_ms: lag.last_refresh_age_ms,
        }
    }

    /// The copy's lag now.
    pub async fn now(state: &AppState) -> Result<TenantLag, ApiError> {
        let lag = state.analytics.lag().await.map_err(ApiError::internal)?;
        Ok(TenantLag::of(&lag))
    }

    /// The banner a page shows while the copy catches up; empty once it has.
    pub fn banner(&self) -> String {
        if self.caught_up {
            return String::new();
        }
        let percent = (self.progress * 100.0) as u32;
        let first = if self.last_refresh_age_ms.is_none() {
            "The analytics copy is still loading"
        } else {
            "The analytics copy is catching up with new signals"
        };
        format!(
            "{first}: {percent}% of signals are in. Every figure on this page is partial \
             until it has caught up; reload in a moment."
        )
    }

    pub fn header(&self) -> (HeaderName, HeaderValue) {
        let text = format!("{:.2}", self.progress);
        let value = HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("0"));
        (PROGRESS_HEADER, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_analytics::Lag;

    fn lag(store: i64, copy: i64, age: Option<u64>) -> TenantLag {
        TenantLag::of(&Lag {
            store_high_water: store,
            copy_high_water: copy,
            behind_signals: u64::try_from(store - copy).unwrap_or(0),
            last_refresh_age_ms: age,
        })
    }

    #[test]
    fn progress_is_the_share_held_and_never_whole_while_behind() {
        assert_eq!(lag(200, 86, Some(5)).progress, 0.43);
        assert_eq!(lag(100_000, 99_999, Some(5)).progress, 0.99);
        assert!(!lag(100_000, 99_999, Some(5)).caught_up);
        assert_eq!(lag(0, 0, None).progress, 1.0);
        assert!(lag(7, 7, Some(1)).caught_up);
    }

    #[test]
    fn banner_says_partial_with_progress_until_caught_up() {
        let loading = lag(200, 86, None).banner();
        assert!(loading.contains("still loading"), "{loading}");
        assert!(loading.contains("43%"), "{loading}");
        assert!(loading.contains("partial"), "{loading}");
        assert!(lag(200, 150, Some(10)).banner().contains("catching up"));
        assert_eq!(lag(200, 200, Some(10)).banner(), "");
    }
}
