//! Every dashboard page in real headless Chromium: the `throughline` binary serves the demo
//! company (2 000 customers), and each page — overview (desktop and phone width), explore by
//! channel, explore of delivery comments, the explanation of one of those comments, drivers,
//! the alerts of the planted delivery spike, one profile and the value page (with the planted
//! social-ads-below-break-even truth) — must render with no console errors, with every stylesheet and image it
//! references answering 200, and with the demo's planted truths on screen (the outlier channel
//! `phone`, the low-eNPS store, the Kestrel delivery spike). Screenshots are kept under
//! `CARGO_TARGET_TMPDIR/screenshots/` for a human to look at.
//!
//! A negative control serves a deliberately broken page from a tiny local responder and
//! requires the same checks to catch it, so the "no console errors" check is known to work
//! with the installed Chromium.
//!
//! Chromium is Debian's `chromium` (`.ci/run` installs it). Without it the tests skip, except
//! in CI (`CI=true`), where a missing browser fails the run.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_throughline");
/// Enough customers for the planted truths to be significant, few enough to load in seconds.
const CUSTOMERS: &str = "2000";
/// A debug build generating and indexing the demo on a busy machine; normally ~5 s.
const SERVE_TIMEOUT: Duration = Duration::from_secs(180);
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(120);
/// One page load; a hung browser must fail the test, not hang the suite.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The flags of every run: no first-run UI, no network traffic of the browser's own (updates,
/// sync, QUIC probes) that could slow a run down or log errors of its own, no sandbox (CI runs
/// as root in a container).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    // Console messages and uncaught exceptions go to stderr as `INFO:CONSOLE…` lines.
    "--enable-logging=stderr",
    "--v=0",
];

const DESKTOP: (u32, u32) = (1280, 2400);
const PHONE: (u32, u32) = (390, 1600);

