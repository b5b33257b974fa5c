//! # qinglian-wasm
//!
//! WebAssembly bindings of the [`qinglian`] engine for browsers, bundlers and Node, built with
//! wasm-bindgen. The crate is a thin shell: every number comes from the core, and results have
//! exactly the JSON shape of Rust's `Evaluation` (and Python's), as plain JavaScript objects.
//!
//! ```js
//! import init, { Ruleset } from "qinglian";
//! await init();
//! const ruleset = Ruleset.fromToml(text);
//! const evaluation = ruleset.evaluate({ id: "E001", cases: 2 });
//! console.log(evaluation.score, evaluation.grade);
//! ```
//!
//! Errors are thrown as JavaScript `Error` objects with `code`, `line`, `column` and `path`
//! properties (see the TypeScript declarations below).

use qinglian::{Cell, Diagnostic, Evaluation, Lang, Record, RecordError, RulesetError};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A JSON value, as found in `inputs` and `facts`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One raw field value of a record: missing, a boolean, a number, text, or survey answer counts. */
export type CellValue = null | undefined | boolean | number | string | { [answer: string]: number };

/** The facts one unit reports, by field name (declared inputs plus `id`, `name`, …). */
export interface RecordInput { [field: string]: CellValue }

/** Bilingual text: Chinese and English. */
export interface Text { zh: string; en: string }

/** How a node was scored. */
export type Status = "scored" | "zeroed" | "missing" | "not_applicable";

/** One indicator's result. */
export interface NodeResult {
  path: string;
  name: string;
  name_en: string | null;
  /** 1 for 一级指标. */
  depth: number;
  score: number;
  max: number;
  /** Points lost (max − score) when counted, else 0. */
  lost: number;
  /** Points this node adds to the total before vetoes (negative for a deduction item). */
  contribution: number;
  status: Status;
  counted: boolean;
  bonus: boolean;
  /** Scorer type (leaves) or aggregation method (groups). */
  rule: string;
  detail: Text;
  /** The input values the leaf read (after equivalences). */
  inputs: { [input: string]: JsonValue };
}

/** What a veto does. */
export type VetoEffect = "zero" | "grade" | "cap_grade";

/** A veto that fired. */
export interface VetoHit {
  id: string;
  effect: VetoEffect;
  grade: string | null;
  reason: Text;
  facts: { [input: string]: JsonValue };
}

/** A bonus node's points. */
export interface BonusHit {
  path: string;
  name: string;
  points: number;
  credited: number;
}

/** An early warning raised. */
export interface AlertHit {
  id: string;
  /** red, orange, yellow or blue. */
  level: string;
  message: Text;
  facts: { [input: string]: JsonValue };
}

/** What kind of thing a reason explains. */
export type ReasonKind =
  | "deduction" | "zeroed" | "missing" | "not_applicable"
  | "equivalence" | "bonus" | "veto" | "grade" | "cohort";

/** A sentence a person can read, tied to an indicator where there is one. */
export interface Reason {
  kind: ReasonKind;
  path: string | null;
  points: number | null;
  text: Text;
}

/** A unit's place in its cohort: the batch, its group, or a fitted reference cohort. */
/** The ruleset a result was produced by. */
export interface Provenance {
  ruleset: string;
  version: string;
  hash: string;
}

export interface CohortPlace {
  rank: number;
  of: number;
  percentile: number;
  tier: string | null;
  /** English name of the quota tier, when the ruleset gives one. */
  tier_en?: string;
}

/** The result of scoring one record: the same JSON shape as Rust and Python. */
export interface Evaluation {
  id: string | null;
  name: string | null;
  ruleset: string;
  ruleset_version: string;
  /** SHA-256 of the ruleset's canonical form (64 hex digits), as in Rust and Python. */
  ruleset_hash: string;
  score: number;
  max_score: number;
  base_score: number;
  bonus_score: number;
  grade: string | null;
  grade_en: string | null;
  nodes: NodeResult[];
  vetoes: VetoHit[];
  bonuses: BonusHit[];
  alerts: AlertHit[];
  missing: string[];
  reasons: Reason[];
  /** `null` for a single evaluation without a cohort. */
  cohort: CohortPlace | null;
  /**
   * Present only when there is something to say about the evaluation itself: e.g. a ruleset
   * with cohort-dependent rules (rank scoring, quota tiers) evaluated alone, without a cohort.
   */
  warnings?: Text[];
}

