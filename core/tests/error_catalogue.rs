//! `docs/errors.md` names every error code the project can produce: each code written in the
//! sources of the core, the command line and the bindings must appear there.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;

/// Codes written as string literals (`"record.not_a_number"`) in the Rust files under `dir`.
fn codes_in(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            codes_in(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            // A file's test module names paths such as `ruleset.version`, not codes.
            let text = text.split("#[cfg(test)]").next().unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let Some((family, rest)) = literal.split_once('.') else {
                    continue;
                };
                let families = [
                    "record", "ruleset", "expr", "cohort", "columns", "options", "lang", "internal",
                ];
                if families.contains(&family)
                    && !rest.is_empty()
                    && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                {
                    out.push(literal.to_string());
                }
            }
        }
    }
}

#[test]
fn every_code_is_in_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let mut codes = Vec::new();
    for dir in ["core/src", "cli/src", "python/src", "wasm/src"] {
        codes_in(&root.join(dir), &mut codes);
    }
    codes.sort();
    codes.dedup();
    assert!(codes.len() > 50, "found only {} codes", codes.len());
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !catalogue.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/errors.md: {missing:?}"
    );
}
