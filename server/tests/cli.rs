//! The real `croupier` binary: `rng export` and `simulate` as a test lab and
//! a studio run them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn croupier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_croupier")).args(args).output().unwrap()
}

const ZERO_SEED: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn export_bytes_with_the_zero_seed_is_the_published_keystream() {
    let out = croupier(&["rng", "export", "--bytes", "64", "--seed", ZERO_SEED]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout.len(), 64);
    assert!(hex::encode(&out.stdout).starts_with("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"));
}

#[test]
fn export_bytes_without_a_seed_differs_each_run() {
    let a = croupier(&["rng", "export", "--bytes", "32"]);
    let b = croupier(&["rng", "export", "--bytes", "32"]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout.len(), 32);
    assert_ne!(a.stdout, b.stdout);
}

#[test]
fn export_below_writes_scaled_outcomes_through_the_production_mapping() {
    let out = croupier(&["rng", "export", "--below", "37", "--count", "1000", "--seed", ZERO_SEED]);
    assert!(out.status.success());
    let values: Vec<u32> = String::from_utf8(out.stdout).unwrap().lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(values.len(), 1000);
    assert!(values.iter().all(|&v| v < 37));
    // The same outcomes as the library's below(37) on the same seed.
    use croupier_rng::{CertifiedRng, Draw, Seed};
    let mut rng = CertifiedRng::from_seed(Seed::from_hex(ZERO_SEED).unwrap());
    let expected: Vec<u32> = (0..1000).map(|_| rng.below(37)).collect();
    assert_eq!(values, expected);
    // Worked by hand: the first keystream word 0xade0b876 * 37 >> 32 = 25.
    assert_eq!(values[0], 25);
}

#[test]
fn export_rejects_bad_arguments_with_a_message() {
    for args in [
        &["rng", "export", "--bytes", "8", "--seed", "abc"][..],
        &["rng", "export", "--below", "0", "--count", "3"],
        &["rng", "export"],
        &["rng", "export", "--below", "6"],
    ] {
        let out = croupier(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(!out.stderr.is_empty(), "{args:?} printed no error");
    }
    let out = croupier(&["rng", "export", "--bytes", "8", "--seed", "abc"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("64 hex digits"));
}

#[test]
fn simulate_json_has_every_field_and_a_sane_rtp() {
    let out = croupier(&["simulate", "coin_flip", "--rounds", "200000", "--json", "--seed", ZERO_SEED]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in
        ["game", "rounds", "staked", "paid", "rtp", "rtp_ci_low", "rtp_ci_high", "theoretical_rtp", "rounds_per_sec"]
    {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["game"], "coin_flip");
    assert_eq!(v["rounds"], 200000);
    let (low, high) = (v["rtp_ci_low"].as_f64().unwrap(), v["rtp_ci_high"].as_f64().unwrap());
    let rtp = v["rtp"].as_f64().unwrap();
    assert!(low < rtp && rtp < high);
    let ratio = v["paid"].as_f64().unwrap() / v["staked"].as_f64().unwrap();
    assert!((ratio - rtp).abs() < 1e-12, "{ratio} vs {rtp}");
}

#[test]
fn simulate_with_a_seed_and_thread_count_is_reproducible() {
    let args = ["simulate", "coin_flip", "--rounds", "20000", "--json", "--threads", "2", "--seed", ZERO_SEED];
    let a: serde_json::Value = serde_json::from_slice(&croupier(&args).stdout).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&croupier(&args).stdout).unwrap();
    assert_eq!((&a["staked"], &a["paid"]), (&b["staked"], &b["paid"]));
}

#[test]
fn simulate_an_unknown_game_lists_the_registry() {
    let out = croupier(&["simulate", "no_such_game", "--rounds", "10"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown game") && err.contains("coin_flip"), "{err}");
}

#[test]
fn a_bad_config_file_names_the_bad_key() {
    let dir = std::env::temp_dir().join(format!("croupier-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[rng]\nreseed_after_draws = -5\n").unwrap();
    let out = croupier(&["--config", path.to_str().unwrap(), "rng", "export", "--bytes", "4"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reseed_after_draws"));
}

#[test]
fn simulate_roulette_checks_its_rtp() {
    let out = croupier(&["simulate", "roulette", "--rounds", "300000", "--json", "--check", "--seed", ZERO_SEED]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["game"], "roulette");
    assert_eq!(v["theoretical_rtp"].as_f64().unwrap(), 36.0 / 37.0);
    assert_eq!(v["within_ci"], true);
    assert_eq!(v["bets"], serde_json::json!([]), "table mode settles per player, not per bet");
}

#[test]
fn simulate_math_mode_reports_and_checks_each_bet() {
    let args = ["simulate", "roulette", "--rounds", "300000", "--mode", "math", "--check", "--seed", ZERO_SEED];
    let out = croupier(&[&args[..], &["--json"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bets = v["bets"].as_array().unwrap();
    assert_eq!(bets.len(), 13, "{v}");
    for bet in bets {
        for field in ["name", "rounds", "staked", "paid", "rtp", "rtp_ci_low", "rtp_ci_high", "theoretical_rtp"] {
            assert!(bet.get(field).is_some(), "missing {field}: {bet}");
        }
        assert_eq!(bet["within_ci"], true, "{bet}");
    }
    let staked: i64 = bets.iter().map(|b| b["staked"].as_i64().unwrap()).sum();
    assert_eq!(serde_json::json!(staked), v["staked"]);
    // The table form lists each bet by name.
    let out = croupier(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("six_line") && text.contains("99.9% interval"), "{text}");
}

#[test]
fn math_mode_plays_the_same_rounds_as_table_mode() {
    for game in croupier_server::games::GAMES.iter().filter(|g| g.simulate_math.is_some()).map(|g| g.id) {
        let run = |mode: &str| -> serde_json::Value {
            let args = ["simulate", game, "--rounds", "50000", "--json", "--threads", "2", "--seed", ZERO_SEED];
            let out = croupier(&[&args[..], &["--mode", mode]].concat());
            assert!(out.status.success(), "{game} {mode}: {}", String::from_utf8_lossy(&out.stderr));
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let (table, math) = (run("table"), run("math"));
        assert_eq!((&table["mode"], &math["mode"]), (&"table".into(), &"math".into()));
        assert_eq!((&table["staked"], &table["paid"]), (&math["staked"], &math["paid"]), "{game}");
        assert_eq!(math["rounds"], 50000);
    }
    let out = croupier(&["simulate", "roulette", "--rounds", "10", "--mode", "fast"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("table"), "the error lists the modes");
}