/** Why one record could not be scored. */
export interface RecordErrorInfo {
  /** Stable code, e.g. `record.out_of_range`. */
  code: string;
  message: string;
  /** 0-based position in the batch. */
  row: number | null;
  id: string | null;
  /** The input (field) at fault. */
  column: string | null;
  /** The indicator being scored. */
  path: string | null;
}

/** One entry of `evaluateMany`: the evaluation, or the record's error. */
export type EvaluationResult = { ok: Evaluation } | { error: RecordErrorInfo };

/** Options of `evaluate` and `explain`. */
export interface EvaluateOptions {
  /** A fitted reference cohort: rank the unit among it (and use it for `rank` scorers). */
  cohort?: Cohort;
}

/** Options of `evaluateMany`. */
export interface EvaluateManyOptions {
  /**
   * One cohort per group: a field name of the records (e.g. `"year"`), or each record's
   * group key. Ranks, percentiles, tiers and `rank` scorers are then computed within groups.
   */
  by?: string | (string | number | boolean | null)[];
  /** Rank every record among a fitted reference cohort instead of the batch. */
  cohort?: Cohort;
  /**
   * A record whose unit id an earlier record had is an error (`record.duplicate_id`), neither
   * scored nor ranked. Default false: both are scored and ranked, and the console says so.
   */
  strict?: boolean;
}

/** One column of a table: typed array or plain array; `null`, `undefined` and `NaN` are missing. */
export type Column =
  | Float64Array | Float32Array
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | CellValue[];

/** A table by column: field name → one value per row. All columns have the same length. */
export interface Columns { [field: string]: Column }

/** Options of `scoreColumns`. */
export interface ScoreOptions {
  /**
   * One cohort per group: the name of a column of the table (an input or not, e.g. `"year"`),
   * or each row's group key.
   */
  by?: string | (string | number | boolean | null)[];
  /** Rank every row among a fitted reference cohort instead of the table. */
  cohort?: Cohort;
  /**
   * Also return each indicator's status per row (`statuses`) and, for indicators that impute or
   * treat outliers, what was done to each value (`treated`). Default false.
   */
  status?: boolean;
  /**
   * A row whose unit id an earlier row had is an error (`record.duplicate_id`) instead of a
   * warning in `table.warnings`. Default false.
   */
  strict?: boolean;
}

/** A row of `scoreColumns` that could not be scored. */
export interface TableRowError {
  /** 0-based row. */
  row: number;
  code: string;
  message: string;
  id: string | null;
  /** The input (column) at fault. */
  column: string | null;
  /** The indicator being scored. */
  path: string | null;
}

/**
 * Something `scoreColumns` scored anyway: a row whose unit id an earlier row had
 * (`record.duplicate_id`, with `row` and `id`), a column that looks like a misspelt input
 * (`record.unknown_column`, with `column`), inputs no column holds (`record.absent_input`).
 */
export interface TableWarning {
  code: string;
  message: string;
  /** 0-based row, for a row's warning. */
  row: number | null;
  id: string | null;
  column: string | null;
  path: string | null;
}

/**
 * Every error the engine throws: a stable `code` (listed in `docs/errors.md`) and where it
 * happened when known. Thrown as such by the table and cohort calls (bad options, columns of
 * unequal length, a damaged cohort), where `column` is the column at fault.
 */
export declare class QinglianError extends Error {
  code: string;
  line: number | null;
  column: string | number | null;
  path: string | null;
}

/** One problem found while loading a ruleset. */
export interface Diagnostic {
  code: string;
  message: string;
  severity: "error" | "warning";
  file: string | null;
  line: number | null;
  column: number | null;
  path: string | null;
}

