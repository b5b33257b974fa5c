//! Python bindings of qinglian (清廉): the compiled module `qinglian._qinglian`.
//!
//! A thin layer over the core crate: it converts Python values to records and batches, calls the
//! core, and converts the results back. No scoring logic lives here. Every error that crosses
//! into Python is one of the exceptions defined below (or a standard `TypeError`/`ValueError` for
//! a wrong call), never a panic.

mod arrow_io;
mod frame;
mod weights;

use arrow_io::ArrowTable;
use frame::{Against, Bools, Floats, Inputs, Output};
use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};
use pyo3_arrow::PyRecordBatch;
use qinglian::{Batch, Cell, Groups, Lang, Record};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rust allocations of the module (the core's tables and audit trails) go to mimalloc: writing
/// an audit trail allocates many small strings, which it serves about twice as fast as the
/// system allocator. Buffers handed to numpy are freed by Rust, so they never cross allocators.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    qinglian,
    QinglianError,
    PyException,
    "Base class of every error raised by qinglian."
);
create_exception!(
    qinglian,
    RulesetError,
    QinglianError,
    "A ruleset failed to load. `.errors` and `.warnings` are lists of `Diagnostic`."
);
create_exception!(
    qinglian,
    RecordError,
    QinglianError,
    "A record could not be scored. Attributes: code, message, row, id, column, path."
);
create_exception!(
    qinglian,
    ReadError,
    QinglianError,
    "A record file could not be read as a whole (I/O or syntax). Attributes: file, line."
);

create_exception!(
    qinglian,
    DataWarning,
    pyo3::exceptions::PyUserWarning,
    "Something in the data that was scored anyway: unit ids repeated on later rows (ranked twice), \
     a column that looks like a misspelt input, inputs no column holds."
);

create_exception!(
    qinglian,
    CohortError,
    QinglianError,
    "A cohort cannot be used: it was fitted with another ruleset, or its JSON is damaged."
);

// ------------------------------------------------------------------------------------ helpers

/// A serde value as Python data: objects → dict, arrays → list, integers → int, other numbers →
/// float, null → None.
fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serialisable core value as Python data.
fn ser_to_py<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| PyValueError::new_err(format!("cannot convert a result: {e}")))?;
    to_py(py, &json)
}

/// A Python value as a record cell; `Err` names a value of an unusable type (`repr` and type).
fn cell_of(value: &Bound<'_, PyAny>, depth: usize) -> Result<Cell, String> {
    if value.is_none() {
        return Ok(Cell::Missing);
    }
    // bool before int: bool is a subclass of int.
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Cell::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        return match value.extract::<f64>() {
            Ok(x) if x.is_nan() => Ok(Cell::Missing),
            Ok(x) => Ok(Cell::Number(x)),
            Err(_) => Err(format!("{} (too large)", describe(value))),
        };
    }
    if value.is_instance_of::<PyString>() {
        return value
            .extract::<String>()
            .map(Cell::Text)
            .map_err(|_| describe(value));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut counts = BTreeMap::new();
        for (k, v) in dict.iter() {
            let key = k.str().map(|s| s.to_string()).unwrap_or_default();
            // Counts are numbers: a container inside is refused here, never walked into, so
            // that no nesting, however deep, can exhaust the stack.
            if v.is_instance_of::<PyDict>() || v.is_instance_of::<PyList>() {
                return Err(format!("{} as a count of answers", describe(&v)));
            }
            match cell_of(&v, depth + 1) {
                Ok(Cell::Number(x)) => {
                    counts.insert(key, x);
                }
                _ => return Err(format!("{} as a count of answers", describe(&v))),
            }
        }
        return Ok(Cell::Counts(counts));
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    // pandas' missing markers.
    if matches!(type_name.as_str(), "NAType" | "NaTType") {
        return Ok(Cell::Missing);
    }
    // numpy scalars (np.int64, np.float32, np.bool_, np.str_ …): their Python equivalent.
    if depth < 3 && value.hasattr("dtype").unwrap_or(false) {
        if let Ok(item) = value.call_method0("item") {
            return cell_of(&item, depth + 1);
        }
    }
    Err(describe(value))
}

fn describe(value: &Bound<'_, PyAny>) -> String {
    let repr = value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "value".to_string());
    let repr = if repr.chars().count() > 60 {
        format!("{}…", repr.chars().take(60).collect::<String>())
    } else {
        repr
    };
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    format!("`{repr}` ({type_name})")
}

/// A Python value as JSON (for `with_changes`): None, bool, int, float, str, lists and dicts.
fn json_of(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<serde_json::Value> {
    use serde_json::Value as J;
    if depth > 32 {
        return Err(PyValueError::new_err("value nested too deeply"));
    }
    if value.is_none() {
        return Ok(J::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(J::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        let i: i64 = value.extract()?;
        return Ok(J::from(i));
    }
    if let Ok(x) = value.extract::<f64>() {
        if value.is_instance_of::<PyFloat>() || !value.is_instance_of::<PyString>() {
            return serde_json::Number::from_f64(x)
                .map(J::Number)
                .ok_or_else(|| {
                    PyValueError::new_err(format!("{} is not a finite number", describe(value)))
                });
        }
    }
    if let Ok(s) = value.extract::<String>() {
        return Ok(J::String(s));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.iter() {
            map.insert(k.extract::<String>()?, json_of(&v, depth + 1)?);
        }
        return Ok(J::Object(map));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: PyResult<Vec<J>> = value.try_iter()?.map(|v| json_of(&v?, depth + 1)).collect();
        return Ok(J::Array(items?));
    }
    Err(PyTypeError::new_err(format!(
        "{} cannot be a rule value: use a number, text, true/false, a list or a dict",
        describe(value)
    )))
}

/// A mapping as a core record; a declared input holding a value of an unusable type makes the
/// record a `record.wrong_type` error (raised for one record, kept in its place in a batch).
fn record_of(
    ruleset: &qinglian::Ruleset,
    value: &Bound<'_, PyAny>,
) -> PyResult<Result<Record, qinglian::RecordError>> {
    let items: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = if let Ok(dict) = value.cast::<PyDict>()
    {
        dict.iter().collect()
    } else if value.hasattr("items").unwrap_or(false) {
        let mut out = Vec::new();
        for item in value.call_method0("items")?.try_iter()? {
            out.push(item?.extract()?);
        }
        out
    } else {
        return Err(PyTypeError::new_err(format!(
            "a record must be a dict of field values, not {}",
            value.get_type().name()?
        )));
    };
    let mut record = Record::new();
    for (k, v) in items {
        let key = match k.cast::<PyString>() {
            Ok(s) => s.to_string(),
            Err(_) => k.str()?.to_string(),
        };
        let input = qinglian::columns::input_of_header(ruleset, &key);
        match cell_of(&v, 0) {
            Ok(cell) => {
                record.fields.insert(key, cell);
            }
            Err(message) => {
                if let Some(input) = input {
                    let message = format!("{message} is not a valid {} value", input.kind.name());
                    return Ok(Err(qinglian::RecordError::new(
                        "record.wrong_type",
                        message,
                    )
                    .column(key)));
                }
                // Other fields are not scored: a value of an odd type there is ignored.
            }
        }
    }
    // The limits of a record read from a file hold for a dict too.
    if let Err(e) = qinglian::RecordLimits::default().check(&record) {
        return Ok(Err(e));
    }
    Ok(Ok(record))
}

fn record_error<'py>(py: Python<'py>, e: &qinglian::RecordError) -> PyResult<Bound<'py, PyAny>> {
    let err = RecordError::new_err(e.to_string());
    let value = err.value(py).clone().into_any();
    value.setattr("code", e.code)?;
    value.setattr("message", &e.message)?;
    value.setattr("row", e.row)?;
    value.setattr("id", e.id.as_deref())?;
    value.setattr("column", e.column.as_deref())?;
    value.setattr("path", e.path.as_deref())?;
    Ok(value)
}

fn raise_record_error(py: Python<'_>, e: &qinglian::RecordError) -> PyErr {
    match record_error(py, e) {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    }
}

fn ruleset_error(py: Python<'_>, e: &qinglian::RulesetError) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let err = RulesetError::new_err(e.to_string());
        let value = err.value(py);
        let errors: Vec<Diagnostic> = e.errors.iter().map(Diagnostic::from).collect();
        let warnings: Vec<Diagnostic> = e.warnings.iter().map(Diagnostic::from).collect();
        value.setattr("errors", errors)?;
        value.setattr("warnings", warnings)?;
        Ok(err)
    };
    build().unwrap_or_else(|err| err)
}

