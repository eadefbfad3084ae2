//! The engine's one front: [`Dashboard`] holds the read context and the caches and
//! delegates each page to the free functions of its feature module, in the way
//! rust-analyzer's `ide` crate fronts its features. Layers, bottom up: `read.rs`
//! (the copy, settings, SQL helpers) → feature modules (one figure each) → caches
//! (`overview_cache.rs`, `value_cache.rs`, the menu memo) → this façade.

use std::collections::HashMap;
use std::sync::Arc;

use throughline_analytics::AnalyticsCopy;
use throughline_domain::{AcquisitionSpend, Dimension, WorkspaceId};

use crate::alerts::{self, AlertQuery, Alerts};
use crate::drivers::{self, DriverQuery, DriversView};
use crate::error::Result;
use crate::explore::{self, Explore, ExploreQuery};
use crate::filters::Filters;
use crate::memo::GenerationMemo;
use crate::menus::{self, MenuCache, MenuValues};
use crate::overview::{self, Overview};
use crate::overview_cache::{self, OverviewCache};
use crate::read::Reader;
use crate::settings::DashboardSettings;
use crate::texts::{self, TextAnalysis};
use crate::value::{self, ProfileValue, ValueView};
use crate::value_cache::ValueCache;

/// Most filter menus kept.
const MENU_ENTRIES: usize = 64;

/// Cheap to clone; every page method takes the workspace it answers for.
#[derive(Clone)]
pub struct Dashboard {
    read: Arc<Reader>,
    overview: Arc<OverviewCache>,
    value: Arc<ValueCache>,
    menus: Arc<MenuCache>,
}

impl Dashboard {
    pub fn new(analytics: Arc<AnalyticsCopy>, settings: DashboardSettings) -> Self {
        Self {
            read: Arc::new(Reader::new(analytics, settings)),
            overview: Arc::default(),
            value: Arc::default(),
            menus: Arc::new(GenerationMemo::new(MENU_ENTRIES)),
        }
    }

    pub fn settings(&self) -> &DashboardSettings {
        &self.read.settings
    }

    /// The executive overview, from the cache when it is current, with how fresh it is.
    pub async fn overview(&self, ws: WorkspaceId, filters: &Filters) -> Result<Overview> {
        overview_cache::overview(&self.read, &self.overview, ws, filters).await
    }

    /// The overview computed now from the copy, bypassing the cache (what a cache
    /// miss costs; `overview` is what pages call).
    pub async fn compute_overview(&self, ws: WorkspaceId, filters: &Filters) -> Result<Overview> {
        overview::compute_overview(&self.read, ws, filters).await
    }

    pub async fn explore(&self, ws: WorkspaceId, q: &ExploreQuery) -> Result<Explore> {
        explore::explore(&self.read, ws, q).await
    }

    pub async fn drivers(&self, ws: WorkspaceId, q: &DriverQuery) -> Result<DriversView> {
        drivers::drivers(&self.read, ws, q).await
    }

    pub async fn alerts(&self, ws: WorkspaceId, q: &AlertQuery) -> Result<Alerts> {
        alerts::alerts(&self.read, ws, q).await
    }

    /// The value page; `spend` is the workspace's acquisition spend from the store.
    pub async fn value(&self, ws: WorkspaceId, spend: &[AcquisitionSpend]) -> Result<ValueView> {
        let fitted = self.value.fitted(&self.read, ws).await?;
        Ok(value::page(&fitted, spend))
    }

    /// One customer's CLV, P(alive) and churn risk; `None` if the profile has no signals
    /// in the analytics copy. `profile` must be the canonical (current) profile id.
    pub async fn profile_value(
        &self,
        ws: WorkspaceId,
        profile: i64,
    ) -> Result<Option<ProfileValue>> {
        let fitted = self.value.fitted(&self.read, ws).await?;
        Ok(value::profile_value(
            &fitted,
            &self.read.settings.value,
            profile,
        ))
    }

    /// The analysis of each of `seqs` (at most [`texts::MOST_SIGNALS`]) that has an
    /// analysed text.
    pub async fn text_analyses(
        &self,
        ws: WorkspaceId,
        seqs: &[i64],
    ) -> Result<HashMap<i64, TextAnalysis>> {
        texts::text_analyses(&self.read, ws, seqs).await
    }

    /// The values each of `dims` (filterable dimensions) takes in this workspace, for
    /// filter menus.
    pub async fn dimension_values(
        &self,
        ws: WorkspaceId,
        dims: &[Dimension],
    ) -> Result<MenuValues> {
        menus::cached(&self.read, &self.menus, ws, dims).await
    }
}
