//! Tables in, tables out: the input columns of a data frame as a core [`Batch`], scored into a
//! [`Scores`] table, turned into result columns ([`Output`]) without the GIL, and handed to
//! Python as numpy arrays that own the Rust buffers (no copy, no Python object per row) or as an
//! Arrow record batch (see `arrow_io.rs`).

use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use qinglian::{
    Batch, Cell, Cohort, CohortError, Groups, RecordError, Ruleset, Scores, Status, NO_ALERT,
    NO_GRADE, NO_TIER,
};
use std::sync::Arc;

/// Alert levels, lowest first: the categories of `alert_level` (ordered, so `>= "orange"` works).
pub(crate) const ALERT_LEVELS: [&str; 4] = {
    let [red, orange, yellow, blue] = qinglian::ALERT_LEVELS;
    [blue, yellow, orange, red]
};

/// Indicator statuses: the categories of the `<path>:status` columns, in code order.
pub(crate) const STATUSES: [&str; 4] = ["scored", "zeroed", "missing", "not_applicable"];

/// One input column as handed to the core.
pub(crate) enum ColumnIn<'a> {
    /// A float64 buffer of the caller (numpy array, Arrow array), scored in place.
    Borrowed(&'a [f64]),
    /// A bool buffer of the caller; converted when the batch is built.
    Bools(&'a [bool]),
    /// An int64 buffer of the caller; converted to numbers just before scoring (see
    /// [`Inputs::materialize`]) and freed right after.
    Ints(&'a [i64]),
    /// Numbers converted on the way in (integers, nullable columns, several chunks).
    Numbers(Vec<f64>),
    /// Any other values, one cell per row.
    Cells(Vec<Cell>),
}

/// The input columns of a table, in the ruleset's declaration order, with the rows whose value
/// the binding could not convert.
pub(crate) struct Inputs<'a> {
    pub len: usize,
    pub columns: Vec<(String, ColumnIn<'a>)>,
    pub bad: Vec<(usize, RecordError)>,
    /// The rows of the ruleset's reference units and their ids: the only ids the core reads
    /// while scoring ([`qinglian::Ruleset::reference_units`]).
    pub units: Vec<(usize, String)>,
}

impl<'a> Inputs<'a> {
    pub fn new(len: usize) -> Self {
        Inputs {
            len,
            columns: Vec::new(),
            bad: Vec::new(),
            units: Vec::new(),
        }
    }

    /// Adds an input's column. A text cell beyond the record limits is an error of its row
    /// (`record.text_too_long`) and is not read further.
    pub fn push(&mut self, name: &str, mut column: ColumnIn<'a>) -> Result<(), String> {
        if let ColumnIn::Cells(cells) = &mut column {
            let limits = qinglian::RecordLimits::default();
            for (row, cell) in cells.iter_mut().enumerate() {
                if let Err(e) = limits.check_cell(cell) {
                    *cell = Cell::Missing;
                    self.bad.push((row, e.column(name)));
                }
            }
        }
        let got = match &column {
            ColumnIn::Borrowed(v) => v.len(),
            ColumnIn::Bools(v) => v.len(),
            ColumnIn::Ints(v) => v.len(),
            ColumnIn::Numbers(v) => v.len(),
            ColumnIn::Cells(v) => v.len(),
        };
        if got != self.len {
            return Err(format!(
                "column `{name}` has {got} values, expected {}",
                self.len
            ));
        }
        self.columns.push((name.to_string(), column));
        Ok(())
    }

    /// Converts integer columns to numbers (the core scores float64 columns); call just before
    /// [`Inputs::batch`], so that the converted columns live only while the batch is scored.
    pub fn materialize(&mut self) {
        for (_, column) in &mut self.columns {
            if let ColumnIn::Ints(v) = column {
                // Counts far beyond 2^53 lose precision, as they would in a float64 column.
                #[allow(clippy::cast_precision_loss)]
                let numbers = v.iter().map(|&i| i as f64).collect();
                *column = ColumnIn::Numbers(numbers);
            }
        }
    }

    /// The core batch: float columns borrowed, others converted; the binding's own errors are
    /// set after every column, and required inputs checked last.
    pub fn batch<'b>(&'b self, ruleset: &Ruleset) -> Result<Batch<'b>, String> {
        let mut batch = Batch::new(ruleset, self.len);
        for (name, column) in &self.columns {
            match column {
                ColumnIn::Borrowed(v) => batch.borrow_numbers(ruleset, name, v)?,
                ColumnIn::Numbers(v) => batch.borrow_numbers(ruleset, name, v)?,
                ColumnIn::Ints(v) => {
                    #[allow(clippy::cast_precision_loss)]
                    let numbers: Vec<f64> = v.iter().map(|&i| i as f64).collect();
                    batch.set_numbers(ruleset, name, &numbers)?
                }
                ColumnIn::Bools(v) => batch.set_bools(ruleset, name, v)?,
                ColumnIn::Cells(v) => batch.set_cells(ruleset, name, v)?,
            }
        }
        for (row, id) in &self.units {
            batch.set_label(*row, Some(&Cell::Text(id.clone())), None);
        }
        for (row, error) in &self.bad {
            batch.set_error(*row, error.clone());
        }
        batch.check_required(ruleset);
        Ok(batch)
    }
}

