//! Weights from the first principal component of the correlation matrix (OECD/JRC Handbook,
//! 2008, §6.1): each indicator weighs what it loads on the component that explains the most
//! variance.

use super::data::{pearson, Columns, DataOptions, Weights};
use super::{to_unit_sum, WeightsError};

/// Sweeps of the Jacobi method; each sweep squares the off-diagonal error, so a few suffice.
const MAX_SWEEPS: usize = 100;

/// PCA weights: the squared loadings of the first principal component of the correlation
/// matrix (columns standardised, as R's `prcomp(x, scale. = TRUE)`), scaled to sum to 1.
///
/// With v the unit eigenvector of the largest eigenvalue λ1, the loadings are v_j √λ1; their
/// squares scaled to sum to 1 are v_j², whatever the sign R or numpy gives v. Directions do not
/// change the result (mirroring a column flips the sign of its loading, not its square). A
/// constant column gets weight 0 and is left out. Fails with `weights.not_unique` when the two
/// largest eigenvalues are equal (e.g. uncorrelated columns): the first component is then not
/// defined.
pub fn pca(rows: &[Vec<f64>], options: &DataOptions) -> Result<Weights, WeightsError> {
    let data = Columns::from_rows(rows, options, 2)?;
    let varying: Vec<usize> = data
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.iter().any(|v| Some(v) != c.first()))
        .map(|(j, _)| j)
        .collect();
    let columns: Vec<&Vec<f64>> = varying
        .iter()
        .filter_map(|&j| data.columns.get(j))
        .collect();
    if columns.is_empty() {
        return Err(WeightsError::new(
            "weights.no_variation",
            "no column varies across the rows: PCA gives no weights",
        ));
    }
    let k = columns.len();
    let mut correlation = Symmetric::zeros(k);
    for (a, x) in columns.iter().enumerate() {
        correlation.set(a, a, 1.0);
        for (b, y) in columns.iter().enumerate().skip(a + 1) {
            let r = pearson(x, y);
            correlation.set(a, b, r);
            correlation.set(b, a, r);
        }
    }
    let (values, vectors) = jacobi(correlation);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| values.get(b, b).total_cmp(&values.get(a, a)));
    let first = order.first().copied().unwrap_or(0);
    if let Some(&second) = order.get(1) {
        let (l1, l2) = (values.get(first, first), values.get(second, second));
        if l1 - l2 <= 1e-9 * l1 {
            return Err(WeightsError::new(
                "weights.not_unique",
                format!("the two largest eigenvalues of the correlation matrix are equal ({l1:.6}): the first principal component is not defined (are the columns uncorrelated?)"),
            ));
        }
    }
    let mut squared = vec![0.0; data.columns.len()];
    for (a, &j) in varying.iter().enumerate() {
        if let Some(w) = squared.get_mut(j) {
            let v = vectors.get(a, first);
            *w = v * v;
        }
    }
    let weights = to_unit_sum(&squared).ok_or_else(|| {
        WeightsError::new(
            "weights.no_variation",
            "the first principal component is empty",
        )
    })?;
    Ok(data.finish(weights))
}

/// A small dense square matrix, row-major.
struct Symmetric {
    n: usize,
    a: Vec<f64>,
}

impl Symmetric {
    fn zeros(n: usize) -> Self {
        Symmetric {
            n,
            a: vec![0.0; n * n],
        }
    }

    fn identity(n: usize) -> Self {
        let mut m = Symmetric::zeros(n);
        (0..n).for_each(|i| m.set(i, i, 1.0));
        m
    }

    fn get(&self, i: usize, j: usize) -> f64 {
        self.a.get(i * self.n + j).copied().unwrap_or(0.0)
    }

    fn set(&mut self, i: usize, j: usize, v: f64) {
        if let Some(x) = self.a.get_mut(i * self.n + j) {
            *x = v;
        }
    }

    /// Columns p and q replaced by c·p − s·q and s·p + c·q.
    fn rotate_columns(&mut self, p: usize, q: usize, c: f64, s: f64) {
        for k in 0..self.n {
            let (x, y) = (self.get(k, p), self.get(k, q));
            self.set(k, p, c * x - s * y);
            self.set(k, q, s * x + c * y);
        }
    }

    /// Rows p and q replaced by c·p − s·q and s·p + c·q.
    fn rotate_rows(&mut self, p: usize, q: usize, c: f64, s: f64) {
        for k in 0..self.n {
            let (x, y) = (self.get(p, k), self.get(q, k));
            self.set(p, k, c * x - s * y);
            self.set(q, k, s * x + c * y);
        }
    }
}

/// Eigenvalues (the diagonal of the first matrix) and eigenvectors (the columns of the second)
/// of a symmetric matrix, by the cyclic Jacobi method (Golub & Van Loan, *Matrix
/// Computations*, §8.5): plane rotations that zero one off-diagonal entry each. It uses only
/// arithmetic and square roots, so its bits are the same on every platform, and it is accurate
/// for the small correlation matrices of an indicator set. A general eigen-solver crate would
/// bring a large linear-algebra dependency for this one use.
fn jacobi(mut a: Symmetric) -> (Symmetric, Symmetric) {
    let n = a.n;
    let mut v = Symmetric::identity(n);
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|p| (p + 1..n).map(move |q| (p, q)))
            .map(|(p, q)| a.get(p, q) * a.get(p, q))
            .sum();
        if off == 0.0 || libm::sqrt(off) < 1e-15 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a.get(p, q);
                if apq == 0.0 {
                    continue;
                }
                // The rotation angle φ with cot 2φ = θ zeroes a_pq; t = tan φ is the smaller
                // root of t² + 2θt − 1 = 0, which keeps the rotation below 45°.
                let theta = (a.get(q, q) - a.get(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + libm::sqrt(theta * theta + 1.0));
                let c = 1.0 / libm::sqrt(t * t + 1.0);
                let s = t * c;
                a.rotate_columns(p, q, c, s);
                a.rotate_rows(p, q, c, s);
                v.rotate_columns(p, q, c, s);
            }
        }
    }
    (a, v)
}
