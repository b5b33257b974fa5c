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

use qinglian::{Diagnostic, Evaluation, Lang, Record, RecordError, RulesetError};
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
  | "equivalence" | "bonus" | "veto" | "grade";

/** A sentence a person can read, tied to an indicator where there is one. */
export interface Reason {
  kind: ReasonKind;
  path: string | null;
  points: number | null;
  text: Text;
}

/** A unit's place in the cohort of a batch. */
export interface CohortPlace {
  rank: number;
  of: number;
  percentile: number;
  tier: string | null;
}

/** The result of scoring one record: the same JSON shape as Rust and Python. */
export interface Evaluation {
  id: string | null;
  name: string | null;
  ruleset: string;
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
  cohort: CohortPlace | null;
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

/** Thrown by `Ruleset.fromToml`: the first error's location, and every error. */
export interface RulesetLoadError extends Error {
  code: string;
  line: number | null;
  column: number | null;
  path: string | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Thrown by `evaluate` and `explain` for a record that cannot be scored. */
export interface RecordEvaluationError extends Error {
  code: string;
  line: null;
  column: string | null;
  path: string | null;
  row: number | null;
  id: string | null;
}

/** Metadata of an evaluation system. */
export interface Metadata {
  id: string;
  name: string;
  name_en: string | null;
  version: string;
  issuer: string | null;
  description: string | null;
  scale: number;
  bonus_cap: number;
  id_field: string;
  name_field: string;
}

/** The type of a declared input. */
export type InputType = "number" | "count" | "boolean" | "category" | "survey";

/** A declared input: enough to generate a form field. */
export interface Input {
  name: string;
  type: InputType;
  label: string;
  label_en: string | null;
  unit: string | null;
  min: number | null;
  max: number | null;
  /** Allowed values (category) or answers (survey). */
  values: string[];
  required: boolean;
  description: string | null;
}

/** How a group combines its children. */
export type Aggregate = "sum" | "mean" | "geomean" | "min" | "deduction";

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
  scorer: string | null;
  bonus: boolean;
  missing: MissingPolicy;
  description: string | null;
  inputs: string[];
  children: IndicatorInfo[];
}
"#;

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

/// Converts a serialisable value to a plain JS value: objects (not `Map`s), `None` → `null`.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value
        .serialize(&serializer)
        .map_err(|e| error_with_code("internal.serialize", &e.to_string()))
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

fn opt_num(value: Option<usize>) -> JsValue {
    value.map_or(JsValue::NULL, |v| JsValue::from_f64(v as f64))
}

fn error_with_code(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    let value: JsValue = error.into();
    set(&value, "code", &JsValue::from_str(code));
    set(&value, "line", &JsValue::NULL);
    set(&value, "column", &JsValue::NULL);
    set(&value, "path", &JsValue::NULL);
    value
}

fn diagnostics_to_js(diagnostics: &[Diagnostic]) -> JsValue {
    to_js(diagnostics).unwrap_or_else(|_| js_sys::Array::new().into())
}

/// A ruleset that failed to load → `Error` with the first error's code and place, and all.
fn ruleset_error(error: &RulesetError) -> JsValue {
    let value: JsValue = js_sys::Error::new(&error.to_string()).into();
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
fn record_error(error: &RecordError) -> JsValue {
    let value: JsValue = js_sys::Error::new(&error.to_string()).into();
    set(&value, "code", &JsValue::from_str(error.code));
    set(&value, "line", &JsValue::NULL);
    set(&value, "column", &opt_str(error.column.as_deref()));
    set(&value, "path", &opt_str(error.path.as_deref()));
    set(&value, "row", &opt_num(error.row));
    set(&value, "id", &opt_str(error.id.as_deref()));
    value
}

/// A JS value that is not an object of field values → the core's `record.json` error.
fn bad_record(message: &str, row: Option<usize>) -> Result<Record, RecordError> {
    let error = RecordError::new(
        "record.json",
        format!("not an object of field values: {message}"),
    );
    Err(match row {
        Some(row) => error.at_row(row, None),
        None => error,
    })
}

fn to_record(value: JsValue, row: Option<usize>) -> Result<Record, RecordError> {
    if js_sys::Array::is_array(&value) {
        return bad_record("got an array", row);
    }
    if !value.is_object() {
        let kind = value.js_typeof().as_string().unwrap_or_default();
        return bad_record(&format!("got {kind}"), row);
    }
    serde_wasm_bindgen::from_value::<Record>(value).or_else(|e| bad_record(&e.to_string(), row))
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

fn parse_lang(lang: Option<JsLang>) -> Result<Lang, JsValue> {
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

/// A compiled ruleset (评价体系): load once with `Ruleset.fromToml`, then score records.
#[wasm_bindgen]
pub struct Ruleset {
    inner: qinglian::Ruleset,
}

#[wasm_bindgen]
impl Ruleset {
    /// Parses and validates a ruleset from TOML text. Throws a `RulesetLoadError` (an `Error`
    /// with `code`, `line`, `column`, `path` of the first problem and `errors` with all of them).
    #[wasm_bindgen(js_name = fromToml)]
    pub fn from_toml(text: &str) -> Result<Ruleset, JsValue> {
        console_error_panic_hook::set_once();
        qinglian::Ruleset::from_toml(text)
            .map(|inner| Ruleset { inner })
            .map_err(|e| ruleset_error(&e))
    }

    /// Scores one record. Throws a `RecordEvaluationError` when the record cannot be scored.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput")] record: JsValue,
    ) -> Result<JsValue, JsValue> {
        let record = to_record(record, None).map_err(|e| record_error(&e))?;
        let evaluation = self.inner.evaluate(&record).map_err(|e| record_error(&e))?;
        to_js(&evaluation)
    }

    /// Scores records as one cohort (so `cohort` is filled in): one entry per record, in order,
    /// `{ ok: Evaluation }` or `{ error: RecordErrorInfo }`. A bad record never affects the others.
    #[wasm_bindgen(js_name = evaluateMany, unchecked_return_type = "EvaluationResult[]")]
    pub fn evaluate_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[]")] records: JsValue,
    ) -> Result<JsValue, JsValue> {
        if !js_sys::Array::is_array(&records) {
            return Err(error_with_code(
                "record.json",
                "evaluateMany expects an array of records",
            ));
        }
        let rows: Vec<Result<Record, RecordError>> = js_sys::Array::from(&records)
            .iter()
            .enumerate()
            .map(|(row, value)| to_record(value, Some(row)))
            .collect();
        let results = self.inner.evaluate_records(&rows);
        let outcomes: Vec<Outcome<'_>> = results
            .iter()
            .map(|r| match r {
                Ok(e) => Outcome::Ok(e),
                Err(e) => Outcome::Error(e),
            })
            .collect();
        to_js(&outcomes)
    }

    /// The audit trail of one record as text (`lang`: `"zh"`, the default, or `"en"`).
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput")] record: JsValue,
        lang: Option<JsLang>,
    ) -> Result<String, JsValue> {
        let lang = parse_lang(lang)?;
        let record = to_record(record, None).map_err(|e| record_error(&e))?;
        let evaluation = self.inner.evaluate(&record).map_err(|e| record_error(&e))?;
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

    /// Grade names, best first.
    #[wasm_bindgen(js_name = gradeNames, unchecked_return_type = "string[]")]
    pub fn grade_names(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.grade_names())
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
