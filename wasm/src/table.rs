//! `scoreColumns`: a table given by column, scored into typed arrays, with any row's audit
//! trail written on demand from the same scores.

use crate::{column_error, error_with_code, get, option, parse_lang, record_error, to_js, JsLang};
use js_sys::{Array, Float64Array, Int32Array, Int8Array, Object, Uint32Array, Uint8Array};
use qinglian::{
    Batch, Cell, Groups, RecordError, Scores, Status, ALERT_LEVELS, NO_ALERT, NO_GRADE, NO_TIER,
};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/columns.js")]
extern "C" {
    #[wasm_bindgen(js_name = encodeColumn, catch)]
    fn encode_column(column: &JsValue) -> Result<JsValue, JsValue>;
}

/// Indicator statuses (the codes of `table.statuses`).
const STATUSES: [&str; 4] = ["scored", "zeroed", "missing", "not_applicable"];

/// One column as the engine reads it.
pub(crate) enum Encoded {
    /// `NaN` = missing.
    Numbers(Vec<f64>),
    /// Each row's index into the distinct values.
    Codes {
        codes: Vec<i32>,
        values: Vec<Result<Cell, RecordError>>,
    },
}

impl Encoded {
    fn len(&self) -> usize {
        match self {
            Encoded::Numbers(v) => v.len(),
            Encoded::Codes { codes, .. } => codes.len(),
        }
    }

    /// The cell of each row (a value of the wrong kind is `Err`).
    fn cell(&self, row: usize) -> Result<Cell, &RecordError> {
        match self {
            Encoded::Numbers(v) => Ok(v.get(row).map_or(Cell::Missing, |&x| {
                if x.is_nan() {
                    Cell::Missing
                } else {
                    Cell::Number(x)
                }
            })),
            Encoded::Codes { codes, values } => {
                match codes.get(row).and_then(|&c| values.get(c as usize)) {
                    Some(Ok(cell)) => Ok(cell.clone()),
                    Some(Err(e)) => Err(e),
                    None => Ok(Cell::Missing),
                }
            }
        }
    }

    /// A group key per row: the value as text, `""` when missing.
    fn keys(&self) -> Vec<String> {
        (0..self.len())
            .map(|row| match self.cell(row) {
                Ok(Cell::Text(t)) => t,
                Ok(Cell::Number(x)) => qinglian::format_number(x),
                Ok(Cell::Bool(b)) => b.to_string(),
                Ok(Cell::Counts(c)) => serde_json::to_string(&c).unwrap_or_default(),
                Ok(Cell::Missing) | Err(_) => String::new(),
            })
            .collect()
    }
}

/// A distinct value of a column → a cell; survey objects come as `{ json }`.
fn cell_of(value: &JsValue) -> Result<Cell, RecordError> {
    if value.is_null() || value.is_undefined() {
        return Ok(Cell::Missing);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Cell::Bool(b));
    }
    if let Some(x) = value.as_f64() {
        return Ok(Cell::Number(x));
    }
    if let Some(t) = value.as_string() {
        return Ok(Cell::Text(t));
    }
    if value.is_object() {
        let json = get(value, "json").as_string().unwrap_or_default();
        return serde_json::from_str::<Cell>(&json).map_err(|_| {
            RecordError::new(
                "record.wrong_type",
                format!("{json} is not a field value (expected survey answer counts)"),
            )
        });
    }
    let kind = value.js_typeof().as_string().unwrap_or_default();
    Err(RecordError::new(
        "record.wrong_type",
        format!("a {kind} is not a field value"),
    ))
}

