//! The OpenAPI 3.1 description of the API, served at `/api/v1/openapi.json`.
//! Written by hand next to the routes it describes; `tests` check every route is in it.

use axum::Json;
use serde_json::{json, Value};
use throughline_domain::{SignalKind, StakeholderType};

use crate::error::ErrorCode;

pub async fn spec() -> Json<Value> {
    Json(document())
}

pub fn document() -> Value {
    let mut doc = routes();
    if let (Some(paths), Value::Object(value)) = (doc["paths"].as_object_mut(), value_paths()) {
        paths.extend(value);
    }
    doc
}

/// Customer value: its own object, as one `json!` for every path exceeds the macro's recursion.
fn value_paths() -> Value {
    let secured = json!([{ "apiKey": [] }]);
    json!({
            "/api/v1/value": { "get": { "summary": "Customer value: CLV (BG/NBD + Gamma-Gamma for purchases, sBG for renewals) with its distribution and holdout check, the churn model (held-out AUC, calibration, coefficients), CLV at risk by brand, acquisition channel, region, touchpoint and theme, CLV and churn by NPS group and theme, CAC vs CLV per acquisition channel",
                "security": secured,
                "parameters": export_params(),
                "responses": { "200": json_or_csv("the value view model; `refusals` says which model could not be fitted and why; the main table is `acquisition`") } } },
            "/api/v1/profiles/{id}/value": { "get": { "summary": "One customer's CLV, probability of still buying, churn probability and its top reasons",
                "security": secured, "parameters": [id_param()],
                "responses": { "200": { "description": "the profile's value" }, "404": { "description": "no such profile, or no signals of it in the analytics copy yet" } } } },
            "/api/v1/acquisition-spend": {
                "get": { "summary": "The workspace's acquisition spend, by month, channel, campaign and currency", "security": secured,
                    "responses": { "200": { "description": "spend rows" } } },
                "post": { "summary": "Add or replace acquisition spend rows (same channel, campaign, month and currency replaces); bad rows are listed with their index and reasons, good rows are kept",
                    "security": secured,
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "array", "maxItems": crate::routes::value::MAX_SPEND_ROWS, "items": { "type": "object",
                        "required": ["channel", "month", "amount", "currency"],
                        "properties": { "channel": { "type": "string" }, "campaign": { "type": "string" },
                            "month": { "type": "string", "description": "YYYY-MM" },
                            "amount": { "type": "number", "minimum": 0 }, "currency": { "type": "string", "description": "ISO 4217" } } } } } } },
                    "responses": { "200": { "description": "`written` and `rejected` ([{index, errors}])" }, "413": { "description": "too many rows" } } } }
    })
}

/// The error answer, its codes from the one table (`ErrorCode`).
fn error_schema() -> Value {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let table: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| {
            format!(
                "- `{}` ({}): {}",
                c.as_str(),
                c.status().as_u16(),
                c.meaning()
            )
        })
        .collect();
    json!({ "type": "object", "required": ["error"], "properties": { "error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "enum": codes, "description": table.join("\n") },
            "message": { "type": "string", "description": "what is wrong and where" } } } } })
}