/// Which cohort the rows are placed in.
pub(crate) enum Against {
    /// The whole table.
    Batch,
    /// One cohort per group.
    Groups(Groups),
    /// A fitted reference.
    Cohort(Arc<Cohort>),
}

/// Category codes, as small as the number of categories allows (pandas' own choice, so that
/// `Categorical.from_codes` keeps the buffer).
pub(crate) enum Codes {
    I8(Vec<i8>),
    I32(Vec<i32>),
}

impl Codes {
    fn new(len: usize, categories: usize, code: impl Fn(usize) -> Option<usize>) -> Codes {
        if categories < 127 {
            Codes::I8(
                (0..len)
                    .map(|r| code(r).and_then(|c| i8::try_from(c).ok()).unwrap_or(-1))
                    .collect(),
            )
        } else {
            Codes::I32(
                (0..len)
                    .map(|r| code(r).and_then(|c| i32::try_from(c).ok()).unwrap_or(-1))
                    .collect(),
            )
        }
    }

    pub fn get(&self, row: usize) -> Option<usize> {
        let c = match self {
            Codes::I8(v) => v.get(row).map(|&c| i64::from(c)),
            Codes::I32(v) => v.get(row).map(|&c| i64::from(c)),
        }?;
        usize::try_from(c).ok()
    }

    fn into_numpy<'py>(self, py: Python<'py>) -> Bound<'py, PyAny> {
        match self {
            Codes::I8(v) => PyArray1::from_vec(py, v).into_any(),
            Codes::I32(v) => PyArray1::from_vec(py, v).into_any(),
        }
    }
}

/// The result columns of a scored table, in input row order.
pub(crate) struct Output {
    pub len: usize,
    pub scored: Vec<bool>,
    pub score: Vec<f64>,
    pub max_score: Vec<f64>,
    pub base_score: Vec<f64>,
    pub bonus_score: Vec<f64>,
    /// Grade codes, worst first (code 0 is the lowest band).
    pub grade: Codes,
    pub rank: Vec<i64>,
    pub percentile: Vec<f64>,
    /// Quota tier codes, worst first.
    pub tier: Codes,
    pub vetoed: Vec<bool>,
    /// Rows where vetoes fired, with their indexes.
    pub vetoes: Vec<(usize, Vec<usize>)>,
    /// Rows where alerts were raised, with their indexes.
    pub alerts: Vec<(usize, Vec<usize>)>,
    /// Highest alert level, as a code into [`ALERT_LEVELS`].
    pub alert_level: Codes,
    /// Points per indicator; `NaN` where not applicable, missing, or the row not scored.
    pub indicators: Vec<Vec<f64>>,
    /// Status codes per indicator (into [`STATUSES`]), when asked for.
    pub statuses: Option<Vec<Vec<i8>>>,
    /// With the statuses: per indicator that imputes or treats outliers, its path and the
    /// treatment flags of each row (bits: 1 imputed, 2 winsorised down, 4 winsorised up, 8
    /// log-transformed).
    pub treated: Option<Vec<(String, Vec<u8>)>>,
    /// Rows that could not be scored, in order.
    pub errors: Vec<(usize, RecordError)>,
}

fn status_code(s: Status) -> i8 {
    match s {
        Status::Scored => 0,
        Status::Zeroed => 1,
        Status::Missing => 2,
        Status::NotApplicable => 3,
    }
}

/// Scores a batch against its cohort.
pub(crate) fn score(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    against: &Against,
) -> Result<Scores, CohortError> {
    match against {
        Against::Batch => Ok(ruleset.score(batch)),
        Against::Groups(groups) => ruleset.score_by(batch, groups),
        Against::Cohort(cohort) => ruleset.score_against(batch, cohort),
    }
}

