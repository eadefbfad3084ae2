//! What a query reads: an immutable snapshot of the copy (the Parquet segments,
//! the in-memory tail and the profile merge links) swapped atomically after each
//! change, so a query never sees a row twice or misses one mid-flush.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::MemTable;
use throughline_domain::{ProfileId, WorkspaceId};
use throughline_store::ProfileLink;

use crate::error::Result;
use crate::hot::{HotCache, HotSegment};
use crate::manifest::Manifest;
use crate::schema::stored_schema;

/// Per workspace: profile attached at intake → profile it lives in now (only
/// profiles that were merged away).
pub type Links = HashMap<WorkspaceId, Arc<CanonicalMap>>;
pub type CanonicalMap = rustc_hash::FxHashMap<i64, i64>;

pub struct Snapshot {
    pub rows: Rows,
    pub links: Arc<Links>,
    /// Every signal with `seq <= high_water` is in exactly one of segments and tail.
    pub high_water: i64,
    /// Rows in the tail.
    pub tail_rows: usize,
    /// The writer's tail epoch when this was published (see `WriterState::tail_epoch`).
    pub tail_epoch: u64,
}

/// Where the segments' and the tail's rows are read from.
pub enum Rows {
    /// The hot column cache off: every segment file as one Parquet table (`None`
    /// when there are none) and the tail as a table, joined in a view plan.
    Tables {
        segments: Option<Arc<dyn TableProvider>>,
        tail: Arc<dyn TableProvider>,
    },
    /// The cache on: the segments' cache entries and the tail's batches, read by
    /// each workspace's own table (`workspace_table.rs`).
    Hot {
        segments: Vec<Arc<HotSegment>>,
        tail: Arc<Vec<RecordBatch>>,
    },
}

impl Snapshot {
    /// Segments are read through `hot` when it is given, else straight from Parquet.
    pub fn build(
        dir: &Path,
        manifest: &Manifest,
        tail: &[RecordBatch],
        links: Arc<Links>,
        high_water: i64,
        hot: Option<&HotCache>,
    ) -> Result<Snapshot> {
        let rows = match hot {
            Some(hot) => Rows::Hot {
                segments: hot.segments(dir, &manifest.segments)?,
                tail: Arc::new(tail.to_vec()),
            },
            None => Rows::Tables {
                segments: (!manifest.segments.is_empty())
                    .then(|| segments_table(&manifest.segment_paths(dir)))
                    .transpose()?,
                tail: Arc::new(MemTable::try_new(stored_schema(), vec![tail.to_vec()])?),
            },
        };
        Ok(Snapshot {
            rows,
            links,
            high_water,
            tail_rows: tail.iter().map(RecordBatch::num_rows).sum(),
            tail_epoch: 0,
        })
    }
}

/// The segment files as one Parquet table with the stored schema. Files are
/// named one by one, never by directory, so a half-written or retired file is
/// never read.
fn segments_table(paths: &[std::path::PathBuf]) -> Result<Arc<dyn TableProvider>> {
    let urls = paths
        .iter()
        .map(|p| ListingTableUrl::parse(p.to_string_lossy()))
        .collect::<datafusion::error::Result<Vec<_>>>()?;
    let options =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(stored_schema());
    Ok(Arc::new(ListingTable::try_new(config)?))
}

/// Resolves the store's links into final canonical profiles, per workspace.
/// Links should already point at the canonical profile; following chains anyway
/// keeps the copy right if a backend reports one merge step at a time.
pub fn resolve_links(links: &[ProfileLink]) -> Links {
    let direct: HashMap<(WorkspaceId, ProfileId), ProfileId> = links
        .iter()
        .map(|l| ((l.workspace, l.profile), l.canonical))
        .collect();
    let mut out: HashMap<WorkspaceId, CanonicalMap> = HashMap::new();
    for link in links {
        let mut canonical = link.canonical;
        // Bounded, so a cycle in bad data cannot hang the refresher.
        for _ in 0..links.len() {
            match direct.get(&(link.workspace, canonical)) {
                Some(next) if *next != canonical => canonical = *next,
                _ => break,
            }
        }
        if canonical != link.profile {
            out.entry(link.workspace)
                .or_default()
                .insert(link.profile.0, canonical.0);
        }
    }
    out.into_iter()
        .map(|(ws, map)| (ws, Arc::new(map)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(ws: i64, profile: i64, canonical: i64) -> ProfileLink {
        ProfileLink {
            workspace: WorkspaceId(ws),
            profile: ProfileId(profile),
            canonical: ProfileId(canonical),
        }
    }

    #[test]
    fn chains_resolve_to_the_final_profile_per_workspace() {
        let got = resolve_links(&[
            link(1, 3, 2),
            link(1, 2, 1),
            link(2, 3, 9),
            link(1, 5, 6),
            link(1, 6, 5),
        ]);
        let one = &got[&WorkspaceId(1)];
        assert_eq!((one[&2], one[&3]), (1, 1));
        assert_eq!(*got[&WorkspaceId(2)], CanonicalMap::from_iter([(3, 9)]));
    }
}
