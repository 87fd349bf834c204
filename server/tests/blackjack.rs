//! Blackjack end to end: two players on real WebSockets at a live table
//! over real Postgres, a split and a turn that times out; the books add up,
//! and every hand served by `GET /v1/rounds/{round}` draws each card it
//! deals from its own committed seed while the shoe it shows is only the
//! count of cards not yet seen, never their order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::books::{check_books, table};
use common::ws::Player;
use common::{Db, TestApp};
use croupier_sdk::record::RoundRecord;
use serde_json::json;

#[actix_web::test]
async fn two_players_play_blackjack_with_a_split_and_a_turn_that_times_out() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = TestApp::spawn_with(Db::Postgres, |s| {
        s.rate_limit.enabled = false;
        let config = json!({ "betting_ms": 300, "turn_ms": 250, "result_ms": 20 });
        s.tables = vec![table("bj", "blackjack", config)];
    })
    .await;
    let mut ann = Player::join_server(&app, "ann").await;
    let mut ben = Player::join_server(&app, "ben").await;
    for (p, seat) in [(&mut ann, 0), (&mut ben, 1)] {
        app.fund(p.id, "EUR", 1_000_000).await;
        let sat = p.request(json!({ "type": "sit", "table": "bj", "seat": seat })).await;
        assert_eq!(sat["type"], "ok", "{sat}");
    }
    let done = Arc::new(AtomicBool::new(false));
    let ben_done = done.clone();
    // Ben bets every hand and never acts: his turns time out as stands.
    let ben_task = actix_web::rt::spawn(async move {
        while !ben_done.load(Ordering::Relaxed) {
            ben.event("betting_open").await;
            let bet = json!({ "type": "act", "table": "bj", "action": { "type": "bet", "amount": 100 } });
            let reply = ben.request(bet).await;
            assert!(reply["type"] == "ok" || reply["code"] == "betting_closed", "{reply}");
        }
        ben
    });
    let mut split_round = None;
    for hand in 0..200 {
        let open = ann.event("betting_open").await;
        let round = open["event"]["round"].clone();
        let bet = json!({ "type": "act", "table": "bj", "action": { "type": "bet", "amount": 200 } });
        if ann.request(bet).await["type"] != "ok" {
            continue;
        }
        let mut tried_split = false;
        loop {
            let m = ann
                .wait_for(|m| {
                    m["event"]["type"] == "settled" || (m["event"]["type"] == "turn" && m["event"]["seat"] == 0)
                })
                .await;
            if m["event"]["type"] == "settled" {
                break;
            }
            let act = |a: &str| json!({ "type": "act", "table": "bj", "action": { "type": a } });
            if !tried_split {
                tried_split = true;
                let split = ann.request(act("split")).await;
                if split["type"] == "ok" {
                    split_round.get_or_insert(round.clone());
                    continue;
                }
                // Not a pair: refused, and nothing changed.
                assert_eq!(split["type"], "error", "{split}");
            }
            let stood = ann.request(act("stand")).await;
            assert!(stood["type"] == "ok" || stood["code"] == "not_your_turn", "{stood}");
        }
        if split_round.is_some() && hand >= 3 {
            break;
        }
    }
    done.store(true, Ordering::Relaxed);
    let split_round = split_round.expect("a pair within 200 hands");
    let ben = ben_task.await.unwrap();
    // Ben's last bet may be in a hand still playing: it ends within a
    // betting window and a turn clock.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let players = [ann, ben];
    let rounds = check_books::<croupier_blackjack::Blackjack>(&app, &players, 1_000_000, 1).await;
    let split = rounds
        .values()
        .find(|r| serde_json::to_value(r.round).unwrap() == split_round)
        .expect("the split round is recorded");
    let ann_id = croupier_sdk::PlayerId(u64::try_from(players[0].id).unwrap());
    assert!(split.stakes.iter().filter(|s| s.player == ann_id).count() >= 2, "a split takes a second stake");
    let timed_out = rounds.values().any(|r| r.inputs.iter().any(|i| i["type"] == "timer" && i["timer"] == 2));
    assert!(timed_out, "Ben's turn clock ran out");
    // Every card a hand shows was drawn in that hand, from its own seed
    // (committed before the hand, revealed after it: `check_books` checked
    // the draws against it).
    let mut ordered: Vec<_> = rounds.values().collect();
    ordered.sort_by_key(|r| r.round);
    let cards = |r: &RoundRecord| -> Vec<u64> {
        let o = &r.outcome;
        let hands = o["hands"].as_array().unwrap().iter().flat_map(|h| h["cards"].as_array().unwrap().clone());
        o["dealer"].as_array().unwrap().iter().cloned().chain(hands).map(|c| c.as_u64().unwrap()).collect()
    };
    for r in &ordered {
        assert_eq!(r.draws.len(), cards(r).len(), "round {:?}: one draw for each card dealt", r.round);
    }
    // The shoe a record shows is counts of cards, no order, and no more than
    // the cards already seen tell: the last hand's shoe less its cards, or a
    // fresh shoe less them.
    let shoe = |r: &RoundRecord| -> Vec<u64> {
        let shoe = r.state_before["shoe"].as_object().unwrap();
        assert_eq!(shoe.keys().collect::<Vec<_>>(), ["left", "size"], "round {:?}", r.round);
        shoe["left"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect()
    };
    for pair in ordered.windows(2).filter(|w| w[1].round.0 == w[0].round.0 + 1) {
        let less = |mut left: Vec<u64>| {
            cards(pair[0]).iter().for_each(|&c| left[usize::try_from(c).unwrap()] -= 1);
            left
        };
        let (before, next) = (shoe(pair[0]), shoe(pair[1]));
        let continued = before.len() == 52 && before.iter().zip(cards_count(&cards(pair[0]))).all(|(l, n)| *l >= n);
        assert!(
            (continued && next == less(before)) || next == less(vec![6; 52]),
            "round {:?}'s shoe is not the cards left after round {:?}",
            pair[1].round,
            pair[0].round
        );
    }
    app.stop().await;
}

/// How many of each card `cards` holds.
fn cards_count(cards: &[u64]) -> Vec<u64> {
    let mut count = vec![0; 52];
    cards.iter().for_each(|&c| count[usize::try_from(c).unwrap()] += 1);
    count
}
