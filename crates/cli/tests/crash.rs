//! Durability: an acknowledged batch survives `kill -9` of the server, and SIGTERM
//! lets in-flight requests finish. Runs the real binary as a child process.

mod common;

use common::{ndjson, record, wait_until_healthy};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_throughline");
const BATCHES: i64 = 40;
const PER_BATCH: i64 = 2_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn create_key(dir: &Path) -> String {
    let out = Command::new(BIN)
        .args(["api-key", "create", "--workspace", "crash", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}

fn start(dir: &Path, port: u16) -> Child {
    Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .env("THROUGHLINE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn batch(n: i64) -> String {
    let records: Vec<Value> = (0..PER_BATCH)
        .map(|i| record(n * PER_BATCH + i, &format!("c{}@x.com", i % 500)))
        .collect();
    ndjson(&records)
}

async fn send(client: &reqwest::Client, base: &str, key: &str, n: i64) -> Option<Value> {
    let resp = client
        .post(format!("{base}/api/v1/signals"))
        .bearer_auth(key)
        .header("content-type", "application/x-ndjson")
        .body(batch(n))
        .send()
        .await
        .ok()?;
    if resp.status() != 200 {
        return None;
    }
    resp.json().await.ok()
}

async fn count(client: &reqwest::Client, base: &str, key: &str) -> i64 {
    // The analytics copy trails intake by a refresh interval: poll until it settles.
    let mut last = -1;
    for _ in 0..100 {
        let out: Value = client
            .post(format!("{base}/api/v1/query"))
            .bearer_auth(key)
            .json(&serde_json::json!({"sql": "SELECT count(*) FROM signals"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = out["result"]["rows"][0][0].as_i64().unwrap();
        if n == last && out["analytics_lag"]["caught_up"] == true {
            return n;
        }
        last = n;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_batches_survive_kill_9_and_resending_never_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = start(dir.path(), port);
    wait_until_healthy(&client, &base).await;

    // Two senders stream batches; the server is killed while they are mid-stream.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut senders = Vec::new();
    for lane in 0..2 {
        let (client, base, key, acked) = (client.clone(), base.clone(), key.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            for n in (lane..BATCHES).step_by(2) {
                match send(&client, &base, &key, n).await {
                    Some(_) => acked.lock().unwrap().push(n),
                    None => break,
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 6 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for s in senders {
        s.await.unwrap();
    }
    let acked: Vec<i64> = acked.lock().unwrap().clone();
    assert!(
        acked.len() < BATCHES as usize,
        "the kill came too late to test anything"
    );

    let mut server = start(dir.path(), port);
    wait_until_healthy(&client, &base).await;
    let survived = count(&client, &base, &key).await;
    assert!(
        survived >= acked.len() as i64 * PER_BATCH,
        "acknowledged signals were lost"
    );

    // The client re-sends everything it has no acknowledgement for, plus one it has.
    let mut duplicates = 0;
    for n in 0..BATCHES {
        if !acked.contains(&n) {
            let out = send(&client, &base, &key, n)
                .await
                .expect("resend accepted");
            duplicates += out["duplicates"].as_i64().unwrap();
        }
    }
    let again = send(&client, &base, &key, acked[0]).await.unwrap();
    assert_eq!(again["duplicates"], PER_BATCH);
    assert_eq!(
        count(&client, &base, &key).await,
        BATCHES * PER_BATCH,
        "nothing lost, nothing twice"
    );
    // Whatever was committed but unacknowledged at the kill came back as duplicates.
    assert_eq!(duplicates, survived - acked.len() as i64 * PER_BATCH);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_the_request_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(dir.path(), port);
    wait_until_healthy(&reqwest::Client::new(), &base).await;

    // One keep-alive connection, proven accepted by a first answered request; then
    // half of a batch, so the server is mid-request when SIGTERM arrives.
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 256];
    let n = conn.read(&mut first).await.unwrap();
    assert!(first[..n].starts_with(b"HTTP/1.1 200"));
    let body = batch(0).into_bytes();
    let head = format!(
        "POST /api/v1/signals HTTP/1.1\r\nhost: t\r\nauthorization: Bearer {key}\r\n\
         content-type: application/x-ndjson\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body[..body.len() / 2]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    conn.write_all(&body[body.len() / 2..]).await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "got {answer}");
    assert!(
        answer.contains(&format!("\"accepted\":{PER_BATCH}")),
        "got {answer}"
    );
    let status = server.wait().unwrap();
    assert!(status.success(), "graceful exit, got {status:?}");
}

/// `serve` computes the pages' workspace's overview before anyone asks, so the
/// first view (and the columns it reads) is ready.
#[tokio::test]
async fn serve_prepares_the_ui_workspaces_overview() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["api-key", "create", "--workspace", "demo", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let port = free_port();
    let mut server = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path())
        .env("THROUGHLINE_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("overview computed ahead of the first view") {
                let _ = tx.send(());
            }
        }
    });
    let warmed = rx.recv_timeout(std::time::Duration::from_secs(30));
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        warmed.is_ok(),
        "no overview was computed ahead of the first view"
    );
}
