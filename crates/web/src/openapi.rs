//! The OpenAPI 3.1 description of the API, served at `/api/v1/openapi.json`.
//! Paths, parameters and request bodies are written by hand next to the routes they
//! describe; every answer's schema is derived (`schemars`) from the type its handler
//! returns, and every status an operation can give is listed, errors with the `Error`
//! schema. `cli/tests/api.rs` checks every route is in it, and
//! `cli/tests/openapi_conformance.rs` runs Schemathesis against a real server.

use axum::Json;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};
use throughline_dashboard::{
    Alerts, DriversView, Explore, Overview, ProfileValue, Term, ValueView,
};
use throughline_domain::{AcquisitionSpend, SignalKind, StakeholderType};
use throughline_text::Analysis;

use crate::error::ErrorCode;
use crate::lag::Lagged;
use crate::routes::health::{Readiness, Status};
use crate::routes::profiles::{ProfileAnswer, Timeline, Unmerged, MAX_TIMELINE};
use crate::routes::query::QueryAnswer;
use crate::routes::signals::IngestResponse;
use crate::routes::value::{SpendOutcome, MAX_SPEND_ROWS};

pub async fn spec() -> Json<Value> {
    Json(document())
}

pub fn document() -> Value {
    let mut schemas = Schemas::new();
    let mut paths = Map::new();
    for part in [
        service_paths(&mut schemas),
        intake_paths(&mut schemas),
        profile_paths(&mut schemas),
        sql_and_text_paths(&mut schemas),
        metrics_paths(&mut schemas),
        value_paths(&mut schemas),
    ] {
        if let Value::Object(part) = part {
            paths.extend(part);
        }
    }
    let mut components = schemas.into_definitions();
    components.insert("Error".into(), error_schema());
    components.insert("Identities".into(), identities_schema());
    components.insert("Signal".into(), signal_schema());
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Throughline API", "version": env!("CARGO_PKG_VERSION") },
        "components": {
            "securitySchemes": { "apiKey": { "type": "http", "scheme": "bearer",
                "description": "A workspace API key (`throughline api-key create`)." } },
            "schemas": components
        },
        "paths": paths
    })
}

/// The answers' schemas, derived from the handlers' types: `of::<T>()` is a `$ref`
/// into `components.schemas`, where `T` and every named type inside it end up.
struct Schemas(SchemaGenerator);

impl Schemas {
    fn new() -> Schemas {
        let settings = SchemaSettings::draft2020_12().for_serialize().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Schemas(settings.into_generator())
    }

    fn of<T: JsonSchema>(&mut self) -> Value {
        self.0.subschema_for::<T>().to_value()
    }

    fn into_definitions(mut self) -> Map<String, Value> {
        self.0.take_definitions(true)
    }
}

fn secured() -> Value {
    json!([{ "apiKey": [] }])
}

/// A JSON answer with its schema.
fn answer(description: &str, schema: Value) -> Value {
    json!({ "description": description,
        "content": { "application/json": { "schema": schema } } })
}

/// A 200 that is JSON (the view model with `analytics_lag`), or CSV with `format=csv`;
/// either carries the copy's progress in a header.
fn json_or_csv(description: &str, schema: Value) -> Value {
    json!({ "description": description,
        "headers": { "throughline-analytics-progress": { "description": "share of the store's signals the analytics copy holds, 0–1 (1.00 once caught up)",
            "schema": { "type": "string" } } },
        "content": {
            "application/json": { "schema": schema },
            "text/csv": { "schema": { "type": "string" } } } })
}

/// An error answer: `{"error": {"code", "message"}}`.
fn error(description: &str) -> Value {
    answer(description, json!({ "$ref": "#/components/schemas/Error" }))
}

/// A 429: also says when to retry.
fn busy(description: &str) -> Value {
    let mut busy = error(description);
    busy["headers"] = json!({ "Retry-After": { "description": "seconds to wait before retrying",
        "schema": { "type": "integer" } } });
    busy
}

/// The answers every operation behind a key can give besides its own.
fn with_key_errors(mut responses: Value) -> Value {
    responses["401"] = error("missing or invalid API key (`unauthorized`)");
    responses["500"] = error("a fault on our side (`internal`), logged with its cause");
    responses
}

/// The answers of a route that takes a JSON body (`extract::Json`), besides its own.
fn with_json_body_errors(mut responses: Value, too_large: &str) -> Value {
    responses["413"] = error(&format!("{too_large} (`too_large`)"));
    responses["415"] = error("no `content-type: application/json` (`unsupported_media_type`)");
    responses["422"] = error("JSON of the wrong shape, e.g. a missing field (`unprocessable`)");
    with_key_errors(responses)
}

