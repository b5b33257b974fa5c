//! A batch: records checked against a ruleset's declared inputs and stored column by column,
//! one typed column per input. Scoring reads values by slot, never by name.

use crate::error::RecordError;
use crate::expr::vector::{MISSING_BOOL, MISSING_TEXT};
use crate::expr::{Row, Value};
use crate::record::{Cell, Record};
use crate::ruleset::{Input, InputType, Ruleset};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One typed column; `NaN` / [`MISSING_BOOL`] / [`MISSING_TEXT`] is missing.
#[derive(Clone, Debug)]
pub(crate) enum Column<'a> {
    /// `clean` is false once the column may hold an infinity (expressions read it as missing).
    Number { values: Cow<'a, [f64]>, clean: bool },
    /// 0 false, 1 true, [`MISSING_BOOL`].
    Bool(Vec<u8>),
    /// The value's symbol (see `Plan::category_symbols`), or [`MISSING_TEXT`].
    Category(Vec<u32>),
    /// Counts per answer, row after row, indexed like the input's `values`.
    Survey {
        answers: usize,
        counts: Vec<f64>,
        present: Vec<bool>,
    },
}

/// Records ready to be scored by one ruleset: typed columns, ids, and each row's first error.
///
/// A batch may borrow number columns from the caller ([`Batch::borrow_numbers`]), so a data
/// frame's float columns are scored in place.
#[derive(Clone, Debug)]
pub struct Batch<'a> {
    len: usize,
    /// Row labels, allocated on first use.
    pub(crate) ids: Vec<Option<String>>,
    pub(crate) names: Vec<Option<String>>,
    pub(crate) columns: Vec<Column<'a>>,
    /// Whether each row has an error; the errors themselves are kept by row.
    pub(crate) failed: Vec<bool>,
    pub(crate) errors: BTreeMap<usize, RecordError>,
}