/** Thrown by `Ruleset.fromToml`: the first error's code and place (1-based), and every error. */
export declare class RulesetError extends QinglianError {
  line: number | null;
  column: number | null;
  /** The indicator path, where the problem is in the tree. */
  path: string | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Thrown by `evaluate` and `explain` for a record that cannot be scored. */
export declare class RecordError extends QinglianError {
  line: null;
  /** The input (field) at fault. */
  column: string | null;
  /** The indicator being scored. */
  path: string | null;
  row: number | null;
  id: string | null;
}

/** Earlier name of `RulesetError`. */
export type RulesetLoadError = RulesetError;
/** Earlier name of `RecordError`. */
export type RecordEvaluationError = RecordError;

/** Metadata of an evaluation system. */
export interface Metadata {
  id: string;
  name: string;
  name_en: string | null;
  version: string;
  issuer: string | null;
  issuer_en: string | null;
  description: string | null;
  description_en: string | null;
  scale: number;
  bonus_cap: number;
  id_field: string;
  name_field: string;
  /** Other headers of the id column (`编号`), when the ruleset lists some. */
  id_aliases?: string[];
  /** Other headers of the name column (`单位名称`), when the ruleset lists some. */
  name_aliases?: string[];
  /** Columns the data carries that the ruleset knows of and does not score, when it lists some. */
  other_fields?: string[];
}

/** The type of a declared input. */
export type InputType = "number" | "count" | "boolean" | "category" | "survey";

/** A declared input: enough to generate a form field. */
export interface Input {
  name: string;
  type: InputType;
  label: string;
  label_en: string | null;
  /** Other column headers that hold the input (only when declared). */
  aliases?: string[];
  unit: string | null;
  /** English unit, for units written in Chinese. */
  unit_en: string | null;
  min: number | null;
  max: number | null;
  /** Allowed values (category) or answers (survey). */
  values: string[];
  /** English names of `values`, one for each in the same order (records still use `values`). */
  values_en: string[] | null;
  required: boolean;
  description: string | null;
  description_en: string | null;
}

/** How a group combines its children. */
export type Aggregate = "sum" | "mean" | "geomean" | "min" | "deduction" | "harmonic" | "power";

/** What to do when a node lacks data. */
export type MissingPolicy = "error" | "zero" | "reweight" | "not_applicable";

/** A node of the indicator tree. */
export interface IndicatorInfo {
  /** Empty for the root. */
  path: string;
  name: string;
  name_en: string | null;
  points: number;
  weight: number;
  aggregate: Aggregate | null;
  /** The exponent of a `power` group (absent elsewhere). */
  exponent?: number;
  scorer: string | null;
  bonus: boolean;
  missing: MissingPolicy;
  description: string | null;
  description_en: string | null;
  inputs: string[];
  children: IndicatorInfo[];
}
"#;

mod cohort;
mod improve;
mod outranking;
mod record;
mod sensitivity;
mod table;
mod uncertainty;
mod weights;

pub use cohort::Cohort;
pub use table::ScoreTable;
pub use weights::JsWeights;

use std::rc::Rc;

/// Installs the panic hook once the module is instantiated, so a bug reports its message on the
/// console instead of a bare `unreachable`.
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The version of the engine.
#[wasm_bindgen(unchecked_return_type = "string")]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Converts a serialisable value to a plain JS value by way of JSON text: `serde_json` writes
/// it in Rust and the engine's `JSON.parse` reads it, which is many times faster than building
/// the objects one property at a time across the boundary. Numbers survive exactly (shortest
/// round-trip form), `None` is `null`, maps are plain objects.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| error_with_code("internal.serialize", &e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| error_with_code("internal.serialize", "JSON.parse"))
}

pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