/// The answers of the metrics and value routes: the figures come from the analytics
/// engine, whose own limits a dashboard query can meet too.
fn with_metrics_errors(mut responses: Value, bad_parameter: &str) -> Value {
    responses["400"] = error(&format!(
        "{bad_parameter}; `format` other than json or csv, or a `table` the answer does not have (`bad_request`, the message lists its tables); a figure's query stopped at its deadline (`query_timeout`)"
    ));
    responses["413"] =
        error("the analytics engine's memory for running queries is used up (`query_too_large`)");
    with_key_errors(responses)
}

fn service_paths(schemas: &mut Schemas) -> Value {
    let ready = schemas.of::<Readiness>();
    json!({
        "/healthz": { "get": { "summary": "Liveness: the process is up",
            "responses": { "200": { "description": "up", "content": { "text/plain": { "schema": { "const": "ok" } } } } } } },
        "/readyz": { "get": { "summary": "Readiness: the store answers",
            "responses": { "200": answer("ready", ready.clone()), "503": answer("not ready: the store does not answer", ready) } } },
        "/api/v1/openapi.json": { "get": { "summary": "This document",
            "responses": { "200": answer("OpenAPI 3.1", json!({ "type": "object" })) } } },
        "/api/v1/status": { "get": { "summary": "Store backend, analytics lag and the bytes of segment columns the hot column cache holds decoded", "security": secured(),
            "responses": with_key_errors(json!({ "200": answer("status", schemas.of::<Status>()) })) } },
        "/api/v1/glossary": { "get": { "summary": "Every figure's key, name, definition and the pages that show it: the words beside each figure on the pages",
            "security": secured(),
            "responses": with_key_errors(json!({ "200": answer("every figure's term", schemas.of::<Vec<Term>>()) })) } }
    })
}

fn intake_paths(schemas: &mut Schemas) -> Value {
    let ingested = schemas.of::<IngestResponse>();
    let error_ref = json!({ "$ref": "#/components/schemas/Error" });
    let record = json!({ "kind": "survey_response", "source": "typeform", "external_id": "r-1",
        "occurred_at": "2026-03-01T14:30:00+01:00", "customer": { "email": "ana@example.com" },
        "channel": "email", "nps": 9, "text": "Quick delivery and friendly staff" });
    json!({
        "/api/v1/signals": { "post": {
            "summary": "Ingest a batch of signals (JSON array or NDJSON; without a content type the body is sniffed). Idempotent on (source, external_id).",
            "security": secured(),
            "requestBody": { "required": true, "content": {
                "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Signal" } },
                    "example": [record] },
                "application/x-ndjson": { "schema": { "$ref": "#/components/schemas/Signal" },
                    "description": "one record per line" } } },
            "responses": with_key_errors(json!({
                "200": answer("processed; per-record rejects listed", ingested.clone()),
                "400": error("the body took longer to arrive than the server waits (`bad_request`)"),
                "413": error("body or batch over the limit (`too_large`)"),
                "422": answer("every record rejected (the outcome, with each reject), or a body that is neither a JSON array nor NDJSON (`unprocessable`)",
                    json!({ "anyOf": [ingested, error_ref] })),
                "429": busy("too many large bodies buffered at once (`busy`); retry after `Retry-After` seconds") })) } }
    })
}

fn profile_paths(schemas: &mut Schemas) -> Value {
    let bad_id = "an id that is not a 64-bit integer (`bad_request`)";
    json!({
        "/api/v1/profiles/{id}": { "get": { "summary": "A profile with its identities and merges",
            "security": secured(), "parameters": [id_param()],
            "responses": with_key_errors(json!({
                "200": answer("the profile (the surviving one if id was merged away)", schemas.of::<ProfileAnswer>()),
                "400": error(bad_id),
                "404": error("no such profile in this workspace (`not_found`)") })) } },
        "/api/v1/profiles/{id}/timeline": { "get": { "summary": "The profile's signals across all channels, oldest first",
            "security": secured(),
            "parameters": [id_param(), { "name": "limit", "in": "query", "required": false,
                "schema": { "type": "integer", "minimum": 0 },
                "description": format!("most signals to return (default 1000; at most {MAX_TIMELINE} are returned)") }],
            "responses": with_key_errors(json!({
                "200": answer("signals in wire form with seq", schemas.of::<Timeline>()),
                "400": error("an id that is not a 64-bit integer, or a limit that is not a whole number (`bad_request`)"),
                "404": error("no such profile in this workspace (`not_found`)") })) } },
        "/api/v1/merges/{id}/undo": { "post": { "summary": "Undo a merge: both profiles and their signals stand apart again",
            "security": secured(), "parameters": [id_param()],
            "responses": with_key_errors(json!({
                "200": answer("the undone merge", schemas.of::<Unmerged>()),
                "400": error(bad_id),
                "404": error("no such merge in this workspace (`not_found`)"),
                "409": error("already undone (`conflict`)") })) } }
    })
}

