//! One process per data directory, and the directory private to its owner.
//!
//! The analytics copy keeps state in memory that its segment files and manifest must
//! agree with, and the SQLite writer keeps key filters that assume it is the only
//! writer; two processes on one data directory (`analytics rebuild` beside `serve`)
//! overwrote each other's segments. So every command that opens a data directory
//! takes an exclusive advisory lock (`flock`) on [`LOCK_FILE`] in it for as long as
//! it runs; a second one is refused with the holder's pid, command and start time,
//! which the holder writes into the lock file. The kernel drops the lock when the
//! holder exits, however it exits, so a lock file left behind never blocks anyone.
//!
//! `query` takes the lock too: it refreshes the copy before it reads, which writes
//! segments and the manifest. To query a running server, use `POST /api/v1/query`.
//!
//! The directory holds personal data: it is made 0700 and everything in it
//! owner-only. New files get that from the process umask ([`private_umask`], set
//! before any command runs); a directory made under an older version is tightened
//! when it is locked.

use anyhow::Context;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use throughline_domain::Chain;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "throughline.lock";

/// Who holds the lock: written into the lock file by the holder, read by whoever is
/// refused.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Holder {
    pid: u32,
    command: String,
    since: String,
}

/// The refusal when another process holds the lock, to tell it from other failures.
#[derive(Debug)]
pub struct Busy(String);

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Busy {}

/// Held for as long as the command runs; dropping it (or the process ending)
/// releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Every file and directory this process creates is its owner's only (umask 077):
/// the data directory's SQLite file with its WAL, the analytics segments and
/// manifest, rejects files and exports all hold personal data. One call here
/// instead of a mode at each place a file is created, SQLite's and DataFusion's
/// included.
pub fn private_umask() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `dir` (0700) if needed, locks it for `command` (e.g. `throughline serve`)
/// and tightens what is in it to owner-only. Fails with [`Busy`], naming the holder,
/// when another process holds the lock.
pub fn lock(dir: &Path, command: &str) -> anyhow::Result<DataDirLock> {
    create_private_dir(dir)?;
    let path = dir.join(LOCK_FILE);
    let mut file = open_lock_file(&path)?;
    if !try_lock(&file).with_context(|| format!("cannot lock {}", path.display()))? {
        return Err(Busy(busy_message(dir, &mut file)).into());
    }
    let holder = Holder {
        pid: std::process::id(),
        command: command.to_string(),
        since: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let write = |file: &mut File| -> std::io::Result<()> {
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(serde_json::to_string(&holder)?.as_bytes())?;
        file.write_all(b"\n")
    };
    write(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
    tighten(dir);
    Ok(DataDirLock { _file: file, path })
}

/// `error: the data directory D is in use by pid N (throughline serve, since T); stop
/// it first`, or without the holder when it has not written itself in yet.
fn busy_message(dir: &Path, file: &mut File) -> String {
    let mut text = String::new();
    let holder = file
        .read_to_string(&mut text)
        .ok()
        .and_then(|_| serde_json::from_str::<Holder>(text.trim()).ok());
    match holder {
        Some(h) => format!(
            "the data directory {} is in use by pid {} ({}, since {}); stop it first",
            dir.display(),
            h.pid,
            h.command,
            h.since
        ),
        None => format!(
            "the data directory {} is in use by another process (it holds {}); stop it first",
            dir.display(),
            dir.join(LOCK_FILE).display()
        ),
    }
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create data dir {}", dir.display()))
}

/// Opened for reading and writing without truncating: the holder's record must stay
/// readable to whoever is refused, so only the process that gets the lock rewrites it.
fn open_lock_file(path: &Path) -> anyhow::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// `Ok(false)` when another process holds the lock.
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(unix))]
fn try_lock(_: &File) -> std::io::Result<bool> {
    Ok(true)
}

/// Takes group and other permissions off `dir` and everything in it (symbolic links
/// are left alone, and so is what they point to). A file this user may not change
/// is warned about, not fatal: the lock matters more than the mode.
fn tighten(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut pending = vec![dir.to_path_buf()];
        while let Some(path) = pending.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                continue;
            }
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                let private = std::fs::Permissions::from_mode(mode & !0o077 & 0o7777);
                if let Err(e) = std::fs::set_permissions(&path, private) {
                    tracing::warn!(path = %path.display(), error = %Chain(&e), "cannot make owner-only");
                }
            }
            if meta.is_dir() {
                if let Ok(entries) = std::fs::read_dir(&path) {
                    pending.extend(entries.flatten().map(|e| e.path()));
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder_and_the_first_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let held = lock(&data, "throughline serve").unwrap();
        let err = lock(&data, "throughline query").unwrap_err().to_string();
        let want = format!(
            "the data directory {} is in use by pid {} (throughline serve, since ",
            data.display(),
            std::process::id()
        );
        assert!(err.starts_with(&want), "{err}");
        assert!(err.ends_with("Z); stop it first"), "{err}");
        drop(held);
        let again = lock(&data, "throughline query").unwrap();
        let record = std::fs::read_to_string(again.path()).unwrap();
        assert!(
            record.contains("\"command\":\"throughline query\""),
            "{record}"
        );
    }
}
