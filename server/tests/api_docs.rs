//! docs/api.md lists every error code the HTTP API can answer with: each
//! code given to an `ApiError` constructor in `server/src/http/` must appear
//! in its table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

/// The snake_case string literal starting right after `at`, if any.
fn literal(text: &str, at: usize) -> Option<&str> {
    let rest = text[at..].trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    let code = &rest[..end];
    (!code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then_some(code)
}

fn codes_in(source: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for marker in ["bad_request(", "unauthorized(", "ApiError::new(StatusCode::", "Self::new(StatusCode::"] {
        for (i, _) in source.match_indices(marker) {
            let mut at = i + marker.len();
            if marker.ends_with("::") {
                // Skip the status constant and its comma.
                match source[at..].find(',') {
                    Some(comma) => at += comma + 1,
                    None => continue,
                }
            }
            if let Some(code) = literal(source, at) {
                codes.push(code.to_owned());
            }
        }
    }
    codes
}

#[test]
fn every_error_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("../docs/api.md")).unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root.join("src/http")).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        // Without whitespace, a call split over lines reads like one on a line.
        let compact: String = source.split_whitespace().collect();
        found.extend(codes_in(&compact));
    }
    found.sort();
    found.dedup();
    assert!(found.len() >= 15, "the scan found too few codes to be working: {found:?}");
    let missing: Vec<_> = found.iter().filter(|c| !docs.contains(&format!("`{c}`"))).collect();
    assert!(missing.is_empty(), "codes missing from docs/api.md: {missing:?}");
}