#[test]
fn every_dashboard_page_renders_in_headless_chromium_with_the_demo_truths_on_screen() {
    let Some(chromium) = chromium() else { return };
    let started = Instant::now();
    let server = Server::start_demo();
    server.wait_for_analytics();
    check_overview_warmed(&server);
    eprintln!(
        "browser: demo served and indexed at {} after {:.1?}",
        server.base,
        started.elapsed()
    );

    let shots = screenshot_dir();
    let mut fetched = BTreeSet::new();
    let mut visit = |name: &str, path: &str, window: (u32, u32)| -> String {
        let url = format!("{}{path}", server.base);
        // Chromium's --dump-dom does not say what status the page had: ask first.
        let page = http(&server.addr, "GET", path, None)
            .unwrap_or_else(|e| panic!("GET {url} failed: {e}"));
        assert_eq!(
            page.status, 200,
            "GET {url}: expected 200, got {}:\n{}",
            page.status, page.body
        );
        let shot = shots.join(format!("{name}.png"));
        let rendered = render(&chromium, &url, window, Some(&shot));
        assert!(
            rendered.console.is_empty(),
            "{url} logged to the browser console (expected nothing):\n{}",
            rendered.console.join("\n")
        );
        let missing = broken_subresources(&server.addr, &rendered.dom, &mut fetched);
        assert!(
            missing.is_empty(),
            "{url} references resources that do not load:\n{}",
            missing.join("\n")
        );
        check_screenshot(&shot, window);
        check_common(&url, &rendered.dom);
        eprintln!("browser: {name}: {url} → {}", shot.display());
        rendered.dom
    };

    let overview = visit("overview", "/w/demo/", DESKTOP);
    check_overview(&overview);
    // The phone layout: same page, narrow window; the content must still be there.
    let phone = visit("overview-phone", "/w/demo/", PHONE);
    check_overview(&phone);

    let by_channel = visit(
        "explore-by-channel",
        "/w/demo/explore?by=channel&months=24",
        DESKTOP,
    );
    check_explore_by_channel(&by_channel);

    // A customer property (set once, on the account) as the segment.
    let by_tier = visit(
        "explore-by-tier",
        "/w/demo/explore?by=properties.tier&months=24",
        DESKTOP,
    );
    assert!(
        by_tier.contains("<option value=\"properties.tier\" selected")
            && by_tier.contains("gold")
            && by_tier.contains("standard"),
        "explore by properties.tier: expected the property chosen in the menu and the gold and standard segments"
    );

    let delivery = visit(
        "explore-delivery-sentiment",
        "/w/demo/explore?kpi=sentiment&theme=delivery",
        DESKTOP,
    );
    check_explore_delivery(&delivery);

    // The analyser's reasons for one of those comments: it must find the delivery theme the
    // explore page tagged it with.
    // The link names the signal, never its text (a comment in a URL ends up in logs).
    let explain_link = first_link(&delivery, "/w/demo/explain?signal=").unwrap_or_else(|| {
        panic!("explore: expected an \"explain\" link on each comment (/w/demo/explain?signal=…)")
    });
    let explain = visit("explain", &explain_link, DESKTOP);
    check_explain(&explain);

    let drivers = visit("drivers", "/w/demo/drivers?months=24", DESKTOP);
    check_drivers(&drivers);
    // Churn against touchpoints of bad experiences: support (the repeat contacts) leads, and
    // its row links to a page that exists.
    let churn = visit(
        "drivers-churn-touchpoints",
        "/w/demo/drivers?months=12&outcome=churn&drivers=touchpoints",
        DESKTOP,
    );
    let first_row = between(&churn, "<tbody>", "</tr>").unwrap_or_default();
    assert!(
        churn.contains("Bad experience at touchpoint") && first_row.contains("support contact"),
        "drivers of churn by touchpoint: expected support contact first, got {first_row:?}"
    );
    // It raises churn, so it is "fix first", drawn left of the split: the x axis is
    // oriented so that right is better (less churn).
    assert!(
        first_row.contains("fix first") && churn.contains("churn rate lower where present"),
        "drivers of churn: expected support contact as fix first on a less-churn axis"
    );
    // Chromium writes `&` in attributes as `&amp;`; `first_link` turns it back.
    let link = first_link(&churn, "/w/demo/explore?kpi=sentiment&amp;by=touchpoint")
        .unwrap_or_else(|| {
            panic!("drivers of churn: expected each row to link to Explore by touchpoint")
        })
        .replace("&amp;", "&");
    visit("explore-from-churn-driver", &link, DESKTOP);
    let ratings = visit(
        "drivers-csat-ratings",
        "/w/demo/drivers?months=24&outcome=csat&drivers=ratings",
        DESKTOP,
    );
    assert!(
        ratings.contains("Rating answered with it") && ratings.contains("delivery speed"),
        "drivers of CSAT by rating: expected the delivery-speed rating"
    );
    // A rating's effect is per point of the rating (its coefficient), not a present/absent
    // gap it does not have: the matrix's x axis says so.
    assert!(
        ratings.contains("CSAT (1–5) higher per rating point"),
        "drivers of CSAT by rating: expected the x axis per rating point"
    );

    // The default month is the newest; the picker marks the spike's month with its
    // findings, one click away.
    let newest = visit("alerts", "/w/demo/alerts", DESKTOP);
    let picker = between(&newest, "<nav class=\"months\"", "</nav>").unwrap_or_default();
    let spike = element_with(picker, "<a", "</a>", "2026-09")
        .unwrap_or_else(|| panic!("alerts: expected 2026-09 in the month picker:\n{picker}"));
    assert!(
        spike.contains("class=\"found\"") && spike.contains("alert"),
        "alerts: expected the picker to mark 2026-09 as having alerts, got {spike}"
    );
    let alerts = visit("alerts-2026-09", "/w/demo/alerts?month=2026-09", DESKTOP);
    check_alerts(&alerts);

    // A real person from the comments: the explore page links each comment to its author.
    let profile_id = first_profile_link(&by_channel).unwrap_or_else(|| {
        panic!("the explore page has no comment linking to /w/demo/profiles/N; expected one per comment")
    });
    let profile = visit(
        "profile",
        &format!("/w/demo/profiles/{profile_id}"),
        DESKTOP,
    );
    check_profile(&profile, profile_id);

    let value = visit("value", "/w/demo/value", DESKTOP);
    check_value(&value);
    let value_phone = visit("value-phone", "/w/demo/value", PHONE);
    check_value(&value_phone);

    eprintln!(
        "browser: every page checked in {:.1?}; screenshots in {}",
        started.elapsed(),
        shots.display()
    );
}

/// The negative control: a page that logs an error, throws, and links a stylesheet that
/// 404s must fail both checks the dashboard pages have to pass.
#[test]
fn the_console_and_resource_checks_catch_a_broken_page() {
    let Some(chromium) = chromium() else { return };
    let addr = serve_broken_pages();
    let url = format!("http://{addr}/broken");

    let rendered = render(&chromium, &url, (800, 600), None);
    let console = rendered.console.join("\n");
    assert!(
        console.contains("deliberate console error"),
        "expected Chromium to report console.error(\"deliberate console error\") on stderr; \
         the lines it matched:\n{console}\nall of its stderr:\n{}",
        rendered.stderr
    );
    assert!(
        console.contains("Uncaught") && console.contains("notDefinedAnywhere"),
        "expected Chromium to report the uncaught ReferenceError; the lines it matched:\n\
         {console}\nall of its stderr:\n{}",
        rendered.stderr
    );
    // The page itself rendered: the checks found errors in a page that loaded.
    assert!(
        rendered.dom.contains("a page with errors"),
        "expected the broken page's DOM, got:\n{}",
        rendered.dom
    );

    // Headless Chromium does not log failed loads to stderr, hence the HTTP check.
    let missing = broken_subresources(&addr, &rendered.dom, &mut BTreeSet::new());
    assert!(
        missing.iter().any(|m| m.contains("/missing.css")),
        "expected the 404 stylesheet /missing.css to be reported, got: {missing:?}"
    );
    assert!(
        missing.iter().any(|m| m.contains("/wrong-type.css")),
        "expected the stylesheet served as text/plain to be reported, got: {missing:?}"
    );
}

