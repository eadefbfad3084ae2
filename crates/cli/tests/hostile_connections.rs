//! Clients that hold connections without finishing requests (issue 19): silent and
//! half-sent connections, keep-alive connections left idle, bodies trickling in a
//! byte at a time, and more large intake bodies at once than the server buffers.
//! The server runs with short timeouts here, so every wait is a few seconds at most;
//! all traffic goes to 127.0.0.1.

mod common;

use common::{ndjson, record, spawn_app_with, TestApp};
use std::time::{Duration, Instant};
use throughline_web::ServerLimits;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const BODY_TIMEOUT: Duration = Duration::from_secs(1);
/// Room for scheduling on a loaded two-core machine on top of a timeout.
const SLACK: Duration = Duration::from_secs(4);

fn short_limits() -> ServerLimits {
    ServerLimits {
        header_read_timeout: HEADER_TIMEOUT,
        request_body_timeout: BODY_TIMEOUT,
        ..ServerLimits::default()
    }
}

/// Reads until the server closes the connection (end of stream, or a reset when it
/// closed with bytes of ours unread), giving up at `deadline`. Returns what was read
/// and whether the server closed it.
async fn read_until_closed(
    io: &mut (impl AsyncRead + Unpin),
    deadline: Instant,
) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let read = tokio::time::timeout_at(deadline.into(), io.read(&mut buf)).await;
        match read {
            Err(_) => return (got, false),
            Ok(Ok(0)) | Ok(Err(_)) => return (got, true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn health_latency(app: &TestApp) -> Duration {
    // A client of its own: a new connection, as a load balancer's probe would open.
    let client = reqwest::Client::new();
    let started = Instant::now();
    let resp = tokio::time::timeout(
        Duration::from_secs(2),
        client.get(app.url("/healthz")).send(),
    )
    .await
    .expect("/healthz answers within 2 s")
    .expect("/healthz answers");
    assert_eq!(resp.status(), 200);
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_neither_block_health_nor_stay_open() {
    const HELD: usize = 1_100;
    let app = spawn_app_with(short_limits()).await;
    let mut held = Vec::with_capacity(HELD);
    let opened = Instant::now();
    for i in 0..HELD {
        let mut conn = TcpStream::connect(app.addr).await.unwrap();
        // Half send nothing, half stop in the middle of the request line.
        if i % 2 == 1 {
            conn.write_all(b"GET /heal").await.unwrap();
        }
        held.push(conn);
    }
    let latency = health_latency(&app).await;
    eprintln!(
        "opened {HELD} half-open connections in {:?}; /healthz answered in {latency:?}",
        opened.elapsed()
    );

    // Every one of them is closed by the server once the header-read timeout passes.
    let deadline = Instant::now() + HEADER_TIMEOUT + SLACK;
    let mut readers = tokio::task::JoinSet::new();
    for mut conn in held {
        readers.spawn(async move { read_until_closed(&mut conn, deadline).await.1 });
    }
    let closed = readers.join_all().await.into_iter().filter(|c| *c).count();
    eprintln!(
        "{closed} of {HELD} closed by the server {:?} after they were opened",
        opened.elapsed()
    );
    assert_eq!(
        closed, HELD,
        "half-open connections still held by the server"
    );
    // And the server still answers.
    health_latency(&app).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(short_limits()).await;
    let mut conn = TcpStream::connect(app.addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (got, closed) = read_until_closed(&mut conn, started + HEADER_TIMEOUT + SLACK).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(closed, "an idle keep-alive connection was held");
    // Kept alive for a while first, not closed right after the answer.
    assert!(
        started.elapsed() >= HEADER_TIMEOUT / 2,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_trickling_in_is_cut_off_after_the_body_timeout() {
    let app = spawn_app_with(short_limits()).await;
    let conn = TcpStream::connect(app.addr).await.unwrap();
    let (mut read, mut write) = conn.into_split();
    let head = format!(
        "POST /api/v1/signals HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n",
        app.key
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // One byte every 100 ms; 200 at most, so the loop ends on its own after 20 s.
    let trickle = tokio::spawn(async move {
        for _ in 0..200 {
            if write.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let (got, closed) = read_until_closed(&mut read, started + BODY_TIMEOUT + SLACK).await;
    let elapsed = started.elapsed();
    trickle.abort();
    eprintln!(
        "trickled body closed after {elapsed:?}: {:?}",
        String::from_utf8_lossy(&got).lines().next()
    );
    assert!(closed, "a trickling body held its connection");
    assert!(
        elapsed >= BODY_TIMEOUT,
        "cut off before the timeout: {elapsed:?}"
    );
    health_latency(&app).await;
}

/// Sends a POST's head and the first half of its body; the rest is sent by `finish`.
struct HeldUpload {
    conn: TcpStream,
    rest: Vec<u8>,
}

impl HeldUpload {
    async fn start(app: &TestApp, body: &str) -> Self {
        let mut conn = TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /api/v1/signals HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
            app.key,
            body.len()
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        let half = body.len() / 2;
        conn.write_all(&body.as_bytes()[..half]).await.unwrap();
        HeldUpload {
            conn,
            rest: body.as_bytes()[half..].to_vec(),
        }
    }

    /// Sends the rest and returns the response's status line.
    async fn finish(mut self) -> String {
        self.conn.write_all(&self.rest).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let deadline = Instant::now() + Duration::from_secs(30);
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = tokio::time::timeout_at(deadline.into(), self.conn.read(&mut buf))
                .await
                .expect("a response within 30 s")
                .unwrap();
            assert!(n > 0, "closed without a response");
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got)
            .lines()
            .next()
            .unwrap()
            .to_string()
    }
}

fn batch(tag: &str, n: i64) -> String {
    let records: Vec<_> = (0..n)
        .map(|i| {
            let mut r = record(i, &format!("{tag}-{i}@x.com"));
            r["external_id"] = format!("{tag}-{i}").into();
            r
        })
        .collect();
    ndjson(&records)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_large_bodies_than_the_intake_buffer_holds_are_told_to_retry() {
    const PER_BATCH: i64 = 3_000;
    let held_bodies = [batch("held-a", PER_BATCH), batch("held-b", PER_BATCH)];
    let size = held_bodies[0].len().max(held_bodies[1].len());
    // Room for the two held uploads and a little more: small batches still fit,
    // a third large one does not.
    let spare = 64 * 1024;
    let app = spawn_app_with(ServerLimits {
        intake_buffer_bytes: 2 * size + spare,
        intake_wait: Duration::from_millis(300),
        ..ServerLimits::default()
    })
    .await;

    let mut held = Vec::new();
    for body in &held_bodies {
        held.push(HeldUpload::start(&app, body).await);
    }
    // Long enough for both handlers to take their room (a key check each).
    tokio::time::sleep(Duration::from_millis(500)).await;

    let turned_away: Vec<String> = (0..3)
        .map(|k| batch(&format!("late-{k}"), PER_BATCH))
        .collect();
    let mut sends = tokio::task::JoinSet::new();
    for body in turned_away.clone() {
        let client = app.client.clone();
        let url = app.url("/api/v1/signals");
        let key = app.key.clone();
        sends.spawn(async move {
            let resp = client
                .post(url)
                .bearer_auth(key)
                .header("content-type", "application/x-ndjson")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let json: serde_json::Value = resp.json().await.unwrap_or_default();
            (status, retry_after, json)
        });
    }
    for (status, retry_after, json) in sends.join_all().await {
        assert_eq!(status, 429, "{json}");
        assert!(retry_after.is_some_and(|s| s >= 1), "no Retry-After");
        assert_eq!(json["error"]["code"], "busy");
    }

    // A small batch fits in what is left.
    let (status, _) = app
        .post_signals(&batch("small", 3), "application/x-ndjson")
        .await;
    assert_eq!(status, 200);

    // The held uploads complete, and the ones turned away succeed when retried.
    for upload in held {
        let status = upload.finish().await;
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    }
    for body in &turned_away {
        let (status, json) = app.post_signals(body, "application/x-ndjson").await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["accepted"], PER_BATCH);
    }
    assert_eq!(app.count_signals().await, 5 * PER_BATCH + 3);
    health_latency(&app).await;
}
