//! One catalogue of error codes, checked both ways against the docs.
//!
//! What can be sent: every `croupier_protocol::ErrorCode` (the server's own
//! and the refusals games share) and every game's own `Game::CODES`; no
//! other code reaches a client (the engine sends an unlisted game code as
//! `internal_error`, `server/tests/engine.rs`; the wallet's SQL refusals map
//! through `store::sql_refusal`, `server/tests/sql_refusals.rs`). Here:
//! - every `ErrorCode` is named by the code that sends it (the server's
//!   sources or a registered game's), so none is listed but never sent;
//! - every `ErrorCode` is a row of the error table of docs/api.md or
//!   docs/protocol.md, and every row there is an `ErrorCode`;
//! - every game played at tables or sessions has a refusals table on its
//!   page that lists each of its own codes and nothing outside the
//!   catalogue, and no own code is another game's or a shared one.
//!
//! That each own code can be sent is proved by the game's scenarios
//! (`croupier_sdk::scenario::run_scenario_dir` fails on one none provokes).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use croupier_protocol::ErrorCode;
use croupier_sdk::Code;
use croupier_server::games::GAMES;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.rs` file under `dir`, read into one string.
fn sources(dir: &Path, into: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push_str(&read(&path));
        }
    }
}

/// The codes of the table under the heading `heading` (`## …`): in each
/// row, the first cell that is one backticked code.
fn table_codes(page: &str, heading: &str) -> Vec<String> {
    let mut lines = page.lines().skip_while(|l| l.trim() != heading);
    assert!(lines.next().is_some(), "no heading {heading:?}");
    let mut codes = Vec::new();
    for line in lines.take_while(|l| !l.starts_with("## ")).filter(|l| l.starts_with('|')) {
        let cell = line
            .split('|')
            .map(str::trim)
            .find(|c| c.len() > 2 && c.starts_with('`') && c.ends_with('`') && Code::well_formed(&c[1..c.len() - 1]));
        if let Some(cell) = cell {
            codes.push(cell[1..cell.len() - 1].to_owned());
        }
    }
    codes
}

#[test]
fn every_shared_code_is_sent_by_some_code() {
    let mut text = String::new();
    sources(&root().join("server/src"), &mut text);
    for game in GAMES {
        sources(&Path::new(game.crate_dir).join("src"), &mut text);
    }
    let never: Vec<&str> =
        ErrorCode::ALL.iter().filter(|c| !text.contains(&format!("ErrorCode::{c:?}"))).map(|c| c.as_str()).collect();
    assert!(never.is_empty(), "codes in the catalogue that nothing sends: {never:?}");
}

#[test]
fn the_error_tables_list_exactly_the_shared_codes() {
    let mut listed = BTreeSet::new();
    for page in ["docs/api.md", "docs/protocol.md"] {
        let codes = table_codes(&read(&root().join(page)), "## Error codes");
        assert!(codes.len() >= 20, "{page}: the table scan found only {codes:?}");
        for code in codes {
            assert!(ErrorCode::parse(&code).is_some(), "{page} lists `{code}`, which is no ErrorCode");
            listed.insert(code);
        }
    }
    let missing: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).filter(|c| !listed.contains(*c)).collect();
    assert!(missing.is_empty(), "codes in no error table of docs/api.md or docs/protocol.md: {missing:?}");
}

#[test]
fn every_game_page_lists_its_own_codes_and_only_catalogued_ones() {
    let mut owners: Vec<(&str, &str)> = Vec::new();
    for game in GAMES.iter().filter(|g| g.kind.is_some()) {
        let page = root().join(format!("docs/games/{}.md", game.id));
        let listed = table_codes(&read(&page), "## Refusals");
        for code in &listed {
            let own = game.codes.iter().any(|c| c == &code.as_str());
            assert!(
                own || ErrorCode::parse(code).is_some(),
                "{} lists `{code}`: neither shared nor in {}'s CODES",
                page.display(),
                game.id
            );
        }
        for code in game.codes {
            assert!(listed.iter().any(|l| code == &l.as_str()), "{}: `{code}` is not in its refusals", page.display());
        }
    }
    for game in GAMES {
        for code in game.codes {
            assert!(!code.is_shared() && !code.is_internal(), "{}: `{code}` is shared, not its own", game.id);
            if let Some((other, _)) = owners.iter().find(|(_, c)| *c == code.as_str()) {
                panic!("`{code}` is the own code of both {other} and {}: make it a shared one", game.id);
            }
            owners.push((game.id, code.as_str()));
        }
    }
}

#[test]
fn the_table_scan_reads_rows_and_skips_headers() {
    let page = "## Other\n| `nope` |\n## Refusals\n\n| code | when |\n|---|---|\n| `a_code` | x |\n| 409 | `b_code` | y |\nprose `c_code`\n## Next\n| `d_code` |\n";
    assert_eq!(table_codes(page, "## Refusals"), ["a_code", "b_code"]);
}
