//! One process per data directory, owner-only data files, and a rejects file that can
//! never be the input: the real binary, run as a person would.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_throughline");

/// The binary with `args`, under umask 022 (what most shells have), so that the
/// modes checked below are the program's doing and not the test runner's. The
/// developer's THROUGHLINE_* settings must not leak in.
fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("THROUGHLINE_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("THROUGHLINE_LOG", "warn").stdin(Stdio::null());
    cmd
}

fn run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `serve` on port 0, returned once it listens (it locks the directory before that).
fn serve(data: &str) -> Child {
    let mut child = command(&["--data-dir", data, "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("listening on") => break,
            Some(Ok(_)) => {}
            _ => panic!("serve stopped before it listened: {:?}", child.wait()),
        }
    }
    child
}

fn stop(mut child: Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    child.wait().unwrap();
}

const SIGNALS: &str = "kind,source,external_id,occurred_at,customer.email,nps,text\n\
    survey_response,shop,1,2026-03-01T10:00:00Z,a@b.co,9,fine\n\
    survey_response,shop,2,2026-03-01T10:00:00Z,b@b.co,11,=HYPERLINK(\"http://evil\")\n";

#[test]
fn a_second_process_on_a_data_directory_is_refused_with_the_holder_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, SIGNALS).unwrap();
    let input = input.to_str().unwrap();
    let spend = dir.path().join("spend.csv");
    std::fs::write(&spend, "channel,month,amount,currency\nweb,2026-03,5,GBP\n").unwrap();
    let spend = spend.to_str().unwrap();
    assert!(
        run(&["--data-dir", data, "api-key", "create", "--workspace", "w"])
            .status
            .success()
    );

    let server = serve(data);
    let holder = format!(
        "error: the data directory {data} is in use by pid {} (throughline serve, since ",
        server.id()
    );
    let refused: &[&[&str]] = &[
        &["analytics", "refresh"],
        &["analytics", "rebuild"],
        &["reanalyze"],
        &["query", "--workspace", "w", "SELECT count(*) FROM signals"],
        &["import", input, "--workspace", "w", "--quiet"],
        &["api-key", "create", "--workspace", "w"],
        &["value", "spend", spend, "--workspace", "w"],
        &["demo", "--no-serve", "--customers", "10"],
    ];
    for args in refused {
        let out = run(&[&["--data-dir", data], *args].concat());
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} was not refused: {stderr}"
        );
        assert!(stderr.starts_with(&holder), "{args:?}: {stderr}");
        assert!(stderr.contains("Z); stop it first"), "{args:?}: {stderr}");
    }
    let query = run(&["--data-dir", data, "query", "--workspace", "w", "SELECT 1"]);
    assert!(
        text(&query.stderr).contains("use its POST /api/v1/query"),
        "{}",
        text(&query.stderr)
    );

    // Once the server has stopped, the same commands run.
    stop(server);
    let out = run(&["--data-dir", data, "analytics", "refresh"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["--data-dir", data, "query", "--workspace", "w", "SELECT 1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Every file and directory under `dir`, with its permission bits.
fn modes(dir: &Path) -> Vec<(String, u32, bool)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        out.push((
            path.display().to_string(),
            meta.permissions().mode() & 0o777,
            meta.is_dir(),
        ));
        if meta.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    out
}

#[test]
fn data_files_are_owner_only_and_an_old_data_dir_is_tightened() {
    let dir = tempfile::tempdir().unwrap();
    // A data directory as an older version left it: world-readable.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(data.join("notes.txt"), "old").unwrap();
    std::fs::set_permissions(
        data.join("notes.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let data = data.to_str().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, SIGNALS).unwrap();
    let out = run(&[
        "--data-dir",
        data,
        "import",
        input.to_str().unwrap(),
        "--workspace",
        "w",
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = run(&["--data-dir", data, "analytics", "rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let found = modes(Path::new(data));
    for (path, mode, is_dir) in &found {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{path} is {mode:o}");
    }
    let names: Vec<&str> = found.iter().map(|(p, ..)| p.as_str()).collect();
    for expected in [
        "throughline.sqlite",
        "throughline.lock",
        "analytics",
        "notes.txt",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(expected)),
            "{expected} in {names:?}"
        );
    }
    // The rejects file beside the input holds rows as they were: the owner's only.
    let rejects = dir.path().join("in.csv.rejects.csv");
    let mode = std::fs::metadata(&rejects).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // And a formula in a rejected row is neutralised.
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        written.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","),
        "{written}"
    );
}

#[test]
fn the_rejects_file_is_never_the_input_nor_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, SIGNALS).unwrap();
    let input = input.to_str().unwrap();
    let import = |rejects: &str| {
        run(&[
            "--data-dir",
            data,
            "import",
            input,
            "--workspace",
            "w",
            "--quiet",
            "--rejects",
            rejects,
        ])
    };

    let out = import(input);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot create the rejects file {input}: it is the input file"
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(input).unwrap(), SIGNALS);

    // The same file by another path, and a link to somewhere else.
    let other_name = format!("{}/./in.csv", dir.path().display());
    let out = import(&other_name);
    assert!(
        text(&out.stderr).contains("it is the input file"),
        "{}",
        text(&out.stderr)
    );
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    let link = dir.path().join("rejects.csv");
    std::os::unix::fs::symlink(&precious, &link).unwrap();
    let out = import(link.to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(input).unwrap(), SIGNALS);
}
