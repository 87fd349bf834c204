//! The GDPR export against the real server on both backends: a player who
//! has played, paid in, set limits and a profile gets one JSON attachment
//! with every section of what we hold about them — their ledger adding up
//! to their balance, their profile opened — and nothing of another
//! player's, no secret (password, token hashes) and no seed not yet
//! revealed. Every table of the migrations is either exported or named
//! with why it is not, and either erased (`POST /v1/me/erase`, whose flows
//! are `tests/erasure.rs`) or named with why it is kept.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::ws::Player;
use common::{Db, TestApp, code};
use croupier_server::settings::Secret;
use croupier_server::store::erase::{KEPT, STEPS};
use croupier_server::store::export::{NOT_EXPORTED, SECTIONS};
use serde_json::{Value, json};

const KEYS: &str = "a:1111111111111111111111111111111111111111111111111111111111111111";

async fn play_a_spin(p: &mut Player) {
    let opened = p.request(json!({ "type": "session.open", "game": "slots" })).await;
    assert_eq!(opened["type"], "session", "{opened}");
    let session = opened["session"].as_str().unwrap().to_owned();
    let act = json!({ "type": "act", "session": session, "action": { "type": "spin", "line_bet": 1 } });
    assert_eq!(p.request(act).await["type"], "ok");
    p.event("spun").await;
}

async fn export(app: &TestApp, token: &str) -> (Value, String) {
    let res = app.http.get(app.url("/v1/me/export")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    let text = res.text().await.unwrap();
    assert!(disposition.starts_with("attachment; filename=\"croupier-export-"), "{disposition}");
    (serde_json::from_str(&text).unwrap(), text)
}

async fn the_export_holds_all_of_theirs_and_nothing_else(kind: Db) {
    let app = TestApp::spawn_with(kind, |s| {
        s.pii_keys = Some(Secret(KEYS.as_bytes().to_vec()));
        s.rate_limit.enabled = false;
        s.ws.messages_per_second = 10_000;
        s.ws.message_burst = 10_000;
    })
    .await;
    let mut gia = Player::join_server(&app, "gia").await;
    let mut hal = Player::join_server(&app, "hal").await;
    app.fund(gia.id, "EUR", 5_000).await;
    app.fund(hal.id, "EUR", 7_000).await;
    play_a_spin(&mut gia).await;
    play_a_spin(&mut hal).await;
    let token = gia.token.clone();
    let profile = json!({ "email": "gia@example.com", "name": "Gia Rossi", "phone": null, "address": null,
        "document_number": null });
    let (s, body) =
        app.put("/v1/me/profile", &json!({ "password": "a fine password", "profile": profile }), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    let limit = json!({ "kind": "wager", "period": "week", "currency": "EUR", "amount": 100_000 });
    assert_eq!(app.put("/v1/me/limits", &limit, Some(&token)).await.0, 200);
    // A seed committed and not yet revealed, and one revealed.
    let (_, fair) = app.get("/v1/fairness", Some(&token)).await;
    let (s, rotated) = app.post("/v1/fairness/rotate", &json!({}), Some(&token)).await;
    assert_eq!(s, 200, "{rotated}");
    let seeds = app.store.fair_seeds_of(gia.id, 10).await.unwrap();
    let hidden = seeds.iter().find(|s| s.revealed_at.is_none()).unwrap().seed.clone();
    let shown = rotated["revealed"]["server_seed"].as_str().unwrap().to_owned();
    assert_eq!(fair["current"]["server_seed_commitment"], rotated["revealed"]["commitment"]);

    let (out, text) = export(&app, &token).await;
    assert_eq!((out["format"].as_str(), out["user_id"].as_i64()), (Some("croupier-export/1"), Some(gia.id)));
    let sections = out["sections"].as_object().unwrap();
    let names: Vec<&str> = SECTIONS.iter().map(|s| s.name).collect();
    assert_eq!(sections.keys().map(String::as_str).collect::<BTreeSet<_>>(), names.iter().copied().collect());
    assert_eq!(out["sections"]["account"][0]["username"], "gia");
    assert_eq!(out["profile"]["email"], "gia@example.com", "opened, not sealed");
    assert_eq!(out["sections"]["limits"][0]["amount"], 100_000);
    assert!(!out["sections"]["sessions"].as_array().unwrap().is_empty());
    assert!(!out["sections"]["rounds"].as_array().unwrap().is_empty());
    assert!(!out["sections"]["sign_ins"].as_array().unwrap().is_empty());
    // The ledger adds up to the balance.
    let available: i64 = out["sections"]["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["bucket"] == "available" && e["currency"] == "EUR")
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(available, app.available(gia.id, "EUR").await);
    assert_eq!(out["sections"]["wallet_accounts"][0]["available"], available);
    // Revealed seeds only.
    assert!(text.contains(&shown) && !text.contains(&hidden), "an unrevealed seed is withheld");
    // Nothing of hal's, and no secret.
    let hash = app.store.user_by_name("gia").await.unwrap().unwrap().password_hash;
    assert!(!text.contains(&hash), "no password hash");
    assert!(!text.contains("hal") && !text.contains(&format!("\"user:{}\"", hal.id)), "nothing of another player");
    let withheld = out["withheld"].as_array().unwrap();
    assert!(withheld.iter().any(|w| w.as_str().unwrap().contains("password")), "{withheld:?}");

    let audit = app.store.audit_log(None, 50).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "gdpr.export" && a.actor == gia.id), "the export is audited");
    app.stop().await;
}

#[actix_web::test]
async fn the_export_holds_all_of_theirs_and_nothing_else_postgres() {
    the_export_holds_all_of_theirs_and_nothing_else(Db::Postgres).await;
}

#[actix_web::test]
async fn the_export_holds_all_of_theirs_and_nothing_else_sqlite() {
    the_export_holds_all_of_theirs_and_nothing_else(Db::Sqlite).await;
}

#[actix_web::test]
async fn a_sealed_profile_without_its_key_is_not_exported_as_empty() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| s.pii_keys = Some(Secret(KEYS.as_bytes().to_vec()))).await;
    let token = app.signed_in("ida").await["access_token"].as_str().unwrap().to_owned();
    let profile = json!({ "email": "ida@example.com", "name": null, "phone": null, "address": null,
        "document_number": null });
    let (s, body) =
        app.put("/v1/me/profile", &json!({ "password": "a fine password", "profile": profile }), Some(&token)).await;
    assert_eq!(s, 200, "{body}");
    let mut app = app;
    app.settings.pii_keys = None;
    let app = app.restart().await;
    let creds = json!({ "username": "ida", "password": "a fine password" });
    let token = app.post("/v1/auth/login", &creds, None).await.1["access_token"].as_str().unwrap().to_owned();
    let (s, refused) = app.get("/v1/me/export", Some(&token)).await;
    assert_eq!((s, code(&refused)), (503, "pii_unavailable"));
    app.stop().await;
}

