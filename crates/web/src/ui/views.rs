//! The template structs: what each page shows, already formatted. Charts arrive
//! as SVG strings from `throughline-charts` (which escapes every label); all other
//! text is escaped by the templates.

use askama::Template;

/// A filter menu: one dimension's values, the chosen one marked.
pub struct Menu {
    pub name: &'static str,
    pub options: Vec<(String, bool)>,
}

/// Page chrome every page shares.
pub struct Chrome {
    pub ws: String,
    pub ws_path: String,
    pub nav: &'static str,
    pub menus: Vec<Menu>,
    pub months: u32,
    /// The current filters as a query string, for links that keep them.
    pub query: String,
    /// This view's tables as CSV, but for `&table=…` (`export_page.rs`); empty where
    /// the page has none.
    pub export: String,
    /// While the analytics copy catches up: that the figures are partial, with
    /// progress (`lag.rs`); empty once it has.
    pub partial: String,
}

pub struct TileView {
    pub key: &'static str,
    /// Where the tile leads: its trend in explore, or its glossary entry.
    pub link: String,
    pub label: &'static str,
    pub definition: &'static str,
    pub value: String,
    pub ci: String,
    pub n: String,
    pub delta: String,
    pub verdict_class: &'static str,
    pub verdict: String,
    pub spark: String,
}

pub struct SegmentView {
    pub name: String,
    pub value: String,
    pub ci: String,
    pub n: String,
    pub versus_rest: String,
    pub verdict_class: &'static str,
    pub verdict: String,
    pub extra: String,
}

pub struct ThemeView {
    pub id: String,
    pub label: String,
    pub mentions: String,
    pub share: String,
    pub change: String,
    pub change_class: &'static str,
    pub sentiment: String,
    pub sentiment_class: &'static str,
    pub negative: String,
}

pub struct AlertView {
    pub headline: String,
    pub detail: String,
    pub chart: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub emerging: Vec<EmergingView>,
    pub empty: bool,
    /// What changed and where the money is, in a few sentences (`headline.rs`).
    pub headline: Vec<String>,
    /// The month the alerts are for, and the period's months with alerts (month,
    /// count, link to that month's alerts page).
    pub alerts_month: String,
    pub alert_months: Vec<MonthAlerts>,
    /// The stores table's window, and whether store eNPS and CSAT move together.
    pub stores_period: String,
    pub ex_cx: String,
    pub period: String,
    pub previous: String,
    pub as_of: String,
    /// When the figures were computed, and whether newer signals are on their way.
    pub computed: String,
    pub fresh: bool,
    pub tiles: Vec<TileView>,
    pub brands_chart: String,
    pub brands: Vec<SegmentView>,
    pub channels_chart: String,
    pub channels: Vec<SegmentView>,
    pub stores: Vec<SegmentView>,
    pub themes: Vec<ThemeView>,
    pub alerts: Vec<AlertView>,
    /// (headline, link to Explore for that KPI by that dimension).
    pub movers: Vec<(String, String)>,
    pub risk: String,
    pub risk_detail: String,
    pub retention_chart: String,
    pub retention_detail: String,
    pub voice_chart: String,
    pub voice: Vec<VoiceView>,
    pub ratings: Vec<RatingView>,
}

/// One brand's share of voice and sentiment in reviews and social posts.
pub struct VoiceView {
    pub brand: String,
    pub share: String,
    /// Mean sentiment with its CI.
    pub sentiment: String,
    /// Posts about all brands (the share's denominator).
    pub posts: String,
}

/// One custom rating on the overview.
pub struct RatingView {
    pub name: String,
    pub who: String,
    pub scale: String,
    /// Mean with its CI and n.
    pub mean: String,
    pub change: String,
}

/// One NPS or CSAT shift on the alerts page.
pub struct ShiftView {
    /// `dimension:segment:kpi`, for tests and styling.
    pub key: String,
    pub headline: String,
    /// The figures behind it.
    pub figures: String,
}

/// A month of the overview's period with complaint alerts.
pub struct MonthAlerts {
    pub month: String,
    pub alerts: usize,
    pub link: String,
}

/// One group of the profile timeline in its filter links.
pub struct GroupFilter {
    pub key: String,
    pub title: String,
    pub signals: usize,
}

