//! A batch: records checked against a ruleset's declared inputs and stored column by column,
//! one typed column per input. Scoring reads values by slot, never by name.

use crate::error::RecordError;
use crate::expr::{Row, Value};
use crate::record::{Cell, Record};
use crate::ruleset::{Input, InputType, Ruleset};

/// One typed column; `NaN` / `None` is missing.
#[derive(Clone, Debug)]
pub(crate) enum Column {
    Number(Vec<f64>),
    Bool(Vec<Option<bool>>),
    /// Index into the input's `values`.
    Category(Vec<Option<u32>>),
    /// Counts per answer, indexed like the input's `values`.
    Survey(Vec<Option<Vec<f64>>>),
}

/// Records ready to be scored by one ruleset: typed columns, ids, and each row's first error.
#[derive(Clone, Debug)]
pub struct Batch {
    len: usize,
    pub(crate) ids: Vec<Option<String>>,
    pub(crate) names: Vec<Option<String>>,
    pub(crate) columns: Vec<Column>,
    pub(crate) errors: Vec<Option<RecordError>>,
}

impl Batch {
    /// An empty batch of `len` rows for `ruleset`: every input missing.
    pub fn new(ruleset: &Ruleset, len: usize) -> Batch {
        let columns = ruleset
            .inputs()
            .iter()
            .map(|input| match input.kind {
                InputType::Number | InputType::Count => Column::Number(vec![f64::NAN; len]),
                InputType::Boolean => Column::Bool(vec![None; len]),
                InputType::Category => Column::Category(vec![None; len]),
                InputType::Survey => Column::Survey(vec![None; len]),
            })
            .collect();
        Batch {
            len,
            ids: vec![None; len],
            names: vec![None; len],
            columns,
            errors: vec![None; len],
        }
    }

    /// Checks records against the ruleset's inputs.
    pub fn from_records(ruleset: &Ruleset, records: &[Record]) -> Batch {
        Batch::build(ruleset, records.len(), records.iter().map(Ok))
    }

    /// Like [`Batch::from_records`] for rows read from a file, where a row that could not be read
    /// stays an error in its place.
    pub fn from_rows(ruleset: &Ruleset, rows: &[Result<Record, RecordError>]) -> Batch {
        Batch::build(ruleset, rows.len(), rows.iter().map(Result::as_ref))
    }