/// Every table both backends' migrations leave.
fn tables() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut out = BTreeSet::new();
    for backend in ["postgres", "sqlite"] {
        for entry in std::fs::read_dir(root.join(backend)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let name = |rest: &str| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap().to_owned();
            for rest in text.split("CREATE TABLE ").skip(1) {
                out.insert(name(rest));
            }
            // A table rebuilt under a new name and renamed back (SQLite).
            for rest in text.split("ALTER TABLE ").skip(1) {
                if rest.split(';').next().unwrap().contains(" RENAME TO ") {
                    out.remove(&name(rest));
                }
            }
        }
    }
    out
}

/// Fails unless `covered` names exactly the migrations' tables.
fn covers_every_table(covered: BTreeSet<String>, lists: &str) {
    let tables = tables();
    assert!(tables.len() > 20 && tables.contains("users"), "{tables:?}");
    let missing: Vec<&String> = tables.difference(&covered).collect();
    assert!(missing.is_empty(), "tables in none of {lists}: {missing:?}");
    let stray: Vec<&String> = covered.difference(&tables).collect();
    assert!(stray.is_empty(), "named but no such table: {stray:?}");
}

#[test]
fn every_table_is_exported_or_said_why_not() {
    let mut covered: BTreeSet<String> =
        SECTIONS.iter().flat_map(|s| s.tables.iter().map(|t| (*t).to_owned())).collect();
    covered.extend(NOT_EXPORTED.iter().map(|(t, _)| (*t).to_owned()));
    covers_every_table(covered, "SECTIONS, NOT_EXPORTED");
}

#[test]
fn every_table_is_erased_or_said_why_kept() {
    let mut covered: BTreeSet<String> = STEPS.iter().map(|s| s.table.to_owned()).collect();
    covered.extend(KEPT.iter().map(|(t, _)| (*t).to_owned()));
    covers_every_table(covered, "erase::STEPS, erase::KEPT");
}
