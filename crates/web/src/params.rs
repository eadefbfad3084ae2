//! Query-string parameters shared by the dashboard pages and the metrics API:
//! all text, empty means "not set" (what an HTML form's "any" option sends),
//! parsed into the dashboard's queries in one place.

use chrono::NaiveDate;
use serde::Deserialize;
use throughline_dashboard::{
    url_encode, AlertQuery, DriverQuery, ExploreQuery, Filters, Grain, Kpi,
};

use crate::ApiError;

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    pub brand: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub store: Option<String>,
    pub team: Option<String>,
    pub months: Option<String>,
    pub kpi: Option<String>,
    pub by: Option<String>,
    pub grain: Option<String>,
    pub theme: Option<String>,
    pub outcome: Option<String>,
    /// Drivers: `themes` (default) or `touchpoints`.
    pub drivers: Option<String>,
    /// `YYYY-MM` (or a date) of the month to test for alerts.
    pub month: Option<String>,
}

fn set(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl PageParams {
    /// The parameters of a page's own beyond the filters (`kpi`, `by`, `outcome` …) that
    /// are set, as a query string: with `Filters::query_string`, a link to the same view.
    pub fn page_query(&self) -> String {
        let fields = [
            ("kpi", &self.kpi),
            ("by", &self.by),
            ("grain", &self.grain),
            ("theme", &self.theme),
            ("outcome", &self.outcome),
            ("drivers", &self.drivers),
            ("month", &self.month),
        ];
        fields
            .iter()
            .filter_map(|(name, value)| set(value).map(|v| format!("{name}={}", url_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn filters(&self) -> Result<Filters, ApiError> {
        let months = match set(&self.months) {
            Some(m) => Some(
                m.parse::<u32>()
                    .map_err(|_| ApiError::bad_request("months: a whole number of months"))?,
            ),
            None => None,
        };
        Ok(Filters {
            brand: set(&self.brand),
            channel: set(&self.channel),
            touchpoint: set(&self.touchpoint),
            stage: set(&self.stage),
            region: set(&self.region),
            store: set(&self.store),
            team: set(&self.team),
            months,
        })
    }

    pub fn explore(&self) -> Result<ExploreQuery, ApiError> {
        let kpi = match set(&self.kpi) {
            Some(k) => Kpi::ALL
                .into_iter()
                .find(|x| x.name() == k)
                .ok_or_else(|| {
                    ApiError::bad_request("kpi: one of nps, enps, csat, ces, sentiment")
                })?,
            None => Kpi::Nps,
        };
        let grain = match set(&self.grain) {
            Some(g) => Grain::parse(&g)?,
            None => Grain::Month,
        };
        Ok(ExploreQuery {
            filters: self.filters()?,
            kpi,
            by: set(&self.by),
            grain,
            theme: set(&self.theme),
        })
    }

    pub fn drivers(&self) -> Result<DriverQuery, ApiError> {
        Ok(DriverQuery {
            filters: self.filters()?,
            outcome: set(&self.outcome),
            drivers: set(&self.drivers),
        })
    }

    pub fn alerts(&self) -> Result<AlertQuery, ApiError> {
        let month = match set(&self.month) {
            Some(m) => {
                let day = if m.len() == 7 { format!("{m}-01") } else { m };
                Some(
                    NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .map_err(|_| ApiError::bad_request("month: YYYY-MM"))?,
                )
            }
            None => None,
        };
        Ok(AlertQuery {
            filters: self.filters()?,
            month,
        })
    }
}
