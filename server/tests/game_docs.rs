//! docs/games/*.md cannot drift from the games: every JSON block tagged
//! `json GAME KIND` (KIND one of action, event, view, config, outcome)
//! parses as that game's type and, but for a config (whose omitted keys take
//! defaults), is written back exactly; every config passes the game's own
//! validation; and every action and event the game has is shown at least
//! once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use croupier_sdk::Game;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Every `json GAME KIND` block of a page: (kind, parsed JSON, line).
fn blocks(page: &str, game: &str) -> Vec<(String, Value, usize)> {
    let mut out = Vec::new();
    let mut lines = page.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```json ") else { continue };
        let mut words = info.split_whitespace();
        let (Some(g), Some(kind), None) = (words.next(), words.next(), words.next()) else {
            panic!("line {}: a JSON block is tagged `json GAME KIND`, not {info:?}", n + 1)
        };
        assert_eq!(g, game, "line {}: a block of another game", n + 1);
        let body: Vec<&str> = lines.by_ref().map(|(_, l)| l).take_while(|l| *l != "```").collect();
        let value = serde_json::from_str(&body.join("\n")).unwrap_or_else(|e| panic!("line {}: not JSON: {e}", n + 1));
        out.push((kind.to_owned(), value, n + 1));
    }
    out
}

fn exact<T: Serialize + DeserializeOwned>(value: &Value, line: usize) {
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("line {line}: {e}"));
    assert_eq!(&serde_json::to_value(&typed).unwrap(), value, "line {line}: does not come back as written");
}

/// The `type` tags of a schema definition's variants.
fn tags(game: &str, definition: &str) -> BTreeSet<String> {
    let docs = croupier_server::schema::documents();
    let schema = &docs.iter().find(|d| d.name == game).unwrap().schema["definitions"][definition];
    let variants = schema["oneOf"].as_array().expect("a tagged enum");
    let tag = |v: &Value| {
        let direct = v["properties"]["type"]["const"].as_str().map(str::to_owned);
        direct.or_else(|| {
            v["allOf"].as_array()?.iter().find_map(|m| m["properties"]["type"]["const"].as_str().map(str::to_owned))
        })
    };
    variants.iter().map(|v| tag(v).expect("every variant has a tag")).collect()
}

fn check<G: Game>()
where
    G::View: DeserializeOwned,
{
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../docs/games/{}.md", G::ID));
    let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let found = blocks(&page, G::ID);
    let mut shown: [BTreeSet<String>; 2] = Default::default();
    for (kind, value, line) in &found {
        match kind.as_str() {
            "action" => exact::<G::Action>(value, *line),
            "event" => exact::<G::Event>(value, *line),
            "outcome" => exact::<G::Outcome>(value, *line),
            "view" => {
                exact::<G::View>(value, *line);
                assert!(value.get("currency").is_some(), "line {line}: a view names its currency");
            }
            "config" => {
                let config: G::Config =
                    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("line {line}: {e}"));
                G::validate_config(&config).unwrap_or_else(|e| panic!("line {line}: {e}"));
            }
            other => panic!("line {line}: unknown kind {other:?}"),
        }
        if let ("action" | "event", Some(tag)) = (kind.as_str(), value["type"].as_str()) {
            shown[usize::from(kind == "event")].insert(tag.to_owned());
        }
    }
    for kind in ["action", "event", "view", "config", "outcome"] {
        assert!(found.iter().any(|(k, ..)| k == kind), "{}: no {kind} example", path.display());
    }
    for (i, definition) in ["Action", "Event"].into_iter().enumerate() {
        let missing: Vec<String> = tags(G::ID, definition).difference(&shown[i]).cloned().collect();
        assert!(missing.is_empty(), "{}: no example of {definition} {missing:?}", path.display());
    }
}

#[test]
fn the_roulette_page_matches_the_game() {
    check::<croupier_roulette::Roulette>();
}

#[test]
fn the_blackjack_page_matches_the_game() {
    check::<croupier_blackjack::Blackjack>();
}

#[test]
fn the_slots_page_matches_the_game() {
    check::<croupier_slots::Slots>();
}

#[test]
fn a_block_that_does_not_parse_or_round_trip_is_caught() {
    let page = "```json roulette event\n{ \"type\": \"spun\", \"round\": 1, \"number\": 17, \"payouts\": [], \"extra\": 1 }\n```\n";
    let found = blocks(page, "roulette");
    assert_eq!(found.len(), 1);
    let caught = std::panic::catch_unwind(|| exact::<croupier_roulette::Event>(&found[0].1, found[0].2));
    assert!(caught.is_err(), "an unknown field that serde drops is not written back");
}

#[test]
fn the_coin_flip_page_matches_the_game() {
    check::<croupier_sdk::example::CoinFlip>();
}
