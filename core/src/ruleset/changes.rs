//! What-if: a new ruleset with some rule parameters changed by path, without editing the text.
//!
//! A path names a value of the ruleset file:
//! - `ruleset.scale`, `bonus.cap` — keys of the `[ruleset]` and `[bonus]` tables;
//! - `grade.优秀.min`, `veto.bribery.effect`, `input.complaints.max`, `alert.pm_changes.level`,
//!   `quota.引领型.top` — an element of `[[grade]]` / `[[quota]]` (by name), `[[input]]` (by name),
//!   `[[veto]]` / `[[alert]]` (by id), or of any of these by position (`grade.0.min`), then a key
//!   within it;
//! - `complaints.scorer.tiers.0.per`, `power.list.points` (or `indicator.power.list.points`) — an
//!   indicator by its id (the longest id that the path starts with), then a key within it; array
//!   elements by position from 0.
//!
//! The value replaces the one at the path (a key that is not there yet is added; `null` removes
//! it). The changed document is validated like a file: every error is reported, with the
//! indicator path it concerns. Line and column are left out, since they would point into text
//! the user never wrote.

use super::Ruleset;
use crate::error::{Diagnostic, RulesetError, Severity};

/// Arrays of tables and the key that names their elements.
const NAMED: [(&str, &str); 6] = [
    ("grade", "name"),
    ("quota", "name"),
    ("input", "name"),
    ("veto", "id"),
    ("alert", "id"),
    ("equivalence", "input"),
];

impl Ruleset {
    /// A new, validated ruleset with the values at the given paths replaced (see the module
    /// documentation of `ruleset::changes` for paths). The ruleset itself is unchanged.
    ///
    /// ```
    /// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/village.toml")).unwrap();
    /// let ruleset = qinglian::Ruleset::from_toml(&text).unwrap();
    /// let stricter = ruleset
    ///     .with_changes([("grade.达标.min", serde_json::json!(80))])
    ///     .unwrap();
    /// assert_eq!(stricter.grades()[1].min, 80.0);
    /// assert_ne!(stricter.hash(), ruleset.hash());
    /// ```
    pub fn with_changes<'a>(
        &self,
        changes: impl IntoIterator<Item = (&'a str, serde_json::Value)>,
    ) -> Result<Ruleset, RulesetError> {
        let mut doc = (*self.source).clone();
        let mut errors = Vec::new();
        for (path, value) in changes {
            if let Err(message) = apply(&mut doc, path, value) {
                errors.push(Diagnostic {
                    code: "ruleset.change",
                    message,
                    severity: Severity::Error,
                    file: None,
                    line: None,
                    column: None,
                    path: Some(path.to_string()),
                });
            }
        }
        if !errors.is_empty() {
            return Err(RulesetError {
                errors,
                warnings: Vec::new(),
            });
        }
        let text = toml::to_string(&doc).map_err(|e| RulesetError {
            errors: vec![Diagnostic {
                code: "ruleset.change",
                message: format!("the changed ruleset cannot be written as TOML: {e}"),
                severity: Severity::Error,
                file: None,
                line: None,
                column: None,
                path: None,
            }],
            warnings: Vec::new(),
        })?;
        let unplace = |mut d: Diagnostic| {
            d.line = None;
            d.column = None;
            d
        };
        Ruleset::from_toml(&text).map_err(|e| RulesetError {
            errors: e.errors.into_iter().map(unplace).collect(),
            warnings: e.warnings.into_iter().map(unplace).collect(),
        })
    }
}

/// Sets (or, with `null`, removes) the value at `path` in the document.
fn apply(doc: &mut toml::Table, path: &str, value: serde_json::Value) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (head, rest) = match parts.split_first() {
        Some((head, rest)) if !head.is_empty() => (*head, rest),
        _ => return Err("an empty path names nothing".into()),
    };
    let (table, keys): (&mut toml::Table, &[&str]) = match head {
        "ruleset" | "bonus" => match doc.get_mut(head) {
            Some(toml::Value::Table(t)) => (t, rest),
            _ => return Err(format!("the ruleset has no `[{head}]` table")),
        },
        _ => {
            if let Some(&(_, key)) = NAMED.iter().find(|(array, _)| *array == head) {
                let Some((which, keys)) = rest.split_first() else {
                    return Err(format!(
                        "name a `{head}` and one of its keys, e.g. `{head}.<{key}>.…`"
                    ));
                };
                let element = element(doc, head, key, which)?;
                (element, keys)
            } else {
                let rest = if head == "indicator" {
                    rest
                } else {
                    &parts[..]
                };
                indicator(doc, rest)?
            }
        }
    };
    set(table, keys, value, path)
}

