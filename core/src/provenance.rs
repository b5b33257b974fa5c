//! Provenance: which ruleset made a result. Every result carries the ruleset's id, version and a
//! content hash, so that an archived score can be traced to the exact rules that produced it.
//!
//! The hash is the SHA-256 of the ruleset's *canonical form*, written in lowercase hex:
//!
//! - the TOML document as data (comments, whitespace, quoting style and the order of keys within a
//!   table do not count; the order of arrays — indicators, grades, bands — does);
//! - written as compact JSON (no spaces) with the keys of every table sorted by their UTF-8 bytes;
//! - every number written as a double in its shortest round-trip form (`10` and `10.0` are the
//!   same number), strings with JSON escapes, TOML dates and times as strings in their TOML form.
//!
//! Two files that differ only in layout or comments therefore have the same hash, and any change
//! of meaning (a point value, a threshold, a name) gives another. The same text gives the same
//! hash in Rust, Python and JavaScript, since all three compile through this crate.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The ruleset a result was produced by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Provenance {
    /// Ruleset id.
    pub ruleset: String,
    /// Ruleset version.
    pub version: String,
    /// SHA-256 of the ruleset's canonical form (64 lowercase hex digits).
    pub hash: String,
}

/// The canonical form of a TOML document (see the module documentation).
pub(crate) fn canonical(doc: &toml::Table) -> String {
    let mut out = String::new();
    write_table(&mut out, doc);
    out
}

/// SHA-256 of the canonical form, in lowercase hex.
pub(crate) fn hash(doc: &toml::Table) -> String {
    let digest = Sha256::digest(canonical(doc).as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn write_table(out: &mut String, table: &toml::Table) {
    let mut keys: Vec<&String> = table.keys().collect();
    keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    out.push('{');
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        if let Some(value) = table.get(key) {
            write_value(out, value);
        }
    }
    out.push('}');
}

fn write_value(out: &mut String, value: &toml::Value) {
    match value {
        toml::Value::String(s) => write_string(out, s),
        // Integers as doubles: rulesets mean numbers, and `points = 10` equals `points = 10.0`.
        toml::Value::Integer(i) => write_number(out, *i as f64),
        toml::Value::Float(x) => write_number(out, *x),
        toml::Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        toml::Value::Datetime(d) => write_string(out, &d.to_string()),
        toml::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        toml::Value::Table(t) => write_table(out, t),
    }
}

fn write_number(out: &mut String, x: f64) {
    // serde_json writes finite doubles in their shortest round-trip form (`10.0`, `0.1`); TOML's
    // inf and nan have no JSON form and are written as strings.
    match serde_json::Number::from_f64(x) {
        Some(n) => out.push_str(&n.to_string()),
        None => write_string(out, &x.to_string()),
    }
}

fn write_string(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn layout_comments_and_key_order_do_not_change_the_hash() {
        let a = table(
            "# a comment\n[ruleset]\nid = \"x\"\nscale = 10\n[[indicator]]\nid='a'\npoints=5\n",
        );
        let b = table("[ruleset]\nscale = 10.0   # ten\nid = \"x\"\n\n[[indicator]]\npoints = 5\nid = \"a\"\n");
        assert_eq!(hash(&a), hash(&b));
        assert_eq!(
            canonical(&a),
            r#"{"indicator":[{"id":"a","points":5.0}],"ruleset":{"id":"x","scale":10.0}}"#
        );
    }

    #[test]
    fn any_change_of_meaning_changes_the_hash() {
        let a = table("[ruleset]\nid = \"x\"\nscale = 10\n");
        let b = table("[ruleset]\nid = \"x\"\nscale = 11\n");
        let c = table("[ruleset]\nid = \"y\"\nscale = 10\n");
        assert_ne!(hash(&a), hash(&b));
        assert_ne!(hash(&a), hash(&c));
        assert_eq!(hash(&a).len(), 64);
        assert!(hash(&a).chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    }

    #[test]
    fn array_order_counts() {
        let a = table("g = [1, 2]\n");
        let b = table("g = [2, 1]\n");
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn the_hash_of_a_known_text_is_stable() {
        // Pinned, so that a change of the canonical form is a deliberate one (archived results
        // would no longer match their rulesets).
        let a = table("[ruleset]\nid = \"x\"\nname = \"清廉\"\nscale = 10\n");
        assert_eq!(
            canonical(&a),
            r#"{"ruleset":{"id":"x","name":"清廉","scale":10.0}}"#
        );
        // `printf '%s' '{"ruleset":{"id":"x","name":"清廉","scale":10.0}}' | sha256sum`
        assert_eq!(
            hash(&a),
            "c3823a0cf421aa9b95967a4ff547add8b9422c070eea56c5d6e6a14f6f2e7f5e"
        );
    }
}