// ----------------------------------------------------------------------------- pages

/// What every page has: its title, and no template or number-formatting leaks.
fn check_common(url: &str, dom: &str) {
    let title = between(dom, "<title>", "</title>")
        .unwrap_or_else(|| panic!("{url}: expected a <title>, the DOM has none"));
    assert!(
        title.ends_with("· demo · Throughline"),
        "{url}: expected the title to end in \"· demo · Throughline\", got {title:?}"
    );
    let text = visible_text(dom);
    for leak in ["{{", "{%", "NaN", "undefined"] {
        assert!(
            !text.split_whitespace().any(|w| w.contains(leak)),
            "{url}: the page shows {leak:?}, a template or formatting leak:\n{}",
            context(&text, leak)
        );
    }
}

/// The demo computes its overview once the copy has caught up: the first request
/// is then answered from the cache, with figures computed before it was made.
fn check_overview_warmed(server: &Server) {
    server.wait_for_output("overview computed ahead of the first view");
    let asked = chrono::Utc::now();
    let r = http(
        &server.addr,
        "GET",
        "/api/v1/metrics/overview",
        Some(&server.key),
    )
    .unwrap_or_else(|e| panic!("GET /api/v1/metrics/overview failed: {e}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let overview: Value = serde_json::from_str(&r.body).expect("the overview is JSON");
    let computed = overview["freshness"]["computed_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_else(|| {
            panic!(
                "expected freshness.computed_at, got {}",
                overview["freshness"]
            )
        });
    assert!(
        computed < asked,
        "the first overview should come from the warm cache: computed {computed}, asked {asked}"
    );
}

fn check_overview(dom: &str) {
    // The planted unnamed topic (loyalty points expiring) shows among the emerging themes,
    // with a comment about it.
    let emerging = between(dom, "id=\"emerging-h\"", "</section>").unwrap_or_default();
    assert!(
        emerging.contains("data-emerging=") && emerging.contains("points"),
        "overview: expected the emerging theme about loyalty points, got:\n{}",
        visible_text(emerging)
    );
    assert!(
        dom.contains("data-figure=\"ex-cx\">Stores whose employees rate them higher have more satisfied customers"),
        "overview: expected the EX-CX correlation to find the planted store link"
    );
    // The headline tells the demo's story: the spike's alert and where the money is.
    let headline = between(dom, "<div class=\"headline\"", "</div>").unwrap_or_default();
    assert!(
        headline.contains("Kestrel") && headline.contains("Revenue at risk"),
        "overview: expected a headline naming the Kestrel alert and revenue at risk, got {headline:?}"
    );
    // Computed ahead of the first view (the demo warms it) or on it; either way it says when.
    assert!(
        dom.contains("class=\"computed\"") && dom.contains(">computed at "),
        "overview: expected when the figures were computed"
    );
    assert!(
        dom.contains("Top movers"),
        "overview: expected the top movers"
    );
    // Custom ratings: the demo's delivery-speed rating, with its scale.
    let rating = element_with(dom, "<tr", "</tr>", "data-rating=\"delivery speed\"")
        .unwrap_or_else(|| panic!("overview: expected the custom rating \"delivery speed\""));
    assert!(
        rating.contains("1–5") && rating.contains("n = "),
        "overview: {rating}"
    );
    // Every KPI tile, each with its n and 95% CI.
    for kpi in [
        "nps",
        "csat",
        "ces",
        "enps",
        "sentiment",
        "first_response",
        "resolution",
        "resolution_p90",
        "response_rate",
        "sla",
        "fcr",
        "churn",
    ] {
        let tile = element_with(
            dom,
            "<article",
            "</article>",
            &format!("data-kpi=\"{kpi}\""),
        )
        .unwrap_or_else(|| panic!("overview: expected a tile data-kpi=\"{kpi}\""));
        assert!(
            tile.contains("95% CI") && tile.contains("n = "),
            "overview: tile {kpi} should show its 95% CI and n, got:\n{tile}"
        );
    }
    let nps = element_with(dom, "<article", "</article>", "data-kpi=\"nps\"").unwrap_or_default();
    assert!(
        nps.contains(">NPS</a></h3>") && nps.contains("<svg"),
        "overview: the NPS tile should be labelled NPS and carry a sparkline, got:\n{nps}"
    );

    let brands = section(dom, "id=\"brands-h\"", "id=\"channels-h\"", "overview");
    assert!(brands.contains("<svg"), "overview: expected a brands chart");
    for brand in ["Northwind", "Lumen", "Kestrel"] {
        row(brands, brand)
            .unwrap_or_else(|| panic!("overview: expected a brands row for {brand}:\n{brands}"));
    }

    // The planted outlier channel: significantly lower NPS than the rest, marked bad.
    let channels = section(dom, "id=\"channels-h\"", "id=\"themes-h\"", "overview");
    assert!(
        channels.contains("<svg"),
        "overview: expected a channels chart"
    );
    let phone = row(channels, "phone")
        .unwrap_or_else(|| panic!("overview: expected a channels row for phone:\n{channels}"));
    assert!(
        phone.starts_with("<tr class=\"bad\"") && phone.contains("differs from the rest"),
        "overview: the phone channel should be marked bad and \"differs from the rest\", got:\n{phone}"
    );

    let themes = section(dom, "id=\"themes-h\"", "id=\"alerts-h\"", "overview");
    row(themes, "Delivery")
        .unwrap_or_else(|| panic!("overview: expected Delivery among the top themes:\n{themes}"));

    // The planted low-eNPS store heads the stores table, which is sorted by eNPS ascending.
    let stores = section(dom, "id=\"stores-h\"", "</section>", "overview");
    let first = rows(stores).into_iter().nth(1).unwrap_or_else(|| {
        panic!("overview: expected a header and at least one store row:\n{stores}")
    });
    assert!(
        first.contains(">Northwind Leeds</th>"),
        "overview: expected Northwind Leeds (planted lowest eNPS) as the first store, got:\n{first}"
    );
}

fn check_explore_by_channel(dom: &str) {
    assert!(
        dom.contains("<h1>Explore: NPS</h1>"),
        "explore: expected the NPS heading"
    );
    assert!(
        dom.contains("Segments against the rest"),
        "explore: expected the segments section"
    );
    assert!(
        dom.matches("<svg").count() >= 2,
        "explore: expected a trend chart and a segments chart"
    );
    for channel in ["web", "app", "email", "phone"] {
        row(dom, channel)
            .unwrap_or_else(|| panic!("explore: expected a segment row for {channel}"));
    }
    let phone = row(dom, "phone").unwrap_or_default();
    assert!(
        phone.starts_with("<tr class=\"bad\"") && phone.contains("differs from the rest"),
        "explore: over 24 months phone should differ from the rest, got:\n{phone}"
    );
    let comments = comments(dom, "explore");
    assert!(
        comments.len() >= 10,
        "explore: expected the comments underneath, got {}",
        comments.len()
    );
}

fn check_explore_delivery(dom: &str) {
    assert!(
        dom.contains("<h1>Explore: Sentiment"),
        "explore: expected the sentiment heading"
    );
    assert!(dom.contains("<svg"), "explore: expected a trend chart");
    let comments = comments(dom, "explore?theme=delivery");
    assert!(
        !comments.is_empty(),
        "explore?theme=delivery: expected delivery comments"
    );
    // The theme filter holds: every comment shown carries the delivery theme.
    for c in &comments {
        // The chip shows the theme's label and links to it by id.
        assert!(
            c.contains("class=\"chip\" href=\"/w/demo/explore?theme=delivery&amp;")
                && c.contains(">Delivery</a>"),
            "explore?theme=delivery: a comment without the delivery theme:\n{c}"
        );
    }
}

fn check_explain(dom: &str) {
    assert!(
        dom.contains("<h1>Explain a text</h1>"),
        "explain: expected the heading"
    );
    let textarea = between(dom, "<textarea", "</textarea>").unwrap_or_default();
    assert!(
        textarea.len() > textarea.find('>').unwrap_or(0) + 1,
        "explain: expected the comment's text in the text box, got {textarea:?}"
    );
    let found = section(dom, "What the analyser found, and why", "</pre>", "explain");
    assert!(
        found.contains("Delivery"),
        "explain: expected the Delivery theme among the reasons, got:\n{found}"
    );
}

fn check_drivers(dom: &str) {
    assert!(
        dom.contains("share of R²"),
        "drivers: expected the importance column \"share of R²\""
    );
    assert!(
        dom.contains("<svg"),
        "drivers: expected the priority matrix"
    );
    assert!(
        !dom.contains("No analysis:"),
        "drivers: the analysis was refused:\n{}",
        context(&visible_text(dom), "No analysis")
    );
    let table = between(dom, "<tbody>", "</tbody>").unwrap_or_default();
    assert!(
        rows(table).len() >= 3,
        "drivers: expected a row per theme, got:\n{table}"
    );
    // A model that explains under 10 % says so, and flags nothing red.
    let r_squared: f64 = between(dom, "R² = ", " ")
        .and_then(|r| r.trim_end_matches(':').parse().ok())
        .unwrap_or_else(|| panic!("drivers: expected the model's R² in the summary"));
    let caveat = dom.contains("too little to rank drivers");
    assert_eq!(
        caveat,
        r_squared < 0.10,
        "drivers: R² = {r_squared}, caveat shown: {caveat}"
    );
    assert!(
        !caveat || !table.contains("class=\"bad\""),
        "drivers: a weak model flags a driver red"
    );
}

fn check_alerts(dom: &str) {
    assert!(
        dom.contains("<h1>Alerts for 2026-09</h1>"),
        "alerts: expected the month heading"
    );
    let alert = element_with(dom, "<article class=\"alert\"", "</article>", "Kestrel")
        .unwrap_or_else(|| {
            panic!(
                "alerts 2026-09: expected an alert for Kestrel (the planted delivery spike):\n{}",
                visible_text(dom)
            )
        });
    let headline = between(alert, "<h3>", "</h3>").unwrap_or_default();
    assert!(
        headline.contains("Kestrel") && headline.contains("Delivery"),
        "alerts 2026-09: expected a headline about Kestrel and Delivery, got {headline:?}"
    );
    assert!(
        alert.contains("<svg"),
        "alerts 2026-09: expected the alert's chart"
    );
    assert!(
        dom.contains("NPS and CSAT shifts by segment") && dom.contains("pairs had at least"),
        "alerts 2026-09: expected the KPI-shift scan with its summary"
    );
}

fn check_profile(dom: &str, id: u64) {
    // Named (the demo sets `properties.name` at sign-up), with the profile id beside it.
    let heading = between(dom, "<h1>", "</h1>").unwrap_or_default();
    assert!(
        heading.contains(&format!("profile {id}")) && !heading.starts_with("Profile"),
        "profile: expected the person's name and profile {id}, got {heading:?}"
    );
    assert!(
        dom.contains("Timeline across channels"),
        "profile: expected the timeline"
    );
    // Grouped: the person's comment under feedback with its sentiment and themes; page
    // views summarised, not listed.
    let feedback = between(dom, "data-group=\"feedback\"", "</section>").unwrap_or_default();
    assert!(
        feedback.contains("<li>")
            && feedback.contains("class=\"badge ")
            && feedback.contains("class=\"chip\""),
        "profile {id}: expected feedback with a scored, themed comment, got:\n{}",
        visible_text(feedback)
    );
    assert!(
        !dom.contains("data-group=\"activity\"") && dom.contains("data-activity"),
        "profile {id}: expected activity summarised, not listed"
    );
    let value = between(dom, "data-figure=\"profile-value\">", "</dl>").unwrap_or_default();
    assert!(
        value.contains("Lifetime value"),
        "profile {id}: expected the value box with a lifetime value, got {value:?}"
    );
}

/// The value page: lifetime value, CLV at risk with its headline figure, the planted
/// acquisition truth (social ads below break-even), and both model checks.
fn check_value(dom: &str) {
    for heading in [
        "Lifetime value",
        "CLV at risk",
        "The value of experience",
        "Acquisition cost against lifetime value",
        "Does the purchase model forecast?",
        "Membership retention",
        "Churn model",
    ] {
        assert!(
            dom.contains(heading),
            "value: expected the section {heading:?}"
        );
    }
    let at_risk = between(dom, "data-figure=\"at-risk\">", "</p>").unwrap_or_default();
    assert!(
        at_risk.contains("at high churn risk") && at_risk.contains("GBP"),
        "value: expected the CLV-at-risk headline with an amount in GBP, got {at_risk:?}"
    );
    for chart in [
        "clv-distribution",
        "risk-by-theme",
        "clv-to-cac",
        "calibration",
        "membership-retention",
    ] {
        assert!(
            dom.contains(&format!("id=\"{chart}")),
            "value: expected the {chart} chart (an <svg> with that id)"
        );
    }
    let cost = between(dom, "data-figure=\"detractor-cost\">", "</p>").unwrap_or_default();
    assert!(
        cost.contains("less than a promoter"),
        "value: expected what a detractor costs, got {cost:?}"
    );
    // g) social ads do not pay back: its CLV ÷ CAC row is below 1×.
    let social = dom
        .split("<tr>")
        .find(|row| row.contains("<th scope=\"row\">social</th>"))
        .unwrap_or_else(|| panic!("value: expected an acquisition row for social"));
    let ratio = social
        .split("<td>")
        .filter_map(|cell| cell.split('×').next()?.trim().parse::<f64>().ok())
        .next()
        .unwrap_or_else(|| panic!("value: expected a CLV ÷ CAC ratio in the social row: {social}"));
    assert!(
        ratio < 1.0,
        "value: social should be below break-even, got {ratio}×"
    );
}

/// The `<li>` items of the comments list.
fn comments<'a>(dom: &'a str, page: &str) -> Vec<&'a str> {
    let list = between(dom, "<ol class=\"comments\">", "</ol>")
        .unwrap_or_else(|| panic!("{page}: expected the comments list <ol class=\"comments\">"));
    list.split("<li>").skip(1).collect()
}