/// The element of an array of tables by its name (or id) or by position.
fn element<'d>(
    doc: &'d mut toml::Table,
    array: &str,
    key: &str,
    which: &str,
) -> Result<&'d mut toml::Table, String> {
    let Some(toml::Value::Array(items)) = doc.get_mut(array) else {
        return Err(format!("the ruleset has no `[[{array}]]`"));
    };
    let by_name = items
        .iter()
        .position(|item| item.get(key).and_then(toml::Value::as_str) == Some(which));
    let at = by_name.or_else(|| which.parse::<usize>().ok().filter(|&i| i < items.len()));
    match at.and_then(|i| items.get_mut(i)) {
        Some(toml::Value::Table(t)) => Ok(t),
        _ => Err(format!("no `{array}` with {key} `{which}`")),
    }
}

/// The indicator whose id is the longest prefix of `parts`, and the keys after it.
fn indicator<'d, 'p>(
    doc: &'d mut toml::Table,
    parts: &'p [&'p str],
) -> Result<(&'d mut toml::Table, &'p [&'p str]), String> {
    let Some(toml::Value::Array(items)) = doc.get_mut("indicator") else {
        return Err("the ruleset has no indicators".into());
    };
    // Find the position first, then borrow once (a loop of mutable borrows would not check).
    let found = (1..=parts.len()).rev().find_map(|n| {
        let id = parts.get(..n).unwrap_or_default().join(".");
        items
            .iter()
            .position(|item| item.get("id").and_then(toml::Value::as_str) == Some(id.as_str()))
            .map(|i| (i, n))
    });
    if let Some((i, n)) = found {
        if let Some(toml::Value::Table(t)) = items.get_mut(i) {
            return Ok((t, parts.get(n..).unwrap_or_default()));
        }
    }
    Err(format!(
        "no indicator, nor `ruleset`, `bonus`, `grade`, `veto`, `input`, `alert`, `quota` or `equivalence`, at `{}`",
        parts.join(".")
    ))
}

fn set(
    table: &mut toml::Table,
    keys: &[&str],
    value: serde_json::Value,
    path: &str,
) -> Result<(), String> {
    let Some((last, inner)) = keys.split_last() else {
        return Err(format!(
            "`{path}` names a whole table: name one of its keys"
        ));
    };
    let mut at: &mut toml::Value = match inner.split_first() {
        None => return put_in_table(table, last, value, path),
        Some((first, _)) => table
            .get_mut(*first)
            .ok_or_else(|| format!("`{path}`: there is no `{first}`"))?,
    };
    for key in inner.iter().skip(1) {
        at = step(at, key, path)?;
    }
    match at {
        toml::Value::Table(t) => put_in_table(t, last, value, path),
        toml::Value::Array(items) => {
            let i = index(last, items.len(), path)?;
            match to_toml(value) {
                Some(v) => match items.get_mut(i) {
                    Some(slot) => {
                        *slot = v;
                        Ok(())
                    }
                    None => Err(format!("`{path}`: no element {i}")),
                },
                None => {
                    items.remove(i);
                    Ok(())
                }
            }
        }
        _ => Err(format!(
            "`{path}`: `{}` holds a single value",
            inner.join(".")
        )),
    }
}

fn step<'v>(at: &'v mut toml::Value, key: &str, path: &str) -> Result<&'v mut toml::Value, String> {
    match at {
        toml::Value::Table(t) => t
            .get_mut(key)
            .ok_or_else(|| format!("`{path}`: there is no `{key}`")),
        toml::Value::Array(items) => {
            let i = index(key, items.len(), path)?;
            items
                .get_mut(i)
                .ok_or_else(|| format!("`{path}`: no element {i}"))
        }
        _ => Err(format!("`{path}`: `{key}` is inside a single value")),
    }
}

fn index(key: &str, len: usize, path: &str) -> Result<usize, String> {
    match key.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        Ok(i) => Err(format!("`{path}`: element {i} of a list of {len}")),
        Err(_) => Err(format!(
            "`{path}`: a list is indexed by position (0, 1, …), not `{key}`"
        )),
    }
}

