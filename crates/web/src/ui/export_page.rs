//! `/w/{ws}/export/{page}`: a page's table as CSV, for the "CSV" link beside each
//! table. The filters the page applied (with its months) and its own parameters are in
//! the link, so the file holds the figures on screen; the answer is the metrics API's `format=csv`
//! (`export.rs`) on the same view model.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::views::Chrome;
use super::{workspace, Local, PageError};
use crate::export::Export;
use crate::params::PageParams;
use crate::AppState;

/// The link to `page`'s tables as CSV: the view's filters as the page applied them
/// (with its months), and its own parameters; a template appends `&table=…`.
pub fn link(chrome: &Chrome, page: &str, params: &PageParams) -> String {
    let parts: Vec<String> = [chrome.query.clone(), params.page_query()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    format!("/w/{}/export/{page}?{}", chrome.ws_path, parts.join("&"))
}

pub async fn export(
    State(state): State<AppState>,
    _: Local,
    Path((ws_name, page)): Path<(String, String)>,
    Query(p): Query<PageParams>,
    Query(asked): Query<Export>,
) -> Result<Response, PageError> {
    let ws = workspace(&state, &ws_name).await?;
    let csv = Export {
        format: Some("csv".into()),
        table: asked.table,
    };
    let lag = crate::lag::TenantLag::now(&state).await?;
    let d = &state.dashboard;
    let answer = match page.as_str() {
        "overview" => csv.answer(d.overview(ws, &p.filters()?).await?, lag, &page, "tiles"),
        "explore" => csv.answer(d.explore(ws, &p.explore()?).await?, lag, &page, "segments"),
        "drivers" => csv.answer(
            d.drivers(ws, &p.drivers()?).await?,
            lag,
            &page,
            "report.drivers",
        ),
        "alerts" => csv.answer(d.alerts(ws, &p.alerts()?).await?, lag, &page, "alerts"),
        _ => {
            return Err(PageError(
                StatusCode::NOT_FOUND,
                format!(
                    "no page {page:?} to export; there are overview, explore, drivers and alerts"
                ),
            ))
        }
    };
    Ok(answer?)
}
