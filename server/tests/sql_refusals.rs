//! The wallet's SQL refusals are read through one table
//! (`store::sql_refusal`): every word the Postgres wallet function can
//! answer in `op_error` is in it, each becomes a store error whose wire code
//! docs/api.md lists, and a word it does not know is not taken for one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use croupier_server::store::{SQL_REFUSALS, sql_refusal};

/// Every `op_error := 'word'` in the Postgres migrations.
fn answered_by_sql() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    let mut words = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in text.split("op_error := '").skip(1) {
            words.insert(part.split('\'').next().unwrap().to_owned());
        }
    }
    words
}

#[test]
fn every_sql_refusal_maps_to_a_documented_code() {
    let sql = answered_by_sql();
    assert!(sql.len() >= 5, "the migrations were read: {sql:?}");
    let table: BTreeSet<String> = SQL_REFUSALS.iter().map(|w| (*w).to_owned()).collect();
    assert_eq!(sql, table, "the words the SQL answers and the table's are the same");
    let api = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md")).unwrap();
    for word in SQL_REFUSALS {
        let refused = sql_refusal(word, "7").unwrap_or_else(|| panic!("{word} is not read"));
        let code = refused.code().as_str();
        assert!(api.contains(&format!("`{code}`")), "{word} travels as {code}, which docs/api.md does not list");
    }
    // The one whose word and wire code differ.
    assert_eq!(sql_refusal("key_reused", "k").unwrap().code().as_str(), "idempotency_key_reused");
    assert!(sql_refusal("no_such_refusal", "x").is_none());
    assert!(sql_refusal("payout_without_stake", "not a user id").is_none(), "a detail that does not fit");
}
