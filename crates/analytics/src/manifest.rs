//! The manifest in `<data-dir>/analytics/`: which Parquet segments make up the
//! copy and the highest `seq` they cover, so a restart resumes from there
//! instead of rebuilding. Written atomically (temp file, fsync, rename).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{AnalyticsError, Result};
use crate::schema::SCHEMA_VERSION;

pub const MANIFEST_FILE: &str = "manifest.json";
const MANIFEST_TMP: &str = "manifest.json.tmp";

/// One immutable Parquet file of the copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// File name inside the analytics directory.
    pub file: String,
    pub rows: u64,
    pub bytes: u64,
    pub min_seq: i64,
    pub max_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    /// Every signal with `seq <= high_water` is in exactly one segment.
    pub high_water: i64,
    /// Used to name the next segment file, so names are never reused.
    pub next_segment: u64,
    pub segments: Vec<Segment>,
    /// The text analyser's fingerprint the segments were analysed with; another
    /// one means re-analysis (a rebuild).
    #[serde(default)]
    pub analyzer: String,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            high_water: 0,
            next_segment: 1,
            segments: Vec::new(),
            analyzer: String::new(),
        }
    }
}

impl Manifest {
    /// The manifest in `dir`; `None` when there is none yet or it was written
    /// for another schema version (the caller then starts from seq 0).
    pub fn load(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(AnalyticsError::io(&path)(e)),
        };
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| AnalyticsError::Manifest {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if manifest.schema_version != SCHEMA_VERSION {
            tracing::info!(
                found = manifest.schema_version,
                want = SCHEMA_VERSION,
                "analytics manifest is for another schema version; rebuilding"
            );
            return Ok(None);
        }
        for segment in &manifest.segments {
            if !dir.join(&segment.file).is_file() {
                let reason = format!("segment {} is missing", segment.file);
                return Err(AnalyticsError::Manifest { path, reason });
            }
        }
        Ok(Some(manifest))
    }

    /// Writes the manifest so that a crash leaves either the old or the new one.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let tmp = dir.join(MANIFEST_TMP);
        let json = serde_json::to_vec_pretty(self).map_err(|e| AnalyticsError::Manifest {
            path: tmp.clone(),
            reason: e.to_string(),
        })?;
        replace_file(dir, MANIFEST_FILE, &tmp, &json)
    }

    /// The path of a new segment file, and bumps the counter.
    pub fn next_segment_file(&mut self) -> String {
        let name = format!("segment-{:08}.parquet", self.next_segment);
        self.next_segment += 1;
        name
    }

    pub fn segment_paths(&self, dir: &Path) -> Vec<PathBuf> {
        self.segments.iter().map(|s| dir.join(&s.file)).collect()
    }
}

/// Writes `bytes` as `dir/name` through `tmp`, so that a crash leaves either the old
/// file or the new one.
pub(crate) fn replace_file(dir: &Path, name: &str, tmp: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(tmp).map_err(AnalyticsError::io(tmp))?;
    file.write_all(bytes).map_err(AnalyticsError::io(tmp))?;
    file.sync_all().map_err(AnalyticsError::io(tmp))?;
    drop(file);
    let path = dir.join(name);
    std::fs::rename(tmp, &path).map_err(AnalyticsError::io(&path))?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), None);
        let mut m = Manifest::default();
        let file = m.next_segment_file();
        std::fs::write(dir.path().join(&file), b"x").unwrap();
        m.segments.push(Segment {
            file,
            rows: 3,
            bytes: 1,
            min_seq: 1,
            max_seq: 3,
        });
        m.high_water = 3;
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), Some(m));
        assert!(!dir.path().join(MANIFEST_TMP).exists());
    }

    #[test]
    fn another_schema_version_means_start_over() {
        let dir = tempfile::tempdir().unwrap();
        let m = Manifest {
            schema_version: SCHEMA_VERSION + 1,
            ..Manifest::default()
        };
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), None);
    }
}
