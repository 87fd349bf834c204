//! A round recorded with its draws replays to the same stakes, payouts and
//! outcome; any tampering is reported.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use croupier_rng::{CertifiedRng, Recorder};
use croupier_sdk::example::{Action, CoinFlip, Config, Side};
use croupier_sdk::record::{ReplayMismatch, RngEvidence, RoundRecord, Stake, Voided, replay};
use croupier_sdk::testing::try_apply;
use croupier_sdk::{Effect, Game, Input, OpId, PlayerId, RoundId, WalletResult};

/// Plays one coin flip round the way the server will, and records it.
fn record_round() -> RoundRecord {
    let p = PlayerId(4);
    let rng = CertifiedRng::from_os(Default::default()).unwrap();
    let commitment = rng.commitment();
    let mut rng = Recorder::new(rng);
    let mut state = CoinFlip::new_table(&Config::default());
    try_apply::<CoinFlip>(&mut state, Input::Join { player: p, seat: None }, &mut rng).unwrap();
    let state_before = serde_json::to_value(&state).unwrap();
    let inputs = vec![
        Input::Action { player: p, action: Action::Flip { call: Side::Tails, stake: 300 } },
        Input::Wallet { op: OpId(1), result: WalletResult::Reserved },
    ];
    let (mut stakes, mut payouts, mut outcome) = (vec![], vec![], serde_json::Value::Null);
    for input in &inputs {
        for effect in try_apply::<CoinFlip>(&mut state, input.clone(), &mut rng).unwrap() {
            match effect {
                Effect::Reserve { op, player, amount, .. } => stakes.push(Stake { op, player, amount }),
                Effect::Settle { payouts: p, .. } => payouts = p,
                Effect::RoundEnded { outcome: o, .. } => outcome = serde_json::to_value(o).unwrap(),
                _ => {}
            }
        }
    }
    RoundRecord {
        game: CoinFlip::ID.into(),
        table: "t1".into(),
        round: RoundId(1),
        rng: RngEvidence { commitment, fair: None, revealed: None },
        draws: rng.take_draws(),
        config: None,
        state_before,
        inputs: inputs.iter().map(|i| serde_json::to_value(i).unwrap()).collect(),
        outcome,
        stakes,
        payouts,
        voided: None,
    }
}

#[test]
fn a_voided_round_does_not_replay_and_says_why() {
    let mut record = record_round();
    record.voided = Some(Voided { reason: "wheel jammed".into() });
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains(r#""voided":{"reason":"wheel jammed"}"#), "{json}");
    let back: RoundRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(replay::<CoinFlip>(&back, None), Err(ReplayMismatch::Voided { reason: "wheel jammed".into() }));
    // A record that was not voided says nothing of it.
    assert!(!serde_json::to_string(&record_round()).unwrap().contains("voided"));
}

#[test]
fn a_recorded_round_replays_exactly() {
    let record = record_round();
    assert_eq!(record.draws.len(), 1);
    let json = serde_json::to_string(&record).unwrap();
    let back: RoundRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(replay::<CoinFlip>(&back, None), Ok(()));
}

#[test]
fn a_tampered_draw_changes_the_outcome_and_is_caught() {
    let mut record = record_round();
    record.draws[0].value = 1 - record.draws[0].value;
    assert!(matches!(replay::<CoinFlip>(&record, None), Err(ReplayMismatch::Differs { .. })));
}

#[test]
fn a_tampered_payout_or_missing_draw_is_caught() {
    let mut record = record_round();
    record.payouts = vec![croupier_sdk::Payout {
        player: PlayerId(4),
        amount: croupier_sdk::Money::new(1, croupier_sdk::Currency::EUR),
    }];
    assert!(matches!(replay::<CoinFlip>(&record, None), Err(ReplayMismatch::Differs { what: "payouts", .. })));
    let mut record = record_round();
    record.draws.clear();
    assert!(matches!(replay::<CoinFlip>(&record, None), Err(ReplayMismatch::Draws(_))));
}

#[test]
fn a_record_with_money_as_objects_still_replays_and_a_changed_amount_is_still_caught() {
    // Earlier versions wrote every amount of an outcome as {minor, currency}.
    let mut record = record_round();
    let old = |minor: &serde_json::Value| serde_json::json!({"minor": minor, "currency": "EUR"});
    let (stake, payout) = (record.outcome["stake"].clone(), record.outcome["payout"].clone());
    assert!(stake.is_i64() && payout.is_i64(), "amounts are integers now: {}", record.outcome);
    record.outcome["stake"] = old(&stake);
    record.outcome["payout"] = old(&payout);
    assert_eq!(replay::<CoinFlip>(&record, None), Ok(()));
    record.outcome["stake"] = old(&serde_json::json!(stake.as_i64().unwrap() + 1));
    assert!(matches!(replay::<CoinFlip>(&record, None), Err(ReplayMismatch::Differs { what: "outcome", .. })));
}
