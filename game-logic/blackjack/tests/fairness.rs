//! Each hand's cards are bound by its own generator (the seed committed
//! before it): once a hand ends, the table's whole state — which holds more
//! than anything a player is shown or served — does not determine the next
//! hand's cards, and the shoe it keeps is exactly the cards a watcher saw
//! had not gone yet.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use croupier_blackjack::{Action, BETTING_TIMER, Blackjack, Config, Event, RESULT_TIMER, State, TURN_TIMER};
use croupier_rng::{CertifiedRng, Position, Seed};
use croupier_sdk::{Effect, Effects, Game, Input, PlayerId, WalletResult};

const PLAYER: PlayerId = PlayerId(1);

fn rng(stream: u64) -> CertifiedRng {
    CertifiedRng::from_position(&Position::new(Seed::from_bytes([11; 32]), stream, 0))
}

fn apply(state: &mut State, input: Input<Action>, rng: &mut CertifiedRng) -> Effects<Blackjack> {
    let mut out = Vec::new();
    Blackjack::apply(state, input, rng, &mut out).unwrap();
    out
}

/// Plays one hand from an open betting window to its end, standing on
/// every decision; returns the cards dealt (both seats' first two and the
/// dealer's up card, in dealing order of the `dealt` event) and every card
/// the hand showed by its end.
fn play_hand(state: &mut State, rng: &mut CertifiedRng) -> (Vec<u8>, Vec<u8>) {
    let bet = apply(state, Input::Action { player: PLAYER, action: Action::Bet { amount: 100 } }, rng);
    let Some(Effect::Reserve { op, .. }) = bet.iter().find(|e| matches!(e, Effect::Reserve { .. })) else {
        panic!("no stake asked: {bet:?}")
    };
    apply(state, Input::Wallet { op: *op, result: WalletResult::Reserved }, rng);
    let mut effects = apply(state, Input::Timer { timer: BETTING_TIMER }, rng);
    let mut dealt = None;
    loop {
        for e in &effects {
            match e {
                Effect::Publish { event: Event::Dealt { seats, dealer_up }, .. } => {
                    let mut cards: Vec<u8> = seats.iter().flat_map(|(_, c)| c.clone()).collect();
                    cards.push(*dealer_up);
                    dealt = Some(cards);
                }
                Effect::RoundEnded { outcome, .. } => {
                    let mut seen: Vec<u8> = outcome.hands.iter().flat_map(|h| h.cards.clone()).collect();
                    seen.extend(&outcome.dealer);
                    apply(state, Input::Timer { timer: RESULT_TIMER }, rng);
                    return (dealt.unwrap(), seen);
                }
                _ => {}
            }
        }
        // Stand (or decline insurance) when the clock runs out.
        effects = apply(state, Input::Timer { timer: TURN_TIMER }, rng);
    }
}

fn table() -> State {
    let mut state = Blackjack::new_table(&Config::default());
    apply(&mut state, Input::Join { player: PLAYER, seat: None }, &mut rng(0));
    state
}

#[test]
fn after_a_hand_the_next_hands_cards_are_decided_by_its_own_generator_alone() {
    let mut state = table();
    play_hand(&mut state, &mut rng(1));
    let after_first = state.clone();
    // The same state under 32 different generators: the whole state does
    // not decide the next hand.
    let deals: BTreeSet<Vec<u8>> = (0..32)
        .map(|stream| {
            let mut state = after_first.clone();
            play_hand(&mut state, &mut rng(100 + stream)).0
        })
        .collect();
    assert!(deals.len() >= 30, "only {} different deals from 32 generators: {deals:?}", deals.len());
    // The same generator deals the same cards: nothing else decides them.
    let again = |stream| play_hand(&mut after_first.clone(), &mut rng(stream)).0;
    assert_eq!(again(7), again(7));
}

#[test]
fn the_shoe_between_hands_is_the_cards_not_yet_seen_and_no_order() {
    let mut state = table();
    let mut seen = Vec::new();
    for hand in 0..5 {
        seen.extend(play_hand(&mut state, &mut rng(hand + 1)).1);
    }
    let json = serde_json::to_value(&state).unwrap();
    let shoe = &json["shoe"];
    assert_eq!(shoe.as_object().unwrap().keys().collect::<Vec<_>>(), ["left", "size"], "{shoe}");
    let left: Vec<u64> = shoe["left"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    let mut expected = vec![6u64; 52];
    for card in seen {
        expected[usize::from(card)] -= 1;
    }
    assert_eq!(left, expected, "the shoe holds the six packs less every card shown, by card");
}