fn opt_num(value: Option<usize>) -> JsValue {
    value.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

/// One console warning with the notes on the fields of `evaluateMany`'s records, all records
/// together: fields that look like a misspelt input, inputs no record has. `by` (a field name)
/// is kept on purpose.
fn warn_field_notes(
    ruleset: &qinglian::Ruleset,
    rows: &[Result<Record, RecordError>],
    by: Option<&str>,
) {
    let mut fields = std::collections::BTreeSet::new();
    for record in rows.iter().flatten() {
        fields.extend(record.fields.keys().map(String::as_str));
    }
    let fields: Vec<&str> = fields.into_iter().collect();
    let keep: Vec<&str> = by.into_iter().collect();
    let notes = ruleset.column_notes(&fields, &keep);
    if !notes.is_empty() {
        let lines: Vec<String> = notes.iter().map(|n| format!("- {}", n.message)).collect();
        console_warn(&format!(
            "qinglian: notes on the fields of the records (scored anyway):\n{}",
            lines.join("\n")
        ));
    }
}

/// One console warning for the rows of `evaluateMany` whose unit id an earlier row had (both
/// are scored and ranked; the `strict` option makes them errors instead).
fn warn_repeated(repeated: &[RecordError]) {
    if let Some(first) = repeated.first() {
        console_warn(&format!(
            "qinglian: {} record(s) repeat the unit id of an earlier record and are scored and \
             ranked twice (first: {first}); pass {{ strict: true }} to reject them",
            repeated.len()
        ));
    }
}

#[wasm_bindgen(module = "/src/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = newQinglianError)]
    fn new_qinglian_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_name = newRulesetError)]
    fn new_ruleset_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_name = newRecordError)]
    fn new_record_error(message: &str) -> JsValue;
}

/// A `QinglianError` (an `Error`) with a code and no place.
pub(crate) fn error_with_code(code: &str, message: &str) -> JsValue {
    let value = new_qinglian_error(message);
    set(&value, "code", &JsValue::from_str(code));
    set(&value, "line", &JsValue::NULL);
    set(&value, "column", &JsValue::NULL);
    set(&value, "path", &JsValue::NULL);
    value
}

/// An error about one column of a table.
pub(crate) fn column_error(code: &str, column: &str, message: &str) -> JsValue {
    let value = error_with_code(code, message);
    set(&value, "column", &JsValue::from_str(column));
    value
}

fn diagnostics_to_js(diagnostics: &[Diagnostic]) -> JsValue {
    to_js(diagnostics).unwrap_or_else(|_| js_sys::Array::new().into())
}

/// A ruleset that failed to load → `Error` with the first error's code and place, and all.
fn ruleset_error(error: &RulesetError) -> JsValue {
    let value = new_ruleset_error(&error.to_string());
    let first = error.errors.first();
    set(
        &value,
        "code",
        &JsValue::from_str(first.map_or("ruleset.invalid", |d| d.code)),
    );
    set(&value, "line", &opt_num(first.and_then(|d| d.line)));
    set(&value, "column", &opt_num(first.and_then(|d| d.column)));
    set(
        &value,
        "path",
        &opt_str(first.and_then(|d| d.path.as_deref())),
    );
    set(&value, "errors", &diagnostics_to_js(&error.errors));
    set(&value, "warnings", &diagnostics_to_js(&error.warnings));
    value
}

/// A record that cannot be scored → `Error` with code, row, id, column and path.
pub(crate) fn record_error(error: &RecordError) -> JsValue {
    let value = new_record_error(&error.to_string());
    set(&value, "code", &JsValue::from_str(error.code));
    set(&value, "line", &JsValue::NULL);
    set(&value, "column", &opt_str(error.column.as_deref()));
    set(&value, "path", &opt_str(error.path.as_deref()));
    set(&value, "row", &opt_num(error.row));
    set(&value, "id", &opt_str(error.id.as_deref()));
    value
}

/// A JS value that is not an object of field values → the core's `record.json` error.
fn bad_record(message: &str, row: Option<usize>) -> RecordError {
    let error = RecordError::new(
        "record.json",
        format!("not an object of field values: {message}"),
    );
    match row {
        Some(row) => error.at_row(row, None),
        None => error,
    }
}

/// Why a JS value is not an object of field values, if it is not.
fn not_a_record(value: &JsValue) -> Option<String> {
    if js_sys::Array::is_array(value) {
        return Some("got an array".to_string());
    }
    if !value.is_object() {
        return Some(format!(
            "got {}",
            value.js_typeof().as_string().unwrap_or_default()
        ));
    }
    None
}