fn sql_and_text_paths(schemas: &mut Schemas) -> Value {
    let max_text = throughline_domain::limits::MAX_TEXT_BYTES;
    json!({
        "/api/v1/query": { "post": { "summary": "Read-only SQL over this workspace's `signals` and `profiles` tables",
            "security": secured(),
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["sql"], "properties": { "sql": { "type": "string" } } },
                "example": { "sql": "SELECT channel, count(*) AS n FROM signals GROUP BY channel ORDER BY n DESC" } } } },
            "responses": with_json_body_errors(json!({
                "200": answer("columns, rows, and the analytics copy's lag", schemas.of::<QueryAnswer>()),
                "400": error("a body that is not JSON (`bad_request`); SQL that does not parse or plan (`bad_sql`), is not read-only (`forbidden_statement`), fails on the data (`query_failed`) or ran past its deadline (`query_timeout`)"),
                "429": busy("too many queries at once in this workspace or on the server (`busy`); retry after `Retry-After` seconds") }),
                "SQL text, expression depth, memory, a built value or the answer over its limit (`query_too_large`, README \"Limits\"), or a body over 2 MiB") } },
        "/api/v1/text/analyze": { "post": { "summary": "Analyse one text: sentiment per sentence, themes with aspect sentiment, emotions, effort, intents, language, PII — each label with the words and rules behind it",
            "security": secured(),
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["text"], "properties": { "text": { "type": "string", "maxLength": max_text } } },
                "example": { "text": "Staff were lovely but delivery was late" } } } },
            "responses": with_json_body_errors(json!({
                "200": answer("the analysis with its evidence", schemas.of::<Analysis>()),
                "400": error("a body that is not JSON (`bad_request`)"),
                "429": busy("too many analyses at once (`busy`); retry after `Retry-After` seconds") }),
                &format!("a text over {max_text} bytes, or a body over 2 MiB")) } }
    })
}

fn metrics_paths(schemas: &mut Schemas) -> Value {
    let bad = "a bad parameter (`bad_request`) or filter (`bad_filter`), named";
    json!({
        "/api/v1/metrics/overview": { "get": { "summary": "The executive overview: KPI tiles (value, n, 95% CI, change, significance, monthly sparkline), brands, channels and stores against the rest, top themes, alerts, churn and revenue at risk; `analytics_lag` says whether the analytics copy has caught up (until it has, every figure is partial); `freshness` says when it was computed and whether newer signals are still being added (a cached overview is served for up to `[dashboard] overview_max_stale_secs` while it is recomputed)",
            "security": secured(), "parameters": filter_params(),
            "responses": with_metrics_errors(json!({
                "200": json_or_csv("the overview view model; its main table is `tiles`", schemas.of::<Lagged<Overview>>()) }), bad) } },
        "/api/v1/metrics/explore": { "get": { "summary": "One KPI over time by a dimension, each segment tested against the rest (Benjamini–Hochberg), with the newest comments",
            "security": secured(), "parameters": explore_params(),
            "responses": with_metrics_errors(json!({
                "200": json_or_csv("points, segments, comments; the main table is `segments`", schemas.of::<Lagged<Explore>>()) }), bad) } },
        "/api/v1/metrics/drivers": { "get": { "summary": "Key drivers of NPS, CSAT or churn among the themes customers mention, touchpoints or ratings (Shapley R² or relative weights) with the priority quadrant",
            "security": secured(), "parameters": drivers_params(),
            "responses": with_metrics_errors(json!({
                "200": json_or_csv("the driver report, or the reason there is none; the main table is `report.drivers`", schemas.of::<Lagged<DriversView>>()) }), bad) } },
        "/api/v1/metrics/alerts": { "get": { "summary": "Significant shifts in complaints per brand and theme in a month against the months before, and NPS and CSAT shifts per segment",
            "security": secured(), "parameters": alerts_params(),
            "responses": with_metrics_errors(json!({
                "200": json_or_csv("alerts with their evidence; the main table is `alerts`", schemas.of::<Lagged<Alerts>>()) }), bad) } }
    })
}

