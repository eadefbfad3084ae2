//! A throw-away PostgreSQL cluster for tests and benchmarks: `initdb` into a temp
//! dir, `pg_ctl -w start` on a free loopback port, stopped and deleted on drop.
//!
//! PostgreSQL refuses to run as root, so when the tests run as root (CI does) the
//! server's commands run as the `postgres` OS user through `runuser`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The database superuser `initdb` creates; trust authentication, loopback only.
const SUPERUSER: &str = "postgres";
/// The OS user the server runs as when we are root.
const OS_USER: &str = "postgres";

#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterOptions {
    /// Off by default: a test cluster need not survive a power cut, and fsync is
    /// most of a small commit's cost. Benchmarks that report durable figures turn it on.
    pub fsync: bool,
}

/// A running cluster. Dropping it stops the server and removes its files.
pub struct TempCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
    databases: AtomicU32,
}

impl TempCluster {
    /// Starts a cluster with test settings (no fsync).
    pub fn start() -> Result<Self, String> {
        Self::start_with(ClusterOptions::default())
    }

    /// For tests: a cluster, or `None` with a notice when PostgreSQL is not installed.
    /// Under CI (`CI` set) a missing PostgreSQL is a failure, never a silent skip.
    pub fn start_for_tests() -> Option<Self> {
        match Self::start() {
            Ok(cluster) => Some(cluster),
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("CI is set, so the PostgreSQL tests must run, but: {e}")
            }
            Err(e) => {
                eprintln!("notice: skipping a PostgreSQL test: {e}");
                None
            }
        }
    }

    pub fn start_with(options: ClusterOptions) -> Result<Self, String> {
        let bin = find_bin_dir()?;
        let run_as = if running_as_root() {
            Some(OS_USER)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("throughline-pg-")
            .tempdir()
            .map_err(|e| format!("cannot make a temp dir: {e}"))?;
        if let Some(user) = run_as {
            run(
                Command::new("chown").arg(user).arg(dir.path()),
                "chown the cluster dir",
            )?;
        }
        let data = dir.path().join("data");
        let mut initdb = command(run_as, &bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", SUPERUSER, "-A", "trust", "--no-sync"]);
        initdb.args(["-E", "UTF8", "--locale=C"]);
        run(&mut initdb, "initdb")?;
        let fsync = if options.fsync { "on" } else { "off" };
        // A port can be taken between our probe and the server's bind: try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let server_options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync} \
                 -c max_connections=50",
                dir.path().display()
            );
            let mut start = command(run_as, &bin.join("pg_ctl"));
            start
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.path().join("server.log"));
            start.args(["-w", "-t", "60", "-o", &server_options, "start"]);
            match run(&mut start, "pg_ctl start") {
                Ok(()) => {
                    let databases = AtomicU32::new(0);
                    return Ok(Self {
                        dir,
                        bin,
                        port,
                        run_as,
                        databases,
                    });
                }
                Err(e) => last_error = e,
            }
        }
        let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
        Err(format!("{last_error}\nserver log:\n{log}"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this cluster.
    pub fn url_for(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// A new, empty database, so tests sharing a cluster do not see each other.
    pub fn create_database(&self) -> Result<String, String> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("test_{n}");
        let mut createdb = Command::new(self.bin.join("createdb"));
        createdb.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            SUPERUSER,
            &name,
        ]);
        run(&mut createdb, "createdb")?;
        Ok(self.url_for(&name))
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        let mut stop = command(self.run_as, &self.bin.join("pg_ctl"));
        stop.arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"]);
        if let Err(e) = run(&mut stop, "pg_ctl stop") {
            eprintln!("warning: {e}");
        }
    }
}

/// `program`, run as `user` when given.
fn command(user: Option<&str>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// The directory holding `initdb`, `pg_ctl` and `createdb`: `THROUGHLINE_PG_BIN`,
/// else where `initdb` on `PATH` really lives, else Debian's newest install.
fn find_bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("THROUGHLINE_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("initdb"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if let Some(initdb) = on_path.into_iter().find(|p| p.is_file()) {
        // A symlink in /usr/local/bin points at the real install, where the other tools are.
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(dir) = real.parent().filter(|d| d.join("pg_ctl").is_file()) {
            return Ok(dir.to_path_buf());
        }
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    debian.retain(|d| d.join("initdb").is_file());
    debian.sort_by_key(|d| {
        let version = d
            .parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str());
        version.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    debian.pop().ok_or_else(|| {
        "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql".into()
    })
}

/// Root, by the effective uid the kernel reports (no libc call needed).
fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}