fn parse_lang(lang: &str) -> PyResult<Lang> {
    match lang {
        "zh" | "cn" | "zh-CN" | "zh-Hans" => Ok(Lang::Zh),
        "en" | "en-US" | "en-GB" => Ok(Lang::En),
        other => Err(PyValueError::new_err(format!(
            "unknown language `{other}`: use \"zh\" or \"en\""
        ))),
    }
}

// --------------------------------------------------------------------------------- Diagnostic

/// One problem found while loading a ruleset.
#[pyclass(frozen, module = "qinglian._qinglian")]
#[derive(Clone)]
struct Diagnostic {
    /// Stable code, e.g. `ruleset.unknown_input`.
    #[pyo3(get)]
    code: String,
    /// Plain message.
    #[pyo3(get)]
    message: String,
    /// `"error"` or `"warning"`.
    #[pyo3(get)]
    severity: String,
    /// File the ruleset came from, if loaded from a path.
    #[pyo3(get)]
    file: Option<String>,
    /// 1-based line.
    #[pyo3(get)]
    line: Option<usize>,
    /// 1-based column (characters).
    #[pyo3(get)]
    column: Option<usize>,
    /// Indicator path or ruleset item.
    #[pyo3(get)]
    path: Option<String>,
    display: String,
}

impl From<&qinglian::Diagnostic> for Diagnostic {
    fn from(d: &qinglian::Diagnostic) -> Self {
        Diagnostic {
            code: d.code.to_string(),
            message: d.message.clone(),
            severity: match d.severity {
                qinglian::Severity::Error => "error".to_string(),
                qinglian::Severity::Warning => "warning".to_string(),
            },
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            path: d.path.clone(),
            display: d.to_string(),
        }
    }
}

#[pymethods]
impl Diagnostic {
    /// The diagnostic as a dict (code, message, severity, file, line, column, path).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("code", &self.code)?;
        d.set_item("message", &self.message)?;
        d.set_item("severity", &self.severity)?;
        d.set_item("file", &self.file)?;
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        d.set_item("path", &self.path)?;
        Ok(d)
    }

    fn __str__(&self) -> String {
        self.display.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Diagnostic(code={:?}, line={}, column={}, path={}, message={:?})",
            self.code,
            self.line.map_or("None".to_string(), |l| l.to_string()),
            self.column.map_or("None".to_string(), |c| c.to_string()),
            self.path
                .as_ref()
                .map_or("None".to_string(), |p| format!("{p:?}")),
            self.message
        )
    }
}

// --------------------------------------------------------------------------------- Evaluation

/// The result of scoring one record.
#[pyclass(frozen, module = "qinglian._qinglian")]
struct Evaluation {
    inner: qinglian::Evaluation,
    /// The ruleset that produced it: reports and workbooks need its tree and grade bands.
    ruleset: Arc<qinglian::Ruleset>,
}

#[pymethods]
impl Evaluation {
    /// The record's id.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }

    /// The record's display name.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// Id of the ruleset that scored it.
    #[getter]
    fn ruleset(&self) -> &str {
        &self.inner.ruleset
    }

    /// Version of the ruleset that scored it.
    #[getter]
    fn ruleset_version(&self) -> &str {
        &self.inner.ruleset_version
    }

    /// SHA-256 of the canonical form of the ruleset that scored it.
    #[getter]
    fn ruleset_hash(&self) -> &str {
        &self.inner.ruleset_hash
    }

    /// Pickling: an evaluation travels as its JSON with its ruleset (which pickles as its text).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Ruleset, String))> {
        let py = slf.py();
        let rebuild = py
            .import("qinglian._qinglian")?
            .getattr("_evaluation_from_json")?;
        let this = slf.get();
        let json =
            serde_json::to_string(&this.inner).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((
            rebuild,
            (
                Ruleset {
                    inner: Arc::clone(&this.ruleset),
                },
                json,
            ),
        ))
    }

    /// The printable 评价报告 of this unit: a self-contained HTML page (A4 print styles, inline
    /// SVG charts, no external assets); `lang` is `"zh"` (the default) or `"en"`.
    #[pyo3(signature = (lang = "zh"))]
    fn to_html(&self, lang: &str) -> PyResult<String> {
        Ok(self.ruleset.report_html(&self.inner, parse_lang(lang)?))
    }

    /// Total after bonus and vetoes.
    #[getter]
    fn score(&self) -> f64 {
        self.inner.score
    }

    /// Highest reachable total.
    #[getter]
    fn max_score(&self) -> f64 {
        self.inner.max_score
    }

    /// Score of the indicator tree.
    #[getter]
    fn base_score(&self) -> f64 {
        self.inner.base_score
    }

    /// Bonus credited.
    #[getter]
    fn bonus_score(&self) -> f64 {
        self.inner.bonus_score
    }

    /// Grade.
    #[getter]
    fn grade(&self) -> Option<&str> {
        self.inner.grade.as_deref()
    }

    /// English grade name.
    #[getter]
    fn grade_en(&self) -> Option<&str> {
        self.inner.grade_en.as_deref()
    }

    /// Every indicator's result (dicts), parents before children.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.nodes)
    }

    /// Vetoes that fired (dicts).
    #[getter]
    fn vetoes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.vetoes)
    }

    /// Bonus nodes that earned points (dicts).
    #[getter]
    fn bonuses<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.bonuses)
    }

    /// Early warnings raised (dicts).
    #[getter]
    fn alerts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.alerts)
    }

    /// Readable reasons (dicts).
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.reasons)
    }

    /// Inputs that were missing.
    #[getter]
    fn missing(&self) -> Vec<String> {
        self.inner.missing.clone()
    }

    /// Place in the cohort (batch scoring only): rank, of, percentile, tier.
    #[getter]
    fn cohort<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.cohort)
    }

    /// Warnings about the evaluation itself (dicts with `zh` and `en`), e.g. a ruleset with
    /// cohort-dependent rules scored without a cohort.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.warnings)
    }

    /// Rank in the cohort (batch scoring only).
    #[getter]
    fn rank(&self) -> Option<usize> {
        self.inner.cohort.as_ref().map(|c| c.rank)
    }

    /// Quota tier in the cohort, if the ruleset declares quotas.
    #[getter]
    fn tier(&self) -> Option<&str> {
        self.inner.cohort.as_ref().and_then(|c| c.tier.as_deref())
    }

    /// One indicator's result by path, or None.
    fn node<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.node(path) {
            Some(n) => ser_to_py(py, n),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Scores by indicator path.
    fn scores(&self) -> BTreeMap<String, f64> {
        self.inner
            .nodes
            .iter()
            .map(|n| (n.path.clone(), n.score))
            .collect()
    }

    /// The stable JSON shape shared with Rust and JavaScript, as Python data.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner)
    }

    /// The stable JSON shape as text.
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        let result = match indent {
            Some(_) => serde_json::to_string_pretty(&self.inner),
            None => serde_json::to_string(&self.inner),
        };
        result.map_err(|e| PyValueError::new_err(format!("cannot serialise: {e}")))
    }

    /// The audit trail as text (`lang` = "zh" or "en").
    #[pyo3(signature = (lang = "zh"))]
    fn explain(&self, lang: &str) -> PyResult<String> {
        Ok(self.inner.explain(parse_lang(lang)?))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Evaluation id={} score={}/{} grade={}>",
            self.inner.id.as_deref().unwrap_or("—"),
            qinglian::format_number(self.inner.score),
            qinglian::format_number(self.inner.max_score),
            self.inner.grade.as_deref().unwrap_or("—"),
        )
    }

    fn __str__(&self) -> String {
        self.inner.explain(Lang::Zh)
    }

    /// Rich display in Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        py.import("qinglian._display")?
            .call_method1("evaluation_html", (slf,))?
            .extract()
    }
}