/// Reads a record by way of `JSON.stringify` and `serde_json`: one call across the boundary
/// instead of one per field. `undefined` and `NaN` become absent or `null`: missing either way.
fn to_record(value: &JsValue, row: Option<usize>) -> Result<Record, RecordError> {
    if let Some(why) = not_a_record(value) {
        return Err(bad_record(&why, row));
    }
    let text = js_sys::JSON::stringify(value)
        .map_err(|e| bad_record(&thrown_message(&e), row))?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str::<record::RecordValue>(&text)
        .map(|r| with_infinities(r.0, value))
        .map_err(|e| bad_record(&e.to_string(), row))
        .and_then(|r| within_limits(r, row))
}

/// A record within the core's record limits (fields, characters a cell), or the error saying
/// which is exceeded — as for a record read from a file.
fn within_limits(record: Record, row: Option<usize>) -> Result<Record, RecordError> {
    match qinglian::RecordLimits::default().check(&record) {
        Ok(()) => Ok(record),
        Err(e) => Err(match row {
            Some(row) => e.at_row(row, None),
            None => e,
        }),
    }
}

/// `JSON.stringify` writes `Infinity` as `null`, which would read as a missing value without a
/// word; the fields read as missing are looked up again, and an infinity is put back so that
/// the core rejects it (`record.not_finite`), as it does in Rust and Python. Only `null` fields
/// are looked at, so records without any pay nothing.
fn with_infinities(mut record: Record, value: &JsValue) -> Record {
    for (name, cell) in record.fields.iter_mut() {
        if *cell != Cell::Missing {
            continue;
        }
        if let Some(x) = js_sys::Reflect::get(value, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|x| x.is_infinite())
        {
            *cell = Cell::Number(x);
        }
    }
    record
}

/// The message of a thrown JS value.
pub(crate) fn thrown_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "a value JSON cannot represent".to_string())
}

/// Reads an array of records: one `JSON.stringify` of the whole array when it can, else record
/// by record (so a record JSON cannot represent is an error in its place).
fn to_records(records: &JsValue) -> Vec<Result<Record, RecordError>> {
    let array = js_sys::Array::from(records);
    let whole = js_sys::JSON::stringify(records)
        .ok()
        .and_then(|t| t.as_string())
        .and_then(|t| serde_json::from_str::<Vec<record::Element>>(&t).ok())
        .filter(|v| v.len() == array.length() as usize);
    match whole {
        Some(elements) => elements
            .into_iter()
            .enumerate()
            .map(|(row, element)| match element {
                record::Element::Record(r) => {
                    within_limits(with_infinities(r, &array.get(row as u32)), Some(row))
                }
                record::Element::Other => {
                    let why = not_a_record(&array.get(row as u32))
                        .unwrap_or_else(|| "a value JSON cannot represent".to_string());
                    Err(bad_record(&why, Some(row)))
                }
            })
            .collect(),
        None => array
            .iter()
            .enumerate()
            .map(|(row, value)| to_record(&value, Some(row)))
            .collect(),
    }
}

/// Language of readable output: `"zh"` (Chinese) or `"en"` (English).
#[wasm_bindgen(js_name = Lang)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsLang {
    /// Chinese.
    Zh = "zh",
    /// English.
    En = "en",
}