    fn build<'r>(
        ruleset: &Ruleset,
        len: usize,
        rows: impl Iterator<Item = Result<&'r Record, &'r RecordError>>,
    ) -> Batch {
        let mut batch = Batch::new(ruleset, len);
        let meta = ruleset.metadata();
        for (row, record) in rows.enumerate() {
            match record {
                Err(e) => batch.set_error(row, e.clone()),
                Ok(record) => {
                    batch.set_label(
                        row,
                        record.get(&meta.id_field),
                        record.get(&meta.name_field),
                    );
                    for (slot, input) in ruleset.inputs().iter().enumerate() {
                        let cell = record.get(&input.name).unwrap_or(&Cell::Missing);
                        batch.put(ruleset, slot, row, cell);
                    }
                }
            }
        }
        batch.check_required(ruleset);
        batch
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets row ids and display names (e.g. from an id column of a data frame).
    pub fn set_label(&mut self, row: usize, id: Option<&Cell>, name: Option<&Cell>) {
        if let Some(slot) = self.ids.get_mut(row) {
            *slot = id.and_then(cell_text);
        }
        if let Some(slot) = self.names.get_mut(row) {
            *slot = name.and_then(cell_text);
        }
    }

    /// Fills one input's column from a slice of numbers (`NaN` = missing) without per-cell
    /// conversion; values are still checked against the input's type and range.
    pub fn set_numbers(
        &mut self,
        ruleset: &Ruleset,
        name: &str,
        values: &[f64],
    ) -> Result<(), String> {
        let slot = slot_of(ruleset, name)?;
        for (row, &v) in values.iter().enumerate().take(self.len) {
            self.put(ruleset, slot, row, &Cell::Number(v));
        }
        Ok(())
    }

    /// Fills one input's column from cells.
    pub fn set_cells(
        &mut self,
        ruleset: &Ruleset,
        name: &str,
        cells: &[Cell],
    ) -> Result<(), String> {
        let slot = slot_of(ruleset, name)?;
        for (row, cell) in cells.iter().enumerate().take(self.len) {
            self.put(ruleset, slot, row, cell);
        }
        Ok(())
    }

    /// Marks rows lacking a required input; call after all columns are filled.
    pub fn check_required(&mut self, ruleset: &Ruleset) {
        for (slot, input) in ruleset.inputs().iter().enumerate() {
            if !input.required {
                continue;
            }
            for row in 0..self.len {
                if self.errors.get(row).is_some_and(Option::is_none) && self.is_missing(slot, row) {
                    let e = RecordError::new(
                        "record.missing_required",
                        format!(
                            "required input `{}` ({}) is missing",
                            input.name, input.label
                        ),
                    )
                    .column(&input.name);
                    self.set_error(row, e);
                }
            }
        }
    }

    fn is_missing(&self, slot: usize, row: usize) -> bool {
        match self.columns.get(slot) {
            Some(Column::Number(v)) => v.get(row).is_none_or(|x| x.is_nan()),
            Some(Column::Bool(v)) => v.get(row).is_none_or(Option::is_none),
            Some(Column::Category(v)) => v.get(row).is_none_or(Option::is_none),
            Some(Column::Survey(v)) => v.get(row).is_none_or(Option::is_none),
            None => true,
        }
    }

    /// Marks a row as failed (e.g. a value the caller could not convert); the row keeps its first
    /// error, later ones are dropped (one message per row). The other rows are unaffected.
    pub fn set_error(&mut self, row: usize, error: RecordError) {
        let id = self.ids.get(row).cloned().flatten();
        if let Some(slot) = self.errors.get_mut(row) {
            if slot.is_none() {
                *slot = Some(error.at_row(row, id.as_deref()));
            }
        }
    }

    fn put(&mut self, ruleset: &Ruleset, slot: usize, row: usize, cell: &Cell) {
        let Some(input) = ruleset.inputs().get(slot) else {
            return;
        };
        let result = coerce(input, cell);
        let Some(column) = self.columns.get_mut(slot) else {
            return;
        };
        match (column, result) {
            (_, Err(e)) => self.set_error(row, e.column(&input.name)),
            (Column::Number(v), Ok(Typed::Number(x))) => set(v, row, x),
            (Column::Bool(v), Ok(Typed::Bool(x))) => set(v, row, Some(x)),
            (Column::Category(v), Ok(Typed::Category(x))) => set(v, row, Some(x)),
            (Column::Survey(v), Ok(Typed::Survey(x))) => set(v, row, Some(x)),
            (Column::Number(v), Ok(Typed::Missing)) => set(v, row, f64::NAN),
            (Column::Bool(v), Ok(Typed::Missing)) => set(v, row, None),
            (Column::Category(v), Ok(Typed::Missing)) => set(v, row, None),
            (Column::Survey(v), Ok(Typed::Missing)) => set(v, row, None),
            _ => {}
        }
    }

    /// A view of one row for expressions and scorers.
    pub(crate) fn row<'a>(&'a self, ruleset: &'a Ruleset, row: usize) -> RowView<'a> {
        RowView {
            batch: self,
            ruleset,
            row,
            overrides: Vec::new(),
        }
    }
}

fn set<T>(v: &mut [T], row: usize, x: T) {
    if let Some(slot) = v.get_mut(row) {
        *slot = x;
    }
}

fn slot_of(ruleset: &Ruleset, name: &str) -> Result<usize, String> {
    ruleset
        .inputs()
        .iter()
        .position(|i| i.name == name)
        .ok_or_else(|| format!("`{name}` is not a declared input"))
}

fn cell_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Missing => None,
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Number(n) if n.is_nan() => None,
        Cell::Number(n) => Some(crate::explain::num(*n)),
        Cell::Text(t) => Some(t.clone()),
        Cell::Counts(_) => None,
    }
}

enum Typed {
    Missing,
    Number(f64),
    Bool(bool),
    Category(u32),
    Survey(Vec<f64>),
}