/// The first `href` that starts with `prefix`, as a path to request.
fn first_link(dom: &str, prefix: &str) -> Option<String> {
    let href = between(dom, &format!("href=\"{prefix}"), "\"")?;
    Some(format!("{prefix}{}", href.replace("&amp;", "&")))
}

fn first_profile_link(dom: &str) -> Option<u64> {
    let start = dom.find("/w/demo/profiles/")? + "/w/demo/profiles/".len();
    let digits: String = dom[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

// ----------------------------------------------------------------------------- DOM text

/// The text between the first `start` and the next `end`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let to = s[from..].find(end)? + from;
    Some(&s[from..to])
}

/// The part of the page from `start` to the next `end`, or a panic naming both.
fn section<'a>(dom: &'a str, start: &str, end: &str, page: &str) -> &'a str {
    let from = dom
        .find(start)
        .unwrap_or_else(|| panic!("{page}: expected {start} in the page"));
    let to = dom[from..].find(end).map_or(dom.len(), |i| from + i);
    &dom[from..to]
}

/// The first element opened by `open` and closed by `close` whose text contains `needle`.
fn element_with<'a>(s: &'a str, open: &str, close: &str, needle: &str) -> Option<&'a str> {
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let el = &rest[i..];
        let end = el.find(close).map_or(el.len(), |j| j + close.len());
        if el[..end].contains(needle) {
            return Some(&el[..end]);
        }
        rest = &el[end..];
    }
    None
}