pub struct CommentView {
    pub when: String,
    pub kind: String,
    pub channel: String,
    pub brand: String,
    pub text: String,
    pub sentiment: String,
    pub sentiment_class: &'static str,
    /// (link to explore the theme, its label) per theme the comment mentions.
    pub themes: Vec<(String, String)>,
    pub profile_link: String,
    pub explain_link: String,
}

#[derive(Template)]
#[template(path = "explore.html")]
pub struct ExplorePage {
    pub chrome: Chrome,
    pub emerging: Vec<EmergingView>,
    /// Not within one theme, nor for employees: unnamed themes are customers' words
    /// no theme matched.
    pub show_emerging: bool,
    pub kpis: Vec<(&'static str, &'static str, bool)>,
    pub bys: Vec<(String, bool)>,
    pub grains: Vec<(&'static str, bool)>,
    pub theme: String,
    pub kpi_label: String,
    pub period: String,
    pub total: String,
    pub trend_chart: String,
    pub segments_chart: String,
    pub segments: Vec<SegmentView>,
    pub comments: Vec<CommentView>,
}

pub struct DriverView {
    pub label: String,
    pub importance: String,
    pub present: String,
    pub absent: String,
    pub exposure: String,
    pub quadrant: &'static str,
    pub quadrant_class: &'static str,
    pub link: String,
}

#[derive(Template)]
#[template(path = "drivers.html")]
pub struct DriversPage {
    pub chrome: Chrome,
    pub outcome: String,
    pub outcomes: Vec<(&'static str, bool)>,
    pub driver_sets: Vec<(&'static str, bool)>,
    /// "Theme mentioned" or "Bad experience at touchpoint".
    pub driver_head: &'static str,
    pub period: String,
    pub summary: String,
    pub refusal: String,
    pub chart: String,
    pub drivers: Vec<DriverView>,
}

#[derive(Template)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    pub chrome: Chrome,
    /// The month picker: the newest twelve months and their complaint alerts.
    pub calendar: Vec<MonthLink>,
    pub month: String,
    pub summary: String,
    pub shifts_summary: String,
    pub shifts: Vec<ShiftView>,
    pub alerts: Vec<AlertView>,
}

/// A growing unnamed theme (`emerging.html`).
pub struct EmergingView {
    pub name: String,
    pub phrases: String,
    /// "12 comments (1.3% of analysed texts)" and the same before.
    pub now: String,
    pub before: String,
    pub sentiment: String,
    pub examples: Vec<String>,
}

pub struct MonthLink {
    pub month: String,
    pub link: String,
    pub current: bool,
    /// "2 alerts", or empty for a quiet month.
    pub findings: String,
}

pub struct TimelineItem {
    pub seq: i64,
    pub when: String,
    pub kind: String,
    pub channel: String,
    pub detail: String,
    pub text: String,
    /// "negative −0.62" as the copy scored the text; empty without one.
    pub sentiment: String,
    pub sentiment_class: &'static str,
    pub themes: Vec<String>,
}

/// One group of a profile's timeline (feedback, conversations, purchases, activity).
pub struct TimelineGroup {
    pub key: &'static str,
    pub title: &'static str,
    pub items: Vec<TimelineItem>,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub id: i64,
    /// The person's name (`properties.name`), else their email, else "Profile N".
    pub name: String,
    pub stakeholder: String,
    pub identities: Vec<(String, String)>,
    pub merges: Vec<String>,
    /// CLV, P(alive), churn risk (label, value), empty when the profile has no value model.
    pub value: Vec<(String, String)>,
    /// Why the churn risk is what it is, strongest first.
    pub reasons: Vec<String>,
    /// Signals read (the newest `most`).
    pub shown: usize,
    pub most: usize,
    /// The group asked for (`?show=`), empty for all.
    pub show: String,
    /// Every group, for the filter links.
    pub filters: Vec<GroupFilter>,
    pub groups: Vec<TimelineGroup>,
    /// Activity counted by event, when it is not listed.
    pub activity_summary: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

/// The workspace picker: each workspace's name and its path segment.
#[derive(Template)]
#[template(path = "workspaces.html")]
pub struct WorkspacesPage {
    pub workspaces: Vec<(String, String)>,
    /// The `[ui] workspace` setting, when `/` found no workspace of that name.
    pub default_name: String,
}

#[derive(Template)]
#[template(path = "explain.html")]
pub struct ExplainPage {
    pub chrome: Chrome,
    pub text: String,
    /// The analyser's own account of its labels and the evidence behind them.
    pub explanation: String,
    pub json: String,
}
