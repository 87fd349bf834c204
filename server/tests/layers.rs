//! The server's modules depend one way: no module reaches, through
//! `crate::` paths in its code, a module that reaches back to it. Shared
//! pieces (the outbound queues, the clock, the request state) sit below
//! every module that uses them. Reads `server/src` (the binary's `cli`
//! and the crate roots excepted: they sit on top).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module of `server/src` and the modules its code names.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
            if ["cli", "main", "lib"].contains(&top.as_str()) || !rel.ends_with(".rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
            let named = uses.entry(top.clone()).or_default();
            for line in code {
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + "crate::".len()..];
                    let module: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !module.is_empty() && module != top {
                        named.insert(module);
                    }
                }
            }
        }
    }
    uses
}

#[test]
fn no_module_depends_on_one_that_depends_on_it() {
    let uses = uses();
    assert!(uses.len() > 10, "the modules were read: {uses:?}");
    for start in uses.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = uses[start].iter().collect();
        while let Some(m) = todo.pop() {
            assert_ne!(m, start, "{start} reaches itself through its imports: {uses:#?}");
            if seen.insert(m.clone()) {
                todo.extend(uses.get(m).into_iter().flatten());
            }
        }
    }
}

#[test]
fn play_and_ws_meet_only_in_the_pieces_below_them() {
    let uses = uses();
    for (low, high) in [("play", "ws"), ("play", "app"), ("play", "http"), ("ws", "http"), ("clients", "ws")] {
        assert!(!uses[low].contains(high), "{low} uses {high}: {:?}", uses[low]);
    }
    assert!(uses["ws"].contains("clients") && uses["play"].contains("clients"), "both write through clients");
}
