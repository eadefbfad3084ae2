//! `/` opens the `[ui] workspace` (here `acme`) when it exists, and otherwise a
//! picker of every workspace, so a fresh install without that workspace does not
//! land on a bare 404. `/workspaces` is the picker at any time.

mod common;

use reqwest::redirect::Policy;

/// GET `path` without following redirects: (status, Location, body).
async fn fetch(app: &common::TestApp, path: &str) -> (u16, Option<String>, String) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let resp = client.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (status, location, resp.text().await.unwrap())
}

#[tokio::test]
async fn home_opens_the_default_workspace_or_a_picker_of_all() {
    let app = common::spawn_app_opening("acme").await;
    // The app's own key made `test`; add two, one with a name that needs escaping
    // in HTML and encoding in a path.
    app.key_for("globex").await;
    app.key_for("<b>r&d</b> team").await;
    let (status, location, body) = fetch(&app, "/").await;
    assert_eq!((status, location), (200, None), "{body}");
    assert!(body.contains("<code>acme</code>"), "{body}");
    assert!(body.contains("href=\"/w/globex/\""), "{body}");
    // Escaped (askama writes numeric entities), never as markup.
    let escaped = "&#60;b&#62;r&#38;d&#60;/b&#62; team";
    assert!(body.contains(escaped), "{body}");
    assert!(!body.contains("<b>r&d</b>"), "{body}");
    let link = body
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("team"))
        .expect("a link to the team workspace")
        .to_string();
    assert!(!link.contains(' ') && !link.contains('<'), "{link}");
    // Names come in order, and each link opens that workspace's overview.
    let globex = body.find("globex").unwrap();
    assert!(body.find(escaped).unwrap() < globex, "{body}");
    let (status, _, page) = fetch(&app, "/w/globex/").await;
    assert_eq!(status, 200, "{page}");
    // Every page's workspace name leads back to the picker.
    assert!(page.contains("href=\"/workspaces\""), "{page}");

    // Once the default workspace exists, `/` opens it.
    app.key_for("acme").await;
    let (status, location, _) = fetch(&app, "/").await;
    assert!((300..400).contains(&status), "{status}");
    assert_eq!(location.as_deref(), Some("/w/acme/"));
    // The picker stays at /workspaces, without the note about the default.
    let (status, _, body) = fetch(&app, "/workspaces").await;
    assert_eq!(status, 200);
    for name in ["acme", "globex", "test"] {
        assert!(body.contains(&format!("href=\"/w/{name}/\"")), "{body}");
    }
    assert!(!body.contains("<code>[ui] workspace</code>"), "{body}");
}