fn routes() -> Value {
    let kinds: Vec<&str> = SignalKind::ALL.iter().map(|k| k.as_str()).collect();
    let stakeholders: Vec<&str> = StakeholderType::ALL.iter().map(|k| k.as_str()).collect();
    let error = json!({ "$ref": "#/components/schemas/Error" });
    let secured = json!([{ "apiKey": [] }]);
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Throughline API", "version": env!("CARGO_PKG_VERSION") },
        "components": {
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer",
                "description": "A workspace API key (`throughline api-key create`)." } },
            "schemas": {
                "Error": error_schema(),
                "Identities": { "type": "object", "additionalProperties": false, "properties": {
                    "email": { "type": "string" }, "phone": { "type": "string", "description": "E.164, e.g. +442079460958" },
                    "handle": { "type": "string", "description": "@name, or network:name" },
                    "network": { "type": "string" }, "account_id": { "type": "string" } } },
                "Signal": signal_schema(&kinds, &stakeholders),
                "IngestResponse": { "type": "object", "properties": {
                    "accepted": { "type": "integer" }, "duplicates": { "type": "integer" },
                    "rejected": { "type": "integer" },
                    "rejects": { "type": "array", "items": { "type": "object", "properties": {
                        "index": { "type": "integer" }, "line": { "type": ["integer", "null"] },
                        "field": { "type": "string" }, "reason": { "type": "string" } } } } } }
            }
        },
        "paths": {
            "/healthz": { "get": { "summary": "Liveness", "responses": { "200": { "description": "up" } } } },
            "/readyz": { "get": { "summary": "Readiness: the store answers",
                "responses": { "200": { "description": "ready" }, "503": { "description": "not ready" } } } },
            "/api/v1/signals": { "post": {
                "summary": "Ingest a batch of signals (JSON array or NDJSON). Idempotent on (source, external_id).",
                "security": secured,
                "requestBody": { "required": true, "content": {
                    "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Signal" } } },
                    "application/x-ndjson": { "schema": { "$ref": "#/components/schemas/Signal" } } } },
                "responses": {
                    "200": { "description": "processed; per-record rejects listed",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/IngestResponse" } } } },
                    "401": { "description": "missing or invalid key", "content": { "application/json": { "schema": error } } },
                    "413": { "description": "body or batch over the limit", "content": { "application/json": { "schema": error } } },
                    "422": { "description": "malformed body, or every record rejected" },
                    "429": { "description": "too many large bodies buffered at once; retry after `Retry-After` seconds", "content": { "application/json": { "schema": error } } } } } },
            "/api/v1/profiles/{id}": { "get": { "summary": "A profile with its identities and merges",
                "security": secured, "parameters": [id_param()],
                "responses": { "200": { "description": "the profile (the surviving one if id was merged away)" },
                    "404": { "description": "no such profile in this workspace" } } } },
            "/api/v1/profiles/{id}/timeline": { "get": { "summary": "The profile's signals across all channels, oldest first",
                "security": secured,
                "parameters": [id_param(), { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 5000 } }],
                "responses": { "200": { "description": "signals in wire form with seq" } } } },
            "/api/v1/merges/{id}/undo": { "post": { "summary": "Undo a merge: both profiles and their signals stand apart again",
                "security": secured, "parameters": [id_param()],
                "responses": { "200": { "description": "the undone merge" }, "409": { "description": "already undone" } } } },
            "/api/v1/query": { "post": { "summary": "Read-only SQL over this workspace's `signals` table",
                "security": secured,
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["sql"], "properties": { "sql": { "type": "string" } } } } } },
                "responses": { "200": { "description": "columns, rows, and the analytics copy's lag (caught_up, progress, last_refresh_age_ms)" },
                    "400": { "description": "bad or forbidden SQL, or a query past its deadline", "content": { "application/json": { "schema": error } } },
                    "413": { "description": "SQL text, expression depth, a built value or the answer over its limit (README, \"Limits\")", "content": { "application/json": { "schema": error } } },
                    "429": { "description": "too many queries at once in this workspace or on the server; retry after `Retry-After` seconds", "content": { "application/json": { "schema": error } } } } } },
            "/api/v1/status": { "get": { "summary": "Store backend, analytics lag and the bytes of segment columns the hot column cache holds decoded", "security": secured,
                "responses": { "200": { "description": "status" } } } },
            "/api/v1/text/analyze": { "post": { "summary": "Analyse one text: sentiment per sentence, themes with aspect sentiment, emotions, effort, intents, language, PII — each label with the words and rules behind it",
                "security": secured,
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["text"], "properties": { "text": { "type": "string", "maxLength": throughline_domain::limits::MAX_TEXT_BYTES } } } } } },
                "responses": { "200": { "description": "the analysis with its evidence" }, "413": { "description": "text over the limit" },
                    "429": { "description": "too many analyses at once; retry after `Retry-After` seconds", "content": { "application/json": { "schema": error } } } } } },
            "/api/v1/metrics/overview": { "get": { "summary": "The executive overview: KPI tiles (value, n, 95% CI, change, significance, monthly sparkline), brands, channels and stores against the rest, top themes, alerts, churn and revenue at risk; `analytics_lag` says whether the analytics copy has caught up (until it has, every figure is partial); `freshness` says when it was computed and whether newer signals are still being added (a cached overview is served for up to `[dashboard] overview_max_stale_secs` while it is recomputed)",
                "security": secured, "parameters": filter_params(),
                "responses": { "200": json_or_csv("the overview view model; its main table is `tiles`"), "400": { "description": "a bad filter, named" } } } },
            "/api/v1/metrics/explore": { "get": { "summary": "One KPI over time by a dimension, each segment tested against the rest (Benjamini–Hochberg), with the newest comments",
                "security": secured, "parameters": explore_params(),
                "responses": { "200": json_or_csv("points, segments, comments; the main table is `segments`"), "400": { "description": "a bad parameter, named" } } } },
            "/api/v1/metrics/drivers": { "get": { "summary": "Key drivers of NPS or CSAT among the themes customers mention (Shapley R² or relative weights) with the priority quadrant",
                "security": secured, "parameters": drivers_params(),
                "responses": { "200": json_or_csv("the driver report, or the reason there is none; the main table is `report.drivers`") } } },
            "/api/v1/metrics/alerts": { "get": { "summary": "Significant shifts in complaints per brand and theme in a month against the months before",
                "security": secured, "parameters": alerts_params(),
                "responses": { "200": json_or_csv("alerts with their evidence; the main table is `alerts`") } } },
            "/api/v1/glossary": { "get": { "summary": "Every figure's key, name, definition and the pages that show it: the words beside each figure on the pages",
                "security": secured,
                "responses": { "200": { "description": "an array of {key, name, definition, shown_on}" } } } },
            "/api/v1/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1" } } } }
        }
    })
}