/// The result columns of a score table; the table's big columns are moved, not copied.
pub(crate) fn output(ruleset: &Ruleset, mut scores: Scores, status: bool) -> Output {
    let len = scores.len();
    let scored: Vec<bool> = (0..len).map(|r| scores.is_scored(r)).collect();
    let is = |r: usize| scored.get(r).copied().unwrap_or(false);
    let grades = ruleset.grade_names().len();
    let grade = Codes::new(len, grades, |r| {
        scores
            .grades()
            .get(r)
            .filter(|&&g| g != NO_GRADE)
            .and_then(|&g| grades.checked_sub(1 + g as usize))
    });
    let quotas = ruleset.quota_names().len();
    let tier = Codes::new(len, quotas, |r| {
        scores
            .tiers()
            .get(r)
            .filter(|&&t| t != NO_TIER)
            .and_then(|&t| quotas.checked_sub(1 + t as usize))
    });
    let rank = scores.ranks().iter().map(|&r| i64::from(r)).collect();
    let percentile = scores.percentiles().to_vec();
    let has_vetoes = !ruleset.veto_ids().is_empty();
    let has_alerts = !ruleset.alert_ids().is_empty();
    let mut vetoes = Vec::new();
    let mut alerts = Vec::new();
    let mut vetoed = vec![false; len];
    let mut level: Vec<i8> = vec![-1; len];
    for row in 0..len {
        if !is(row) {
            continue;
        }
        if has_vetoes {
            let hit: Vec<usize> = scores.vetoes(row).collect();
            if !hit.is_empty() {
                if let Some(v) = vetoed.get_mut(row) {
                    *v = true;
                }
                vetoes.push((row, hit));
            }
        }
        if has_alerts {
            let hit: Vec<usize> = scores.alerts(row).collect();
            if !hit.is_empty() {
                // The core's levels run most severe first; these categories run lowest first.
                if let (Some(l), Some(&top)) = (level.get_mut(row), scores.alert_levels().get(row))
                {
                    if top != NO_ALERT {
                        *l = i8::try_from(ALERT_LEVELS.len() - 1 - top as usize).unwrap_or(-1);
                    }
                }
                alerts.push((row, hit));
            }
        }
    }
    let alert_level = Codes::I8(level);
    let errors: Vec<(usize, RecordError)> = scores.errors().map(|(r, e)| (r, e.clone())).collect();

    let mut indicators = scores.take_indicator_scores();
    let node_statuses = scores.take_indicator_statuses();
    for (values, states) in indicators.iter_mut().zip(&node_statuses) {
        for ((x, s), &ok) in values.iter_mut().zip(states).zip(&scored) {
            // Without a branch, so that the loop over 59 columns of 100,000 rows vectorises.
            let missing = !ok | matches!(s, Status::Missing | Status::NotApplicable);
            *x = if missing { f64::NAN } else { *x };
        }
    }
    let statuses = status.then(|| {
        node_statuses
            .iter()
            .map(|states| {
                states
                    .iter()
                    .zip(&scored)
                    .map(|(&s, &ok)| if ok { status_code(s) } else { -1 })
                    .collect()
            })
            .collect()
    });
    drop(node_statuses);
    let treated = status.then(|| {
        let paths = ruleset.indicator_paths();
        scores
            .take_treatment_flags()
            .into_iter()
            .filter_map(|(i, flags)| Some((paths.get(i)?.to_string(), flags)))
            .collect()
    });
    let (score, base_score, bonus_score) = scores.take_totals();
    let max = ruleset.max_total();
    let max_score = scored
        .iter()
        .map(|&ok| if ok { max } else { f64::NAN })
        .collect();
    Output {
        len,
        scored,
        score,
        max_score,
        base_score,
        bonus_score,
        grade,
        rank,
        percentile,
        tier,
        vetoed,
        vetoes,
        alerts,
        alert_level,
        indicators,
        statuses,
        treated,
        errors,
    }
}

/// The text of a row label, as the core writes ids: numbers without a trailing `.0`.
pub(crate) fn label_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Missing | Cell::Counts(_) => None,
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Number(n) if n.is_nan() => None,
        Cell::Number(n) => Some(qinglian::format_number(*n)),
        Cell::Text(t) => Some(t.clone()),
    }
}

/// Gives each error the id of its row (the batch is built without labels: only rows in error
/// need theirs).
pub(crate) fn label_errors(out: &mut Output, label: impl Fn(usize) -> Option<String>) {
    for (row, error) in &mut out.errors {
        if error.id.is_none() {
            error.id = label(*row);
        }
    }
}