pub(crate) fn parse_lang(lang: Option<JsLang>) -> Result<Lang, JsValue> {
    match lang {
        None | Some(JsLang::Zh) => Ok(Lang::Zh),
        Some(JsLang::En) => Ok(Lang::En),
        #[allow(unreachable_patterns)]
        _ => Err(error_with_code(
            "lang.unknown",
            "unknown language: expected \"zh\" or \"en\"",
        )),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome<'a> {
    Ok(&'a Evaluation),
    Error(&'a RecordError),
}

/// The options object of a call: checks it is an object with only the `known` keys.
pub(crate) fn options(value: &JsValue, call: &str, known: &[&str]) -> Result<JsValue, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(error_with_code(
            "options.invalid",
            &format!("the options of {call} must be an object"),
        ));
    }
    for key in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(error_with_code(
                "options.unknown",
                &format!(
                    "unknown option `{key}` of {call} (expected: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(value.clone())
}

/// An option's value, `None` when absent, `null` or `undefined`.
pub(crate) fn option(options: &JsValue, key: &str) -> Option<JsValue> {
    if options.is_undefined() {
        return None;
    }
    let value = get(options, key);
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// A compiled ruleset (评价体系): load once with `Ruleset.fromToml`, then score records.
#[wasm_bindgen]
pub struct Ruleset {
    inner: Rc<qinglian::Ruleset>,
}

#[wasm_bindgen]
impl Ruleset {
    /// Parses and validates a ruleset from TOML text. Throws a `RulesetLoadError` (an `Error`
    /// with `code`, `line`, `column`, `path` of the first problem and `errors` with all of them).
    #[wasm_bindgen(js_name = fromToml)]
    pub fn from_toml(text: &str) -> Result<Ruleset, JsValue> {
        console_error_panic_hook::set_once();
        qinglian::Ruleset::from_toml(text)
            .map(|inner| Ruleset {
                inner: Rc::new(inner),
            })
            .map_err(|e| ruleset_error(&e))
    }

    /// Scores one record with its full audit trail. With `{ cohort }` the record is ranked
    /// among a fitted reference cohort (`evaluation.cohort` is its place). Throws a
    /// `RecordEvaluationError` when the record cannot be scored.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput")] record: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "EvaluateOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let evaluation = self.evaluate_one(&record, options, "evaluate")?;
        to_js(&evaluation)
    }

    fn evaluate_one(
        &self,
        record: &JsValue,
        options: Option<JsValue>,
        call: &str,
    ) -> Result<Evaluation, JsValue> {
        let options = self::options(&options.unwrap_or(JsValue::UNDEFINED), call, &["cohort"])?;
        let cohort = option(&options, "cohort")
            .map(|c| cohort::from_option(&c, &self.inner))
            .transpose()?;
        let record = to_record(record, None).map_err(|e| record_error(&e))?;
        match cohort {
            None => self.inner.evaluate(&record).map_err(|e| record_error(&e)),
            Some(cohort) => self
                .inner
                .evaluate_against(&record, &cohort)
                .map_err(|e| cohort::cohort_error("cohort.mismatch", &e))?
                .map_err(|e| record_error(&e)),
        }
    }

    /// Scores records as one cohort (so `cohort` is filled in): one entry per record, in order,
    /// `{ ok: Evaluation }` or `{ error: RecordErrorInfo }`. A bad record never affects the others.
    /// `{ by }` scores one cohort per group; `{ cohort }` ranks every record among a fitted
    /// reference cohort.
    #[wasm_bindgen(js_name = evaluateMany, unchecked_return_type = "EvaluationResult[]")]
    pub fn evaluate_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[]")] records: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "EvaluateManyOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        if !js_sys::Array::is_array(&records) {
            return Err(error_with_code(
                "record.json",
                "evaluateMany expects an array of records",
            ));
        }
        let options = self::options(
            &options.unwrap_or(JsValue::UNDEFINED),
            "evaluateMany",
            &["by", "cohort", "strict"],
        )?;
        let strict = table::flag_option(&options, "strict")?;
        let rows = to_records(&records);
        let mut batch = qinglian::Batch::from_rows(&self.inner, &rows);
        let by = option(&options, "by")
            .map(|by| table::groups_of_records(&by, &records, rows.len()))
            .transpose()?;
        // An id repeats only within its group: a panel holds each unit once a year.
        let repeated = batch.check_repeated_ids(by.as_ref(), strict);
        if !strict {
            warn_repeated(&repeated);
        }
        let by_field = option(&options, "by").and_then(|by| by.as_string());
        warn_field_notes(&self.inner, &rows, by_field.as_deref());
        let cohort = option(&options, "cohort")
            .map(|c| cohort::from_option(&c, &self.inner))
            .transpose()?;
        let scores = table::score_batch(&self.inner, &batch, by.as_ref(), cohort.as_deref())?;
        let results: Vec<Result<Evaluation, RecordError>> = (0..batch.len())
            .map(|row| self.inner.explain(&batch, &scores, row))
            .collect();
        let outcomes: Vec<Outcome<'_>> = results
            .iter()
            .map(|r| match r {
                Ok(e) => Outcome::Ok(e),
                Err(e) => Outcome::Error(e),
            })
            .collect();
        to_js(&outcomes)
    }

    /// Scores a table given by column into typed arrays — totals, grades, ranks, tiers, vetoes,
    /// alert levels and every indicator's points — writing no sentences; one row's audit trail
    /// is written on demand by `table.explain(row)`. Every row gets a result or an error in
    /// `table.errors`.
    #[wasm_bindgen(js_name = scoreColumns)]
    pub fn score_columns(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Columns")] columns: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScoreOptions")] options: Option<JsValue>,
    ) -> Result<ScoreTable, JsValue> {
        let options = self::options(
            &options.unwrap_or(JsValue::UNDEFINED),
            "scoreColumns",
            &["by", "cohort", "status", "strict"],
        )?;
        table::score_columns(&self.inner, &columns, &options)
    }

    /// Fits a reference cohort on records (an array) or a table by column: the statistics the
    /// cohort-dependent rules (rank scoring, quota tiers, rank and percentile) need to score
    /// other units against it. Rows that cannot be scored are left out.
    pub fn fit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | Columns")] data: JsValue,
    ) -> Result<Cohort, JsValue> {
        let cohort = if js_sys::Array::is_array(&data) {
            let rows = to_records(&data);
            self.inner
                .fit(&qinglian::Batch::from_rows(&self.inner, &rows))
        } else {
            let batch = table::batch_of_columns(&self.inner, &data)?.batch;
            self.inner.fit(&batch)
        };
        Ok(Cohort::new(cohort))
    }

    /// How far each unit's rank depends on the weights: Monte Carlo over noisy weights (the
    /// OECD/JRC Handbook's uncertainty analysis; COINr's `get_noisy_weights`). Each sample draws
    /// every weight of a node weighted by its parent (or those at `depths`) uniformly from
    /// [w(1 − f), w(1 + f)] and ranks the rows (records or a table by column) as one cohort.
    /// The numbers equal Rust's and Python's for the same seed. Throws an `Error` with code
    /// `options.invalid` for options that do not describe an analysis.
    #[wasm_bindgen(unchecked_return_type = "RankUncertainty")]
    pub fn uncertainty(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | Columns")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UncertaintyOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        uncertainty::uncertainty(&self.inner, &data, options)
    }

    /// Copeland scores of the rows (records or a table by column, one cohort) at the group
    /// `node` (an indicator path; the whole tree by default): the OECD/JRC Handbook's
    /// non-compensatory aggregation, as COINr's `a_copeland`, from the node's children's points
    /// and weights. The numbers equal Rust's and Python's. Throws an `Error` with code
    /// `options.invalid` for an unknown node or a leaf.
    #[wasm_bindgen(unchecked_return_type = "CopelandResult")]
    pub fn copeland(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | Columns")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ node?: string }")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        outranking::copeland(&self.inner, &data, options)
    }

    /// Reads a cohort from its JSON text (`cohort.toJson()`) and checks it was fitted with this
    /// ruleset; throws an `Error` with code `cohort.invalid` or `cohort.mismatch`.
    #[wasm_bindgen(js_name = cohortFromJson)]
    pub fn cohort_from_json(&self, text: &str) -> Result<Cohort, JsValue> {
        let cohort = Cohort::from_json(text)?;
        cohort::check_ruleset(cohort.inner(), &self.inner)?;
        Ok(cohort)
    }

    /// Whether some rule depends on the cohort (rank scoring or quota tiers): such a ruleset
    /// should score units against a fitted cohort, or a batch, rather than one by one.
    #[wasm_bindgen(js_name = cohortDependent)]
    pub fn cohort_dependent(&self) -> bool {
        self.inner.cohort_dependent()
    }

    /// Ids of the units that `distance_to_reference` indicators measure against, sorted: each
    /// cohort (the records, each `by` group) must hold one of each.
    #[wasm_bindgen(js_name = referenceUnits)]
    pub fn reference_units(&self) -> Vec<String> {
        self.inner
            .reference_units()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// The audit trail of one record as text (`lang`: `"zh"`, the default, or `"en"`).
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput")] record: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang: Option<JsLang>,
        #[wasm_bindgen(unchecked_optional_param_type = "EvaluateOptions")] options: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let lang = parse_lang(lang)?;
        let evaluation = self.evaluate_one(&record, options, "explain")?;
        Ok(evaluation.explain(lang))
    }

    /// Metadata: id, name, version, issuer, scale, bonus cap, id and name fields.
    #[wasm_bindgen(unchecked_return_type = "Metadata")]
    pub fn metadata(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.metadata())
    }

    /// Declared inputs, in declaration order, with type, unit, range, values and labels.
    #[wasm_bindgen(unchecked_return_type = "Input[]")]
    pub fn inputs(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.inputs())
    }

    /// The indicator tree, from the root (path `""`).
    #[wasm_bindgen(unchecked_return_type = "IndicatorInfo")]
    pub fn tree(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.tree())
    }

    /// The weight of every leaf in the total, in tree order (see docs/weights.md).
    #[wasm_bindgen(js_name = effectiveWeights, unchecked_return_type = "EffectiveWeight[]")]
    pub fn effective_weights(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.effective_weights())
    }

    /// Paths of all indicators (root excluded), parents before children.
    #[wasm_bindgen(js_name = indicatorPaths, unchecked_return_type = "string[]")]
    pub fn indicator_paths(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.indicator_paths())
    }

    /// Paths of the 一级指标 (children of the root).
    #[wasm_bindgen(js_name = dimensionPaths, unchecked_return_type = "string[]")]
    pub fn dimension_paths(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.dimension_paths())
    }

    /// Grade names, best first (the indexes of `table.grade`).
    #[wasm_bindgen(js_name = gradeNames, unchecked_return_type = "string[]")]
    pub fn grade_names(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.grade_names())
    }

    /// Quota tier names, best first (the indexes of `table.tier`); empty without quotas.
    #[wasm_bindgen(js_name = tierNames, unchecked_return_type = "string[]")]
    pub fn tier_names(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.quota_names())
    }

    /// Veto ids, in declaration order.
    #[wasm_bindgen(js_name = vetoIds, unchecked_return_type = "string[]")]
    pub fn veto_ids(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.veto_ids())
    }

    /// SHA-256 of the ruleset's canonical form (comments and layout do not count), in hex.
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// Id, version and hash: what every evaluation carries to name the rules that made it.
    #[wasm_bindgen(unchecked_return_type = "Provenance")]
    pub fn provenance(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.provenance())
    }

    /// The ruleset as TOML text without comments; compiling it gives the same hash.
    #[wasm_bindgen(js_name = toToml)]
    pub fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    /// What-if: a new, validated ruleset with the values at the given paths replaced, e.g.
    /// `{ "grade.优秀.min": 92 }` (paths as in Rust and Python). Throws a `RulesetLoadError`
    /// naming each bad path or rule.
    #[wasm_bindgen(js_name = withChanges)]
    pub fn with_changes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] changes: JsValue,
    ) -> Result<Ruleset, JsValue> {
        let text = js_sys::JSON::stringify(&changes)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|_| {
                error_with_code(
                    "ruleset.change",
                    "withChanges expects an object of paths and values",
                )
            })?;
        self.inner
            .with_changes(map.iter().map(|(k, v)| (k.as_str(), v.clone())))
            .map(|inner| Ruleset {
                inner: Rc::new(inner),
            })
            .map_err(|e| ruleset_error(&e))
    }

    /// Highest reachable total: the scale plus the bonus cap.
    #[wasm_bindgen(js_name = maxTotal)]
    pub fn max_total(&self) -> f64 {
        self.inner.max_total()
    }

    /// Warnings found while loading (the ruleset is usable).
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.warnings())
    }
}