fn rows(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("<tr") {
        let tr = &rest[i..];
        let end = tr.find("</tr>").map_or(tr.len(), |j| j + "</tr>".len());
        out.push(&tr[..end]);
        rest = &tr[end..];
    }
    out
}

/// The table row whose header cell reads `name` (plain or as a link).
fn row<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    rows(s).into_iter().find(|r| {
        between(r, "<th scope=\"row\">", "</th>").is_some_and(|th| visible_text(th) == name)
    })
}

/// The page's text without tags, entities decoded where the checks need them.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Up to 120 characters around the first `needle`, for a failure message.
fn context(text: &str, needle: &str) -> String {
    let Some(i) = text.find(needle) else {
        return String::new();
    };
    let start = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
    text[start..].chars().take(120 + needle.len()).collect()
}

// ----------------------------------------------------------------------------- Chromium

/// Chromium on PATH; `None` (the test skips) when it is missing outside CI.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromium is required in CI (CI=true): install Debian's chromium package (.ci/run does)");
        }
        eprintln!("SKIPPED: chromium is not on PATH; install Debian's `chromium` to run the browser tests");
    }
    found
}

struct Rendered {
    dom: String,
    /// Chromium's stderr lines that report a console message, an uncaught exception or a
    /// failed load.
    console: Vec<String>,
    stderr: String,
}

