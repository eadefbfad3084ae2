//! Filter menus: the values each filterable dimension takes in a workspace.

use throughline_domain::{Dimension, WorkspaceId};

use crate::error::Result;
use crate::memo::GenerationMemo;
use crate::read::Reader;

/// Filter menus per (workspace, dimensions), kept until the copy's generation moves.
pub(crate) type MenuCache = GenerationMemo<(WorkspaceId, Vec<Dimension>), MenuValues>;

/// Most values listed per dimension in a filter menu.
const MAX_MENU_VALUES: usize = 60;

/// Each dimension with the values it takes, for filter menus.
pub type MenuValues = Vec<(&'static str, Vec<String>)>;

/// The values each of `dims` takes, from `cache` while the copy's generation stands:
/// every page shows the menus, and a `DISTINCT` per dimension scans the whole workspace.
pub(crate) async fn cached(
    rd: &Reader,
    cache: &MenuCache,
    ws: WorkspaceId,
    dims: &[Dimension],
) -> Result<MenuValues> {
    let generation = rd.generation();
    let key = (ws, dims.to_vec());
    if let Some(values) = cache.get(&key, generation) {
        return Ok(values);
    }
    let values = values(rd, ws, dims).await?;
    cache.put(key, generation, values.clone());
    Ok(values)
}

/// The values each of `dims` takes in this workspace: a `DISTINCT` per dimension.
async fn values(rd: &Reader, ws: WorkspaceId, dims: &[Dimension]) -> Result<MenuValues> {
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
