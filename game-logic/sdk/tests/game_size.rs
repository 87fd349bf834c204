//! The games studios copy stay small: each game crate under `game-logic/`
//! keeps under 1,000 lines of non-test code and opens with a `//!` overview of
//! the rules it implements.
//!
//! Counted: the lines of every `.rs` file under the crate's `src/` up to the
//! file's `#[cfg(test)]` module (tests come last in our files), leaving out
//! blank lines and comment lines (`//`, `///`, `//!`).

use std::fs;
use std::path::{Path, PathBuf};

const GAMES: [&str; 3] = ["roulette", "blackjack", "slots"];
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

fn game_dir(game: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(game)
}

#[test]
fn the_counting_skips_comments_blanks_and_tests() {
    let text = "//! Overview.\n\nuse x;\n/// Doc.\nfn a() {}\n    // note\n#[cfg(test)]\nmod tests {}\n";
    assert_eq!(code_lines(text), 2);
}

#[test]
fn every_game_crate_is_under_1000_lines_of_code_with_an_overview() {
    for game in GAMES {
        let mut files = Vec::new();
        sources(&game_dir(game).join("src"), &mut files);
        assert!(!files.is_empty(), "{game}: no sources found");
        let counts: Vec<(PathBuf, usize)> = files.iter().map(|f| (f.clone(), code_lines(&read(f)))).collect();
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        assert!(total < LIMIT, "{game}: {total} lines of non-test code (limit {LIMIT}): {counts:?}");
        let lib = read(&game_dir(game).join("src/lib.rs"));
        let overview = lib.lines().take_while(|l| l.starts_with("//!")).count();
        assert!(overview >= 5, "{game}: src/lib.rs must open with a //! overview of its rules");
    }
}
