//! `/w/{ws}/glossary`: every figure's one name and definition, from the dashboard's
//! glossary, the same words the tiles' tooltips and the value page show.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use throughline_dashboard::{Filters, Term};

use super::pages::{chrome, render};
use super::views::Chrome;
use super::{Local, PageError};
use crate::AppState;

#[derive(Template)]
#[template(path = "glossary.html")]
pub struct GlossaryPage {
    pub chrome: Chrome,
    pub terms: Vec<Term>,
}

pub async fn glossary(
    State(state): State<AppState>,
    _: Local,
    Path(ws_name): Path<String>,
) -> Result<Html<String>, PageError> {
    let (chrome, _) = chrome(&state, &ws_name, "glossary", &Filters::default()).await?;
    let terms = throughline_dashboard::glossary(&state.dashboard.settings().value);
    render(GlossaryPage { chrome, terms })
}
