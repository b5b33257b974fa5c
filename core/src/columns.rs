//! Which column of a table holds which input: the one place where headers (CSV and workbook
//! header rows, JSON field names, data-frame columns, JavaScript keys) are matched to a
//! ruleset's inputs.
//!
//! A header matches an input when, folded, it equals the input's `name`, its `label` or one of
//! its `aliases`. Folding trims the ends and reads full-width ASCII (`ＩＤ`, `（万元）`) and the
//! ideographic space as their ASCII forms, as a Chinese input method types them; nothing else
//! (capitals included) is changed. The id and name columns match their field (`id_field`,
//! `name_field`) or one of its aliases (`id_aliases`, `name_aliases`: `编号`, `单位名称`) in any
//! capitals as well.
//!
//! A header that matches two inputs, or two headers that match one input, is an error naming
//! both: which column holds the values is anybody's guess.

use crate::ruleset::Ruleset;
use std::borrow::Cow;

/// A header as it is matched: trimmed, full-width ASCII and the ideographic space folded to
/// ASCII. Borrowed when nothing changes (plain ASCII headers, most Chinese ones).
pub fn fold_header(text: &str) -> Cow<'_, str> {
    let t = text.trim();
    if !t.chars().any(is_wide) {
        return Cow::Borrowed(t);
    }
    Cow::Owned(t.chars().map(narrow).collect::<String>().trim().to_string())
}

fn is_wide(c: char) -> bool {
    matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')
}

/// Full-width forms U+FF01..U+FF5E are U+0021..U+007E shifted by 0xFEE0 (NFKC reads them so).
fn narrow(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    }
}

/// Where the ruleset's fields are among some headers (indices into the headers given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnMatch {
    /// Per input, in declaration order: the header that holds it.
    pub inputs: Vec<Option<usize>>,
    /// The header of the unit id.
    pub id: Option<usize>,
    /// The header of the unit name.
    pub name: Option<usize>,
}

impl ColumnMatch {
    /// Whether every input found is under its own name (nothing to translate).
    pub fn by_names<S: AsRef<str>>(&self, ruleset: &Ruleset, headers: &[S]) -> bool {
        self.inputs.iter().zip(ruleset.inputs()).all(|(at, input)| {
            at.is_none_or(|i| headers.get(i).is_some_and(|h| h.as_ref() == input.name))
        })
    }

    /// The input (its index in declaration order) a header holds.
    pub fn input_at(&self, header: usize) -> Option<usize> {
        self.inputs.iter().position(|&at| at == Some(header))
    }
}

/// Whether a folded header heads the unit id (or name) column: its field or one of the field's
/// aliases, in any capitals. Allocates nothing for ASCII and most Chinese aliases.
pub fn is_label_header(field: &str, aliases: &[String], folded: &str) -> bool {
    folded.eq_ignore_ascii_case(field)
        || aliases
            .iter()
            .any(|a| fold_header(a).eq_ignore_ascii_case(folded))
}