fn query_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description })
}

/// The filters every metrics route takes; empty means unset.
fn filter_params() -> Vec<Value> {
    let mut params: Vec<Value> = throughline_dashboard::DIMENSIONS
        .iter()
        .map(|d| query_param(d, "only signals with this value"))
        .collect();
    params.push(query_param(
        "months",
        "length of the current period in months (1–24); the previous period has the same length",
    ));
    params.extend(export_params());
    params
}

/// `format` and `table`, on every answer that has tables (`export.rs`).
fn export_params() -> Vec<Value> {
    vec![
        query_param("format", "json (default) or csv: one of the answer's tables as CSV"),
        query_param("table", "with format=csv: the table, by its path in the JSON answer (e.g. `segments`, `report.drivers`); default the answer's main table; an unknown one is a 400 that lists the tables"),
    ]
}

/// A 200 that is JSON, or CSV with `format=csv`.
fn json_or_csv(description: &str) -> Value {
    json!({ "description": description, "content": {
        "application/json": { "schema": { "type": "object" } },
        "text/csv": { "schema": { "type": "string" } } } })
}

fn explore_params() -> Vec<Value> {
    let mut params = filter_params();
    params.push(query_param(
        "kpi",
        "nps (default), enps, csat, ces or sentiment",
    ));
    params.push(query_param("by", "a dimension to slice by, or properties.KEY: the latest value of that property on any of the person's signals"));
    params.push(query_param(
        "grain",
        "day, week, month (default) or quarter",
    ));
    params.push(query_param("theme", "only texts mentioning this theme id"));
    params
}

fn drivers_params() -> Vec<Value> {
    let mut params = filter_params();
    params.push(query_param(
        "outcome",
        "nps (default), csat or churn (per customer: cancelled in the period)",
    ));
    params.push(query_param(
        "drivers",
        "themes (default: themes mentioned), touchpoints (touchpoints of a customer's bad experiences in the period) or ratings (custom ratings answered with the NPS / CSAT)",
    ));
    params
}

fn alerts_params() -> Vec<Value> {
    let mut params = filter_params();
    params.push(query_param(
        "month",
        "YYYY-MM to test (default: the newest month)",
    ));
    params
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn signal_schema(kinds: &[&str], stakeholders: &[&str]) -> Value {
    let text = |d: &str| json!({ "type": "string", "description": d });
    let ids = json!({ "$ref": "#/components/schemas/Identities" });
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["kind", "source", "external_id", "occurred_at"],
        "description": format!("Exactly one of {} with at least one identity.", stakeholders.join(" / ")),
        "properties": {
            "kind": { "type": "string", "enum": kinds },
            "source": text("the system it came from; with external_id the idempotency key"),
            "external_id": text("its id in that system"),
            "occurred_at": { "type": "string", "format": "date-time", "description": "RFC 3339 with a timezone" },
            "customer": ids, "employee": ids, "partner": ids,
            "channel": text("e.g. email, web, store"), "touchpoint": text("e.g. checkout"),
            "stage": text("journey stage"), "brand": text("brand or service line"),
            "store": text("store"), "team": text("team"), "region": text("region"),
            "action": text("event name (event); purchase|renewal|refund|cancellation (transaction); applied|hired|onboarded|promoted|exited (hr_event)"),
            "reason": text("e.g. an exit reason"),
            "nps": { "type": "integer", "minimum": 0, "maximum": 10 },
            "csat": { "type": "integer", "minimum": 1, "maximum": 5 },
            "ces": { "type": "integer", "minimum": 1, "maximum": 7 },
            "ratings": { "type": "object", "description": "name → 1..5, or {value, min, max}" },
            "text": { "type": "string", "maxLength": throughline_domain::limits::MAX_TEXT_BYTES },
            "language": text("ISO 639 code"),
            "amount": { "type": "number" }, "currency": text("ISO 4217"),
            "first_response_at": { "type": "string", "format": "date-time" },
            "resolved_at": { "type": "string", "format": "date-time" },
            "properties": { "type": "object" }
        }
    })
}