/// A tuple of ids per row: the shared empty tuple where nothing fired.
fn hits_column<'py>(
    py: Python<'py>,
    len: usize,
    hits: &[(usize, Vec<usize>)],
    ids: &[Bound<'py, PyString>],
) -> PyResult<Bound<'py, PyAny>> {
    let empty = PyTuple::empty(py).into_any().unbind();
    let mut cells: Vec<Py<PyAny>> = (0..len).map(|_| empty.clone_ref(py)).collect();
    for (row, items) in hits {
        let names: Vec<&Bound<'py, PyString>> = items.iter().filter_map(|&i| ids.get(i)).collect();
        let tuple = PyTuple::new(py, names)?;
        if let Some(cell) = cells.get_mut(*row) {
            *cell = tuple.into_any().unbind();
        }
    }
    Ok(PyArray1::from_vec(py, cells).into_any())
}

/// The result columns as numpy arrays (each owning its Rust buffer) in a dict, for
/// `_frame.assemble`.
pub(crate) fn to_numpy<'py>(
    py: Python<'py>,
    ruleset: &Ruleset,
    out: Output,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let len = out.len;
    let veto_ids: Vec<Bound<'py, PyString>> = ruleset
        .veto_ids()
        .iter()
        .map(|s| PyString::intern(py, s))
        .collect();
    let alert_ids: Vec<Bound<'py, PyString>> = ruleset
        .alert_ids()
        .iter()
        .map(|(s, _)| PyString::intern(py, s))
        .collect();
    d.set_item("vetoes", hits_column(py, len, &out.vetoes, &veto_ids)?)?;
    d.set_item("alerts", hits_column(py, len, &out.alerts, &alert_ids)?)?;
    let rank_missing: Vec<bool> = out.rank.iter().map(|&r| r == 0).collect();
    d.set_item("score", PyArray1::from_vec(py, out.score))?;
    d.set_item("max_score", PyArray1::from_vec(py, out.max_score))?;
    d.set_item("base_score", PyArray1::from_vec(py, out.base_score))?;
    d.set_item("bonus_score", PyArray1::from_vec(py, out.bonus_score))?;
    d.set_item("grade", out.grade.into_numpy(py))?;
    d.set_item("rank", PyArray1::from_vec(py, out.rank))?;
    d.set_item("rank_missing", PyArray1::from_vec(py, rank_missing))?;
    d.set_item("percentile", PyArray1::from_vec(py, out.percentile))?;
    d.set_item("tier", out.tier.into_numpy(py))?;
    d.set_item("vetoed", PyArray1::from_vec(py, out.vetoed))?;
    d.set_item("alert_level", out.alert_level.into_numpy(py))?;
    let paths = ruleset.indicator_paths();
    let indicators = PyDict::new(py);
    for (path, values) in paths.iter().zip(out.indicators) {
        indicators.set_item(*path, PyArray1::from_vec(py, values))?;
    }
    d.set_item("indicators", indicators)?;
    if let Some(statuses) = out.statuses {
        let s = PyDict::new(py);
        for (path, codes) in paths.iter().zip(statuses) {
            s.set_item(*path, PyArray1::from_vec(py, codes))?;
        }
        d.set_item("statuses", s)?;
    }
    if let Some(treated) = out.treated {
        let t = PyDict::new(py);
        for (path, flags) in treated {
            t.set_item(path, PyArray1::from_vec(py, flags))?;
        }
        d.set_item("treated", t)?;
    }
    let rows: Vec<i64> = out
        .errors
        .iter()
        .map(|(r, _)| i64::try_from(*r).unwrap_or(i64::MAX))
        .collect();
    d.set_item("error_rows", PyArray1::from_vec(py, rows))?;
    let messages = PyList::new(py, out.errors.iter().map(|(_, e)| e.to_string()))?;
    let codes = PyList::new(py, out.errors.iter().map(|(_, e)| e.code))?;
    d.set_item("error_messages", messages)?;
    d.set_item("error_codes", codes)?;
    Ok(d)
}

/// A numpy float64 array as a borrowed slice when it is contiguous (the usual case), else
/// copied.
pub(crate) enum Floats<'py> {
    Borrowed(PyReadonlyArray1<'py, f64>),
    Copied(Vec<f64>),
}

impl<'py> Floats<'py> {
    pub fn of(array: PyReadonlyArray1<'py, f64>) -> Floats<'py> {
        if array.is_contiguous() {
            Floats::Borrowed(array)
        } else {
            Floats::Copied(array.as_array().iter().copied().collect())
        }
    }
}

/// A numpy bool array, borrowed when contiguous.
pub(crate) enum Bools<'py> {
    Borrowed(PyReadonlyArray1<'py, bool>),
    Copied(Vec<bool>),
}

impl<'py> Bools<'py> {
    pub fn of(array: PyReadonlyArray1<'py, bool>) -> Bools<'py> {
        if array.is_contiguous() {
            Bools::Borrowed(array)
        } else {
            Bools::Copied(array.as_array().iter().copied().collect())
        }
    }
}