// ------------------------------------------------------------------------------------ Ruleset

/// A compiled ruleset: validated and immutable; compile once, evaluate many.
#[pyclass(frozen, module = "qinglian._qinglian")]
struct Ruleset {
    inner: Arc<qinglian::Ruleset>,
}

fn wrap_results<'py>(
    py: Python<'py>,
    ruleset: &Arc<qinglian::Ruleset>,
    results: Vec<Result<qinglian::Evaluation, qinglian::RecordError>>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for result in results {
        match result {
            Ok(e) => list.append(Py::new(
                py,
                Evaluation {
                    inner: e,
                    ruleset: Arc::clone(ruleset),
                },
            )?)?,
            Err(e) => list.append(record_error(py, &e)?)?,
        }
    }
    Ok(list)
}

#[pymethods]
impl Ruleset {
    /// Parses and validates a ruleset from TOML text (`file` names it in diagnostics).
    #[new]
    #[pyo3(signature = (text, file = None))]
    fn new(py: Python<'_>, text: &str, file: Option<&str>) -> PyResult<Self> {
        let result = match file {
            Some(file) => qinglian::Ruleset::from_toml_named(text, file),
            None => qinglian::Ruleset::from_toml(text),
        };
        result
            .map(|r| Ruleset { inner: Arc::new(r) })
            .map_err(|e| ruleset_error(py, &e))
    }

    /// Parses and validates a ruleset from TOML text.
    #[staticmethod]
    #[pyo3(signature = (text, file = None))]
    fn from_toml(py: Python<'_>, text: &str, file: Option<&str>) -> PyResult<Self> {
        Ruleset::new(py, text, file)
    }