fn put_in_table(
    table: &mut toml::Table,
    key: &str,
    value: serde_json::Value,
    path: &str,
) -> Result<(), String> {
    if key.is_empty() {
        return Err(format!("`{path}` ends with an empty key"));
    }
    match to_toml(value) {
        Some(v) => {
            table.insert(key.to_string(), v);
        }
        None => {
            table.remove(key);
        }
    }
    Ok(())
}

/// JSON → TOML; `None` for null (a removal). Whole numbers stay integers.
fn to_toml(value: serde_json::Value) -> Option<toml::Value> {
    Some(match value {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => toml::Value::Boolean(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => toml::Value::String(s),
        serde_json::Value::Array(items) => {
            toml::Value::Array(items.into_iter().filter_map(to_toml).collect())
        }
        serde_json::Value::Object(map) => toml::Value::Table(
            map.into_iter()
                .filter_map(|(k, v)| to_toml(v).map(|v| (k, v)))
                .collect(),
        ),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use serde_json::json;

    fn village() -> Ruleset {
        Ruleset::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/village.toml"
        ))
        .unwrap()
    }

    fn pe() -> Ruleset {
        Ruleset::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/private-enterprise.toml"
        ))
        .unwrap()
    }

    #[test]
    fn a_change_shows_in_the_rules_and_can_be_undone() {
        // The "what if a minor complaint cost twice as much" question.
        let base = pe();
        let tiers = base.source["indicator"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i.get("scorer").and_then(|s| s.get("tiers")).is_some())
            .unwrap();
        let id = tiers["id"].as_str().unwrap().to_string();
        let per = tiers["scorer"]["tiers"][0]["per"].as_integer().unwrap();
        let changed = base
            .with_changes([(format!("{id}.scorer.tiers.0.per").as_str(), json!(per * 2))])
            .unwrap();
        assert_ne!(changed.hash(), base.hash());
        let row = |r: &Ruleset| {
            let table = r.rule_table(crate::Lang::Zh);
            let at = r.indicator_paths().iter().position(|p| *p == id).unwrap();
            table.rows[at].method.clone()
        };
        assert!(
            row(&changed).contains(&format!("每例扣{}分", per * 2)),
            "{}",
            row(&changed)
        );
        let again = changed
            .with_changes([(
                format!("indicator.{id}.scorer.tiers.0.per").as_str(),
                json!(per),
            )])
            .unwrap();
        assert_eq!(
            again.hash(),
            base.hash(),
            "changing it back gives the same rules"
        );
    }

    #[test]
    fn grades_vetoes_and_metadata_by_name() {
        let base = village();
        let changed = base
            .with_changes([
                ("grade.达标.min", json!(80)),
                ("ruleset.version", json!("2026-what-if")),
                ("power.list.points", json!(10.0)),
            ])
            .unwrap();
        assert_eq!(changed.grades()[1].min, 80.0);
        assert_eq!(changed.metadata().version, "2026-what-if");
        let by_position = base.with_changes([("grade.1.min", json!(80))]).unwrap();
        assert_eq!(by_position.grades()[1].min, 80.0);
        assert_eq!(base.grades()[1].min, 75.0, "the original is unchanged");
    }

    #[test]
    fn bad_paths_and_bad_values_are_errors_naming_the_path() {
        let base = village();
        let e = base
            .with_changes([("nowhere.points", json!(1))])
            .unwrap_err();
        assert_eq!(e.errors[0].code, "ruleset.change");
        assert_eq!(e.errors[0].path.as_deref(), Some("nowhere.points"));
        let e = base
            .with_changes([("grade.优秀.min", json!(1))])
            .unwrap_err();
        assert_eq!(e.errors[0].code, "ruleset.change");
        let e = base.with_changes([("power.list", json!(1))]).unwrap_err();
        assert_eq!(e.errors[0].code, "ruleset.change");
        // A value the validator refuses: placed by indicator path, not by line.
        let e = base
            .with_changes([("power.list.scorer.type", json!("no_such_scorer"))])
            .unwrap_err();
        assert!(e.errors.iter().all(|d| d.line.is_none()));
        assert!(
            e.errors
                .iter()
                .any(|d| d.path.as_deref() == Some("power.list")),
            "{e}"
        );
    }
}
