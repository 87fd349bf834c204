//! The table engine driven without actix, a database or a clock: scenario
//! files for every game (`tests/engine/GAME/*.json`) replayed by one
//! harness, plus the contract every step must keep — a refused request
//! changes nothing, a round's checkpoint is the table as it is after the
//! step, every event takes the next seq — a game that draws before it
//! refuses an input leaves the generator where it was, a draw in the input
//! that opens a round is that round's own and recorded, and a draw with no
//! round open is refused.
//!
//! A scenario file:
//! ```json
//! { "description": "...", "game": "roulette", "kind": "table", "config": {}, "seed": "<64 hex digits>",
//!   "steps": [ { "at": 0, "cue": { "ask": { "player": 1, "ask": { "type": "sit" } } },
//!                "replies": [[1, { "type": "ok" }]], "money": [], "events": [], "timers": [] } ] }
//! ```
//! Cues: `{"ask": {player, re?, ask}}`, `{"fire": timer}` (the game timer as
//! last armed), `{"grace": player}`, `{"wallet": {op, result}}`,
//! `{"gone": player}`, `"open"`. `at` is the engine's clock in milliseconds
//! (default: the previous step's). Each expectation is checked only when
//! present: `replies` as `[player, message]`, `events` as `[viewer or null,
//! message]`, `money` in the harness's JSON form, `timers` as strings
//! (`"start game 1 15000"`, `"cancel grace 7"`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use croupier_rng::{CertifiedRng, Position, Seed};
use croupier_sdk::{Game, OpId, TimerId, WalletResult};
use croupier_server::play::engine::{Arm, Cue, Dealt, Due, Engine, Reply, Seeds, Setup, Slot, Step};
use croupier_server::play::money::Money;
use croupier_server::play::{Ask, Kind};
use croupier_server::store::{CheckpointRow, RoundClose};
use serde::Deserialize;
use serde_json::{Value, json};

/// Round `n` of a scenario deals from stream `n` of its seed.
struct Scripted {
    seed: Seed,
    rounds: u64,
}

