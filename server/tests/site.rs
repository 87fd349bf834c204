//! The web client the server embeds (`clients/web/site`) and the route it
//! draws slot machines from: every file of the folder is served from the
//! binary with its type and a same-origin Content-Security-Policy, nothing
//! outside it is, and `GET /v1/games` gives each game's kind and a session
//! game's whole config.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{Db, TestApp, code};

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() { files(&path) } else { vec![path] }
        })
        .collect()
}

#[actix_web::test]
async fn every_file_of_the_site_is_served_from_the_binary() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let index = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["content-type"], "text/html; charset=utf-8");
    let policy = index.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("default-src 'self'") && policy.contains("script-src 'self'"), "{policy}");
    assert!(index.text().await.unwrap().contains(r#"src="/web/js/web/src/main.js""#));

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../clients/web/site");
    let all = files(&root);
    assert!(all.len() > 20, "the site has its scripts: {all:?}");
    for path in all {
        let rel = path.strip_prefix(&root).unwrap().to_str().unwrap().replace('\\', "/");
        let res = app.http.get(app.url(&format!("/web/{rel}"))).send().await.unwrap();
        let kind = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
        let want = match rel.rsplit_once('.').map(|(_, e)| e) {
            Some("js") => Some("text/javascript; charset=utf-8"),
            Some("css") => Some("text/css; charset=utf-8"),
            Some("html") => Some("text/html; charset=utf-8"),
            // Files the page never loads (a vendored licence) are not served.
            _ => None,
        };
        match want {
            Some(want) => {
                assert_eq!(res.status(), 200, "{rel}");
                assert_eq!(kind.as_deref(), Some(want), "{rel}");
                assert_eq!(res.bytes().await.unwrap(), std::fs::read(&path).unwrap(), "{rel} as on disk");
            }
            None => assert_eq!(res.status(), 404, "{rel}"),
        }
    }
    app.stop().await;
}

#[actix_web::test]
async fn nothing_outside_the_site_is_served() {
    let app = TestApp::spawn(Db::Sqlite).await;
    for path in ["/web/nope.js", "/web/../Cargo.toml", "/web/%2e%2e/Cargo.toml", "/web/", "/index.html"] {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(code(&body), "not_found", "{path}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn games_lists_each_kind_and_a_session_games_whole_config() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.sessions.insert("slots".into(), serde_json::json!({ "max_line_bet": 100 }));
    })
    .await;
    let (status, body) = app.get("/v1/games", None).await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
    let token = app.signed_in("gamer").await["access_token"].as_str().unwrap().to_owned();
    let (status, body) = app.get("/v1/games", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let games = body["games"].as_array().unwrap();
    let find = |id: &str| games.iter().find(|g| g["id"] == id).unwrap_or_else(|| panic!("{id} in {body}"));
    assert_eq!(find("roulette")["kind"], "table");
    assert!(find("roulette")["config"].is_null());
    let slots = find("slots");
    assert_eq!(slots["kind"], "session");
    let config = &slots["config"];
    // The setting, and every default it left out.
    assert_eq!(config["max_line_bet"], 100);
    assert_eq!(config["min_line_bet"], 1);
    assert_eq!(config["symbols"].as_array().unwrap().len(), 9);
    assert_eq!(config["reels"].as_array().unwrap().len(), 5);
    assert_eq!(config["lines"].as_array().unwrap().len(), 20);
    app.stop().await;
}