/// Interprets a cell as the input's type and checks its range and allowed values.
fn coerce(input: &Input, cell: &Cell) -> Result<Typed, RecordError> {
    let typed = match (input.kind, cell) {
        (_, Cell::Missing) => return Ok(Typed::Missing),
        (InputType::Number | InputType::Count, Cell::Number(x)) if x.is_nan() => {
            return Ok(Typed::Missing)
        }
        (InputType::Number | InputType::Count, Cell::Number(x)) => Typed::Number(*x),
        (InputType::Number | InputType::Count, Cell::Text(t)) => match t.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Typed::Number(x),
            _ => {
                return Err(RecordError::new(
                    "record.not_a_number",
                    format!("`{t}` is not a number"),
                ))
            }
        },
        (InputType::Number | InputType::Count, Cell::Bool(b)) => {
            return Err(RecordError::new(
                "record.not_a_number",
                format!("`{b}` is not a number"),
            ));
        }
        (InputType::Boolean, Cell::Bool(b)) => Typed::Bool(*b),
        (InputType::Boolean, Cell::Number(x)) if *x == 1.0 || *x == 0.0 => Typed::Bool(*x == 1.0),
        (InputType::Boolean, Cell::Number(x)) if x.is_nan() => return Ok(Typed::Missing),
        (InputType::Boolean, Cell::Text(t)) => match t.trim().to_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" | "有" | "t" => Typed::Bool(true),
            "false" | "0" | "no" | "n" | "否" | "无" | "f" => Typed::Bool(false),
            _ => {
                return Err(RecordError::new(
                    "record.not_a_boolean",
                    format!("`{t}` is not true/false (also accepted: 1/0, 是/否, yes/no)"),
                ))
            }
        },
        (InputType::Category, Cell::Text(t)) => {
            match input.values.iter().position(|v| v == t.trim()) {
                Some(i) => Typed::Category(u32::try_from(i).unwrap_or(u32::MAX)),
                None => {
                    return Err(RecordError::new(
                        "record.unknown_value",
                        format!("`{t}` is not one of: {}", input.values.join(", ")),
                    ))
                }
            }
        }
        (InputType::Category, Cell::Number(x)) => {
            let t = crate::explain::num(*x);
            match input.values.iter().position(|v| *v == t) {
                Some(i) => Typed::Category(u32::try_from(i).unwrap_or(u32::MAX)),
                None => {
                    return Err(RecordError::new(
                        "record.unknown_value",
                        format!("`{t}` is not one of: {}", input.values.join(", ")),
                    ))
                }
            }
        }
        (InputType::Survey, Cell::Counts(map)) => {
            survey_counts(input, map.iter().map(|(k, v)| (k.as_str(), *v)))?
        }
        (InputType::Survey, Cell::Text(t)) => {
            let mut pairs = Vec::new();
            for part in t
                .split([';', '；'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let Some((answer, count)) = part.split_once([':', '：', '=']) else {
                    return Err(RecordError::new(
                        "record.bad_survey",
                        format!("`{part}` is not `answer:count`"),
                    ));
                };
                let Ok(count) = count.trim().parse::<f64>() else {
                    return Err(RecordError::new(
                        "record.bad_survey",
                        format!("`{count}` is not a count"),
                    ));
                };
                pairs.push((answer.trim(), count));
            }
            survey_counts(input, pairs.into_iter())?
        }
        (kind, cell) => {
            return Err(RecordError::new(
                "record.wrong_type",
                format!("{cell:?} is not a valid {kind:?} value"),
            ));
        }
    };
    if let Typed::Number(x) = typed {
        if input.kind == InputType::Count && (x < 0.0 || x.fract() != 0.0) {
            return Err(RecordError::new(
                "record.not_a_count",
                format!("{x} is not a whole number ≥ 0"),
            ));
        }
        let below = input.min.is_some_and(|lo| x < lo);
        let above = input.max.is_some_and(|hi| x > hi);
        if below || above {
            let lo = input.min.map_or("−∞".to_string(), crate::explain::num);
            let hi = input.max.map_or("∞".to_string(), crate::explain::num);
            return Err(RecordError::new(
                "record.out_of_range",
                format!(
                    "{} is outside the valid range [{lo}, {hi}]",
                    crate::explain::num(x)
                ),
            ));
        }
    }
    Ok(typed)
}

fn survey_counts<'a>(
    input: &Input,
    pairs: impl Iterator<Item = (&'a str, f64)>,
) -> Result<Typed, RecordError> {
    let mut counts = vec![0.0; input.values.len()];
    for (answer, count) in pairs {
        let Some(i) = input.values.iter().position(|v| v == answer) else {
            return Err(RecordError::new(
                "record.unknown_value",
                format!(
                    "`{answer}` is not an answer of this survey ({})",
                    input.values.join(", ")
                ),
            ));
        };
        if !(count.is_finite() && count >= 0.0) {
            return Err(RecordError::new(
                "record.bad_survey",
                format!("count {count} for `{answer}` must be ≥ 0"),
            ));
        }
        if let Some(c) = counts.get_mut(i) {
            *c += count;
        }
    }
    Ok(Typed::Survey(counts))
}

/// One row as seen by expressions, with the values that equivalences substituted.
pub(crate) struct RowView<'a> {
    batch: &'a Batch,
    ruleset: &'a Ruleset,
    pub(crate) row: usize,
    pub(crate) overrides: Vec<(usize, Owned)>,
}

/// A value computed during scoring (an equivalence's substitute).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Owned {
    Missing,
    Number(f64),
    Bool(bool),
    Text(String),
}

