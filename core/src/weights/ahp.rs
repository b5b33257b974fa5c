//! The analytic hierarchy process (AHP): weights from an expert's pairwise comparison matrix,
//! with Saaty's consistency check.

use super::{to_unit_sum, WeightsError};
use serde::Serialize;

/// Saaty's threshold: a consistency ratio above 0.1 calls for revising the judgements.
pub const CONSISTENT_CR: f64 = 0.1;

/// Power iteration stops when no weight moves by more than this between two steps.
const TOLERANCE: f64 = 1e-12;
/// A positive matrix converges geometrically (Perron–Frobenius); this is a guard, not a budget.
const MAX_ITERATIONS: usize = 10_000;

/// A published table of random indices (the mean CI of random reciprocal matrices of order n).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum RandomIndex {
    /// Saaty (1980), *The Analytic Hierarchy Process*, McGraw-Hill: n = 1..10.
    #[default]
    Saaty1980,
    /// 许树柏 (1988), 《实用决策方法：层次分析法原理》, 天津大学出版社 (from 龚木森、许树柏
    /// 1986, 1000 random matrices per order): n = 1..15, the table most Chinese papers use.
    Xu1988,
    /// Alonso & Lamata (2006), "Consistency in the analytic hierarchy process: a new
    /// approach", *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4), 445–459:
    /// n = 1..15 (100,000 random matrices per order).
    AlonsoLamata2006,
}

impl RandomIndex {
    /// The table by name: `saaty1980`, `xu1988` or `alonso-lamata2006`.
    pub fn from_name(name: &str) -> Option<RandomIndex> {
        match name {
            "saaty1980" => Some(RandomIndex::Saaty1980),
            "xu1988" => Some(RandomIndex::Xu1988),
            "alonso-lamata2006" => Some(RandomIndex::AlonsoLamata2006),
            _ => None,
        }
    }

    /// The table by name, or `weights.unknown_table` listing the names.
    pub fn parse(name: &str) -> Result<RandomIndex, WeightsError> {
        RandomIndex::from_name(name).ok_or_else(|| {
            WeightsError::new(
                "weights.unknown_table",
                format!("no random-index table is called \"{name}\": use saaty1980, xu1988 or alonso-lamata2006"),
            )
        })
    }

    /// The name `from_name` accepts.
    pub fn name(self) -> &'static str {
        match self {
            RandomIndex::Saaty1980 => "saaty1980",
            RandomIndex::Xu1988 => "xu1988",
            RandomIndex::AlonsoLamata2006 => "alonso-lamata2006",
        }
    }

    /// The table, for n = 1, 2, ….
    pub fn table(self) -> &'static [f64] {
        match self {
            RandomIndex::Saaty1980 => &[0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49],
            RandomIndex::Xu1988 => &[
                0.0, 0.0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58,
                1.59,
            ],
            RandomIndex::AlonsoLamata2006 => &[
                0.0, 0.0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141,
                1.5365, 1.5551, 1.5713, 1.5838,
            ],
        }
    }
}

/// The random index of order `n` in a table; `None` beyond the table.
pub fn random_index(table: RandomIndex, n: usize) -> Option<f64> {
    n.checked_sub(1).and_then(|i| table.table().get(i).copied())
}

/// Options of [`ahp`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AhpOptions {
    /// The random-index table for CR.
    pub random_index: RandomIndex,
    /// How far a_ij · a_ji may be from 1. The default 0.05 admits reciprocals typed with two
    /// decimals on Saaty's 1–9 scale (0.33 for 1/3 gives 0.99; 0.11 for 1/9 gives 0.99; 0.13
    /// for 1/8 gives 1.04), and still catches a judgement entered the wrong way round.
    pub tolerance: f64,
    /// Fail with `weights.inconsistent` above the threshold instead of warning.
    pub strict: bool,
    /// The largest acceptable CR.
    pub threshold: f64,
}

impl Default for AhpOptions {
    fn default() -> Self {
        AhpOptions {
            random_index: RandomIndex::Saaty1980,
            tolerance: 0.05,
            strict: false,
            threshold: CONSISTENT_CR,
        }
    }
}

impl AhpOptions {
    /// Saaty's 1980 table, reciprocity tolerance 0.05, a warning above CR 0.1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses the random-index table.
    pub fn random_index(mut self, table: RandomIndex) -> Self {
        self.random_index = table;
        self
    }

    /// Sets the reciprocity tolerance.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Fails above the CR threshold instead of warning.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Sets the CR threshold.
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }
}

/// The result of [`ahp`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Ahp {
    /// The principal eigenvector, scaled to sum to 1.
    pub weights: Vec<f64>,
    /// The principal eigenvalue λmax (≥ n for a reciprocal matrix).
    pub lambda_max: f64,
    /// Consistency index CI = (λmax − n)/(n − 1); 0 for n = 1.
    pub ci: f64,
    /// Random index of order n from the chosen table.
    pub ri: f64,
    /// Consistency ratio CR = CI/RI; 0 when RI is 0 (n ≤ 2: always consistent).
    pub cr: f64,
    /// Power-iteration steps taken.
    pub iterations: usize,
    /// Set when CR is above the threshold: the judgements should be revised.
    pub warning: Option<String>,
}