    /// Reads, parses and validates a ruleset file.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        qinglian::Ruleset::load(&path)
            .map(|r| Ruleset { inner: Arc::new(r) })
            .map_err(|e| ruleset_error(py, &e))
    }

    /// Stable identifier.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.metadata().id
    }

    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.metadata().name
    }

    /// English name.
    #[getter]
    fn name_en(&self) -> Option<&str> {
        self.inner.metadata().name_en.as_deref()
    }

    /// Version of the evaluation system.
    #[getter]
    fn version(&self) -> &str {
        &self.inner.metadata().version
    }

    /// SHA-256 of the ruleset's canonical form (comments and layout do not count), in hex.
    #[getter]
    fn hash(&self) -> &str {
        self.inner.hash()
    }

    /// `{"id", "version", "hash"}`: what results carry to name the rules that made them.
    #[getter]
    fn provenance(&self) -> BTreeMap<&'static str, String> {
        let p = self.inner.provenance();
        BTreeMap::from([("id", p.ruleset), ("version", p.version), ("hash", p.hash)])
    }

    /// The ruleset as TOML text without comments; compiling it gives the same hash.
    fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    /// What-if: a new, validated ruleset with the values at the given paths replaced, e.g.
    /// `{"grade.优秀.min": 92, "supervision.external.complaints.scorer.tiers.0.per": 20}`
    /// (paths: see the reference). Raises `RulesetError` naming each bad path or rule.
    fn with_changes(&self, py: Python<'_>, changes: &Bound<'_, PyDict>) -> PyResult<Ruleset> {
        let mut list = Vec::with_capacity(changes.len());
        for (key, value) in changes.iter() {
            let path: String = key
                .extract()
                .map_err(|_| PyTypeError::new_err("with_changes takes paths (str) as keys"))?;
            list.push((path, json_of(&value, 0)?));
        }
        self.inner
            .with_changes(list.iter().map(|(p, v)| (p.as_str(), v.clone())))
            .map(|r| Ruleset { inner: Arc::new(r) })
            .map_err(|e| ruleset_error(py, &e))
    }

    /// Pickling: a ruleset travels as its canonical TOML text (same hash) and is compiled again.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let class = slf.get_type().into_any();
        Ok((class, (slf.get().inner.to_toml(),)))
    }

    /// Points of the whole tree.
    #[getter]
    fn scale(&self) -> f64 {
        self.inner.metadata().scale
    }

    /// Cap of the ruleset-wide bonus.
    #[getter]
    fn bonus_cap(&self) -> f64 {
        self.inner.metadata().bonus_cap
    }

    /// Highest reachable total (scale + bonus cap).
    #[getter]
    fn max_total(&self) -> f64 {
        self.inner.max_total()
    }

    /// Record field that identifies a unit.
    #[getter]
    fn id_field(&self) -> &str {
        &self.inner.metadata().id_field
    }

    /// Record field with a unit's display name.
    #[getter]
    fn name_field(&self) -> &str {
        &self.inner.metadata().name_field
    }

    /// All metadata as a dict.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, self.inner.metadata())
    }

    /// Declared inputs (dicts: name, type, label, label_en, aliases when declared, unit, unit_en,
    /// min, max, values, values_en, required, description, description_en), in declaration order.
    #[getter]
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, self.inner.inputs())
    }

    /// The notes on a frame's columns worth a `DataWarning` (`Ruleset::column_notes`: near
    /// misses of an input, inputs no column holds), as one message; `None` when there are none.
    /// `keep` lists the columns kept or grouped by on purpose.
    fn _column_notes(&self, names: Vec<String>, keep: Vec<String>) -> Option<String> {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let keep: Vec<&str> = keep.iter().map(String::as_str).collect();
        notes_message(&self.inner.column_notes(&names, &keep))
    }

    /// Which of `names` (column names) holds each input, in declaration order: an index into
    /// `names` or `None`. A column matches an input by its name, label or an alias (the core's
    /// header matching); a column that could hold two inputs, or two columns of one input,
    /// raise `ValueError` naming both.
    fn _match_columns(&self, names: Vec<String>) -> PyResult<Vec<Option<usize>>> {
        qinglian::columns::match_columns(&self.inner, &names)
            .map(|found| found.inputs)
            .map_err(PyValueError::new_err)
    }

    /// Which of `names` holds the unit id and which the name (indices or `None`): `id_field` and
    /// `name_field` in any capitals, or one of `id_aliases` / `name_aliases`. Ambiguity raises
    /// `ValueError` as in `_match_columns`.
    fn _label_columns(&self, names: Vec<String>) -> PyResult<(Option<usize>, Option<usize>)> {
        qinglian::columns::match_columns(&self.inner, &names)
            .map(|found| (found.id, found.name))
            .map_err(PyValueError::new_err)
    }

    /// Paths of all indicators, parents before children.
    #[getter]
    fn indicator_paths(&self) -> Vec<String> {
        self.inner
            .indicator_paths()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Paths of the 一级指标 (the root's children).
    #[getter]
    fn dimension_paths(&self) -> Vec<String> {
        self.inner
            .dimension_paths()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Grade names, best first.
    #[getter]
    fn grade_names(&self) -> Vec<String> {
        self.inner
            .grade_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Quota tier names, best first.
    #[getter]
    fn quota_names(&self) -> Vec<String> {
        self.inner
            .quota_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Veto ids, in declaration order.
    #[getter]
    fn veto_ids(&self) -> Vec<String> {
        self.inner
            .veto_ids()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Early warnings as (id, level) pairs, in declaration order; levels are red, orange,
    /// yellow and blue, highest first.
    #[getter]
    fn alert_ids(&self) -> Vec<(String, String)> {
        self.inner
            .alert_ids()
            .into_iter()
            .map(|(id, level)| (id.to_string(), level.to_string()))
            .collect()
    }

    /// Whether some rule depends on the cohort (`rank` scorers, quota tiers): such rulesets
    /// score one record against a fitted `Cohort`.
    #[getter]
    fn cohort_dependent(&self) -> bool {
        self.inner.cohort_dependent()
    }

    /// Ids of the units that `distance_to_reference` indicators measure against, sorted: each
    /// cohort (the data, each `by` group) must hold a row of each.
    #[getter]
    fn reference_units(&self) -> Vec<&str> {
        self.inner.reference_units()
    }

    /// Warnings found while loading.
    #[getter]
    fn warnings(&self) -> Vec<Diagnostic> {
        self.inner.warnings().iter().map(Diagnostic::from).collect()
    }

    /// The indicator tree as nested dicts (path, name, points, weight, aggregate, scorer, bonus,
    /// missing, description, inputs, children).
    fn tree<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.tree())
    }

    /// The weight of every leaf in the total, in tree order: a list of dicts with path, name,
    /// weight, exact (False where a geomean, min or deduction makes it a first-order
    /// approximation) and bonus.
    fn effective_weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser_to_py(py, &self.inner.effective_weights())
    }

    /// Scores one record (a dict of field values); raises `RecordError` if it cannot be scored.
    /// With `cohort` (from `fit`), its cohort-dependent rules use that reference and its place
    /// (rank, percentile, tier) is among the reference's units.
    #[pyo3(signature = (record, cohort = None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        cohort: Option<PyRef<'_, Cohort>>,
    ) -> PyResult<Evaluation> {
        let record = record_of(&self.inner, record)?;
        let result = match (record, cohort) {
            (Err(e), _) => Err(e),
            (Ok(r), None) => self.inner.evaluate(&r),
            (Ok(r), Some(c)) => self
                .inner
                .evaluate_against(&r, &c.inner)
                .map_err(|e| cohort_error(&e))?,
        };
        match result {
            Ok(e) => Ok(Evaluation {
                inner: e,
                ruleset: Arc::clone(&self.inner),
            }),
            Err(e) => Err(raise_record_error(py, &e)),
        }
    }

    /// Scores records as one cohort (or against `cohort`): one `Evaluation` or `RecordError`
    /// per record, in order.
    ///
    /// A unit id repeated on a later row is reported with a `DataWarning` (both rows are scored
    /// and ranked); with `strict=True` each later row is a `RecordError` instead
    /// (`record.duplicate_id`), neither scored nor ranked.
    #[pyo3(signature = (records, cohort = None, strict = false))]
    fn evaluate_many<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        cohort: Option<PyRef<'py, Cohort>>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut rows = Vec::new();
        for item in records.try_iter()? {
            rows.push(record_of(&self.inner, &item?)?);
        }
        warn_field_notes(py, &self.inner, &rows)?;
        let ruleset = Arc::clone(&self.inner);
        let cohort = cohort.map(|c| Arc::clone(&c.inner));
        let (results, repeated) = py
            .detach(move || {
                let mut batch = Batch::from_rows(&ruleset, &rows);
                let repeated = batch.check_repeated_ids(None, strict);
                let scores = match &cohort {
                    None => ruleset.score(&batch),
                    Some(c) => ruleset.score_against(&batch, c)?,
                };
                let results: Vec<_> = (0..batch.len())
                    .map(|row| ruleset.explain(&batch, &scores, row))
                    .collect();
                Ok::<_, qinglian::CohortError>((results, repeated))
            })
            .map_err(|e| cohort_error(&e))?;
        warn_repeated(py, &repeated, strict)?;
        wrap_results(py, &self.inner, results)
    }

    /// Column-wise scoring behind `evaluate_frame`: `columns` maps inputs to numpy float64 or
    /// bool arrays (scored in place, NaN = missing) or to sequences of values; `ids` (a sequence
    /// indexed by position) labels the rows in error; `groups` (int64 codes, one per row) asks
    /// for one cohort per group, `cohort` for scoring against a fitted one. Returns the result
    /// columns as a dict of numpy arrays, or a pyarrow RecordBatch with `arrow=True`.
    /// `repeated` lists (row, first row, id) for rows whose unit id an earlier row had: a
    /// `DataWarning`, or under `strict` an error for each of those rows.
    #[pyo3(signature = (length, columns, ids = None, groups = None, cohort = None, status = false, arrow = false, repeated = Vec::new(), strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn _score_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        columns: &Bound<'py, PyDict>,
        ids: Option<&Bound<'py, PyAny>>,
        groups: Option<PyReadonlyArray1<'py, i64>>,
        cohort: Option<PyRef<'py, Cohort>>,
        status: bool,
        arrow: bool,
        repeated: Vec<(usize, usize, String)>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let against = against(groups, cohort)?;
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        let repeats = Repeats::new(&repeated, strict);
        let mut out = run(py, &self.inner, inputs, &against, status, &repeats)?;
        warn_repeated(py, &repeats.errors, strict)?;
        frame::label_errors(&mut out, |row| {
            let cell = ids?.get_item(row).ok()?;
            frame::label_text(&cell_of(&cell, 0).ok()?)
        });
        emit(py, &self.inner, out, arrow)
    }

    /// Like `_score_columns` for an Arrow table or record batch (any object with
    /// `__arrow_c_array__` or `__arrow_c_stream__`), read through the Arrow C data interface.
    #[pyo3(signature = (data, groups = None, cohort = None, status = false, arrow = false, repeated = Vec::new(), strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn _score_arrow<'py>(
        &self,
        py: Python<'py>,
        data: AnyRecordBatch,
        groups: Option<PyReadonlyArray1<'py, i64>>,
        cohort: Option<PyRef<'py, Cohort>>,
        status: bool,
        arrow: bool,
        repeated: Vec<(usize, usize, String)>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let against = against(groups, cohort)?;
        let table = import_arrow(data)?;
        let inputs = table.inputs(&self.inner).map_err(PyValueError::new_err)?;
        let repeats = Repeats::new(&repeated, strict);
        let mut out = run(py, &self.inner, inputs, &against, status, &repeats)?;
        warn_repeated(py, &repeats.errors, strict)?;
        // The id column under its field or an alias (`编号`), as the core matches headers.
        let id_column = table
            .id_column(&self.inner)
            .map_err(PyValueError::new_err)?;
        if let Some(id_column) = id_column {
            frame::label_errors(&mut out, |row| table.label(&id_column, row));
        }
        emit(py, &self.inner, out, arrow)
    }

    /// Fits a reference cohort on columns (as for `_score_columns`).
    fn _fit_columns(
        &self,
        py: Python<'_>,
        length: usize,
        columns: &Bound<'_, PyDict>,
    ) -> PyResult<Cohort> {
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        fit(py, &self.inner, inputs)
    }

    /// Copeland scores at a node (see `qinglian.Ruleset.copeland`) from columns as for
    /// `_score_columns`: a dict with copeland, rank (numpy arrays), dominant_pairs and
    /// dominant_share.
    #[pyo3(signature = (length, columns, node = None))]
    fn _copeland_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        columns: &Bound<'py, PyDict>,
        node: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let mut inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        let ruleset = &self.inner;
        let result = py.detach(move || -> Result<qinglian::Copeland, String> {
            inputs.materialize();
            let batch = inputs.batch(ruleset)?;
            ruleset
                .copeland(&batch, node.as_deref())
                .map_err(|e| e.to_string())
        });
        let c = result.map_err(PyValueError::new_err)?;
        let d = PyDict::new(py);
        let ranks: Vec<i64> = c.ranks.iter().map(|&r| i64::from(r)).collect();
        d.set_item("copeland", PyArray1::from_vec(py, c.scores))?;
        d.set_item("rank", PyArray1::from_vec(py, ranks))?;
        d.set_item("dominant_pairs", c.dominant_pairs)?;
        d.set_item("dominant_share", c.dominant_share)?;
        Ok(d)
    }

    /// Ranks under noisy weights (see `qinglian.Ruleset.uncertainty`) from columns as for
    /// `_score_columns`: a dict of numpy arrays (nominal, median, p05, p95).
    #[pyo3(signature = (length, columns, samples, noise, seed, depths = None))]
    #[allow(clippy::too_many_arguments)]
    fn _uncertainty_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        columns: &Bound<'py, PyDict>,
        samples: usize,
        noise: f64,
        seed: u64,
        depths: Option<Vec<usize>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let mut inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        let ruleset = &self.inner;
        let mut options = qinglian::WeightNoise::new(samples, noise, seed);
        if let Some(d) = depths {
            options = options.at_depths(d);
        }
        let result = py.detach(move || -> Result<qinglian::RankUncertainty, String> {
            inputs.materialize();
            let batch = inputs.batch(ruleset)?;
            ruleset
                .uncertainty(&batch, &options)
                .map_err(|e| e.to_string())
        });
        let u = result.map_err(PyValueError::new_err)?;
        let d = PyDict::new(py);
        let nominal: Vec<i64> = u.nominal.iter().map(|&r| i64::from(r)).collect();
        d.set_item("rank", PyArray1::from_vec(py, nominal))?;
        d.set_item("rank_median", PyArray1::from_vec(py, u.median))?;
        d.set_item("rank_p05", PyArray1::from_vec(py, u.p05))?;
        d.set_item("rank_p95", PyArray1::from_vec(py, u.p95))?;
        Ok(d)
    }

    /// Sensitivity to rule parameters (see `qinglian.Ruleset.sensitivity`) from columns as for
    /// `_score_columns`; `parameters` are (path, low, high, whole, choices), `choices` a list of
    /// alternatives (then the range is not used) or None. A dict of numpy arrays per unit,
    /// `grade_shares` (units × grades), `indices` (a list of dicts) and `runs`.
    #[pyo3(signature = (length, columns, parameters, samples, seed, indices, bootstrap))]
    #[allow(clippy::too_many_arguments)]
    fn _sensitivity_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        columns: &Bound<'py, PyDict>,
        parameters: Vec<ParameterSpec<'py>>,
        samples: usize,
        seed: u64,
        indices: bool,
        bootstrap: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let mut inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        let ruleset = &self.inner;
        let mut ranges = Vec::with_capacity(parameters.len());
        for (path, low, high, whole, choices) in parameters {
            ranges.push(match choices {
                Some(values) => qinglian::ParameterRange::choice(
                    path,
                    values
                        .iter()
                        .map(|v| json_of(v, 0))
                        .collect::<PyResult<Vec<_>>>()?,
                ),
                None if whole => qinglian::ParameterRange::new(path, low, high).whole(),
                None => qinglian::ParameterRange::new(path, low, high),
            });
        }
        let mut analysis = qinglian::ParameterAnalysis::new(samples, seed);
        if indices {
            analysis = analysis.with_indices(bootstrap);
        }
        let result = py.detach(move || -> Result<qinglian::ParameterSensitivity, String> {
            inputs.materialize();
            let batch = inputs.batch(ruleset)?;
            ruleset
                .parameter_sensitivity(&batch, &ranges, &analysis)
                .map_err(|e| e.to_string())
        });
        let s = result.map_err(QinglianError::new_err)?;
        let d = PyDict::new(py);
        let units_changing_grade = s.units_changing_grade();
        let rank: Vec<i64> = s.nominal_rank.iter().map(|&r| i64::from(r)).collect();
        let grade: Vec<i64> = s
            .nominal_grade
            .iter()
            .map(|&g| {
                if g == qinglian::NO_GRADE {
                    -1
                } else {
                    i64::from(g)
                }
            })
            .collect();
        let grades = self.inner.grades().len();
        let shares: Vec<Vec<f64>> = s
            .grade_shares
            .into_iter()
            .map(|row| {
                if row.is_empty() {
                    vec![f64::NAN; grades]
                } else {
                    row
                }
            })
            .collect();
        d.set_item("rank", PyArray1::from_vec(py, rank))?;
        d.set_item("score", PyArray1::from_vec(py, s.nominal_score))?;
        d.set_item("grade", PyArray1::from_vec(py, grade))?;
        d.set_item("rank_median", PyArray1::from_vec(py, s.rank_median))?;
        d.set_item("rank_p05", PyArray1::from_vec(py, s.rank_p05))?;
        d.set_item("rank_p95", PyArray1::from_vec(py, s.rank_p95))?;
        d.set_item("score_p05", PyArray1::from_vec(py, s.score_p05))?;
        d.set_item("score_p95", PyArray1::from_vec(py, s.score_p95))?;
        d.set_item("grade_change", PyArray1::from_vec(py, s.grade_change))?;
        d.set_item("grade_shares", shares)?;
        d.set_item("indices", ser_to_py(py, &s.indices)?)?;
        d.set_item("output_variance", s.output_variance)?;
        d.set_item("runs", s.runs)?;
        d.set_item("units_changing_grade", units_changing_grade)?;
        Ok(d)
    }

    /// Each unit's decomposition (see `qinglian.Ruleset.decompose`) from columns as for
    /// `_score_columns`: a list with one dict per row, as the core serialises it.
    #[pyo3(signature = (length, columns, k))]
    fn _decompose_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        columns: &Bound<'py, PyDict>,
        k: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let mut inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        let ruleset = &self.inner;
        let units = py
            .detach(
                move || -> Result<Vec<qinglian::UnitDecomposition>, String> {
                    inputs.materialize();
                    let batch = inputs.batch(ruleset)?;
                    Ok(ruleset.decompose(&batch, k))
                },
            )
            .map_err(PyValueError::new_err)?;
        ser_to_py(py, &units)
    }

    /// One unit's improvement plan (see `qinglian.Ruleset.improve`) from columns as for
    /// `_score_columns`: a dict with the plan as the core serialises it, and its rows and
    /// summary in words in both languages.
    /// `labels` are the rows' (id, name), as text, to find the unit and name it.
    #[pyo3(signature = (length, columns, id, labels, target = None, costs = None))]
    #[allow(clippy::too_many_arguments)]
    fn _improve_columns<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        columns: &Bound<'py, PyDict>,
        id: String,
        labels: Vec<(Option<String>, Option<String>)>,
        target: Option<String>,
        costs: Option<BTreeMap<String, f64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let held = HeldColumns::extract(&self.inner, length, columns)?;
        let mut inputs = held.inputs(length).map_err(PyValueError::new_err)?;
        let ruleset = &self.inner;
        let mut options = qinglian::ImproveOptions::new();
        options.target = target;
        options.costs = costs;
        let plan = py
            .detach(move || -> Result<qinglian::ImprovementPlan, String> {
                inputs.materialize();
                let mut batch = inputs.batch(ruleset)?;
                for (row, (id, name)) in labels.into_iter().enumerate().take(batch.len()) {
                    let id = id.map(Cell::Text);
                    let name = name.map(Cell::Text);
                    batch.set_label(row, id.as_ref(), name.as_ref());
                }
                ruleset
                    .improve(&batch, &id, &options)
                    .map_err(|e| e.to_string())
            })
            .map_err(QinglianError::new_err)?;
        let d = PyDict::new(py);
        d.set_item("plan", ser_to_py(py, &plan)?)?;
        for (lang, tag) in [(qinglian::Lang::Zh, "zh"), (qinglian::Lang::En, "en")] {
            let rows: Vec<Vec<String>> = ruleset
                .plan_rows(&plan, lang)
                .into_iter()
                .map(|r| r.to_vec())
                .collect();
            d.set_item(format!("rows_{tag}"), rows)?;
            d.set_item(format!("summary_{tag}"), ruleset.plan_summary(&plan, lang))?;
            d.set_item(format!("text_{tag}"), ruleset.plan_text(&plan, lang))?;
            d.set_item(
                format!("headings_{tag}"),
                qinglian::plan_headings(lang).to_vec(),
            )?;
        }
        Ok(d)
    }

    /// Each unit's decomposition (see `qinglian._frame.decompose`).
    #[pyo3(signature = (data, k = 3, keep = None))]
    fn decompose<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        k: i64,
        keep: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("k", k)?;
        kwargs.set_item("keep", keep)?;
        slf.py()
            .import("qinglian._frame")?
            .getattr("decompose")?
            .call((slf, data), Some(&kwargs))
    }

    /// One unit's improvement plan (see `qinglian._frame.improve`).
    #[pyo3(signature = (data, id, target = None, costs = None))]
    fn improve<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        id: &Bound<'py, PyAny>,
        target: Option<&Bound<'py, PyAny>>,
        costs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("id", id)?;
        kwargs.set_item("target", target)?;
        kwargs.set_item("costs", costs)?;
        slf.py()
            .import("qinglian._frame")?
            .getattr("improve")?
            .call((slf, data), Some(&kwargs))
    }

    /// How the ranking and grades respond to uncertain rule parameters (see
    /// `qinglian._frame.sensitivity`).
    #[pyo3(signature = (data, parameters, samples = 200, seed = 42, indices = false, bootstrap = 100, keep = None))]
    #[allow(clippy::too_many_arguments)]
    fn sensitivity<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        parameters: &Bound<'py, PyAny>,
        samples: usize,
        seed: u64,
        indices: bool,
        bootstrap: usize,
        keep: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("samples", samples)?;
        kwargs.set_item("seed", seed)?;
        kwargs.set_item("indices", indices)?;
        kwargs.set_item("bootstrap", bootstrap)?;
        kwargs.set_item("keep", keep)?;
        slf.py()
            .import("qinglian._frame")?
            .getattr("sensitivity")?
            .call((slf, data, parameters), Some(&kwargs))
    }

    /// Each unit's rank under noisy weights: Monte Carlo over the weights (see
    /// `qinglian._frame.uncertainty`).
    #[pyo3(signature = (data, samples = 1000, weight_noise = 0.25, seed = 42, depths = None, keep = None))]
    #[allow(clippy::too_many_arguments)]
    fn uncertainty<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        samples: usize,
        weight_noise: f64,
        seed: u64,
        depths: Option<&Bound<'py, PyAny>>,
        keep: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("samples", samples)?;
        kwargs.set_item("weight_noise", weight_noise)?;
        kwargs.set_item("seed", seed)?;
        kwargs.set_item("depths", depths)?;
        kwargs.set_item("keep", keep)?;
        slf.py()
            .import("qinglian._frame")?
            .getattr("uncertainty")?
            .call((slf, data), Some(&kwargs))
    }

    /// Copeland scores at a node of the tree (see `qinglian._frame.copeland`).
    #[pyo3(signature = (data, node = None, keep = None))]
    fn copeland<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        node: Option<String>,
        keep: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("node", node)?;
        kwargs.set_item("keep", keep)?;
        slf.py()
            .import("qinglian._frame")?
            .getattr("copeland")?
            .call((slf, data), Some(&kwargs))
    }

    /// Fits a reference cohort on an Arrow table or record batch.
    fn _fit_arrow(&self, py: Python<'_>, data: AnyRecordBatch) -> PyResult<Cohort> {
        let table = import_arrow(data)?;
        let inputs = table.inputs(&self.inner).map_err(PyValueError::new_err)?;
        fit(py, &self.inner, inputs)
    }

    /// Scores a pandas DataFrame, a pyarrow Table/RecordBatch, a polars DataFrame, a dict of
    /// columns or a list of dicts (see `qinglian.evaluate_frame`).
    #[pyo3(signature = (data, keep = None, by = None, cohort = None, status = false, to = "pandas", strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate_frame<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        keep: Option<&Bound<'py, PyAny>>,
        by: Option<&Bound<'py, PyAny>>,
        cohort: Option<&Bound<'py, PyAny>>,
        status: bool,
        to: &str,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("strict", strict)?;
        kwargs.set_item("keep", keep)?;
        kwargs.set_item("by", by)?;
        kwargs.set_item("cohort", cohort)?;
        kwargs.set_item("status", status)?;
        kwargs.set_item("to", to)?;
        slf.py()
            .import("qinglian._frame")?
            .getattr("evaluate_frame")?
            .call((slf, data), Some(&kwargs))
    }

    /// Fits a reference cohort on a frame (the same inputs as `evaluate_frame`): what the
    /// cohort-dependent rules need to score other units against these.
    fn fit<'py>(slf: &Bound<'py, Self>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("qinglian._frame")?
            .call_method1("fit", (slf, data))
    }

    fn __repr__(&self) -> String {
        let m = self.inner.metadata();
        format!(
            "<Ruleset {} “{}” v{} scale={} indicators={}>",
            m.id,
            m.name,
            m.version,
            qinglian::format_number(m.scale),
            self.inner.indicator_paths().len()
        )
    }

    /// Rich display in Jupyter.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        slf.py()
            .import("qinglian._display")?
            .call_method1("ruleset_html", (slf,))?
            .extract()
    }
}