/// Encodes one column (any array or typed array) in one pass in JavaScript.
pub(crate) fn encode(name: &str, column: &JsValue) -> Result<Encoded, JsValue> {
    let not_an_array = || {
        column_error(
            "columns.not_an_array",
            name,
            &format!("column `{name}` must be an array or a typed array"),
        )
    };
    let encoded = encode_column(column).map_err(|e| {
        column_error(
            "columns.not_an_array",
            name,
            &format!(
                "column `{name}` cannot be read: {}",
                crate::thrown_message(&e)
            ),
        )
    })?;
    if encoded.is_null() || encoded.is_undefined() {
        return Err(not_an_array());
    }
    if let Some(numbers) = get(&encoded, "numbers").dyn_ref::<Float64Array>() {
        return Ok(Encoded::Numbers(numbers.to_vec()));
    }
    let codes = get(&encoded, "codes")
        .dyn_into::<Int32Array>()
        .map_err(|_| not_an_array())?
        .to_vec();
    let values = Array::from(&get(&encoded, "values"))
        .iter()
        .map(|v| cell_of(&v))
        .collect();
    Ok(Encoded::Codes { codes, values })
}

/// A batch checked from columns, with the columns that are not inputs kept for `by`.
pub(crate) struct Built {
    pub batch: Batch<'static>,
    columns: HashMap<String, Encoded>,
    /// The column names in the table's order (for the notes on them).
    names: Vec<String>,
}

/// Reads a table by column into a batch. Columns must have equal lengths; columns that are not
/// declared inputs (an id, a name, a year, a note) are kept but not scored, like a record's
/// extra fields.
pub(crate) fn batch_of_columns(
    ruleset: &qinglian::Ruleset,
    columns: &JsValue,
) -> Result<Built, JsValue> {
    if !columns.is_object() || Array::is_array(columns) || columns.is_function() {
        return Err(error_with_code(
            "columns.invalid",
            "expected the table as an object of columns: { field: [values…] }",
        ));
    }
    let mut encoded: HashMap<String, Encoded> = HashMap::new();
    let mut order = Vec::new();
    let mut len: Option<(usize, String)> = None;
    for name in Object::keys(columns.unchecked_ref::<Object>()).iter() {
        let name = name.as_string().unwrap_or_default();
        order.push(name.clone());
        let column = encode(&name, &get(columns, &name))?;
        match &len {
            None => len = Some((column.len(), name.clone())),
            Some((n, first)) if *n != column.len() => {
                return Err(column_error(
                    "columns.length",
                    &name,
                    &format!(
                        "column `{name}` has {} rows but column `{first}` has {n}",
                        column.len()
                    ),
                ))
            }
            Some(_) => {}
        }
        encoded.insert(name, column);
    }
    let len = len.map_or(0, |(n, _)| n);
    let mut batch = Batch::new(ruleset, len);
    // Columns headed by an input's name, label or alias, and the id and name columns by their
    // field in any capitals or an alias (the core's header matching).
    let keys: Vec<&String> = encoded.keys().collect();
    let found = qinglian::columns::match_columns(ruleset, &keys)
        .map_err(|e| error_with_code("columns.ambiguous", &e))?;
    let column_at = |at: Option<usize>| at.and_then(|i| keys.get(i)).and_then(|k| encoded.get(*k));
    let (ids, names) = (column_at(found.id), column_at(found.name));
    if ids.is_some() || names.is_some() {
        for row in 0..len {
            let id = ids.and_then(|c| c.cell(row).ok());
            let name = names.and_then(|c| c.cell(row).ok());
            batch.set_label(row, id.as_ref(), name.as_ref());
        }
    }
    let holding: Vec<Option<&Encoded>> = found.inputs.iter().map(|&at| column_at(at)).collect();
    // Inputs in declaration order, so each row keeps the same first error as its record would.
    for (input, column) in ruleset.inputs().iter().zip(holding) {
        let Some(column) = column else {
            continue;
        };
        let result = match column {
            Encoded::Numbers(values) => batch.set_numbers(ruleset, &input.name, values),
            Encoded::Codes { .. } => {
                let mut cells = Vec::with_capacity(len);
                let limits = qinglian::RecordLimits::default();
                for row in 0..len {
                    // A text beyond the record limits is an error of its row, as in a file.
                    let checked = match column.cell(row) {
                        Ok(cell) => limits.check_cell(&cell).map(|()| cell),
                        Err(e) => Err(e.clone()),
                    };
                    match checked {
                        Ok(cell) => cells.push(cell),
                        Err(e) => {
                            batch.set_error(row, e.column(&input.name));
                            cells.push(Cell::Missing);
                        }
                    }
                }
                batch.set_cells(ruleset, &input.name, &cells)
            }
        };
        result.map_err(|e| column_error("columns.invalid", &input.name, &e))?;
    }
    batch.check_required(ruleset);
    Ok(Built {
        batch,
        columns: encoded,
        names: order,
    })
}