impl<'a> Batch<'a> {
    /// An empty batch of `len` rows for `ruleset`: every input missing.
    pub fn new(ruleset: &Ruleset, len: usize) -> Batch<'a> {
        let columns = ruleset
            .inputs()
            .iter()
            .map(|input| match input.kind {
                InputType::Number | InputType::Count => Column::Number {
                    // Allocated on first write: a column the caller borrows never is.
                    values: Cow::Owned(Vec::new()),
                    clean: true,
                },
                InputType::Boolean => Column::Bool(vec![MISSING_BOOL; len]),
                InputType::Category => Column::Category(vec![MISSING_TEXT; len]),
                InputType::Survey => Column::Survey {
                    answers: input.values.len(),
                    counts: Vec::new(),
                    present: Vec::new(),
                },
            })
            .collect();
        Batch {
            len,
            ids: Vec::new(),
            names: Vec::new(),
            columns,
            failed: vec![false; len],
            errors: BTreeMap::new(),
        }
    }

    /// Checks records against the ruleset's inputs.
    pub fn from_records(ruleset: &Ruleset, records: &[Record]) -> Batch<'a> {
        Batch::build(ruleset, records.len(), records.iter().map(Ok))
    }

    /// Like [`Batch::from_records`] for rows read from a file, where a row that could not be read
    /// stays an error in its place.
    pub fn from_rows(ruleset: &Ruleset, rows: &[Result<Record, RecordError>]) -> Batch<'a> {
        Batch::build(ruleset, rows.len(), rows.iter().map(Result::as_ref))
    }

    fn build<'r>(
        ruleset: &Ruleset,
        len: usize,
        rows: impl Iterator<Item = Result<&'r Record, &'r RecordError>>,
    ) -> Batch<'a> {
        let mut batch = Batch::new(ruleset, len);
        let meta = ruleset.metadata();
        // Fields headed by an input's label or alias (see `crate::columns`).
        let mut matcher = crate::columns::RecordMatcher::new();
        for (row, record) in rows.enumerate() {
            match record {
                Err(e) => batch.set_error(row, e.clone()),
                Ok(record) => {
                    let id = label_field(record, &meta.id_field, &meta.id_aliases);
                    let name = label_field(record, &meta.name_field, &meta.name_aliases);
                    if id.is_some() || name.is_some() {
                        batch.set_label(row, id, name);
                    }
                    let fields = match matcher.fields(ruleset, record) {
                        Ok(fields) => fields,
                        Err(message) => {
                            batch.set_error(
                                row,
                                RecordError::new("record.ambiguous_column", message),
                            );
                            continue;
                        }
                    };
                    for (slot, input) in ruleset.inputs().iter().enumerate() {
                        let cell = match fields {
                            None => record.get(&input.name),
                            Some(fields) => fields
                                .get(slot)
                                .and_then(Option::as_ref)
                                .and_then(|f| record.get(f)),
                        };
                        batch.put(ruleset, slot, row, cell.unwrap_or(&Cell::Missing));
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

    /// The row's id, if it has one.
    pub fn id(&self, row: usize) -> Option<&str> {
        self.ids.get(row).and_then(|i| i.as_deref())
    }

    /// The row's display name, if it has one.
    pub fn name(&self, row: usize) -> Option<&str> {
        self.names.get(row).and_then(|i| i.as_deref())
    }

    /// The error a row was marked with while it was read or checked, if any.
    pub fn error(&self, row: usize) -> Option<&RecordError> {
        self.errors.get(&row)
    }

    /// Sets row ids and display names (e.g. from an id column of a data frame).
    pub fn set_label(&mut self, row: usize, id: Option<&Cell>, name: Option<&Cell>) {
        if row >= self.len {
            return;
        }
        let id = id.and_then(cell_text);
        let name = name.and_then(cell_text);
        if id.is_some() && self.ids.is_empty() {
            self.ids = vec![None; self.len];
        }
        if name.is_some() && self.names.is_empty() {
            self.names = vec![None; self.len];
        }
        if let Some(slot) = self.ids.get_mut(row) {
            *slot = id;
        }
        if let Some(slot) = self.names.get_mut(row) {
            *slot = name;
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
        let Some(input) = ruleset.inputs().get(slot) else {
            return Err(format!("`{name}` is not a declared input"));
        };
        let n = values.len().min(self.len);
        match (input.kind, self.columns.get_mut(slot)) {
            (InputType::Number | InputType::Count, Some(Column::Number { values: v, clean })) => {
                let v = filled(v, self.len);
                let mut bad = Vec::new();
                for (row, (dst, &x)) in v.iter_mut().zip(values).enumerate() {
                    if !number_ok(input, x) {
                        bad.push(row);
                        continue;
                    }
                    *clean &= x.is_finite() || x.is_nan();
                    // -0 is stored as 0.
                    *dst = x + 0.0;
                }
                for row in bad {
                    self.put(
                        ruleset,
                        slot,
                        row,
                        &Cell::Number(values.get(row).copied().unwrap_or(f64::NAN)),
                    );
                }
            }
            (InputType::Boolean, Some(Column::Bool(v))) => {
                let mut bad = Vec::new();
                for (row, (dst, &x)) in v.iter_mut().zip(values).enumerate() {
                    *dst = match x {
                        1.0 => 1,
                        0.0 => 0,
                        x if x.is_nan() => MISSING_BOOL,
                        _ => {
                            bad.push(row);
                            MISSING_BOOL
                        }
                    };
                }
                for row in bad {
                    self.put(
                        ruleset,
                        slot,
                        row,
                        &Cell::Number(values.get(row).copied().unwrap_or(f64::NAN)),
                    );
                }
            }
            _ => {
                for (row, &v) in values.iter().enumerate().take(n) {
                    self.put(ruleset, slot, row, &Cell::Number(v));
                }
            }
        }
        Ok(())
    }

    /// Like [`Batch::set_numbers`] for a number or count input, borrowing `values` instead of
    /// copying them: every value is checked, and rows with a bad value are marked as errors.
    pub fn borrow_numbers(
        &mut self,
        ruleset: &Ruleset,
        name: &str,
        values: &'a [f64],
    ) -> Result<(), String> {
        let slot = slot_of(ruleset, name)?;
        let input = ruleset.inputs().get(slot).ok_or("no such input")?;
        if !matches!(input.kind, InputType::Number | InputType::Count) || values.len() != self.len {
            return self.set_numbers(ruleset, name, values);
        }
        // The usual column: every value valid (a number within the input's bounds, or
        // missing), which one pass of comparisons the compiler vectorises tells. Counts need a
        // test of wholeness per value: they take the loop.
        let (lo, hi) = (
            input.min.unwrap_or(f64::NEG_INFINITY),
            input.max.unwrap_or(f64::INFINITY),
        );
        let valid =
            |x: f64| x.is_nan() | ((x.abs() <= crate::number::MAX_EXACT) & (x >= lo) & (x <= hi));
        if input.kind == InputType::Number
            && values
                .chunks(256)
                .all(|c| c.iter().fold(true, |ok, &x| ok & valid(x)))
        {
            if let Some(column) = self.columns.get_mut(slot) {
                // (Every value finite or missing: an infinity is above any bound.)
                *column = Column::Number {
                    values: Cow::Borrowed(values),
                    clean: true,
                };
            }
            return Ok(());
        }
        let mut clean = true;
        let mut bad = Vec::new();
        for (row, &x) in values.iter().enumerate() {
            clean &= x.is_finite() || x.is_nan();
            if !number_ok(input, x) {
                if let Err(e) = coerce(input, &Cell::Number(x)) {
                    bad.push((row, e.column(&input.name)));
                }
            }
        }
        for (row, e) in bad {
            self.set_error(row, e);
        }
        if let Some(column) = self.columns.get_mut(slot) {
            *column = Column::Number {
                values: Cow::Borrowed(values),
                clean,
            };
        }
        Ok(())
    }

    /// Fills a boolean input's column from a slice of truth values (a numpy or Arrow bool
    /// column) without per-cell conversion; for any other input, each value goes through
    /// [`Batch::set_cells`]'s checks.
    pub fn set_bools(
        &mut self,
        ruleset: &Ruleset,
        name: &str,
        values: &[bool],
    ) -> Result<(), String> {
        let slot = slot_of(ruleset, name)?;
        match self.columns.get_mut(slot) {
            Some(Column::Bool(v)) => {
                for (dst, &b) in v.iter_mut().zip(values) {
                    *dst = u8::from(b);
                }
                Ok(())
            }
            _ => {
                let cells: Vec<Cell> = values.iter().map(|&b| Cell::Bool(b)).collect();
                self.set_cells(ruleset, name, &cells)
            }
        }
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
                if !self.failed.get(row).copied().unwrap_or(true) && self.is_missing(slot, row) {
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

    pub(crate) fn is_missing(&self, slot: usize, row: usize) -> bool {
        match self.columns.get(slot) {
            Some(Column::Number { values, .. }) => values.get(row).is_none_or(|x| x.is_nan()),
            Some(Column::Bool(v)) => v.get(row).is_none_or(|&b| b == MISSING_BOOL),
            Some(Column::Category(v)) => v.get(row).is_none_or(|&c| c == MISSING_TEXT),
            Some(Column::Survey { present, .. }) => !present.get(row).copied().unwrap_or(false),
            None => true,
        }
    }

    /// Marks a row as failed (e.g. a value the caller could not convert); the row keeps its first
    /// error, later ones are dropped (one message per row). The other rows are unaffected.
    pub fn set_error(&mut self, row: usize, error: RecordError) {
        let Some(failed) = self.failed.get_mut(row) else {
            return;
        };
        if *failed {
            return;
        }
        *failed = true;
        let id = self.ids.get(row).cloned().flatten();
        self.errors.insert(row, error.at_row(row, id.as_deref()));
    }

    fn put(&mut self, ruleset: &Ruleset, slot: usize, row: usize, cell: &Cell) {
        let Some(input) = ruleset.inputs().get(slot) else {
            return;
        };
        let result = coerce(input, cell);
        let len = self.len;
        let Some(column) = self.columns.get_mut(slot) else {
            return;
        };
        match (column, result) {
            (_, Err(e)) => self.set_error(row, e.column(&input.name)),
            (Column::Number { values, clean }, Ok(Typed::Number(x))) => {
                *clean &= x.is_finite();
                set(filled(values, len), row, x)
            }
            (Column::Bool(v), Ok(Typed::Bool(x))) => set(v, row, u8::from(x)),
            (Column::Category(v), Ok(Typed::Category(x))) => {
                let symbol = ruleset
                    .plan
                    .category_symbols
                    .get(slot)
                    .and_then(|s| s.get(x as usize))
                    .copied()
                    .unwrap_or(MISSING_TEXT);
                set(v, row, symbol)
            }
            (
                Column::Survey {
                    answers,
                    counts,
                    present,
                },
                Ok(Typed::Survey(x)),
            ) => {
                if present.is_empty() {
                    *present = vec![false; len];
                    *counts = vec![0.0; len * *answers];
                }
                set(present, row, true);
                let start = row * *answers;
                if let Some(dst) = counts.get_mut(start..start + *answers) {
                    for (d, c) in dst.iter_mut().zip(x) {
                        *d = c;
                    }
                }
            }
            // An unallocated column is all missing already.
            (Column::Number { values, .. }, Ok(Typed::Missing)) if values.len() == len => {
                set(values.to_mut(), row, f64::NAN)
            }
            (Column::Bool(v), Ok(Typed::Missing)) => set(v, row, MISSING_BOOL),
            (Column::Category(v), Ok(Typed::Missing)) => set(v, row, MISSING_TEXT),
            (Column::Survey { present, .. }, Ok(Typed::Missing)) if !present.is_empty() => {
                set(present, row, false)
            }
            _ => {}
        }
    }

    /// Survey counts of a survey input at a row.
    pub(crate) fn survey(&self, slot: usize, row: usize) -> Option<&[f64]> {
        match self.columns.get(slot) {
            Some(Column::Survey {
                answers,
                counts,
                present,
            }) if present.get(row).copied().unwrap_or(false) => {
                counts.get(row * answers..(row + 1) * answers)
            }
            _ => None,
        }
    }

    /// A view of one row for expressions and the audit trail.
    pub(crate) fn row<'v>(&'v self, ruleset: &'v Ruleset, row: usize) -> RowView<'v> {
        RowView {
            batch: self,
            ruleset,
            row,
            overrides: Vec::new(),
        }
    }
}

/// A number column's values, allocated (all missing) if it has none yet.
fn filled<'v>(values: &'v mut Cow<'_, [f64]>, len: usize) -> &'v mut Vec<f64> {
    if values.len() != len {
        *values = Cow::Owned(vec![f64::NAN; len]);
    }
    values.to_mut()
}

fn set<T>(v: &mut [T], row: usize, x: T) {
    if let Some(slot) = v.get_mut(row) {
        *slot = x;
    }
}

/// Whether a number (or `NaN`, missing) is a valid value of a number or count input; the slow
/// path (`coerce`) writes the error for the others.
#[inline]
fn number_ok(input: &Input, x: f64) -> bool {
    if x.is_nan() {
        return true;
    }
    // Infinities and numbers too large to score exactly take the slow path to their error.
    if x.is_infinite() || x.abs() > crate::number::MAX_EXACT {
        return false;
    }
    let count_ok = input.kind != InputType::Count || (x >= 0.0 && is_whole(x));
    count_ok && input.min.is_none_or(|lo| x >= lo) && input.max.is_none_or(|hi| x <= hi)
}

/// Whether `x` is a whole number: `x.fract() == 0.0`, without the call to `trunc` that the
/// baseline x86-64 target makes for it (a call per value of a million-row column). Below 2^52
/// the round trip through an integer is exact; every finite float from 2^52 up is whole.
#[inline]
fn is_whole(x: f64) -> bool {
    (x as i64) as f64 == x || (x.is_finite() && x.abs() >= 4_503_599_627_370_496.0)
}

fn slot_of(ruleset: &Ruleset, name: &str) -> Result<usize, String> {
    ruleset
        .plan
        .input_slots
        .get(name)
        .copied()
        .ok_or_else(|| format!("`{name}` is not a declared input"))
}

/// A record's id or name field, found however it is capitalised (`ID`, `Name`), or under one of
/// its aliases (`编号`), when not spelled exactly as the ruleset names it.
pub(crate) fn label_field<'r>(
    record: &'r Record,
    field: &str,
    aliases: &[String],
) -> Option<&'r Cell> {
    record.get(field).or_else(|| {
        record
            .fields
            .iter()
            .find(|(k, _)| {
                crate::columns::is_label_header(field, aliases, &crate::columns::fold_header(k))
            })
            .map(|(_, v)| v)
    })
}

/// The words a boolean input accepts (case aside), the usual spellings without allocating.
pub(crate) fn bool_word(text: &str) -> Option<bool> {
    // Ticks and crosses as a paper form marks them: √ × (what Excel users type), ✓ ✗, ✔ ✘.
    let word = |t: &str| match t {
        "true" | "1" | "yes" | "y" | "是" | "有" | "t" | "√" | "✓" | "✔" => Some(true),
        "false" | "0" | "no" | "n" | "否" | "无" | "f" | "×" | "✗" | "✘" => Some(false),
        _ => None,
    };
    word(text).or_else(|| word(&text.to_lowercase()))
}

/// A cell as a row label (id or name).
pub(crate) fn cell_text(cell: &Cell) -> Option<String> {
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
    use crate::number::{check_float, is_placeholder, parse_text};
    let number = |read: Result<Option<f64>, crate::number::NotANumber>| match read {
        Ok(Some(x)) => Ok(Typed::Number(x)),
        Ok(None) => Ok(Typed::Missing),
        Err(e) => Err(RecordError::new(e.code, e.message)),
    };
    // Empty text, `N/A` or a dash is a missing value of any input — unless a category or survey
    // declares it as one of its values.
    if let Cell::Text(t) = cell {
        if is_placeholder(t) && !input.values.iter().any(|v| v == t.trim()) {
            return Ok(Typed::Missing);
        }
    }
    let typed = match (input.kind, cell) {
        (_, Cell::Missing) => return Ok(Typed::Missing),
        (InputType::Number | InputType::Count, Cell::Number(x)) => match number(check_float(*x))? {
            Typed::Number(x) => Typed::Number(x),
            other => return Ok(other),
        },
        (InputType::Number | InputType::Count, Cell::Text(t)) => match number(parse_text(t))? {
            Typed::Number(x) => Typed::Number(x),
            other => return Ok(other),
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
        (InputType::Boolean, Cell::Text(t)) => match bool_word(t.trim()) {
            Some(b) => Typed::Bool(b),
            None => {
                return Err(RecordError::new(
                    "record.not_a_boolean",
                    format!(
                    "`{}` is not true/false (also accepted: 1/0, 是/否, 有/无, √/×, yes/no, Y/N)",
                    crate::excerpt(t, 40)
                ),
                ))
            }
        },
        (InputType::Category, Cell::Text(t)) => {
            match input.values.iter().position(|v| v == t.trim()) {
                Some(i) => Typed::Category(u32::try_from(i).unwrap_or(u32::MAX)),
                None => {
                    return Err(RecordError::new(
                        "record.unknown_value",
                        format!(
                            "`{}` is not one of: {}",
                            crate::excerpt(t, 40),
                            crate::excerpt(&input.values.join(", "), 200)
                        ),
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
                        format!("`{}` is not `answer:count`", crate::excerpt(part, 40)),
                    ));
                };
                let Ok(count) = count.trim().parse::<f64>() else {
                    return Err(RecordError::new(
                        "record.bad_survey",
                        format!("`{}` is not a count", crate::excerpt(count, 40)),
                    ));
                };
                pairs.push((answer.trim(), count));
            }
            survey_counts(input, pairs.into_iter())?
        }
        (kind, cell) => {
            return Err(RecordError::new(
                "record.wrong_type",
                format!(
                    "{} is not a valid {kind:?} value",
                    crate::excerpt(&format!("{cell:?}"), 60)
                ),
            ));
        }
    };
    if let Typed::Number(x) = typed {
        if input.kind == InputType::Count && (x < 0.0 || !is_whole(x)) {
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
    batch: &'a Batch<'a>,
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
        self.batch.survey(slot, self.row)
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
            Some(Column::Number { values, .. }) => match values.get(self.row) {
                Some(x) if !x.is_nan() => Value::Number(*x),
                _ => Value::Missing,
            },
            Some(Column::Bool(v)) => match v.get(self.row) {
                Some(0) => Value::Bool(false),
                Some(1) => Value::Bool(true),
                _ => Value::Missing,
            },
            Some(Column::Category(v)) => v
                .get(self.row)
                .and_then(|&s| self.ruleset.plan.symbols.name(s))
                .map_or(Value::Missing, Value::Text),
            Some(Column::Survey { .. }) | None => Value::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use crate::{Cell, Record, Ruleset};

    #[test]
    fn borrowed_numbers_are_checked_as_cells_are() {
        use super::Batch;
        let ruleset = Ruleset::from_toml(
            r#"
[ruleset]
id = "b"
name = "借用"
version = "1"
scale = 10
[[input]]
name = "rate"
type = "number"
min = 0
max = 1
[[input]]
name = "amount"
type = "number"
[[indicator]]
id = "r"
name = "比率"
points = 10
scorer = { type = "formula", expr = "10 * rate + 0 * amount" }
"#,
        )
        .unwrap();
        // The usual column (every value valid or missing), and columns with a value out of
        // bounds, an infinity, a number too large to score exactly, at every position.
        let mut columns: Vec<(&str, Vec<f64>)> = vec![
            ("rate", vec![0.0, 0.5, f64::NAN, 1.0, -0.0]),
            ("amount", vec![-1e15, 0.0, f64::NAN, 3.5, 1e15]),
        ];
        for bad in [1.5, -0.1, f64::INFINITY] {
            for at in 0..5 {
                let mut v = vec![0.25; 5];
                v[at] = bad;
                columns.push(("rate", v));
            }
        }
        for bad in [f64::NEG_INFINITY, 1e17] {
            columns.push(("amount", vec![1.0, bad, 2.0, 3.0, f64::NAN]));
        }
        for (name, values) in &columns {
            let mut borrowed = Batch::new(&ruleset, values.len());
            borrowed.borrow_numbers(&ruleset, name, values).unwrap();
            let cells: Vec<Cell> = values.iter().map(|&x| Cell::Number(x)).collect();
            let mut set = Batch::new(&ruleset, values.len());
            set.set_cells(&ruleset, name, &cells).unwrap();
            assert_eq!(borrowed.failed, set.failed, "{name} {values:?}");
            let valid = |x: f64| {
                x.is_nan() || (x.abs() < 1e16 && (*name == "amount" || (0.0..=1.0).contains(&x)))
            };
            let bad_rows = values.iter().filter(|&&x| !valid(x)).count();
            assert_eq!(borrowed.errors.len(), bad_rows, "{name} {values:?}");
            let codes = |b: &Batch<'_>| b.errors.values().map(|e| e.code).collect::<Vec<_>>();
            assert_eq!(codes(&borrowed), codes(&set), "{name} {values:?}");
            let slot = ruleset.plan.input_slots[*name];
            let clean = match &borrowed.columns[slot] {
                super::Column::Number { clean, .. } => *clean,
                _ => unreachable!(),
            };
            assert_eq!(clean, values.iter().all(|x| !x.is_infinite()), "{values:?}");
        }
    }

    #[test]
    fn whole_numbers_are_those_without_a_fraction() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -3.0,
            0.5,
            -0.5,
            1e-300,
            2.5e15,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9.3e18,
            -9.3e18,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for x in values {
            assert_eq!(super::is_whole(x), x.fract() == 0.0, "{x}");
        }
    }

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

    #[test]
    fn boolean_words_include_ticks_and_crosses() {
        for yes in ["√", "✓", "✔", "有", "是", "Y", "y", "YES", "True", "1"] {
            assert_eq!(super::bool_word(yes), Some(true), "{yes}");
        }
        for no in ["×", "✗", "✘", "无", "否", "N", "n", "No", "FALSE", "0"] {
            assert_eq!(super::bool_word(no), Some(false), "{no}");
        }
        for neither in ["x", "X", "对", "2", "yess"] {
            assert_eq!(super::bool_word(neither), None, "{neither}");
        }
    }
}