// ------------------------------------------------------------------------------------- Cohort

fn cohort_error(e: &qinglian::CohortError) -> PyErr {
    CohortError::new_err(e.to_string())
}

/// A reference cohort fitted on a batch (`Ruleset.fit`): the sorted totals and the values of the
/// `rank` scorers, against which other units are scored and placed. Immutable; `to_json()` /
/// `Cohort.from_json()` (and pickle) carry it to other processes.
#[pyclass(frozen, module = "qinglian._qinglian")]
struct Cohort {
    inner: Arc<qinglian::Cohort>,
}

#[pymethods]
impl Cohort {
    /// Reads the JSON form written by `to_json`; raises `CohortError` if it is damaged.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Cohort> {
        qinglian::Cohort::from_json(text)
            .map(|c| Cohort { inner: Arc::new(c) })
            .map_err(|e| cohort_error(&e))
    }

    /// The JSON form.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Number of reference units (those that could be scored).
    #[getter]
    fn size(&self) -> usize {
        self.inner.size()
    }

    /// Id of the ruleset it was fitted with.
    #[getter]
    fn ruleset_id(&self) -> &str {
        self.inner.ruleset_id()
    }

    /// Version of that ruleset.
    #[getter]
    fn ruleset_version(&self) -> &str {
        self.inner.ruleset_version()
    }

    /// The reference totals, ascending (a numpy array).
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<f64>> {
        numpy::PyArray1::from_slice(py, self.inner.totals())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Cohort>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.to_json().hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = slf.get_type().getattr("from_json")?;
        let args = PyTuple::new(slf.py(), [slf.get().inner.to_json()])?;
        PyTuple::new(slf.py(), [from_json, args.into_any()])
    }

    fn __repr__(&self) -> String {
        let totals = self.inner.totals();
        let range = match (totals.first(), totals.last()) {
            (Some(lo), Some(hi)) => format!(
                " totals={}..{}",
                qinglian::format_number(*lo),
                qinglian::format_number(*hi)
            ),
            _ => String::new(),
        };
        format!(
            "<Cohort ruleset={} v{} size={}{range}>",
            self.inner.ruleset_id(),
            self.inner.ruleset_version(),
            self.inner.size()
        )
    }
}