/// The inputs a folded header matches, in declaration order.
fn matching(ruleset: &Ruleset, folded: &str) -> Vec<usize> {
    ruleset
        .inputs()
        .iter()
        .enumerate()
        .filter(|(_, input)| {
            std::iter::once(&input.name)
                .chain(std::iter::once(&input.label))
                .chain(&input.aliases)
                .any(|key| fold_header(key) == folded)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The input a header holds, if exactly one matches it.
pub fn input_of_header<'r>(ruleset: &'r Ruleset, header: &str) -> Option<&'r crate::Input> {
    match matching(ruleset, &fold_header(header)).as_slice() {
        [one] => ruleset.inputs().get(*one),
        _ => None,
    }
}

/// Matches headers to the ruleset's inputs, id and name (see the module docs). Empty headers
/// match nothing. The error says, in plain words, which two headers or inputs collide.
pub fn match_columns<S: AsRef<str>>(
    ruleset: &Ruleset,
    headers: &[S],
) -> Result<ColumnMatch, String> {
    let inputs = ruleset.inputs();
    let meta = ruleset.metadata();
    let mut found = ColumnMatch {
        inputs: vec![None; inputs.len()],
        id: None,
        name: None,
    };
    let text = |i: usize| crate::excerpt(headers.get(i).map_or("", AsRef::as_ref).trim(), 40);
    let pair = |j: usize, i: usize| {
        format!(
            "columns {} and {} (`{}`, `{}`)",
            j + 1,
            i + 1,
            text(j),
            text(i)
        )
    };
    let label = |slot: usize| inputs.get(slot).map_or("", |i| i.label.as_str());
    for (i, header) in headers.iter().enumerate() {
        let folded = fold_header(header.as_ref());
        if folded.is_empty() {
            continue;
        }
        for (field, aliases, at, what) in [
            (&meta.id_field, &meta.id_aliases, &mut found.id, "id"),
            (
                &meta.name_field,
                &meta.name_aliases,
                &mut found.name,
                "name",
            ),
        ] {
            if is_label_header(field, aliases, &folded) {
                if let Some(j) = *at {
                    return Err(format!(
                        "{} are both the unit {what} column; keep one",
                        pair(j, i)
                    ));
                }
                *at = Some(i);
            }
        }
        match matching(ruleset, &folded).as_slice() {
            [] => {}
            [slot] => match found.inputs.get_mut(*slot) {
                Some(Some(j)) => {
                    return Err(format!(
                        "{} both hold 「{}」; keep one",
                        pair(*j, i),
                        label(*slot)
                    ))
                }
                Some(at) => *at = Some(i),
                None => {}
            },
            [a, b, ..] => {
                return Err(format!(
                    "column {} (`{}`) could hold 「{}」 or 「{}」 (it is the name, label or alias \
                     of both); rename it",
                    i + 1,
                    text(i),
                    label(*a),
                    label(*b)
                ))
            }
        }
    }
    Ok(found)
}

/// One record's fields under the ruleset's input names, for records whose field names are
/// labels or aliases. Records of a file or a list share their field names, so the match is
/// worked out once and kept while the names stay the same.
pub(crate) struct RecordMatcher {
    keys: Vec<String>,
    /// Per input: the field that holds it; or why the fields cannot be matched.
    fields: Result<Vec<Option<String>>, String>,
    /// Every input under its own name (the usual case): look fields up directly.
    plain: bool,
}

impl RecordMatcher {
    pub(crate) fn new() -> Self {
        RecordMatcher {
            keys: Vec::new(),
            fields: Ok(Vec::new()),
            plain: false,
        }
    }

    /// The field of each input of `record` (`None` when all are under their names), or the
    /// ambiguity.
    pub(crate) fn fields(
        &mut self,
        ruleset: &Ruleset,
        record: &crate::Record,
    ) -> Result<Option<&[Option<String>]>, &str> {
        let same = self.keys.len() == record.fields.len()
            && self
                .keys
                .iter()
                .zip(record.fields.keys())
                .all(|(a, b)| a == b);
        if !same {
            self.keys = record.fields.keys().cloned().collect();
            self.fields = match_columns(ruleset, &self.keys).map(|m| {
                self.plain = m.by_names(ruleset, &self.keys);
                m.inputs
                    .iter()
                    .map(|at| at.and_then(|i| self.keys.get(i).cloned()))
                    .collect()
            });
        }
        match &self.fields {
            Ok(_) if self.plain => Ok(None),
            Ok(fields) => Ok(Some(fields)),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn ruleset(extra: &str) -> Ruleset {
        Ruleset::from_toml(&format!(
            r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "supervisors"
type = "count"
label = "监督人员数"
aliases = ["监督人员（人）", "Supervisors"]
[[input]]
name = "risk_file"
type = "boolean"
label = "是否建立廉洁风险档案"
{extra}
[[indicator]]
id = "a"
name = "a"
points = 10
scorer = {{ type = "clause", when = "risk_file" }}
"#
        ))
        .unwrap()
    }

    #[test]
    fn folding_reads_full_width_ascii_and_the_ideographic_space() {
        assert_eq!(fold_header("  ＩＤ\u{3000}"), "ID");
        assert_eq!(fold_header("监督人员（人）"), "监督人员(人)");
        assert_eq!(fold_header("ｃａｓｅｓ＿２"), "cases_2");
        assert!(matches!(
            fold_header(" 监督人员数 "),
            Cow::Borrowed("监督人员数")
        ));
        // Capitals and other characters are kept.
        assert_eq!(fold_header("Cases"), "Cases");
        assert_eq!(fold_header("监督人员数"), "监督人员数");
    }

    #[test]
    fn headers_match_names_labels_and_aliases() {
        let r = ruleset("");
        let m = match_columns(
            &r,
            &[
                "编号",
                "ＩＤ",
                "监督人员(人)",
                " 是否建立廉洁风险档案 ",
                "Name",
            ],
        )
        .unwrap();
        assert_eq!(m.inputs, [Some(2), Some(3)]);
        assert_eq!((m.id, m.name), (Some(1), Some(4)));
        assert_eq!(m.input_at(3), Some(1));
        assert!(!m.by_names(&r, &["编号", "ＩＤ", "监督人员(人)", "x", "Name"]));
        let m = match_columns(&r, &["id", "supervisors", "Supervisors "]);
        assert!(m.is_err());
        let plain = match_columns(&r, &["id", "supervisors", "risk_file"]).unwrap();
        assert!(plain.by_names(&r, &["id", "supervisors", "risk_file"]));
        assert_eq!(
            input_of_header(&r, "监督人员数").map(|i| i.name.as_str()),
            Some("supervisors")
        );
        assert!(input_of_header(&r, "other").is_none());
    }

    #[test]
    fn ambiguity_names_both() {
        let r = ruleset("");
        let e = match_columns(&r, &["id", "监督人员数", "supervisors"]).unwrap_err();
        assert!(
            e.contains("columns 2 and 3 (`监督人员数`, `supervisors`)")
                && e.contains("「监督人员数」"),
            "{e}"
        );
        let e = match_columns(&r, &["ID", "id"]).unwrap_err();
        assert!(e.contains("columns 1 and 2"), "{e}");
        // One header, two inputs (a label shared by two inputs).
        let two = ruleset(
            r#"[[input]]
name = "files"
type = "count"
label = "是否建立廉洁风险档案""#,
        );
        let e = match_columns(&two, &["是否建立廉洁风险档案"]).unwrap_err();
        assert!(
            e.contains("「是否建立廉洁风险档案」 or 「是否建立廉洁风险档案」"),
            "{e}"
        );
        // Under their own names they are told apart.
        assert!(match_columns(&two, &["risk_file", "files"]).is_ok());
    }

    #[test]
    fn records_are_matched_once_per_set_of_field_names() {
        let r = ruleset("");
        let mut matcher = RecordMatcher::new();
        let named = crate::Record::new()
            .with("id", "A")
            .with("supervisors", 2.0);
        assert_eq!(matcher.fields(&r, &named), Ok(None));
        let labelled = crate::Record::new()
            .with("id", "A")
            .with("监督人员数", 2.0)
            .with("是否建立廉洁风险档案", "√");
        let fields = matcher.fields(&r, &labelled).unwrap().unwrap().to_vec();
        assert_eq!(
            fields,
            [
                Some("监督人员数".to_string()),
                Some("是否建立廉洁风险档案".into())
            ]
        );
        let both = labelled.with("supervisors", 1.0);
        assert!(matcher.fields(&r, &both).is_err());
    }

    /// The id and name under the headers an analyst's workbook gives them.
    fn chinese_labels() -> Ruleset {
        let text = r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
id_field = "unit_id"
id_aliases = ["编号", "统一社会信用代码"]
name_aliases = ["单位名称", "名称"]
[[input]]
name = "risk_file"
type = "boolean"
label = "是否建立廉洁风险档案"
[[indicator]]
id = "a"
name = "a"
points = 10
scorer = { type = "clause", when = "risk_file" }
"#;
        Ruleset::from_toml(text).unwrap()
    }

    #[test]
    fn the_id_and_name_columns_match_their_aliases() {
        let r = chinese_labels();
        let m = match_columns(
            &r,
            &[
                "序号",
                "统一社会信用代码",
                "单位名称",
                "是否建立廉洁风险档案",
            ],
        )
        .unwrap();
        assert_eq!(
            (m.id, m.name, m.inputs.as_slice()),
            (Some(1), Some(2), &[Some(3)][..])
        );
        // Full-width and padded as typed; the field itself in any capitals.
        let m = match_columns(&r, &["\u{3000}编号 ", "名称", "UNIT_ID"]).unwrap_err();
        assert!(
            m.contains("columns 1 and 3") && m.contains("unit id column"),
            "{m}"
        );
        let m = match_columns(&r, &["编号", "名称", "备注"]).unwrap();
        assert_eq!((m.id, m.name), (Some(0), Some(1)));
        // Two headers of the name column: anybody's guess which one is meant.
        let e = match_columns(&r, &["编号", "单位名称", "名称"]).unwrap_err();
        assert!(
            e.contains("columns 2 and 3 (`单位名称`, `名称`) are both the unit name column"),
            "{e}"
        );
        assert_eq!(r.metadata().id_aliases, ["编号", "统一社会信用代码"]);
    }

    #[test]
    fn records_find_the_id_and_name_under_their_aliases() {
        let r = chinese_labels();
        let record = crate::Record::new()
            .with("统一社会信用代码", "91330200X")
            .with("单位名称", "甲公司")
            .with("是否建立廉洁风险档案", "√");
        let e = r.evaluate(&record).unwrap();
        assert_eq!(e.id.as_deref(), Some("91330200X"));
        assert_eq!(e.name.as_deref(), Some("甲公司"));
        assert_eq!(e.score, 10.0);
    }

    #[test]
    fn an_id_or_name_alias_that_could_head_another_column_is_refused() {
        let text = |meta: &str| {
            format!(
                r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
{meta}
[[input]]
name = "risk_file"
type = "boolean"
label = "是否建立廉洁风险档案"
[[indicator]]
id = "a"
name = "a"
points = 10
scorer = {{ type = "clause", when = "risk_file" }}
"#
            )
        };
        for (meta, says) in [
            (
                r#"id_aliases = ["编号", "名称"]
name_aliases = ["名称"]"#,
                "also heads the unit name column",
            ),
            (
                r#"id_aliases = ["NAME"]"#,
                "also heads the unit name column",
            ),
            (r#"name_aliases = ["ID"]"#, "also heads the unit id column"),
            (
                r#"id_aliases = ["risk_file"]"#,
                "header of the input `risk_file`",
            ),
            (
                r#"name_aliases = ["是否建立廉洁风险档案"]"#,
                "header of the input `risk_file`",
            ),
            (r#"id_aliases = [" "]"#, "empty"),
            (
                r#"other_fields = ["Risk_File"]"#,
                "is also a header of the input `risk_file`",
            ),
            (
                r#"other_fields = ["编号"]
id_aliases = ["编号"]"#,
                "also heads the unit id or name column",
            ),
            (r#"other_fields = ["name"]"#, "unit id or name column"),
            (r#"other_fields = [""]"#, "`other_fields` is empty"),
        ] {
            let e = Ruleset::from_toml(&text(meta)).err().unwrap();
            assert_eq!(e.errors[0].code, "ruleset.duplicate_alias", "{meta}");
            assert!(
                e.errors[0].message.contains(says),
                "{meta}: {}",
                e.errors[0].message
            );
        }
        assert!(Ruleset::from_toml(&text(r#"id_aliases = ["编号"]"#)).is_ok());
        assert!(Ruleset::from_toml(&text(r#"other_fields = ["year", "区县"]"#)).is_ok());
    }

    #[test]
    fn an_alias_of_another_input_is_refused_when_the_ruleset_loads() {
        let text = |alias: &str| {
            format!(
                r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "a"
type = "boolean"
label = "甲"
[[input]]
name = "b"
type = "boolean"
aliases = ["{alias}"]
[[indicator]]
id = "x"
name = "x"
points = 10
scorer = {{ type = "clause", when = "a" }}
"#
            )
        };
        for alias in ["甲", " a ", ""] {
            let e = Ruleset::from_toml(&text(alias)).err().unwrap();
            assert_eq!(e.errors[0].code, "ruleset.duplicate_alias", "{alias:?}");
        }
        assert!(Ruleset::from_toml(&text("乙")).is_ok());
    }
}
