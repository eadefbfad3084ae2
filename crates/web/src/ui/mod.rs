//! The web app: server-rendered pages over the dashboard's view models, with
//! SVG charts drawn on the server. No login yet: pages answer only requests
//! from this machine (loopback) unless `ui_open` is set, and every page is
//! scoped to the workspace in its path, ready for roles later.

mod alerts_page;
mod drivers_page;
mod explain_page;
mod export_page;
mod format;
mod glossary_page;
mod headline;
mod pages;
mod profile_page;
mod trend;
mod value_page;
mod views;

use askama::Template;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use throughline_domain::Chain;
use throughline_domain::WorkspaceId;

use crate::AppState;

pub use alerts_page::alerts;
pub use drivers_page::drivers;
pub use explain_page::{explain, explain_posted};
pub use export_page::export;
pub use glossary_page::glossary;
pub use pages::{explore, overview};
pub use profile_page::profile;
pub use value_page::value;

/// A page-level failure: shown as an HTML page, never as JSON.
pub struct PageError(StatusCode, String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = views::ErrorPage {
            status: self.0.as_u16(),
            message: self.1,
        };
        let body = page.render().unwrap_or_else(|_| "error".into());
        (self.0, Html(body)).into_response()
    }
}

impl From<crate::ApiError> for PageError {
    fn from(e: crate::ApiError) -> Self {
        let response = e.into_response();
        let status = response.status();
        let message = if status.is_server_error() {
            "something went wrong; the server log has the details".to_string()
        } else {
            status.canonical_reason().unwrap_or("error").to_string()
        };
        PageError(status, message)
    }
}

impl From<throughline_dashboard::DashboardError> for PageError {
    fn from(e: throughline_dashboard::DashboardError) -> Self {
        if e.is_user_error() {
            PageError(StatusCode::BAD_REQUEST, e.to_string())
        } else {
            tracing::error!(error = %Chain(&e), "dashboard page failed");
            PageError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "something went wrong; the server log has the details".into(),
            )
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %Chain(&e), "template failed");
        PageError(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be drawn".into(),
        )
    }
}

/// Admits the request when it comes from loopback, or when the UI is open to all.
/// Requests without connection info (in-process tests) count as local.
pub struct Local;

impl FromRequestParts<AppState> for Local {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        match peer {
            Some(ip) if !ip.is_loopback() && !state.ui_open => Err(PageError(
                StatusCode::FORBIDDEN,
                "the dashboard has no login yet and answers only on this machine; set ui_open to serve it to others".into(),
            )),
            _ => Ok(Local),
        }
    }
}

/// The workspace named in the path.
pub(crate) async fn workspace(state: &AppState, name: &str) -> Result<WorkspaceId, PageError> {
    match state
        .store
        .workspace_by_name(name)
        .await
        .map_err(crate::ApiError::from)?
    {
        Some(ws) => Ok(ws.id),
        None => Err(PageError(
            StatusCode::NOT_FOUND,
            format!("no workspace called {name:?}"),
        )),
    }
}

/// `/`: the default workspace's overview (`[ui] workspace`) when there is one of
/// that name, else the workspace picker. A fresh install without the demo landed
/// on a bare 404.
pub async fn home(State(state): State<AppState>, _: Local) -> Result<Response, PageError> {
    let default = state
        .store
        .workspace_by_name(&state.ui_workspace)
        .await
        .map_err(crate::ApiError::from)?;
    if default.is_some() {
        let to = format!("/w/{}/", url_path(&state.ui_workspace));
        return Ok(Redirect::to(&to).into_response());
    }
    picker(&state, state.ui_workspace.clone()).await
}

/// `/workspaces`: every workspace, each linking to its overview.
pub async fn workspaces(State(state): State<AppState>, _: Local) -> Result<Response, PageError> {
    picker(&state, String::new()).await
}

async fn picker(state: &AppState, default_name: String) -> Result<Response, PageError> {
    let all = state
        .store
        .workspaces()
        .await
        .map_err(crate::ApiError::from)?;
    let page = views::WorkspacesPage {
        workspaces: all
            .into_iter()
            .map(|w| {
                let path = url_path(&w.name);
                (w.name, path)
            })
            .collect(),
        default_name,
    };
    Ok(Html(page.render()?).into_response())
}

/// `/w/{ws}`: the trailing slash is the page.
pub async fn workspace_root(Path(ws): Path<String>) -> Redirect {
    Redirect::permanent(&format!("/w/{}/", url_path(&ws)))
}

pub(crate) use throughline_dashboard::url_encode as url_path;

/// The stylesheet every page links (one file, cached by the browser).
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            ("content-type", "text/css; charset=utf-8"),
            ("cache-control", "max-age=300"),
        ],
        include_str!("../../templates/app.css"),
    )
}