/// The groups of a `by` option: a column name of the table, or each row's key.
fn groups_of_columns(by: &JsValue, built: &Built) -> Result<Groups, JsValue> {
    let len = built.batch.len();
    let keys = match by.as_string() {
        Some(name) => built
            .columns
            .get(&name)
            .ok_or_else(|| {
                column_error(
                    "options.by",
                    &name,
                    &format!("`by` names column `{name}`, which the table does not have"),
                )
            })?
            .keys(),
        None => keys_of_array(by, len)?,
    };
    Ok(Groups::from_keys(keys))
}

/// Group keys given one per row.
fn keys_of_array(by: &JsValue, len: usize) -> Result<Vec<String>, JsValue> {
    let encoded = encode("by", by).map_err(|_| {
        error_with_code(
            "options.by",
            "`by` must be a column name or an array of group keys, one per row",
        )
    })?;
    if encoded.len() != len {
        return Err(error_with_code(
            "options.by",
            &format!("`by` has {} keys but there are {len} rows", encoded.len()),
        ));
    }
    Ok(encoded.keys())
}

/// The groups of `evaluateMany`'s `by`: a field name of the records, or each record's key.
pub(crate) fn groups_of_records(
    by: &JsValue,
    records: &JsValue,
    len: usize,
) -> Result<Groups, JsValue> {
    let keys = match by.as_string() {
        Some(field) => {
            let values: Array = Array::from(records)
                .iter()
                .map(|r| {
                    if r.is_object() {
                        get(&r, &field)
                    } else {
                        JsValue::NULL
                    }
                })
                .collect();
            keys_of_array(&values, len)?
        }
        None => keys_of_array(by, len)?,
    };
    Ok(Groups::from_keys(keys))
}

/// Scores a batch as one cohort, by group, or against a reference cohort.
pub(crate) fn score_batch(
    ruleset: &qinglian::Ruleset,
    batch: &Batch<'_>,
    groups: Option<&Groups>,
    cohort: Option<&qinglian::Cohort>,
) -> Result<Scores, JsValue> {
    match (groups, cohort) {
        (Some(_), Some(_)) => Err(error_with_code(
            "options.conflict",
            "give either `by` (one cohort per group) or `cohort` (a reference cohort), not both",
        )),
        (Some(groups), None) => ruleset
            .score_by(batch, groups)
            .map_err(|e| error_with_code("options.by", &e.message)),
        (None, Some(cohort)) => ruleset
            .score_against(batch, cohort)
            .map_err(|e| crate::cohort::cohort_error("cohort.mismatch", &e)),
        (None, None) => Ok(ruleset.score(batch)),
    }
}

pub(crate) fn score_columns(
    ruleset: &Rc<qinglian::Ruleset>,
    columns: &JsValue,
    options: &JsValue,
) -> Result<ScoreTable, JsValue> {
    let status = flag_option(options, "status")?;
    let strict = flag_option(options, "strict")?;
    let cohort = option(options, "cohort")
        .map(|c| crate::cohort::from_option(&c, ruleset))
        .transpose()?;
    let mut built = batch_of_columns(ruleset, columns)?;
    let groups = option(options, "by")
        .map(|by| groups_of_columns(&by, &built))
        .transpose()?;
    // An id repeats only within its group: a panel holds each unit once a year.
    let repeated = built.batch.check_repeated_ids(groups.as_ref(), strict);
    let scores = score_batch(ruleset, &built.batch, groups.as_ref(), cohort.as_deref())?;
    // Notes on the columns: near misses of an input, inputs no column holds (not the `by`
    // column, kept on purpose).
    let by = option(options, "by").and_then(|by| by.as_string());
    let names: Vec<&str> = built.names.iter().map(String::as_str).collect();
    let keep: Vec<&str> = by.as_deref().into_iter().collect();
    let notes = note_warnings(&ruleset.column_notes(&names, &keep), &names);
    let mut table = ScoreTable::new(Rc::clone(ruleset), built.batch, scores, status);
    let mut warnings = if strict { Vec::new() } else { repeated };
    warnings.extend(notes);
    table.warnings = to_js(&warnings).unwrap_or_else(|_| Array::new().into());
    Ok(table)
}