impl Owned {
    pub(crate) fn from_value(v: Value<'_>) -> Owned {
        match v {
            Value::Missing => Owned::Missing,
            Value::Number(x) => Owned::Number(x),
            Value::Bool(b) => Owned::Bool(b),
            Value::Text(t) => Owned::Text(t.to_string()),
        }
    }
}

impl RowView<'_> {
    /// Survey counts of a survey input.
    pub(crate) fn survey(&self, slot: usize) -> Option<&[f64]> {
        match self.batch.columns.get(slot) {
            Some(Column::Survey(v)) => v.get(self.row).and_then(|c| c.as_deref()),
            _ => None,
        }
    }

    /// A value as JSON, for the audit trail.
    pub(crate) fn json(&self, slot: usize) -> serde_json::Value {
        if let Some(counts) = self.survey(slot) {
            let answers = self
                .ruleset
                .inputs()
                .get(slot)
                .map(|i| i.values.as_slice())
                .unwrap_or(&[]);
            return serde_json::Value::Object(
                answers
                    .iter()
                    .zip(counts)
                    .map(|(a, c)| (a.clone(), serde_json::json!(c)))
                    .collect(),
            );
        }
        match self.get(slot) {
            Value::Missing => serde_json::Value::Null,
            Value::Number(x) => serde_json::json!(x),
            Value::Bool(b) => serde_json::Value::Bool(b),
            Value::Text(t) => serde_json::Value::String(t.to_string()),
        }
    }
}

impl Row for RowView<'_> {
    fn get(&self, slot: usize) -> Value<'_> {
        if let Some((_, v)) = self.overrides.iter().rev().find(|(s, _)| *s == slot) {
            return match v {
                Owned::Missing => Value::Missing,
                Owned::Number(x) => Value::Number(*x),
                Owned::Bool(b) => Value::Bool(*b),
                Owned::Text(t) => Value::Text(t),
            };
        }
        match self.batch.columns.get(slot) {
            Some(Column::Number(v)) => match v.get(self.row) {
                Some(x) if !x.is_nan() => Value::Number(*x),
                _ => Value::Missing,
            },
            Some(Column::Bool(v)) => v
                .get(self.row)
                .copied()
                .flatten()
                .map_or(Value::Missing, Value::Bool),
            Some(Column::Category(v)) => v
                .get(self.row)
                .copied()
                .flatten()
                .and_then(|code| self.ruleset.inputs().get(slot)?.values.get(code as usize))
                .map_or(Value::Missing, |t| Value::Text(t)),
            Some(Column::Survey(_)) | None => Value::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use crate::{Cell, Record, Ruleset};

    fn ruleset() -> Ruleset {
        Ruleset::from_toml(
            r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "n"
type = "count"
max = 5
[[input]]
name = "ok"
type = "boolean"
[[input]]
name = "level"
type = "category"
values = ["A", "B"]
[[input]]
name = "vote"
type = "survey"
values = ["满意", "不满意"]
[[input]]
name = "must"
type = "number"
required = true
[[indicator]]
id = "a"
name = "a"
points = 10
missing = "zero"
scorer = { type = "per_occurrence", count = "n", per = 1 }
"#,
        )
        .unwrap()
    }

    fn code(record: Record) -> Option<&'static str> {
        ruleset()
            .evaluate(&record.with("must", 1.0))
            .err()
            .map(|e| e.code)
    }

    #[test]
    fn values_are_checked_against_their_declared_type() {
        let r = Record::new;
        assert_eq!(
            code(
                r().with("n", 2.0)
                    .with("ok", "是")
                    .with("level", "B")
                    .with("vote", "满意:3;不满意:1")
            ),
            None
        );
        assert_eq!(code(r().with("n", 2.5)), Some("record.not_a_count"));
        assert_eq!(code(r().with("n", 9.0)), Some("record.out_of_range"));
        assert_eq!(code(r().with("n", "two")), Some("record.not_a_number"));
        assert_eq!(code(r().with("ok", "maybe")), Some("record.not_a_boolean"));
        assert_eq!(code(r().with("level", "C")), Some("record.unknown_value"));
        assert_eq!(
            code(r().with("vote", "满意=3;中立=1")),
            Some("record.unknown_value")
        );
        assert_eq!(code(r().with("vote", "满意")), Some("record.bad_survey"));
        assert_eq!(
            code(r().with("n", Cell::Counts(Default::default()))),
            Some("record.wrong_type")
        );
    }

    #[test]
    fn a_missing_required_input_names_its_column() {
        let e = ruleset()
            .evaluate(&Record::new().with("n", 1.0))
            .unwrap_err();
        assert_eq!(
            (e.code, e.column.as_deref()),
            ("record.missing_required", Some("must"))
        );
    }
}