// ------------------------------------------------------------------------------ frame helpers

/// A column as extracted from Python, kept alive (and borrowed) while the core scores it.
enum Held<'py> {
    Floats(Floats<'py>),
    Ints(PyReadonlyArray1<'py, i64>),
    Bools(Bools<'py>),
    Cells(Vec<Cell>),
}

struct HeldColumns<'py> {
    columns: Vec<(String, Held<'py>)>,
    bad: Vec<(usize, qinglian::RecordError)>,
    /// The rows of the units that `distance_to_reference` indicators measure against, with
    /// their ids (see [`reference_rows`]).
    units: Vec<(usize, String)>,
}

/// The rows whose id, in `ids` (under the ruleset's id field in a columns dict, given only when
/// the ruleset has reference units), is one of the ruleset's reference units.
fn reference_rows(
    ruleset: &qinglian::Ruleset,
    columns: &Bound<'_, PyDict>,
) -> PyResult<Vec<(usize, String)>> {
    let units = ruleset.reference_units();
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let Some(ids) = columns.get_item(&ruleset.metadata().id_field)? else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for (row, item) in ids.try_iter()?.enumerate() {
        let id = cell_of(&item?, 0).ok().and_then(|c| frame::label_text(&c));
        if let Some(id) = id.filter(|id| units.contains(&id.as_str())) {
            rows.push((row, id));
        }
    }
    Ok(rows)
}

impl<'py> HeldColumns<'py> {
    /// The columns named like the ruleset's inputs, in declaration order: numpy float64 and
    /// bool arrays are borrowed; any other sequence is converted value by value, and a value of
    /// an unusable type gives its row a `record.wrong_type` error.
    fn extract(
        ruleset: &qinglian::Ruleset,
        length: usize,
        columns: &Bound<'py, PyDict>,
    ) -> PyResult<Self> {
        let mut held = HeldColumns {
            columns: Vec::new(),
            bad: Vec::new(),
            units: reference_rows(ruleset, columns)?,
        };
        for input in ruleset.inputs() {
            let Some(value) = columns.get_item(&input.name)? else {
                continue;
            };
            let column = if let Ok(a) = value.extract::<PyReadonlyArray1<'py, f64>>() {
                Held::Floats(Floats::of(a))
            } else if let Some(a) = value
                .extract::<PyReadonlyArray1<'py, i64>>()
                .ok()
                .filter(|a| a.is_contiguous())
            {
                Held::Ints(a)
            } else if let Ok(a) = value.extract::<PyReadonlyArray1<'py, bool>>() {
                Held::Bools(Bools::of(a))
            } else {
                let mut out = Vec::with_capacity(length);
                for (row, item) in value.try_iter()?.enumerate() {
                    let item = item?;
                    match cell_of(&item, 0) {
                        Ok(cell) => out.push(cell),
                        Err(message) => {
                            out.push(Cell::Missing);
                            let message =
                                format!("{message} is not a valid {} value", input.kind.name());
                            held.bad.push((
                                row,
                                qinglian::RecordError::new("record.wrong_type", message)
                                    .column(&input.name),
                            ));
                        }
                    }
                }
                Held::Cells(out)
            };
            held.columns.push((input.name.clone(), column));
        }
        Ok(held)
    }

    /// The columns as core inputs, borrowing the arrays.
    fn inputs(&self, length: usize) -> Result<Inputs<'_>, String> {
        use frame::ColumnIn;
        let mut inputs = Inputs::new(length);
        for (name, column) in &self.columns {
            let column = match column {
                Held::Floats(Floats::Borrowed(a)) => {
                    ColumnIn::Borrowed(a.as_slice().map_err(|e| e.to_string())?)
                }
                Held::Floats(Floats::Copied(v)) => ColumnIn::Borrowed(v),
                Held::Ints(a) => ColumnIn::Ints(a.as_slice().map_err(|e| e.to_string())?),
                Held::Bools(Bools::Borrowed(a)) => {
                    ColumnIn::Bools(a.as_slice().map_err(|e| e.to_string())?)
                }
                Held::Bools(Bools::Copied(v)) => ColumnIn::Bools(v),
                Held::Cells(v) => ColumnIn::Cells(v.clone()),
            };
            inputs.push(name, column)?;
        }
        inputs.bad.extend(self.bad.iter().cloned());
        inputs.bad.sort_by_key(|(row, _)| *row);
        inputs.units.clone_from(&self.units);
        Ok(inputs)
    }
}