/// Loads `url` in a fresh headless Chromium and returns its DOM after the load event, and,
/// if asked, a screenshot of the window.
fn render(chromium: &Path, url: &str, window: (u32, u32), screenshot: Option<&Path>) -> Rendered {
    // A fresh profile per run: no cache or state carried from one page to the next.
    let profile = tempfile::tempdir().expect("a temp dir for the Chromium profile");
    let mut cmd = Command::new(chromium);
    cmd.args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={},{}", window.0, window.1));
    if let Some(shot) = screenshot {
        // A stale file from an earlier run must not pass for this run's screenshot.
        let _ = std::fs::remove_file(shot);
        cmd.arg(format!("--screenshot={}", shot.display()));
    }
    cmd.arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a timeout kills the renderer and GPU processes too.
        .process_group(0);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let status = wait_or_kill_group(&mut child, CHROMIUM_TIMEOUT);
    let dom = join_text(stdout);
    let stderr = join_text(stderr);
    let Some(status) = status else {
        panic!(
            "chromium did not finish loading {url} within {CHROMIUM_TIMEOUT:?} (killed); its stderr:\n{stderr}"
        );
    };
    assert!(
        status.success(),
        "chromium exited with {status} loading {url}; its stderr:\n{stderr}"
    );
    // Chromium 156 headless logs console messages (any level) and uncaught exceptions as
    // `INFO:CONSOLE:…` lines; it does not log failed loads, which `broken_subresources`
    // checks instead. The dashboard has no scripts, so any console line is a problem.
    let console = stderr
        .lines()
        .filter(|l| {
            l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Failed to load resource")
        })
        .map(str::to_string)
        .collect();
    Rendered {
        dom,
        console,
        stderr,
    }
}

