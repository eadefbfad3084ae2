//! Filter menus: the values each filterable dimension takes in a workspace.

use throughline_domain::{Dimension, WorkspaceId};

use crate::error::Result;
use crate::read::Reader;

/// Most values listed per dimension in a filter menu.
const MAX_MENU_VALUES: usize = 60;

/// Each dimension with the values it takes, for filter menus.
pub type MenuValues = Vec<(&'static str, Vec<String>)>;

/// The values each of `dims` takes in this workspace: a `DISTINCT` per dimension over
/// the whole workspace (the façade keeps the answer per generation).
pub(crate) async fn values(rd: &Reader, ws: WorkspaceId, dims: &[Dimension]) -> Result<MenuValues> {
    let mut out = Vec::new();
    for dim in dims.iter().map(|d| d.as_str()) {
        let sql = format!(
            "SELECT DISTINCT {dim} AS v FROM signals WHERE {dim} IS NOT NULL ORDER BY 1 LIMIT {MAX_MENU_VALUES}"
        );
        let values = rd
            .sql(ws, &sql)
            .await?
            .strings("v")?
            .into_iter()
            .flatten()
            .collect();
        out.push((dim, values));
    }
    Ok(out)
}