fn against(
    groups: Option<PyReadonlyArray1<'_, i64>>,
    cohort: Option<PyRef<'_, Cohort>>,
) -> PyResult<Against> {
    match (groups, cohort) {
        (Some(_), Some(_)) => Err(PyValueError::new_err(
            "`by` and `cohort` cannot be combined: rows are ranked either within their group or \
             against the fitted cohort",
        )),
        (Some(codes), None) => Ok(Against::Groups(Groups::from_keys(
            codes.as_array().iter().map(|c| c.to_string()),
        ))),
        (None, Some(c)) => Ok(Against::Cohort(Arc::clone(&c.inner))),
        (None, None) => Ok(Against::Batch),
    }
}

enum RunError {
    Value(String),
    Cohort(qinglian::CohortError),
}

impl From<RunError> for PyErr {
    fn from(e: RunError) -> PyErr {
        match e {
            RunError::Value(m) => PyValueError::new_err(m),
            RunError::Cohort(e) => cohort_error(&e),
        }
    }
}

/// Builds the batch, scores it and makes the result columns, without the GIL.
/// The columns converted for the batch (integers) are freed as soon as the table is scored,
/// before the result columns are made.
/// Rows of a frame whose unit id an earlier row had (found by the caller), as reports.
struct Repeats {
    errors: Vec<qinglian::RecordError>,
    strict: bool,
}

impl Repeats {
    fn new(repeated: &[(usize, usize, String)], strict: bool) -> Repeats {
        Repeats {
            errors: repeated
                .iter()
                .map(|(row, first, id)| qinglian::repeated_id(id, *row, *first, strict))
                .collect(),
            strict,
        }
    }
}

fn run(
    py: Python<'_>,
    ruleset: &Arc<qinglian::Ruleset>,
    mut inputs: Inputs<'_>,
    against: &Against,
    status: bool,
    repeats: &Repeats,
) -> PyResult<Output> {
    let result = py.detach(move || -> Result<Output, RunError> {
        inputs.materialize();
        let scores = {
            let mut batch = inputs.batch(ruleset).map_err(RunError::Value)?;
            if repeats.strict {
                for e in &repeats.errors {
                    if let Some(row) = e.row.filter(|&r| r < batch.len()) {
                        batch.set_error(row, e.clone());
                    }
                }
            }
            frame::score(ruleset, &batch, against).map_err(RunError::Cohort)?
        };
        drop(inputs);
        Ok(frame::output(ruleset, scores, status))
    });
    Ok(result?)
}

fn fit(
    py: Python<'_>,
    ruleset: &Arc<qinglian::Ruleset>,
    mut inputs: Inputs<'_>,
) -> PyResult<Cohort> {
    let cohort = py.detach(move || -> Result<qinglian::Cohort, String> {
        inputs.materialize();
        let batch = inputs.batch(ruleset)?;
        Ok(ruleset.fit(&batch))
    });
    cohort
        .map(|c| Cohort { inner: Arc::new(c) })
        .map_err(PyValueError::new_err)
}

fn import_arrow(data: AnyRecordBatch) -> PyResult<ArrowTable> {
    let (batches, schema) = data.into_table()?.into_inner();
    Ok(ArrowTable::new(batches, schema))
}

/// The result columns for Python: a dict of numpy arrays, or a pyarrow RecordBatch.
fn emit<'py>(
    py: Python<'py>,
    ruleset: &Arc<qinglian::Ruleset>,
    out: Output,
    arrow: bool,
) -> PyResult<Bound<'py, PyAny>> {
    if arrow {
        let batch = py
            .detach(|| arrow_io::to_arrow(ruleset, out))
            .map_err(PyValueError::new_err)?;
        PyRecordBatch::new(batch).into_pyarrow(py)
    } else {
        Ok(frame::to_numpy(py, ruleset, out)?.into_any())
    }
}

/// A parameter of `_sensitivity_columns`: path, low, high, whole, and alternatives (or None).
type ParameterSpec<'py> = (String, f64, f64, bool, Option<Vec<Bound<'py, PyAny>>>);

/// Rows shown in a warning about repeated ids (the count says how many more there are).
const REPEATS_LISTED: usize = 5;

/// One `DataWarning` for the rows whose unit id an earlier row already had (not under
/// `strict`, where each of those rows is a `RecordError` of its own).
fn warn_repeated(py: Python<'_>, repeated: &[qinglian::RecordError], strict: bool) -> PyResult<()> {
    if strict || repeated.is_empty() {
        return Ok(());
    }
    let mut listed: Vec<String> = repeated
        .iter()
        .take(REPEATS_LISTED)
        .map(|e| {
            format!(
                "row {} (id `{}`)",
                e.row.map_or(0, |r| r + 1),
                qinglian::excerpt(e.id.as_deref().unwrap_or(""), 40)
            )
        })
        .collect();
    if repeated.len() > REPEATS_LISTED {
        listed.push(format!("{} more", repeated.len() - REPEATS_LISTED));
    }
    let message = format!(
        "{} row(s) repeat the unit id of an earlier row and are scored and ranked twice: {}; \
         pass strict=True to reject them",
        repeated.len(),
        listed.join(", ")
    );
    let message = std::ffi::CString::new(message.replace('\0', ""))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyErr::warn(py, &py.get_type::<DataWarning>(), &message, 1)
}

