//! The OpenAPI document against the real server: the `throughline` binary serves the demo
//! company (300 customers), and Schemathesis (PyPI `schemathesis`, the version `.ci/run`
//! installs) generates requests from `/api/v1/openapi.json` — valid and invalid parameters
//! and bodies, requests without a key, other methods, and chains of operations linked by
//! the ids answers carry — and checks every answer: no 5xx (`not_a_server_error`), a status
//! the operation lists (`status_code_conformance`), a content type it lists
//! (`content_type_conformance`) and a body its schema accepts
//! (`response_schema_conformance`). The seed is fixed, so a run is repeatable.
//!
//! A negative control first runs the same checks against a copy of the document with one
//! status and one property type wrong, and requires Schemathesis to report both, so the
//! checks are known to work with the installed version.
//!
//! Without Schemathesis the test fails and says how to install it. To run it alone:
//! `cargo test -p throughline-cli --test openapi_conformance -- --nocapture`.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The version `.ci/run` installs and this test was written against.
const SCHEMATHESIS: &str = "4.32.5";
/// Small enough to generate and index in seconds, with every page's figures non-empty.
const CUSTOMERS: &str = "300";
/// Examples per operation in the fuzzing phase; with the coverage and stateful phases,
/// about 1,100 requests in about 45 s (a debug build).
const MAX_EXAMPLES: &str = "20";
const SEED: &str = "1";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance";
const SERVE_TIMEOUT: Duration = Duration::from_secs(180);
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

#[test]
fn every_answer_is_one_the_openapi_document_describes() {
    let st = schemathesis();
    let started = Instant::now();
    let server = Server::start_demo();
    server.wait_until_caught_up();
    eprintln!(
        "conformance: demo served at {} after {:.1?}",
        server.base,
        started.elapsed()
    );
    let work = tempfile::tempdir().expect("a temp dir for Schemathesis");
    let spec = server.get("/api/v1/openapi.json");

    negative_control(&st, &server, &spec, work.path());

    let ran = Instant::now();
    let spec_url = format!("{}/api/v1/openapi.json", server.base);
    let report = work.path().join("report");
    let har = report.join("run.har");
    let out = st.check(
        work.path(),
        &server.key,
        &[&spec_url],
        MAX_EXAMPLES,
        &["--report", "har", "--report-har-path", &utf8(&har)],
    );
    let text = out.text();
    let requests = har_requests(&har);
    eprintln!(
        "conformance: {requests} requests in {:.1?}; Schemathesis said:\n{text}",
        ran.elapsed()
    );
    assert!(
        out.status.success() && text.contains("passed") && !text.contains("Failures:"),
        "the server and its OpenAPI document disagree (Schemathesis {SCHEMATHESIS}, seed \
         {SEED}); each failure above names the operation, the check and a curl command that \
         reproduces it. Fix the document (crates/web/src/openapi.rs) where it is wrong, the \
         server where it is.\n{text}\n{}",
        server.output()
    );
    assert!(
        requests >= 250,
        "Schemathesis sent only {requests} requests; expected hundreds:\n{text}"
    );
}

/// A copy of the document that leaves out the 401 of `GET /api/v1/status` and says its
/// `store` is an integer: Schemathesis must report both.
fn negative_control(st: &Schemathesis, server: &Server, spec: &str, dir: &Path) {
    let mut wrong: Value = serde_json::from_str(spec).expect("the document is JSON");
    let responses = wrong["paths"]["/api/v1/status"]["get"]["responses"]
        .as_object_mut()
        .expect("GET /api/v1/status has responses");
    assert!(responses.remove("401").is_some(), "status lists no 401");
    wrong["components"]["schemas"]["Status"]["properties"]["store"] =
        serde_json::json!({ "type": "integer" });
    let path = dir.join("wrong.json");
    std::fs::write(&path, wrong.to_string()).expect("write the wrong document");
    let target = [&utf8(&path), "--url", &server.base];
    let only = ["--include-path", "/api/v1/status"];
    let out = st.check(dir, &server.key, &target, "5", &only);
    let text = out.text();
    assert!(
        !out.status.success()
            && text.contains("Undocumented status code")
            && text.contains("Response violates schema"),
        "negative control: Schemathesis should have reported the missing 401 and the wrong \
         type of `store` against a document made wrong on purpose; it said:\n{text}"
    );
}

fn utf8(path: &Path) -> String {
    path.to_str().expect("a UTF-8 temp path").to_string()
}

/// How many requests a HAR file records.
fn har_requests(path: &Path) -> usize {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("Schemathesis wrote no HAR report at {path:?}: {e}"));
    let har: Value = serde_json::from_str(&text).expect("the HAR report is JSON");
    har["log"]["entries"].as_array().map_or(0, Vec::len)
}