fn value_paths(schemas: &mut Schemas) -> Value {
    json!({
        "/api/v1/value": { "get": { "summary": "Customer value: CLV (BG/NBD + Gamma-Gamma for purchases, sBG for renewals) with its distribution and holdout check, the churn model (held-out AUC, calibration, coefficients), CLV at risk by brand, acquisition channel, region, touchpoint and theme, CLV and churn by NPS group and theme, CAC vs CLV per acquisition channel",
            "security": secured(),
            "parameters": export_params(),
            "responses": with_metrics_errors(json!({
                "200": json_or_csv("the value view model; `refusals` says which model could not be fitted and why; the main table is `acquisition`", schemas.of::<Lagged<ValueView>>()) }),
                "a bad parameter (`bad_request`)") } },
        "/api/v1/profiles/{id}/value": { "get": { "summary": "One customer's CLV, probability of still buying, churn probability and its top reasons",
            "security": secured(), "parameters": [id_param()],
            "responses": with_key_errors(json!({
                "200": answer("the profile's value", schemas.of::<ProfileValue>()),
                "400": error("an id that is not a 64-bit integer (`bad_request`); a figure's query stopped at its deadline (`query_timeout`)"),
                "404": error("no such profile, or no signals of it in the analytics copy yet (`not_found`)"),
                "413": error("the analytics engine's memory for running queries is used up (`query_too_large`)") })) } },
        "/api/v1/acquisition-spend": {
            "get": { "summary": "The workspace's acquisition spend, by month, channel, campaign and currency", "security": secured(),
                "responses": with_key_errors(json!({ "200": answer("spend rows", schemas.of::<Vec<AcquisitionSpend>>()) })) },
            "post": { "summary": "Add or replace acquisition spend rows (same channel, campaign, month and currency replaces); bad rows are listed with their index and reasons, good rows are kept",
                "security": secured(),
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "array", "maxItems": MAX_SPEND_ROWS, "items": { "type": "object",
                    "required": ["channel", "month", "amount", "currency"],
                    "properties": { "channel": { "type": "string" }, "campaign": { "type": "string" },
                        "month": { "type": "string", "description": "YYYY-MM" },
                        "amount": { "type": "number", "minimum": 0 }, "currency": { "type": "string", "description": "ISO 4217" } } } },
                    "example": [{ "channel": "social", "campaign": "spring", "month": "2026-01", "amount": 1200.5, "currency": "EUR" }] } } },
                "responses": with_json_body_errors(json!({
                    "200": answer("rows written, and each rejected row with its reasons", schemas.of::<SpendOutcome>()),
                    "400": error("a body that is not JSON (`bad_request`)") }),
                    &format!("more than {MAX_SPEND_ROWS} rows, or a body over 2 MiB")) } }
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

fn query_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": "string" }, "description": description })
}

/// The filters every metrics route takes; empty means unset.
fn filter_params() -> Vec<Value> {
    let mut params: Vec<Value> = throughline_dashboard::DIMENSIONS
        .iter()
        .map(|d| query_param(d.as_str(), "only signals with this value"))
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
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
}

fn identities_schema() -> Value {
    json!({ "type": "object", "additionalProperties": false, "properties": {
        "email": { "type": "string" }, "phone": { "type": "string", "description": "E.164, e.g. +442079460958" },
        "handle": { "type": "string", "description": "@name, or network:name" },
        "network": { "type": "string" }, "account_id": { "type": "string" } } })
}

fn signal_schema() -> Value {
    let kinds: Vec<&str> = SignalKind::ALL.iter().map(|k| k.as_str()).collect();
    let stakeholders: Vec<&str> = StakeholderType::ALL.iter().map(|k| k.as_str()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(fields) => {
                if let Some(Value::String(r)) = fields.get("$ref") {
                    out.push(r);
                }
                fields.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_names_a_schema_of_the_document() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 100, "{}", found.len());
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{r} names no schema"
            );
        }
    }

    /// Every operation documents a JSON answer with a schema for every status, and an
    /// operation behind a key lists 401 and 500 as `Error`s.
    #[test]
    fn every_answer_has_a_schema_and_keyed_operations_list_401() {
        let doc = document();
        let error = json!({ "$ref": "#/components/schemas/Error" });
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                for (status, answer) in responses {
                    let content = answer["content"].as_object();
                    let schemas = content.map(|c| c.values().all(|m| m.get("schema").is_some()));
                    assert_eq!(schemas, Some(true), "{method} {path} {status}");
                    if status.starts_with('4') || status == "500" {
                        let json = &answer["content"]["application/json"]["schema"];
                        let any = json["anyOf"].as_array();
                        assert!(
                            *json == error || any.is_some_and(|a| a.contains(&error)),
                            "{method} {path} {status}: not an Error"
                        );
                    }
                }
                if op.get("security").is_some() {
                    for status in ["401", "500"] {
                        assert!(responses.contains_key(status), "{method} {path} {status}");
                    }
                }
            }
        }
    }
}