/// AHP weights of a pairwise comparison matrix (a_ij: how much more important i is than j).
///
/// The matrix must be square, positive and reciprocal (a_ij · a_ji = 1 within the tolerance;
/// the diagonal 1). The weights are its principal eigenvector, found by power iteration until
/// no weight moves by more than 1e-12; λmax = (1/n) Σ_i (Aw)_i / w_i.
///
/// ```
/// use qinglian::weights::{ahp, AhpOptions};
/// // A consistent matrix: weights 4/7, 2/7, 1/7.
/// let m = vec![vec![1.0, 2.0, 4.0], vec![0.5, 1.0, 2.0], vec![0.25, 0.5, 1.0]];
/// let r = ahp(&m, &AhpOptions::default()).unwrap();
/// assert!((r.weights[0] - 4.0 / 7.0).abs() < 1e-12);
/// assert!(r.cr.abs() < 1e-12);
/// ```
pub fn ahp(matrix: &[Vec<f64>], options: &AhpOptions) -> Result<Ahp, WeightsError> {
    let n = check(matrix, options.tolerance)?;
    let ri = random_index(options.random_index, n).ok_or_else(|| {
        WeightsError::new(
            "weights.too_large",
            format!(
                "the random-index table {} stops at n = {}; this matrix has n = {n} (choose another table)",
                options.random_index.name(),
                options.random_index.table().len()
            ),
        )
    })?;
    let mut w = vec![1.0 / n as f64; n];
    let mut iterations = 0;
    loop {
        let next = to_unit_sum(&times(matrix, &w)).ok_or_else(not_converged)?;
        let moved = next
            .iter()
            .zip(&w)
            .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
        w = next;
        iterations += 1;
        if moved <= TOLERANCE {
            break;
        }
        if iterations >= MAX_ITERATIONS {
            return Err(not_converged());
        }
    }
    let aw = times(matrix, &w);
    let lambda_max = aw.iter().zip(&w).map(|(a, x)| a / x).sum::<f64>() / n as f64;
    // λmax ≥ n for every positive reciprocal matrix; a negative CI would be rounding.
    let ci = if n > 1 {
        ((lambda_max - n as f64) / (n as f64 - 1.0)).max(0.0)
    } else {
        0.0
    };
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    let mut warning = None;
    if cr > options.threshold {
        let text = format!(
            "consistency ratio {cr:.4} is above {}: revise the judgements{}",
            options.threshold,
            worst_judgement(matrix, &w)
        );
        if options.strict {
            return Err(WeightsError::new("weights.inconsistent", text));
        }
        warning = Some(text);
    }
    Ok(Ahp {
        weights: w,
        lambda_max,
        ci,
        ri,
        cr,
        iterations,
        warning,
    })
}

fn not_converged() -> WeightsError {
    WeightsError::new(
        "weights.not_converged",
        "the principal eigenvector did not converge",
    )
}

/// A · x.
fn times(matrix: &[Vec<f64>], x: &[f64]) -> Vec<f64> {
    matrix
        .iter()
        .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}

/// Checks that the matrix is square, positive and reciprocal; returns its order.
fn check(matrix: &[Vec<f64>], tolerance: f64) -> Result<usize, WeightsError> {
    let n = matrix.len();
    if n == 0 {
        return Err(WeightsError::new(
            "weights.empty",
            "the comparison matrix is empty",
        ));
    }
    for (i, row) in matrix.iter().enumerate() {
        if row.len() != n {
            return Err(WeightsError::new(
                "weights.not_square",
                format!(
                    "the comparison matrix has {n} rows but row {i} has {} values: it must be square",
                    row.len()
                ),
            )
            .at(Some(i), None));
        }
        for (j, &a) in row.iter().enumerate() {
            if !(a > 0.0 && a.is_finite()) {
                return Err(WeightsError::new(
                    "weights.not_positive",
                    format!(
                        "row {i}, column {j} is {a}: every judgement must be a positive number"
                    ),
                )
                .at(Some(i), Some(j)));
            }
        }
    }
    for (i, row) in matrix.iter().enumerate() {
        for (j, &a) in row.iter().enumerate().skip(i) {
            let b = matrix.get(j).and_then(|r| r.get(i)).copied().unwrap_or(0.0);
            if (a * b - 1.0).abs() > tolerance {
                let what = if i == j {
                    format!("row {i}, column {i} is {a}: the diagonal must be 1")
                } else {
                    format!(
                        "row {i}, column {j} is {a} but row {j}, column {i} is {b}: they must be reciprocal (a_ij · a_ji = 1, within {tolerance})"
                    )
                };
                return Err(WeightsError::new("weights.not_reciprocal", what).at(Some(i), Some(j)));
            }
        }
    }
    Ok(n)
}

/// The judgement furthest from what the weights imply (a_ij against w_i / w_j), for the warning.
fn worst_judgement(matrix: &[Vec<f64>], w: &[f64]) -> String {
    let mut worst = (0.0, 0, 0, 0.0, 0.0);
    for (i, (row, wi)) in matrix.iter().zip(w).enumerate() {
        for (j, (&a, wj)) in row.iter().zip(w).enumerate() {
            let implied = wi / wj;
            let off = libm::log(a / implied).abs();
            if off > worst.0 {
                worst = (off, i, j, a, implied);
            }
        }
    }
    let (_, i, j, a, implied) = worst;
    format!(" (the judgement furthest from the weights is row {i}, column {j}: {a}, where the weights imply {implied:.3})")
}
