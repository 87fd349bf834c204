//! The game guide's steps as a test: Lucky Seven, built from
//! docs/game-sdk.md's own code block and `register!` line
//! (`guide/lucky_seven.rs`, checked against the guide line for line), is
//! registered with a real server, its config checked, opened with the route
//! the guide names, and played over a real WebSocket with real money; the
//! simulator the guide points to measures its RTP; every shipped game is
//! wired into the workspace the way the guide's numbered steps say; and a
//! game's schemas are served for a client to draw it (none for a game that
//! lists none, as Lucky Seven does not).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[rustfmt::skip]
#[path = "guide/lucky_seven.rs"]
mod lucky_seven;

use std::path::Path;

use common::ws::Player;
use common::{Db, TestApp, code};
use croupier_sdk::sim::SimOptions;
use serde_json::json;

fn repo(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let to = from + text[from..].find(end).unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..to]
}

#[test]
fn the_template_game_is_the_guide_s_own_code() {
    let guide = repo("docs/game-sdk.md");
    let block = between(&guide, "## A complete game: Lucky Seven", "```\n\n");
    let block = between(block, "```rust\n", "// --- Testing it with the SDK's tools");
    let template = repo("server/tests/guide/lucky_seven.rs");
    let code = between(&template, "// --- the guide's code ---\n", "// --- the guide's registration ---\n");
    assert_eq!(code.trim_end(), block.trim_end(), "guide/lucky_seven.rs is not the guide's code block");
    let registration = template.split("// --- the guide's registration ---\n").nth(1).unwrap().trim();
    let as_guide = registration.replace("LuckySeven", "MyGame");
    assert!(guide.lines().any(|line| line.trim_start().starts_with(&as_guide)), "the guide has no `{as_guide}` line");
}