/// The core's notes on some columns in the shape of `table.warnings` (code, message, and the
/// column a near miss is about).
pub(crate) fn note_warnings(notes: &[qinglian::Diagnostic], names: &[&str]) -> Vec<RecordError> {
    notes
        .iter()
        .map(|note| {
            let warning = RecordError::new(note.code, note.message.clone());
            match note
                .column
                .and_then(|c| c.checked_sub(1))
                .and_then(|i| names.get(i))
            {
                Some(name) => warning.column(*name),
                None => warning,
            }
        })
        .collect()
}

/// A boolean option (false when absent).
pub(crate) fn flag_option(options: &JsValue, name: &str) -> Result<bool, JsValue> {
    match option(options, name) {
        None => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| {
            error_with_code(
                "options.invalid",
                &format!("the `{name}` option must be true or false"),
            )
        }),
    }
}

fn index_i32(v: u32, none: u32) -> i32 {
    if v == none {
        -1
    } else {
        i32::try_from(v).unwrap_or(-1)
    }
}

fn status_code(s: Status) -> u8 {
    match s {
        Status::Scored => 0,
        Status::Zeroed => 1,
        Status::Missing => 2,
        Status::NotApplicable => 3,
    }
}

/// A scored table: one entry per row in each typed array (`NaN`, `-1` or `0` where a row has no
/// value), the errors of the rows that could not be scored, and each row's audit trail on
/// demand. Call `free()` to release its WebAssembly memory when done.
#[wasm_bindgen]
pub struct ScoreTable {
    ruleset: Rc<qinglian::Ruleset>,
    batch: Batch<'static>,
    scores: Scores,
    score: Float64Array,
    base: Float64Array,
    bonus: Float64Array,
    grade: Int32Array,
    rank: Uint32Array,
    of: Uint32Array,
    percentile: Float64Array,
    tier: Int32Array,
    vetoed: Uint8Array,
    alert_level: Int8Array,
    indicators: Object,
    statuses: JsValue,
    /// With the statuses: per indicator that imputes or treats outliers, the treatment flags.
    treated: JsValue,
    errors: JsValue,
    warnings: JsValue,
}

impl ScoreTable {
    fn new(
        ruleset: Rc<qinglian::Ruleset>,
        batch: Batch<'static>,
        scores: Scores,
        with_status: bool,
    ) -> ScoreTable {
        let len = scores.len();
        let grade: Vec<i32> = scores
            .grades()
            .iter()
            .map(|&g| index_i32(g, NO_GRADE))
            .collect();
        let tier: Vec<i32> = scores
            .tiers()
            .iter()
            .map(|&t| index_i32(t, NO_TIER))
            .collect();
        let vetoed: Vec<u8> = (0..len)
            .map(|row| u8::from(scores.is_vetoed(row)))
            .collect();
        let alert_level: Vec<i8> = scores
            .alert_levels()
            .iter()
            .map(|&l| if l == NO_ALERT { -1 } else { l as i8 })
            .collect();
        let indicators = Object::new();
        let statuses = Object::new();
        for (i, path) in ruleset.indicator_paths().iter().enumerate() {
            let (Some(points), Some(status)) =
                (scores.indicator_scores(i), scores.indicator_statuses(i))
            else {
                continue;
            };
            let values: Vec<f64> = (0..len)
                .map(|row| {
                    let counted =
                        matches!(status.get(row), Some(Status::Scored) | Some(Status::Zeroed));
                    match points.get(row) {
                        Some(&x) if counted && scores.is_scored(row) => x,
                        _ => f64::NAN,
                    }
                })
                .collect();
            crate::set(&indicators, path, &Float64Array::from(values.as_slice()));
            if with_status {
                let codes: Vec<u8> = (0..len)
                    .map(|row| match status.get(row) {
                        Some(&s) if scores.is_scored(row) => status_code(s),
                        _ => u8::MAX,
                    })
                    .collect();
                crate::set(&statuses, path, &Uint8Array::from(codes.as_slice()));
            }
        }
        let treated = Object::new();
        if with_status {
            for (i, path) in ruleset.indicator_paths().iter().enumerate() {
                if let Some(flags) = scores.treatment_flags(i) {
                    crate::set(&treated, path, &Uint8Array::from(flags));
                }
            }
        }
        let errors: Vec<&RecordError> = scores.errors().map(|(_, e)| e).collect();
        let errors = to_js(&errors).unwrap_or_else(|_| Array::new().into());
        ScoreTable {
            score: Float64Array::from(scores.totals()),
            base: Float64Array::from(scores.base_scores()),
            bonus: Float64Array::from(scores.bonus_scores()),
            grade: Int32Array::from(grade.as_slice()),
            rank: Uint32Array::from(scores.ranks()),
            of: Uint32Array::from(scores.cohort_sizes()),
            percentile: Float64Array::from(scores.percentiles()),
            tier: Int32Array::from(tier.as_slice()),
            vetoed: Uint8Array::from(vetoed.as_slice()),
            alert_level: Int8Array::from(alert_level.as_slice()),
            indicators,
            warnings: Array::new().into(),
            statuses: if with_status {
                statuses.into()
            } else {
                JsValue::NULL
            },
            treated: if with_status {
                treated.into()
            } else {
                JsValue::NULL
            },
            errors,
            ruleset,
            batch,
            scores,
        }
    }
}