// ------------------------------------------------------------------------ Schemathesis

/// How to start Schemathesis: `st` on the `PATH`, or the `python3` module.
struct Schemathesis {
    program: &'static str,
    prefix: &'static [&'static str],
}

/// The installed Schemathesis; the test fails, saying how to install it, without one.
fn schemathesis() -> Schemathesis {
    let candidates = [
        Schemathesis {
            program: "st",
            prefix: &[],
        },
        Schemathesis {
            program: "python3",
            prefix: &["-m", "schemathesis.cli"],
        },
    ];
    for st in candidates {
        let version = Command::new(st.program)
            .args(st.prefix)
            .arg("--version")
            .stdin(Stdio::null())
            .output();
        if let Ok(out) = version {
            if out.status.success() {
                let said = String::from_utf8_lossy(&out.stdout);
                if !said.contains(SCHEMATHESIS) {
                    eprintln!(
                        "conformance: {} (this test was written against {SCHEMATHESIS})",
                        said.trim()
                    );
                }
                return st;
            }
        }
    }
    panic!(
        "Schemathesis is not installed, and this test runs it against the server. Install \
         it with `python3 -m pip install schemathesis=={SCHEMATHESIS}` (Python 3.11 or \
         newer; .ci/run does this on a fresh machine)"
    );
}

impl Schemathesis {
    /// `st run TARGET…` with the key, the four checks, the seed and `examples` examples
    /// per operation, then `extra`.
    fn check(
        &self,
        dir: &Path,
        key: &str,
        target: &[&str],
        examples: &str,
        extra: &[&str],
    ) -> Output {
        let auth = format!("Authorization: Bearer {key}");
        let mut args = vec!["run"];
        args.extend(target);
        args.extend(["--header", &auth, "--checks", CHECKS, "--seed", SEED]);
        args.extend(["--max-examples", examples]);
        args.extend(extra);
        self.run(dir, &args)
    }

    /// Runs it in `dir` (its own config and example database stay there), killed after
    /// `RUN_TIMEOUT`.
    fn run(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.program);
        cmd.args(self.prefix)
            .args(args)
            .args(["--no-color", "--generation-database", "none"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.program));
        let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
        let deadline = Instant::now() + RUN_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for Schemathesis") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Schemathesis ran longer than {RUN_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

trait Text {
    fn text(&self) -> String;
}

impl Text for Output {
    fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

// ------------------------------------------------------------------------------ server

/// `throughline demo` on a port of its choosing, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    key: String,
    lines: Receiver<String>,
    seen: std::cell::RefCell<Vec<String>>,
    _data: tempfile::TempDir,
}

impl Server {
    fn start_demo() -> Server {
        let data = tempfile::tempdir().expect("a temp dir for the demo's data");
        let mut cmd = common::throughline();
        cmd.arg("--data-dir")
            .arg(data.path())
            .args(["demo", "--customers", CUSTOMERS, "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start throughline demo: {e}"));
        let (tx, lines) = mpsc::channel();
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut server = Server {
            child,
            base: String::new(),
            key: String::new(),
            lines,
            seen: Default::default(),
            _data: data,
        };
        // `demo` prints the key on the line after "API key:", then "listening on URL".
        let deadline = Instant::now() + SERVE_TIMEOUT;
        let mut key_next = false;
        while server.base.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = server.lines.recv_timeout(left) else {
                panic!(
                    "throughline demo did not start serving within {SERVE_TIMEOUT:?}:\n{}",
                    server.output()
                );
            };
            if key_next {
                server.key = line.trim().to_string();
            }
            key_next = line.ends_with("API key:");
            if let Some(url) = line.strip_prefix("listening on ") {
                server.base = url.trim().to_string();
            }
            server.seen.borrow_mut().push(line);
        }
        assert!(
            server.key.starts_with("tl_"),
            "no API key in the demo's output:\n{}",
            server.output()
        );
        server
    }

    /// Everything the server printed so far.
    fn output(&self) -> String {
        let mut seen = self.seen.borrow_mut();
        seen.extend(self.lines.try_iter());
        seen.join("\n")
    }

    /// Waits until the analytics copy holds every demo signal, so the figures are whole.
    fn wait_until_caught_up(&self) {
        let deadline = Instant::now() + SERVE_TIMEOUT;
        while !self.get("/api/v1/status").contains("\"caught_up\":true") {
            assert!(
                Instant::now() < deadline,
                "the analytics copy did not catch up within {SERVE_TIMEOUT:?}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The body of a GET with the key, which must answer 200.
    fn get(&self, path: &str) -> String {
        let addr = self.base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect to the server");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("a read timeout");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
             Connection: close\r\n\r\n",
            self.key
        );
        stream
            .write_all(request.as_bytes())
            .expect("send the request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read the answer");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
        body.to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
