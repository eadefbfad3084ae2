//! `spawn_app()`: the real router on 127.0.0.1:0 over a fresh SQLite data dir.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use throughline_analytics::AnalyticsCopy;
use throughline_cli::commands::apikey;
use throughline_store::Store;
use throughline_store_sqlite::{Durability, SqliteStore};

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub key: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub analytics: Arc<AnalyticsCopy>,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(throughline_web::ServerLimits::default()).await
}

/// `spawn_app()` with its own connection, timeout and intake-buffer limits.
pub async fn spawn_app_with(limits: throughline_web::ServerLimits) -> TestApp {
    spawn_app_configured(limits, throughline_analytics::AnalyticsConfig::default()).await
}

/// `spawn_app()` with its own server limits and analytics settings (query limits).
pub async fn spawn_app_configured(
    limits: throughline_web::ServerLimits,
    config: throughline_analytics::AnalyticsConfig,
) -> TestApp {
    spawn(limits, config, "test").await
}

/// `spawn_app()` whose web app opens `ui_workspace` at `/` (the key is `test`'s).
pub async fn spawn_app_opening(ui_workspace: &str) -> TestApp {
    let config = throughline_analytics::AnalyticsConfig::default();
    spawn(
        throughline_web::ServerLimits::default(),
        config,
        ui_workspace,
    )
    .await
}

async fn spawn(
    limits: throughline_web::ServerLimits,
    config: throughline_analytics::AnalyticsConfig,
    ui_workspace: &str,
) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("t.sqlite"), Durability::Full).unwrap());
    let analytics = Arc::new(
        AnalyticsCopy::open_with(dir.path().join("analytics"), store.clone(), config).unwrap(),
    );
    let key = apikey::create(store.as_ref(), "test").await.unwrap();
    let state = throughline_web::AppState {
        store: store.clone(),
        analytics: analytics.clone(),
        policy: Arc::new(throughline_domain::IdentityPolicy::default()),
        limits: throughline_ingest::BatchLimits::default(),
        pii: Arc::new(throughline_ingest::PiiPolicy::from_names(&[
            "redacted".into()
        ])),
        dashboard: throughline_dashboard::Dashboard::new(analytics.clone(), Default::default()),
        ui_open: false,
        ui_workspace: ui_workspace.into(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(throughline_web::serve_with_limits(
        listener,
        state,
        limits,
        std::future::pending(),
    ));
    TestApp {
        addr,
        key,
        client: reqwest::Client::new(),
        store,
        analytics,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn key_for(&self, workspace: &str) -> String {
        apikey::create(self.store.as_ref(), workspace)
            .await
            .unwrap()
    }

    pub async fn post_signals(&self, body: &str, content_type: &str) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/api/v1/signals"))
            .bearer_auth(&self.key);
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        let resp = req.body(body.to_string()).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let resp = self
            .client
            .get(self.url(path))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.json().await.unwrap()
    }

    /// Runs SQL after the analytics copy has caught up with the store.
    pub async fn query_with(&self, key: &str, sql: &str) -> Value {
        self.analytics.refresh().await.unwrap();
        let resp = self
            .client
            .post(self.url("/api/v1/query"))
            .bearer_auth(key)
            .json(&json!({ "sql": sql }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "query {sql}");
        resp.json().await.unwrap()
    }

    pub async fn query(&self, sql: &str) -> Value {
        self.query_with(&self.key.clone(), sql).await
    }

    pub async fn count_signals(&self) -> i64 {
        let out = self.query("SELECT count(*) FROM signals").await;
        out["result"]["rows"][0][0].as_i64().unwrap()
    }
}

/// A valid survey response by `email`, with a unique external id.
pub fn record(i: i64, email: &str) -> Value {
    json!({
        "kind": "survey_response", "source": "test", "external_id": format!("r-{i}"),
        "occurred_at": format!("2026-03-01T10:{:02}:00Z", i % 60),
        "customer": { "email": email }, "nps": (i % 11), "channel": "email",
        "text": "Delivery was late but the staff were lovely"
    })
}

pub fn ndjson(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

pub async fn wait_until_healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {base} never became healthy");
}

/// The `throughline` binary, with none of the developer's `THROUGHLINE_*` settings (a
/// config file, a PostgreSQL URL, a listen address) and warnings only in its log.
pub fn throughline() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_throughline"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("THROUGHLINE_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("THROUGHLINE_LOG", "warn");
    cmd
}