#[actix_web::test]
async fn the_guide_s_game_is_played_over_the_socket() {
    let games = vec![croupier_server::games::entry::<lucky_seven::LuckySeven>()];
    let app = TestApp::spawn_with_games(Db::Sqlite, |s| s.rate_limit.enabled = false, games).await;
    let staff = app.operator_token("olga").await;
    // The guide's route for opening a table; its config check refuses a
    // stake that could not pay and a misspelt key, and a partial config
    // takes the game's defaults.
    for config in [json!({ "stake": 0 }), json!({ "stake": i64::MAX }), json!({ "stak": 100 })] {
        let (status, body) = app
            .post("/v1/admin/tables", &json!({ "id": "seven", "game": "lucky_seven", "config": config }), Some(&staff))
            .await;
        assert_eq!((status, code(&body)), (400, "invalid_config"), "{config} -> {body}");
    }
    let open = json!({ "id": "seven", "game": "lucky_seven", "config": { "stake": 200 } });
    let (status, body) = app.post("/v1/admin/tables", &open, Some(&staff)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["config"], json!({ "currency": "EUR", "stake": 200 }), "{body}");

    let mut p = Player::join_server(&app, "lucy").await;
    app.fund(p.id, "EUR", 1_000).await;
    assert_eq!(p.request(json!({ "type": "join", "table": "seven" })).await["type"], "joined");
    assert_eq!(p.request(json!({ "type": "sit", "table": "seven" })).await["type"], "ok");
    let mut balance = 1_000;
    for _ in 0..5 {
        let reply = p.request(json!({ "type": "act", "table": "seven", "action": "Roll" })).await;
        assert_eq!(reply["type"], "ok", "{reply}");
        let rolled = p.wait_for(|m| m["type"] == "event" && m["event"]["dice"].is_array()).await;
        let dice: Vec<i64> = rolled["event"]["dice"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
        assert!(dice.iter().all(|d| (1..=6).contains(d)), "{rolled}");
        let payout = rolled["event"]["payout"].as_i64().unwrap();
        assert_eq!(payout, if dice[0] + dice[1] == 7 { 1_000 } else { 0 }, "{rolled}");
        balance += payout - 200;
        // The roll is settled before its event goes out.
        assert_eq!(app.available(p.id, "EUR").await, balance);
    }
    let bad = p.request(json!({ "type": "act", "table": "seven", "action": "Double" })).await;
    assert_eq!(bad["code"], "invalid_action", "{bad}");
    assert_eq!(app.available(p.id, "EUR").await, balance, "a refusal moves no money");
    app.stop().await;
}

#[actix_web::test]
async fn a_game_s_schemas_are_served_for_clients_to_draw_it() {
    let games = vec![croupier_server::games::entry::<lucky_seven::LuckySeven>()];
    let app = TestApp::spawn_with_games(Db::Sqlite, |_| {}, games).await;
    let token = app.signed_in("sam").await["access_token"].as_str().unwrap().to_owned();
    let (status, body) = app.get("/v1/games/coin_flip/schema", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["game"], "coin_flip");
    // The schema is the committed one the TypeScript SDK is generated from.
    let committed: serde_json::Value = serde_json::from_str(&repo("clients/typescript/schema/coin_flip.json")).unwrap();
    assert_eq!(body["schema"], committed);
    for role in ["action", "event", "view", "config", "outcome"] {
        let reference = body["roots"][role]["$ref"].as_str().unwrap_or_else(|| panic!("{role}: {body}"));
        let name = reference.strip_prefix("#/definitions/").unwrap();
        assert!(body["schema"]["definitions"][name].is_object(), "{role} -> {name}");
    }
    assert_eq!(body["roots"]["action"]["$ref"], "#/definitions/Action");
    // A registered game that lists no schema, and no game at all.
    for (game, says) in [("lucky_seven", "publishes no schema"), ("baccarat", "GET /v1/games")] {
        let (status, body) = app.get(&format!("/v1/games/{game}/schema"), Some(&token)).await;
        assert_eq!((status, code(&body)), (404, "unknown_game"), "{game}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(says), "{game}: {body}");
    }
    let (status, _) = app.get("/v1/games/coin_flip/schema", None).await;
    assert_eq!(status, 401);
    app.stop().await;
}

#[test]
fn the_simulator_measures_the_guide_s_game() {
    let entry = croupier_server::games::entry::<lucky_seven::LuckySeven>();
    let options =
        SimOptions { threads: 2, seed: Some(croupier_rng::Seed::from_bytes([7; 32])), ..SimOptions::new(200_000) };
    let report = (entry.simulate)(&options, &Default::default()).unwrap();
    assert_eq!(report.theoretical_rtp, 6.0 / 36.0 * 5.0);
    assert!(report.within_ci, "{report:?}");
    assert_eq!(report.staked, 200_000 * 100, "the default stake, every round");
}

/// Steps 1 to 3 of "Registering it with the server", as every shipped game
/// takes them.
#[test]
fn every_shipped_game_is_wired_in_as_the_guide_says() {
    let root: toml::Table = repo("Cargo.toml").parse().unwrap();
    let server: toml::Table = repo("server/Cargo.toml").parse().unwrap();
    let games_rs = repo("server/src/games.rs");
    let repo_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap();
    for game in croupier_server::games::GAMES {
        let dir = Path::new(game.crate_dir).canonicalize().unwrap();
        let folder = dir.strip_prefix(&repo_root).unwrap().to_str().unwrap().to_owned();
        let manifest: toml::Table = repo(&format!("{folder}/Cargo.toml")).parse().unwrap();
        let name = manifest["package"]["name"].as_str().unwrap();
        let members = root["workspace"]["members"].as_array().unwrap();
        assert!(members.iter().any(|m| m.as_str() == Some(&folder)), "{}: {folder} not a workspace member", game.id);
        let dep = &root["workspace"]["dependencies"][name];
        assert_eq!(dep["path"].as_str(), Some(folder.as_str()), "{}: workspace dependency {name}", game.id);
        assert_eq!(server["dependencies"][name]["workspace"].as_bool(), Some(true), "{}: server dependency", game.id);
    }
    let list = between(&games_rs, "pub static GAMES", ";");
    assert_eq!(list.matches("entry::<").count(), croupier_server::games::GAMES.len(), "one entry per game: {list}");
}