impl Seeds for Scripted {
    fn round(&mut self, _key: &str, _owner: Option<i64>, _seated: &BTreeSet<i64>) -> Option<Dealt> {
        self.rounds += 1;
        let rng = CertifiedRng::from_position(&Position::new(self.seed.clone(), self.rounds, 0));
        Some(Dealt { commitment: rng.commitment(), rng, fair: None, seed: None })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum ScriptCue {
    Ask {
        player: i64,
        #[serde(default)]
        re: Option<u64>,
        ask: Ask,
    },
    Fire(u32),
    Grace(i64),
    Wallet {
        op: u64,
        result: WalletResult,
    },
    Gone(i64),
    Open,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptStep {
    #[serde(default)]
    at: Option<i64>,
    cue: ScriptCue,
    #[serde(default)]
    replies: Option<Value>,
    #[serde(default)]
    money: Option<Value>,
    #[serde(default)]
    events: Option<Value>,
    #[serde(default)]
    timers: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    game: String,
    kind: String,
    #[serde(default)]
    owner: Option<i64>,
    config: Value,
    seed: String,
    steps: Vec<ScriptStep>,
}

fn setup(kind: Kind, owner: Option<i64>, config: &Value) -> Setup {
    Setup {
        id: "t1".into(),
        epoch: "e".into(),
        kind,
        owner,
        house: kind.house("game", "t1", 1),
        spec: Arc::new(config.clone()),
        config: Arc::new(croupier_server::store::GameConfig::of("game", config).unwrap()),
        history: 64,
        grace_ms: 60_000,
        chat_max_chars: 20,
        seq_floor: 0,
    }
}

fn engine<G: Game>(script: &Script, kind: Kind) -> Engine<G> {
    engine_from(script, kind, None, 0)
}

fn engine_from<G: Game>(script: &Script, kind: Kind, restore: Option<&CheckpointRow>, now: i64) -> Engine<G> {
    let config: G::Config = serde_json::from_value(script.config.clone()).expect("the scenario's config");
    G::validate_config(&config).expect("a valid config");
    let seed = Seed::from_hex(&script.seed).expect("a 64-digit seed");
    let spare = CertifiedRng::from_position(&Position::new(seed.clone(), 0, 0));
    let seeds = Box::new(Scripted { seed, rounds: 0 });
    Engine::new(setup(kind, script.owner, &script.config), &config, spare, seeds, restore, now)
}

fn money_json(m: &Money) -> Value {
    match m {
        Money::Stake { op, key, player, amount, currency, .. } => {
            json!({ "stake": { "op": op.0, "key": key, "player": player, "amount": amount, "currency": currency } })
        }
        Money::Close { key, close, record, .. } => {
            let close = match close {
                RoundClose::Settle(p) => json!({ "settle": p }),
                RoundClose::Void => json!("void"),
                RoundClose::RecordOnly => json!("record_only"),
            };
            json!({ "close": { "key": key, "close": close, "record": record.is_some() } })
        }
    }
}

fn arm_text(arm: &Arm) -> String {
    match arm {
        Arm::Start(Due::Game { timer, .. }, ms) => format!("start game {} {ms}", timer.0),
        Arm::Start(Due::Grace { player, .. }, ms) => format!("start grace {player} {ms}"),
        Arm::Cancel(Slot::Game(t)) => format!("cancel game {}", t.0),
        Arm::Cancel(Slot::Grace(p)) => format!("cancel grace {p}"),
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the engine's messages are JSON")
}

/// The step's output in the scenario's JSON forms.
fn observed(step: &Step) -> (Value, Value, Value, Value) {
    let replies = step
        .replies
        .iter()
        .map(|(p, r)| match r {
            Reply::Msg(m) => json!([p, serde_json::to_value(m).unwrap()]),
            Reply::Text(t) => json!([p, parse(t)]),
        })
        .collect();
    let events = step.events.iter().map(|l| json!([l.to, parse(&l.text)])).collect();
    let money = step.money.iter().map(money_json).collect();
    let timers = step.timers.iter().map(|a| json!(arm_text(a))).collect();
    (Value::Array(replies), Value::Array(money), Value::Array(events), Value::Array(timers))
}

/// Checks what must hold after every step, whatever the game.
fn contract<G: Game>(engine: &Engine<G>, step: &Step, before: &Value, seq_before: u64, at: i64) -> Result<(), String> {
    let refused_only = step.money.is_empty()
        && step.events.is_empty()
        && step.timers.is_empty()
        && !step.replies.is_empty()
        && step.replies.iter().all(|(_, r)| matches!(r, Reply::Msg(croupier_protocol::ServerMsg::Error { .. })));
    let now = serde_json::to_value(engine.hot_checkpoint(at).map_err(|e| e.to_string())?).unwrap();
    if refused_only
        && (now["row"]["checkpoint"] != before["row"]["checkpoint"] || now["open_round"] != before["open_round"])
    {
        return Err(format!("a refused request changed the table\nbefore: {before}\nafter:  {now}"));
    }
    let seqs: Vec<u64> = step.events.iter().map(|l| l.seq).collect();
    let expected: Vec<u64> = (seq_before + 1..=engine.seq()).collect();
    if seqs != expected {
        return Err(format!("events are not numbered one by one from {seq_before}: {seqs:?}"));
    }
    for m in &step.money {
        if let Money::Close { record: Some(record), .. } = m {
            let taken = engine.checkpoint(at).map_err(|e| e.to_string())?;
            if record.1.checkpoint != taken.checkpoint || record.1.seq != taken.seq {
                return Err(format!(
                    "the round's checkpoint is not the table after the step\nin the settlement: {:?}\ntable: {:?}",
                    record.1, taken
                ));
            }
        }
    }
    Ok(())
}

fn run<G: Game>(script: Script, kind: Kind) -> Result<(), String> {
    let mut engine = engine::<G>(&script, kind);
    let mut armed: HashMap<Slot, Due> = HashMap::new();
    let mut at = 0;
    for (i, s) in script.steps.into_iter().enumerate() {
        let fail = |problem: String| format!("step {i}: {problem}");
        at = s.at.unwrap_or(at);
        let cue = match s.cue {
            ScriptCue::Ask { player, re, ask } => Cue::Ask { player, name: format!("p{player}"), re, ask },
            ScriptCue::Fire(timer) => Cue::Due(
                *armed.get(&Slot::Game(TimerId(timer))).ok_or_else(|| fail(format!("timer {timer} is not armed")))?,
            ),
            ScriptCue::Grace(player) => {
                Cue::Due(*armed.get(&Slot::Grace(player)).ok_or_else(|| fail(format!("no grace for {player}")))?)
            }
            ScriptCue::Wallet { op, result } => Cue::Wallet { op: OpId(op), result },
            ScriptCue::Gone(player) => Cue::Gone { player },
            ScriptCue::Open => Cue::Open,
        };
        let before = serde_json::to_value(engine.hot_checkpoint(at).unwrap()).unwrap();
        let seq_before = engine.seq();
        let step = engine.step(cue, at);
        contract(&engine, &step, &before, seq_before, at).map_err(fail)?;
        for arm in &step.timers {
            match arm {
                Arm::Start(due, _) => {
                    armed.insert(due.slot(), *due);
                }
                Arm::Cancel(slot) => {
                    armed.remove(slot);
                }
            }
        }
        let (replies, money, events, timers) = observed(&step);
        if std::env::var_os("ENGINE_SCENARIOS_SHOW").is_some() {
            eprintln!("step {i}:\n  replies: {replies}\n  money: {money}\n  events: {events}\n  timers: {timers}");
        }
        for (name, expected, actual) in [
            ("replies", &s.replies, replies),
            ("money", &s.money, money),
            ("events", &s.events, events),
            ("timers", &s.timers, timers),
        ] {
            if let Some(expected) = expected
                && *expected != actual
            {
                return Err(fail(format!("{name} differ\nexpected: {expected}\nactual:   {actual}")));
            }
        }
    }
    Ok(())
}

fn run_dir(game: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engine").join(game);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no scenarios", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let script: Script = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(script.game, game, "{}", path.display());
        let kind = if script.kind == "session" { Kind::Session } else { Kind::Table };
        let result = match game {
            "roulette" => run::<croupier_roulette::Roulette>(script, kind),
            "blackjack" => run::<croupier_blackjack::Blackjack>(script, kind),
            "slots" => run::<croupier_slots::Slots>(script, kind),
            other => Err(format!("no game {other}")),
        };
        if let Err(e) = result {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    files.len()
}

#[test]
fn roulette_scenarios() {
    assert!(run_dir("roulette") >= 1);
}

#[test]
fn blackjack_scenarios() {
    assert!(run_dir("blackjack") >= 1);
}

#[test]
fn slots_scenarios() {
    assert!(run_dir("slots") >= 1);
}

/// A game that counts and draws before deciding whether to refuse, as a
/// careless game might: the engine must undo both. Most actions it accepts
/// open a round, draw in that same input and end the round; action 9
/// draws with no round open; 4 is refused with a code Careless does not
/// list; 7 opens a round that stays open, 6 draws in
/// it and 8 ends it.
struct Careless;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
struct Counted {
    inputs: u32,
    #[serde(default)]
    open: Option<u64>,
}

/// Careless's own refusal of action 0.
const ZERO: croupier_sdk::Code = croupier_sdk::Code::own("zero");

impl Game for Careless {
    const ID: &'static str = "careless";
    const CODES: &'static [croupier_sdk::Code] = &[ZERO];
    type Config = Value;
    type State = Counted;
    type Action = u32;
    type View = Counted;
    type Event = u32;
    type Outcome = u32;

    fn new_table(_: &Value) -> Counted {
        Counted { inputs: 0, open: None }
    }

    fn apply(
        state: &mut Counted,
        input: croupier_sdk::Input<u32>,
        rng: &mut dyn croupier_rng::Draw,
        out: &mut croupier_sdk::Effects<Self>,
    ) -> Result<(), croupier_sdk::Rejected> {
        state.inputs += 1;
        let croupier_sdk::Input::Action { action, .. } = input else { return Ok(()) };
        // Each action opens a round, draws in it and ends it.
        let drawn = rng.below(1_000_000);
        if action == 0 {
            return croupier_sdk::reject(ZERO, "no zeros");
        }
        if action == 4 {
            return croupier_sdk::reject(croupier_sdk::Code::own("four"), "a code Careless does not list");
        }
        if action == 9 {
            // Draws with no round open.
            out.push(croupier_sdk::Effect::Publish { to: croupier_sdk::Audience::All, event: drawn });
            return Ok(());
        }
        let event = croupier_sdk::Effect::Publish { to: croupier_sdk::Audience::All, event: drawn };
        match (action, state.open) {
            (7, None) => {
                let round = croupier_sdk::RoundId(u64::from(state.inputs));
                state.open = Some(round.0);
                out.extend([croupier_sdk::Effect::RoundStarted { round }, event]);
                return Ok(());
            }
            (6, Some(_)) => {
                out.push(event);
                return Ok(());
            }
            (8, Some(open)) => {
                state.open = None;
                let round = croupier_sdk::RoundId(open);
                out.extend([event, croupier_sdk::Effect::RoundEnded { round, outcome: drawn }]);
                return Ok(());
            }
            _ => {}
        }
        let round = croupier_sdk::RoundId(u64::from(state.inputs));
        out.extend([
            croupier_sdk::Effect::RoundStarted { round },
            croupier_sdk::Effect::Publish { to: croupier_sdk::Audience::All, event: drawn },
            croupier_sdk::Effect::RoundEnded { round, outcome: drawn },
        ]);
        Ok(())
    }

    fn view(state: &Counted, _: croupier_sdk::Viewer) -> Counted {
        state.clone()
    }

    fn offered_actions(_: &Counted, _: croupier_sdk::PlayerId, _: &mut Vec<u32>) {}

    fn max_round_stake(_: &Value) -> i64 {
        i64::MAX
    }

    fn theoretical_rtp(_: &Value) -> f64 {
        1.0
    }
}

fn act(engine: &mut Engine<Careless>, action: u32) -> Step {
    let ask = Ask::Act { action: json!(action) };
    engine.step(Cue::Ask { player: 1, name: "p1".into(), re: Some(9), ask }, 0)
}

#[test]
fn a_refused_input_leaves_the_state_and_the_generator_where_they_were() {
    let script = Script {
        description: String::new(),
        game: "careless".into(),
        kind: "table".into(),
        owner: None,
        config: json!({}),
        seed: "ab".repeat(32),
        steps: Vec::new(),
    };
    let sit = || Cue::Ask { player: 1, name: "p1".into(), re: None, ask: Ask::Sit { seat: None } };
    // No fair seeds: each round's generator is forked from the table's own,
    // so a draw left on that one would change the next round.
    let unseeded = || {
        let spare = CertifiedRng::from_position(&Position::new(Seed::from_hex(&script.seed).unwrap(), 0, 0));
        Engine::<Careless>::new(setup(Kind::Table, None, &json!({})), &json!({}), spare, Box::new(Unseeded), None, 0)
    };
    let (mut refused_first, mut straight) = (unseeded(), unseeded());
    refused_first.step(sit(), 0);
    straight.step(sit(), 0);
    let before = serde_json::to_value(refused_first.hot_checkpoint(0).unwrap()).unwrap();
    let refused = act(&mut refused_first, 0);
    assert!(
        matches!(&refused.replies[..], [(1, Reply::Msg(croupier_protocol::ServerMsg::Error { code, .. }))] if code == "zero")
    );
    assert_eq!(
        serde_json::to_value(refused_first.hot_checkpoint(0).unwrap()).unwrap(),
        before,
        "the state is as before"
    );
    let (a, b) = (act(&mut refused_first, 1), act(&mut straight, 1));
    let drawn = |s: &Step| parse(&s.events.last().unwrap().text)["event"].clone();
    assert_eq!(drawn(&a), drawn(&b), "the generator did not move for the refused input");
}

#[test]
fn a_refusal_with_a_code_the_game_does_not_list_is_sent_as_internal_error() {
    let mut engine = careless();
    let refused = |step: &Step| match &step.replies[..] {
        [(1, Reply::Msg(croupier_protocol::ServerMsg::Error { re: Some(9), code, message }))] => {
            (code.clone(), message.clone())
        }
        other => panic!("not one error reply: {other:?}"),
    };
    assert_eq!(refused(&act(&mut engine, 0)), ("zero".to_owned(), "no zeros".to_owned()), "a listed code is sent");
    let (code, message) = refused(&act(&mut engine, 4));
    assert_eq!(code, "internal_error", "an unlisted code never reaches a player");
    assert_eq!(message, "a code Careless does not list");
}

#[test]
fn a_refused_input_in_a_long_round_is_undone_by_replaying_the_round() {
    let (mut refused, mut straight) = (careless(), careless());
    for engine in [&mut refused, &mut straight] {
        act(engine, 7);
    }
    // Past one snapshot of the round (every 64 inputs): a refusal replays
    // from the latest one, another from the round's start.
    for i in 0..70 {
        if i == 3 || i == 69 {
            let before = serde_json::to_value(refused.hot_checkpoint(0).unwrap()).unwrap();
            let step = act(&mut refused, 0);
            assert!(matches!(&step.replies[..], [(1, Reply::Msg(croupier_protocol::ServerMsg::Error { .. }))]));
            let after = serde_json::to_value(refused.hot_checkpoint(0).unwrap()).unwrap();
            assert_eq!(after, before, "the refused input {i} changed nothing");
        }
        let (a, b) = (act(&mut refused, 6), act(&mut straight, 6));
        assert_eq!(parse(&a.events[0].text)["event"], parse(&b.events[0].text)["event"], "draw {i}");
    }
    let (a, b) = (act(&mut refused, 8), act(&mut straight, 8));
    let (ra, rb) = (record_of(&a), record_of(&b));
    assert_eq!(ra.inputs.len(), 72, "the refused inputs are not in the record");
    assert_eq!((&ra.draws, &ra.outcome, &ra.state_before), (&rb.draws, &rb.outcome, &rb.state_before));
    croupier_sdk::record::replay::<Careless>(&ra, None).expect("the round replays from its record");
}

/// No fair seed to be had.
struct Unseeded;

impl Seeds for Unseeded {
    fn round(&mut self, _key: &str, _owner: Option<i64>, _seated: &BTreeSet<i64>) -> Option<Dealt> {
        None
    }
}

fn careless() -> Engine<Careless> {
    let mut engine = engine::<Careless>(&bare("careless", None), Kind::Table);
    engine.step(Cue::Ask { player: 1, name: "p1".into(), re: None, ask: Ask::Sit { seat: None } }, 0);
    engine
}

/// The record of the round a step closed.
fn record_of(step: &Step) -> croupier_sdk::record::RoundRecord {
    let row = step.money.iter().find_map(|m| match m {
        Money::Close { record: Some(record), .. } => Some(record.0.record.clone()),
        _ => None,
    });
    serde_json::from_str(&row.expect("the step closes a round with its record")).unwrap()
}

#[test]
fn a_draw_in_the_input_that_opens_a_round_is_the_rounds_own_and_recorded() {
    let step = act(&mut careless(), 5);
    let record = record_of(&step);
    let shown = parse(&step.events.last().unwrap().text)["event"].clone();
    assert_eq!(record.draws.len(), 1, "the opening input's draw is in the round's record: {:?}", record.draws);
    assert_eq!(json!(record.draws[0].value), shown);
    croupier_sdk::record::replay::<Careless>(&record, None).expect("the round replays from its record");
    // It came from the round's own generator (stream 1 of the scenario seed).
    let mut round = CertifiedRng::from_position(&Position::new(Seed::from_hex(&"cd".repeat(32)).unwrap(), 1, 0));
    assert_eq!(json!(croupier_rng::Draw::below(&mut round, 1_000_000)), shown);
}

#[test]
fn a_draw_with_no_round_open_refuses_the_input_and_changes_nothing() {
    let mut engine = careless();
    let before = serde_json::to_value(engine.hot_checkpoint(0).unwrap()).unwrap();
    let step = act(&mut engine, 9);
    assert!(
        matches!(&step.replies[..], [(1, Reply::Msg(croupier_protocol::ServerMsg::Error { code, .. }))] if code == "internal_error"),
        "{:?}",
        step.replies
    );
    assert!(step.events.is_empty() && step.money.is_empty());
    assert_eq!(serde_json::to_value(engine.hot_checkpoint(0).unwrap()).unwrap(), before);
}

fn bare(game: &str, owner: Option<i64>) -> Script {
    Script {
        description: String::new(),
        game: game.into(),
        kind: String::new(),
        owner,
        config: json!({}),
        seed: "cd".repeat(32),
        steps: Vec::new(),
    }
}

#[test]
fn a_reconnect_grace_keeps_its_deadline_across_a_restart() {
    use croupier_roulette::Roulette;
    let script = bare("roulette", None);
    let mut table = engine::<Roulette>(&script, Kind::Table);
    for player in [1, 2] {
        table.step(Cue::Ask { player, name: "p".into(), re: None, ask: Ask::Sit { seat: None } }, 0);
    }
    table.step(Cue::Gone { player: 1 }, 10_000);
    let row = table.checkpoint(30_000).unwrap();
    let back = engine_from::<Roulette>(&script, Kind::Table, Some(&row), 50_000);
    assert!(back.restored());
    let arms = back.arms(50_000);
    assert!(arms.contains(&Arm::Start(Due::Grace { player: 1, at: 70_000 }, 20_000)), "the old deadline: {arms:?}");
    assert!(arms.contains(&Arm::Start(Due::Grace { player: 2, at: 110_000 }, 60_000)), "a full grace: {arms:?}");
}

#[test]
fn a_restored_session_whose_owner_is_gone_is_closed_after_the_grace() {
    use croupier_slots::Slots;
    let script = bare("slots", Some(7));
    // A checkpoint taken before its owner sat down (as a session's first one is).
    let fresh = engine::<Slots>(&script, Kind::Session);
    let row = fresh.checkpoint(0).unwrap();
    let mut back = engine_from::<Slots>(&script, Kind::Session, Some(&row), 5_000);
    let arms = back.arms(5_000);
    assert_eq!(arms, [Arm::Start(Due::Grace { player: 7, at: 65_000 }, 60_000)]);
    let step = back.step(Cue::Due(Due::Grace { player: 7, at: 65_000 }), 65_000);
    assert!(step.close, "the abandoned session closes");
    let late = back.step(Cue::Ask { player: 7, name: "p".into(), re: Some(1), ask: Ask::Join }, 65_001);
    assert!(
        matches!(&late.replies[..], [(7, Reply::Msg(croupier_protocol::ServerMsg::Error { code, .. }))] if code == "unknown_session")
    );
}

#[test]
fn the_tables_own_generator_follows_its_reseed_schedule_when_ticked() {
    use croupier_rng::{ReseedPolicy, ReseedReason};
    let script = bare("roulette", None);
    let policy = ReseedPolicy { max_draws: None, max_age: Some(std::time::Duration::ZERO), cycle_max_words: 4 };
    let config = croupier_roulette::Config::default();
    let seeds = Box::new(Scripted { seed: Seed::from_bytes([1; 32]), rounds: 0 });
    let spare = CertifiedRng::from_os(policy).unwrap();
    let mut table = Engine::<croupier_roulette::Roulette>::new(
        setup(Kind::Table, None, &script.config),
        &config,
        spare,
        seeds,
        None,
        0,
    );
    let reasons = |table: &mut Engine<croupier_roulette::Roulette>| -> Vec<ReseedReason> {
        table.tick(std::time::Instant::now()).iter().map(|r| r.reason).collect()
    };
    assert_eq!(
        reasons(&mut table),
        [ReseedReason::Initial, ReseedReason::Age],
        "its first seed, then a new one: too old"
    );
    assert_eq!(reasons(&mut table), [ReseedReason::Age], "every tick applies the schedule");
}
