//! Throughline's dashboard engine: the figures on every page of the web app,
//! computed on the analytics copy and returned as plain view-model structs that
//! pages, the JSON API and reports all render.
//!
//! API boundary: callers name a workspace and filters and get serde structs back;
//! SQL and Arrow stay inside (`throughline-analytics` runs the SQL), and every
//! statistic comes from `throughline-metrics` / `throughline-drivers`.

mod alerts;
mod commercial;
mod drivers;
mod emerging;
mod error;
mod explore;
mod facade;
mod filters;
mod folds;
mod glossary;
mod kpi_shifts;
mod kpis;
mod memo;
mod menus;
mod overview;
mod overview_cache;
mod ratings;
mod read;
mod response_rate;
mod retention;
mod service;
mod settings;
mod small_map;
mod texts;
mod themes;
mod tiles;
mod transactions;
mod value;
mod value_cache;

pub use alerts::{Alert, AlertQuery, Alerts, MonthFindings, CALENDAR_MONTHS};
pub use commercial::{Commercial, Money, RevenueAtRisk};
pub use drivers::{DriverQuery, DriversView};
pub use emerging::EmergingTheme;
pub use error::{DashboardError, Result};
pub use explore::{Comment, Explore, ExploreQuery, Kpi, TrendPoint};
pub use facade::Dashboard;
pub use filters::{url_encode, Filters, Grain, Period, DIMENSIONS};
pub use glossary::{glossary, Term};
pub use kpi_shifts::{KpiShift, KpiShifts, SHIFT_DIMENSIONS};
pub use menus::MenuValues;
pub use overview::{Overview, SegmentRow, StoreRow, VoiceRow, EX_CX_MIN_ANSWERS, STORE_MONTHS};
pub use overview_cache::Freshness;
pub use ratings::RatingRow;
pub use retention::Retention;
pub use settings::DashboardSettings;
pub use texts::TextAnalysis;
pub use themes::ThemeRow;
pub use tiles::{Format, Tile};
pub use value::{
    AtRisk, ChannelEconomics, ChurnView, ClvBucket, DetractorCost, Distribution, MembershipView,
    Param, ProfileValue, PurchaseModel, RiskGroup, SpendModelView, ValueGroup, ValueSettings,
    ValueView,
};

/// The statistics types the view models carry, re-exported for renderers.
pub use throughline_drivers::{
    DriverReport, DriverResult, OutcomePolarity, Quadrant, MIN_R_SQUARED_TO_RANK,
};
pub use throughline_metrics::{
    Correlation, Direction, Estimate, SegmentComparison, SMALL_SAMPLE, Z95,
};
