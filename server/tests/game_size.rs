//! The games studios copy stay small: the crate of every game the server
//! deals (found through the registry, `croupier_server::games::GAMES`)
//! keeps under 1,000 lines of non-test code and opens with a `//!` overview
//! of the rules it implements.
//!
//! Counted: the lines of every `.rs` file under the crate's `src/` up to the
//! file's `#[cfg(test)]` module (tests come last in our files), leaving out
//! blank lines and comment lines (`//`, `///`, `//!`).

use std::fs;
use std::path::{Path, PathBuf};

use croupier_server::games::GAMES;

const LIMIT: usize = 1_000;

fn code_lines(text: &str) -> usize {
    text.lines()
        .map(str::trim_start)
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { panic!("cannot read {}", dir.display()) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn the_counting_skips_comments_blanks_and_tests() {
    let text = "//! Overview.\n\nuse x;\n/// Doc.\nfn a() {}\n    // note\n#[cfg(test)]\nmod tests {}\n";
    assert_eq!(code_lines(text), 2);
}

#[test]
fn every_game_crate_is_under_1000_lines_of_code_with_an_overview() {
    // Every game crate the server deals; the SDK's example lives in the SDK
    // crate, in one file (`example.rs`) that the 600-line file limit holds.
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../game-logic/sdk")
        .canonicalize()
        .unwrap_or_else(|e| panic!("the SDK folder: {e}"));
    let dealt: Vec<_> = GAMES
        .iter()
        .filter(|g| g.kind.is_some() && Path::new(g.crate_dir).canonicalize().ok().as_deref() != Some(sdk.as_path()))
        .collect();
    assert!(dealt.len() >= 3, "the registry lists the shipped games");
    for game in dealt {
        let dir = Path::new(game.crate_dir);
        let mut files = Vec::new();
        sources(&dir.join("src"), &mut files);
        assert!(!files.is_empty(), "{}: no sources found in {}", game.id, dir.display());
        let counts: Vec<(PathBuf, usize)> = files.iter().map(|f| (f.clone(), code_lines(&read(f)))).collect();
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        assert!(total < LIMIT, "{}: {total} lines of non-test code (limit {LIMIT}): {counts:?}", game.id);
        let lib = read(&dir.join("src/lib.rs"));
        let overview = lib.lines().take_while(|l| l.starts_with("//!")).count();
        assert!(overview >= 5, "{}: src/lib.rs must open with a //! overview of its rules", game.id);
    }
}
