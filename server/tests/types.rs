//! The TypeScript SDK's schemas are those of the Rust types: each file in
//! `clients/typescript/schema/` is exactly what `croupier_server::schema`
//! gives now, and there is no other. (The SDK's own test checks that the
//! generated TypeScript matches these schemas.) Run `scripts/generate-types`
//! after changing a wire type.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use croupier_server::schema::{documents, file_text};

#[test]
fn the_committed_schemas_are_those_of_the_rust_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../clients/typescript/schema");
    let mut stale = Vec::new();
    for document in documents() {
        let path = dir.join(format!("{}.json", document.name));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != file_text(&document) {
            stale.push(document.name);
        }
    }
    assert!(stale.is_empty(), "stale schemas in {}: {stale:?}; run scripts/generate-types", dir.display());
    let files: BTreeSet<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let expected: BTreeSet<String> = documents().iter().map(|d| format!("{}.json", d.name)).collect();
    assert_eq!(files, expected, "a schema file no type makes");
}

#[test]
fn the_schemas_describe_what_the_types_write() {
    // Spot checks that would fail if a schema drifted from serde's output:
    // money is an integer, tagged enums carry their tag, ids are numbers.
    let docs = documents();
    let roulette = &docs.iter().find(|d| d.name == "roulette").unwrap().schema["definitions"];
    let bet = &roulette["Action"]["oneOf"][0];
    assert_eq!(bet["properties"]["type"]["const"], "bet");
    assert_eq!(bet["properties"]["amount"]["type"], "integer");
    assert_eq!(roulette["Win"]["properties"]["amount"]["type"], "integer");
    assert_eq!(roulette["PlayerId"]["type"], "integer");
    assert_eq!(roulette["Currency"]["pattern"], "^[A-Z]{3}$");
    let protocol = &docs.iter().find(|d| d.name == "protocol").unwrap().schema["definitions"];
    let tags: Vec<&str> = protocol["ServerMsg"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["properties"]["type"]["const"].as_str().unwrap())
        .collect();
    for tag in ["hello", "authed", "joined", "event", "skip", "resync", "chat", "session", "closing"] {
        assert!(tags.contains(&tag), "ServerMsg lacks {tag}: {tags:?}");
    }
    let sample = serde_json::to_value(croupier_protocol::ServerMsg::Skip { table: "t".into(), seq: 3 }).unwrap();
    let skip =
        protocol["ServerMsg"]["oneOf"].as_array().unwrap().iter().find(|v| v["properties"]["type"]["const"] == "skip");
    let required: BTreeSet<&str> =
        skip.unwrap()["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let written: BTreeSet<&str> = sample.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(required, written, "the schema's required fields are the fields serde writes");
}