/// Waits for `child` up to `timeout`; past it, kills the child's whole process group and
/// returns `None`.
fn wait_or_kill_group(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => {
                // The group id is the child's pid (process_group(0)); `kill` from procps
                // takes a negative id for a group.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("cannot wait for chromium: {e}"),
        }
    }
}

fn read_all(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join_text(reader: JoinHandle<String>) -> String {
    reader
        .join()
        .unwrap_or_else(|_| "<the pipe reader panicked>".into())
}

/// Every stylesheet, script and image the DOM references must load (200, with a type the
/// browser accepts); Chromium's stderr does not report failed loads, so ask over HTTP.
/// Off-site references are problems too: the dashboard must work without the internet.
fn broken_subresources(addr: &SocketAddr, dom: &str, seen: &mut BTreeSet<String>) -> Vec<String> {
    let mut refs: Vec<(String, &str)> = Vec::new();
    let mut rest = dom;
    while let Some(i) = rest.find("<link") {
        let tag = &rest[i..rest[i..].find('>').map_or(rest.len(), |j| i + j)];
        if let Some(href) = between(tag, "href=\"", "\"") {
            let kind = if tag.contains("rel=\"stylesheet\"") {
                "text/css"
            } else {
                ""
            };
            refs.push((href.replace("&amp;", "&"), kind));
        }
        rest = &rest[i + "<link".len()..];
    }
    let mut rest = dom;
    while let Some(i) = rest.find(" src=\"") {
        let from = i + " src=\"".len();
        let to = rest[from..].find('"').map_or(rest.len(), |j| from + j);
        refs.push((rest[from..to].replace("&amp;", "&"), ""));
        rest = &rest[to..];
    }
    let mut problems = Vec::new();
    for (url, content_type) in refs {
        if url.starts_with("data:") || !seen.insert(url.clone()) {
            continue;
        }
        if !url.starts_with('/') || url.starts_with("//") {
            problems.push(format!("{url}: not served by this server"));
            continue;
        }
        match http(addr, "GET", &url, None) {
            Ok(r) if r.status != 200 => problems.push(format!("{url}: status {}", r.status)),
            Ok(r) if !r.content_type.starts_with(content_type) => problems.push(format!(
                "{url}: served as {:?}, expected {content_type}",
                r.content_type
            )),
            Ok(_) => {}
            Err(e) => problems.push(format!("{url}: {e}")),
        }
    }
    problems
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// A real PNG of the window's size with something on it (a blank page compresses to ~4 KB).
fn check_screenshot(path: &Path, window: (u32, u32)) {
    let bytes = std::fs::read(path)
        .unwrap_or_else(|e| panic!("expected a screenshot at {}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 24,
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 10_000,
        "{} is only {} bytes: expected a rendered page (> 10 KB), not a blank one",
        path.display(),
        bytes.len()
    );
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert_eq!(
        (be(16), be(20)),
        window,
        "{}: expected a screenshot of the whole window",
        path.display()
    );
}

// ----------------------------------------------------------------------------- the server

/// `throughline demo` as a child process; killed when dropped, also when a check panics.
struct Server {
    child: Child,
    addr: SocketAddr,
    base: String,
    key: String,
    /// Its stdout and stderr lines, for failure messages.
    output: Arc<Mutex<Vec<String>>>,
    _data: tempfile::TempDir,
}

impl Server {
    fn start_demo() -> Server {
        let data = tempfile::tempdir().expect("a temp dir for the demo's data");
        let addr = free_addr();
        let mut cmd = Command::new(BIN);
        // The developer's THROUGHLINE_* settings (a config file, a PostgreSQL URL, a listen
        // address) must not leak into the test.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("THROUGHLINE_") {
                cmd.env_remove(name);
            }
        }
        // Warnings, and the line saying the overview was computed ahead of the first view.
        cmd.env(
            "THROUGHLINE_LOG",
            "warn,throughline_cli::commands::serve=info",
        )
        .arg("--data-dir")
        .arg(data.path())
        .args(["demo", "--customers", CUSTOMERS, "--listen"])
        .arg(addr.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let output = Arc::new(Mutex::new(Vec::new()));
        collect_lines(child.stdout.take(), output.clone());
        collect_lines(child.stderr.take(), output.clone());
        let mut server = Server {
            child,
            addr,
            base: format!("http://{addr}"),
            key: String::new(),
            output,
            _data: data,
        };
        server.wait_until_serving();
        server
    }

    fn output(&self) -> String {
        self.output
            .lock()
            .map(|lines| lines.join("\n"))
            .unwrap_or_default()
    }

    /// Polls `GET /healthz` until 200, then reads the API key demo printed on stderr.
    fn wait_until_serving(&mut self) {
        let deadline = Instant::now() + SERVE_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "throughline demo exited ({status}) before serving; its output:\n{}",
                    self.output()
                );
            }
            if http(&self.addr, "GET", "/healthz", None).is_ok_and(|r| r.status == 200) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "throughline demo did not answer GET {}/healthz with 200 within {SERVE_TIMEOUT:?}; its output:\n{}",
                self.base,
                self.output()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        // Both lines are printed before the listener answers; the reader threads may lag.
        let listening = format!("listening on {}", self.base);
        loop {
            let lines = self.output.lock().map(|l| l.clone()).unwrap_or_default();
            let key = lines
                .iter()
                .position(|l| l.contains("API key:"))
                .and_then(|i| lines.get(i + 1))
                .map(|k| k.trim().to_string());
            if let (Some(key), true) = (key, lines.iter().any(|l| l.contains(&listening))) {
                assert!(
                    key.starts_with("tl_"),
                    "expected an API key starting tl_ after \"API key:\", got {key:?}"
                );
                self.key = key;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "expected \"{listening}\" on stdout and an API key after \"API key:\" on stderr; got:\n{}",
                lines.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The pages read the analytics copy, which follows the store in the background.
    fn wait_for_output(&self, needle: &str) {
        let deadline = Instant::now() + CATCH_UP_TIMEOUT;
        while !self.output().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "expected {needle:?} in the server's output within {CATCH_UP_TIMEOUT:?}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for_analytics(&self) {
        let deadline = Instant::now() + CATCH_UP_TIMEOUT;
        loop {
            let r = http(&self.addr, "GET", "/api/v1/status", Some(&self.key))
                .unwrap_or_else(|e| panic!("GET /api/v1/status failed: {e}"));
            assert_eq!(r.status, 200, "GET /api/v1/status: {}", r.body);
            let status: Value = serde_json::from_str(&r.body)
                .unwrap_or_else(|e| panic!("GET /api/v1/status is not JSON ({e}): {}", r.body));
            let lag = &status["analytics_lag"];
            let Some(caught_up) = lag["caught_up"].as_bool() else {
                panic!("expected analytics_lag.caught_up, got {status}");
            };
            if caught_up {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the analytics copy has not caught up after {CATCH_UP_TIMEOUT:?}: {status}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect_lines(pipe: Option<impl Read + Send + 'static>, into: Arc<Mutex<Vec<String>>>) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Ok(mut lines) = into.lock() {
                lines.push(line);
            }
        }
    });
}

/// A port nobody listens on right now (the OS picks it; the listener is dropped at once).
fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0 to find a free port: {e}"))
}

// ----------------------------------------------------------------------------- HTTP

struct Response {
    status: u16,
    content_type: String,
    body: String,
}

/// One HTTP/1.0 request: the server closes the connection after the body, which is neither
/// chunked nor kept alive, so reading to the end is the whole protocol.
fn http(
    addr: &SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
) -> Result<Response, String> {
    let mut stream = TcpStream::connect_timeout(addr, HTTP_TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    if let Some(key) = bearer {
        request.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {path}: no end of headers in {raw:?}"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: no status in {head:?}"))?;
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    if header("transfer-encoding").is_some() {
        return Err(format!(
            "{method} {path}: chunked answer to an HTTP/1.0 request"
        ));
    }
    Ok(Response {
        status,
        content_type: header("content-type").unwrap_or_default(),
        body: body.to_string(),
    })
}

/// The negative control's responder: `/broken` logs an error, throws, and links a missing
/// and a mistyped stylesheet; everything else is 404. Runs until the test process exits.
fn serve_broken_pages() -> SocketAddr {
    let listener =
        TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 for the broken-page responder");
    let addr = listener
        .local_addr()
        .expect("the broken-page responder's address");
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || answer_broken(stream));
        }
    });
    addr
}

fn answer_broken(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(HTTP_TIMEOUT));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers; the requests have no body.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, content_type, body) = match path {
        "/broken" => (
            "200 OK",
            "text/html; charset=utf-8",
            "<!doctype html><html><head><title>broken</title>\
             <link rel=\"stylesheet\" href=\"/missing.css\">\
             <link rel=\"stylesheet\" href=\"/wrong-type.css\"></head>\
             <body><p>a page with errors</p>\
             <script>console.error(\"deliberate console error\");</script>\
             <script>notDefinedAnywhere();</script></body></html>",
        ),
        "/wrong-type.css" => ("200 OK", "text/plain", "p { color: red }"),
        _ => ("404 Not Found", "text/plain", "not found"),
    };
    let _ = write!(
        stream,
        "HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