/// The notes on the columns of some data as one warning message (a line each), if any.
fn notes_message(notes: &[qinglian::Diagnostic]) -> Option<String> {
    if notes.is_empty() {
        return None;
    }
    let lines: Vec<String> = notes.iter().map(|n| format!("- {}", n.message)).collect();
    Some(format!(
        "notes on the columns of the data (scored anyway):\n{}",
        lines.join("\n")
    ))
}

/// One `DataWarning` with the notes on the fields of a list of records, all records together.
fn warn_field_notes(
    py: Python<'_>,
    ruleset: &qinglian::Ruleset,
    rows: &[Result<Record, qinglian::RecordError>],
) -> PyResult<()> {
    let mut fields = std::collections::BTreeSet::new();
    for record in rows.iter().flatten() {
        fields.extend(record.fields.keys().map(String::as_str));
    }
    let fields: Vec<&str> = fields.into_iter().collect();
    let Some(message) = notes_message(&ruleset.column_notes(&fields, &[])) else {
        return Ok(());
    };
    let message = std::ffi::CString::new(message.replace('\0', ""))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyErr::warn(py, &py.get_type::<DataWarning>(), &message, 1)
}

// ------------------------------------------------------------------------------- read_records

/// Reads records from a `.csv`, `.json` or `.jsonl` file, or a sheet of an `.xlsx`, `.xls` or
/// `.ods` workbook (the first unless `sheet` names one): one dict (or `RecordError` for a row
/// that could not be read) per data row. The encoding (UTF-8, UTF-16, GBK/GB18030) of a text
/// file is detected unless named (`encoding="gbk"`). Raises `ReadError` if the file cannot be
/// read at all.
#[pyfunction]
#[pyo3(signature = (path, encoding = None, sheet = None))]
fn read_records<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    encoding: Option<String>,
    sheet: Option<String>,
) -> PyResult<Bound<'py, PyList>> {
    let options = qinglian::ReadOptions {
        encoding,
        sheet,
        ..Default::default()
    };
    let rows = match qinglian::read_records_with(&path, &options) {
        Ok(rows) => rows,
        Err(e) => {
            let (file, line) = match &e {
                qinglian::ReadError::Syntax { file, line, .. }
                | qinglian::ReadError::Encoding { file, line, .. } => {
                    (Some(file.clone()), Some(*line))
                }
                qinglian::ReadError::Io { file, .. }
                | qinglian::ReadError::Workbook { file, .. } => (Some(file.clone()), None),
                _ => (None, None),
            };
            let err = ReadError::new_err(e.to_string());
            let value = err.value(py);
            value.setattr("file", file)?;
            value.setattr("line", line)?;
            return Err(err);
        }
    };
    let list = PyList::empty(py);
    for row in rows {
        match row {
            Ok(record) => list.append(ser_to_py(py, &record)?)?,
            Err(e) => list.append(record_error(py, &e)?)?,
        }
    }
    Ok(list)
}

// ------------------------------------------------------------------------------------- module

/// An evaluation read back from its JSON (the other half of `Evaluation.__reduce__`).
/// (row, first row, id) for each row whose unit id an earlier row had, from an Arrow column of
/// text ids (anything with `__arrow_c_array__` or `__arrow_c_stream__`), hashed with the GIL
/// released; `None` when the ids are not text (the caller checks those itself).
#[pyfunction]
fn _repeated_ids(py: Python<'_>, ids: AnyArray) -> PyResult<Option<Vec<(usize, usize, String)>>> {
    let (chunks, _) = ids.into_chunked_array()?.into_inner();
    Ok(py.detach(move || arrow_io::repeated_ids(&chunks).ok()))
}

#[pyfunction]
fn _evaluation_from_json(ruleset: PyRef<'_, Ruleset>, json: &str) -> PyResult<Evaluation> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let inner = qinglian::Evaluation::from_json(value)
        .map_err(|e| PyValueError::new_err(format!("not an evaluation: {e}")))?;
    Ok(Evaluation {
        inner,
        ruleset: Arc::clone(&ruleset.inner),
    })
}

/// Writes the results of `evaluate_many` (evaluations and record errors, in any order) as an
/// Excel workbook: the ranking, a sheet per dimension, the points lost with reasons, the rows not
/// scored, and the ruleset's provenance. `groups` gives each result's values of grouping columns
/// named by `by`.
#[pyfunction]
#[pyo3(signature = (results, path, lang = "zh", by = Vec::new(), groups = None))]
fn _to_excel(
    py: Python<'_>,
    results: &Bound<'_, PyAny>,
    path: std::path::PathBuf,
    lang: &str,
    by: Vec<String>,
    groups: Option<Vec<Vec<String>>>,
) -> PyResult<()> {
    let lang = parse_lang(lang)?;
    let items: Vec<Bound<'_, PyAny>> = results.try_iter()?.collect::<PyResult<_>>()?;
    let mut ruleset: Option<Arc<qinglian::Ruleset>> = None;
    for item in &items {
        if let Ok(e) = item.cast::<Evaluation>() {
            let r = &e.get().ruleset;
            match &ruleset {
                None => ruleset = Some(Arc::clone(r)),
                Some(first) if first.hash() != r.hash() => {
                    return Err(PyValueError::new_err(
                        "the results come from different rulesets: write one workbook per ruleset",
                    ))
                }
                Some(_) => {}
            }
        }
    }
    let Some(ruleset) = ruleset else {
        return Err(PyValueError::new_err(
            "no evaluation among the results: nothing to write",
        ));
    };
    let mut book = qinglian::export::xlsx::RankingWorkbook::new(&ruleset, lang, &by);
    for (i, item) in items.iter().enumerate() {
        let group = groups
            .as_ref()
            .and_then(|g| g.get(i))
            .map_or(&[][..], Vec::as_slice);
        if let Ok(e) = item.cast::<Evaluation>() {
            book.add(&e.get().inner, group);
        } else {
            let id = item
                .getattr("id")
                .ok()
                .and_then(|v| v.extract::<Option<String>>().ok())
                .flatten();
            book.add_failed(id.as_deref(), &item.str()?.to_string());
        }
    }
    py.detach(|| book.save(&path))
        .map_err(pyo3::exceptions::PyOSError::new_err)
}

#[pymodule]
fn _qinglian(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("QinglianError", py.get_type::<QinglianError>())?;
    m.add("RulesetError", py.get_type::<RulesetError>())?;
    m.add("RecordError", py.get_type::<RecordError>())?;
    m.add("ReadError", py.get_type::<ReadError>())?;
    m.add("CohortError", py.get_type::<CohortError>())?;
    m.add("DataWarning", py.get_type::<DataWarning>())?;
    m.add("WeightsError", py.get_type::<weights::WeightsError>())?;
    m.add_class::<Diagnostic>()?;
    m.add_class::<Evaluation>()?;
    m.add_class::<Ruleset>()?;
    m.add_class::<Cohort>()?;
    m.add_function(wrap_pyfunction!(read_records, m)?)?;
    m.add_function(wrap_pyfunction!(_to_excel, m)?)?;
    m.add_function(wrap_pyfunction!(_evaluation_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(_repeated_ids, m)?)?;
    m.add_function(wrap_pyfunction!(weights::weights_ahp, m)?)?;
    m.add_function(wrap_pyfunction!(weights::weights_of_data, m)?)?;
    m.add_function(wrap_pyfunction!(weights::weights_equal, m)?)?;
    m.add_function(wrap_pyfunction!(weights::weights_outranking, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The bits of the `<path>:treated` columns.
    m.add("TREATED_IMPUTED", qinglian::TREATED_IMPUTED)?;
    m.add("TREATED_WINSORISED_HIGH", qinglian::TREATED_WINSORISED_HIGH)?;
    m.add("TREATED_WINSORISED_LOW", qinglian::TREATED_WINSORISED_LOW)?;
    m.add("TREATED_LOG", qinglian::TREATED_LOG)?;
    Ok(())
}