#[wasm_bindgen]
impl ScoreTable {
    /// Number of rows.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.scores.len()
    }

    /// Totals (tree score plus credited bonus, after vetoes); `NaN` for rows with an error.
    #[wasm_bindgen(getter)]
    pub fn score(&self) -> Float64Array {
        self.score.clone()
    }

    /// Scores of the indicator tree before the bonus; `NaN` for rows with an error.
    #[wasm_bindgen(getter, js_name = baseScore)]
    pub fn base_score(&self) -> Float64Array {
        self.base.clone()
    }

    /// Bonus credited after the ruleset-wide cap; `NaN` for rows with an error.
    #[wasm_bindgen(getter, js_name = bonusScore)]
    pub fn bonus_score(&self) -> Float64Array {
        self.bonus.clone()
    }

    /// Grade per row: an index into `ruleset.gradeNames()` (best first), `-1` for none.
    #[wasm_bindgen(getter)]
    pub fn grade(&self) -> Int32Array {
        self.grade.clone()
    }

    /// Rank in the row's cohort (1 = best, ties share the better rank); 0 when not placed.
    #[wasm_bindgen(getter)]
    pub fn rank(&self) -> Uint32Array {
        self.rank.clone()
    }

    /// Size of the row's cohort (the table, its group, or the reference); 0 when not placed.
    #[wasm_bindgen(getter, js_name = cohortSize)]
    pub fn cohort_size(&self) -> Uint32Array {
        self.of.clone()
    }

    /// Percentile in the cohort, `100 × (of − rank + 1) / of`; `NaN` when not placed.
    #[wasm_bindgen(getter)]
    pub fn percentile(&self) -> Float64Array {
        self.percentile.clone()
    }

    /// Quota tier per row: an index into `ruleset.tierNames()`, `-1` for none.
    #[wasm_bindgen(getter)]
    pub fn tier(&self) -> Int32Array {
        self.tier.clone()
    }

    /// 1 where a veto fired, else 0.
    #[wasm_bindgen(getter)]
    pub fn vetoed(&self) -> Uint8Array {
        self.vetoed.clone()
    }

    /// The most severe early warning raised per row: an index into `alertLevels`
    /// (`red`, `orange`, `yellow`, `blue`), `-1` for none.
    #[wasm_bindgen(getter, js_name = alertLevel)]
    pub fn alert_level(&self) -> Int8Array {
        self.alert_level.clone()
    }

    /// The names of the `alertLevel` indexes, most severe first.
    #[wasm_bindgen(getter, js_name = alertLevels, unchecked_return_type = "string[]")]
    pub fn alert_levels(&self) -> JsValue {
        ALERT_LEVELS
            .iter()
            .map(|l| JsValue::from_str(l))
            .collect::<Array>()
            .into()
    }

    /// Points of every indicator by path (`ruleset.indicatorPaths()`); `NaN` where the indicator
    /// is missing or not applicable, and for rows with an error.
    #[wasm_bindgen(getter, unchecked_return_type = "{ [path: string]: Float64Array }")]
    pub fn indicators(&self) -> JsValue {
        self.indicators.clone().into()
    }

    /// With `{ status: true }`: each indicator's status per row, an index into `statusNames`
    /// (`scored`, `zeroed`, `missing`, `not_applicable`), 255 for rows with an error; else `null`.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "{ [path: string]: Uint8Array } | null"
    )]
    pub fn statuses(&self) -> JsValue {
        self.statuses.clone()
    }

    /// With `status: true`: per `normalise` indicator that imputes or treats outliers, what was
    /// done to each row's value, as bits (see `treatmentFlags`: 1 imputed, 2 winsorised down
    /// to the upper cap, 4 winsorised up to the lower cap, 8 log-transformed; 0 nothing or
    /// not scored by its rule); else `null`.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "{ [path: string]: Uint8Array } | null"
    )]
    pub fn treated(&self) -> JsValue {
        self.treated.clone()
    }

    /// The bits of the `treated` flags by name.
    #[wasm_bindgen(
        getter,
        js_name = treatmentFlags,
        unchecked_return_type = "{ imputed: number; winsorisedHigh: number; winsorisedLow: number; log: number }"
    )]
    pub fn treatment_flags(&self) -> JsValue {
        let o = Object::new();
        for (name, bit) in [
            ("imputed", qinglian::TREATED_IMPUTED),
            ("winsorisedHigh", qinglian::TREATED_WINSORISED_HIGH),
            ("winsorisedLow", qinglian::TREATED_WINSORISED_LOW),
            ("log", qinglian::TREATED_LOG),
        ] {
            crate::set(&o, name, &JsValue::from(bit));
        }
        o.into()
    }

    /// The names of the `statuses` codes.
    #[wasm_bindgen(getter, js_name = statusNames, unchecked_return_type = "string[]")]
    pub fn status_names(&self) -> JsValue {
        STATUSES
            .iter()
            .map(|l| JsValue::from_str(l))
            .collect::<Array>()
            .into()
    }

    /// The rows that could not be scored, in row order: code, message, row, id, column, path.
    #[wasm_bindgen(getter, unchecked_return_type = "TableRowError[]")]
    pub fn errors(&self) -> JsValue {
        self.errors.clone()
    }

    /// What was scored anyway: rows whose unit id an earlier row already had (code
    /// `record.duplicate_id`, with row and id), in row order (none with the `strict` option,
    /// where those rows are errors instead); then the notes on the columns: a column that is
    /// not an input but is close to one (`record.unknown_column`, with the column), and the
    /// inputs no column holds (`record.absent_input`).
    #[wasm_bindgen(getter, unchecked_return_type = "TableWarning[]")]
    pub fn warnings(&self) -> JsValue {
        self.warnings.clone()
    }

    /// One row's full audit trail as an `Evaluation` (with its cohort place), written from the
    /// table's scores without scoring again. Throws the row's error if it could not be scored.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn explain(&self, row: usize) -> Result<JsValue, JsValue> {
        let evaluation = self
            .ruleset
            .explain(&self.batch, &self.scores, row)
            .map_err(|e| record_error(&e))?;
        to_js(&evaluation)
    }

    /// One row's audit trail as text (`lang`: `"zh"`, the default, or `"en"`).
    #[wasm_bindgen(js_name = explainText)]
    pub fn explain_text(&self, row: usize, lang: Option<JsLang>) -> Result<String, JsValue> {
        let lang = parse_lang(lang)?;
        let evaluation = self
            .ruleset
            .explain(&self.batch, &self.scores, row)
            .map_err(|e| record_error(&e))?;
        Ok(evaluation.explain(lang))
    }
}
