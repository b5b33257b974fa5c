//! How far a ranking depends on its weights: Monte Carlo over noisy weights (the OECD/JRC
//! Handbook's uncertainty analysis; COINr's `get_noisy_weights`). Each sample draws every
//! perturbed weight uniformly from `[w(1 − f), w(1 + f)]`, scores the batch as its own cohort,
//! and ranks it; each unit then has its nominal rank, median rank and 5th–95th percentile ranks.
//!
//! Samples are independent: each has its own random stream, derived from the seed and the
//! sample's number, so the result depends neither on the thread count nor on the order in which
//! samples are scored, and is the same from Rust, Python and JavaScript.

use crate::batch::Batch;
use crate::ruleset::{NodeKind, Ruleset};
use serde::Serialize;

/// Which weights to perturb, how much, how often.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WeightNoise {
    /// Number of samples.
    pub samples: usize,
    /// The noise factor `f`: each weight is drawn from `[w(1 − f), w(1 + f)]`; within [0, 1).
    pub noise: f64,
    /// Seed of the random streams.
    pub seed: u64,
    /// Depths of the nodes whose weights are perturbed (1 = the 一级指标); `None` for every
    /// node weighted by its parent (children of `mean`, `geomean`, `min`, `harmonic` and
    /// `power` groups).
    pub depths: Option<Vec<usize>>,
}

impl Default for WeightNoise {
    fn default() -> Self {
        WeightNoise {
            samples: 1000,
            noise: 0.25,
            seed: 42,
            depths: None,
        }
    }
}

impl WeightNoise {
    /// `samples` samples with noise factor `noise` and seed `seed`, every weight perturbed.
    pub fn new(samples: usize, noise: f64, seed: u64) -> Self {
        WeightNoise {
            samples,
            noise,
            seed,
            depths: None,
        }
    }

    /// Perturbs only the weights of nodes at these depths.
    pub fn at_depths(mut self, depths: Vec<usize>) -> Self {
        self.depths = Some(depths);
        self
    }
}

/// Arguments that do not describe an analysis.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct AnalysisError {
    /// What is wrong.
    pub message: String,
}

/// Each unit's rank under noisy weights, in the batch's row order. Ranks are 1 = best, ties
/// sharing the better rank; a row that could not be scored has rank 0 and `NaN` statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RankUncertainty {
    /// Samples drawn.
    pub samples: usize,
    /// Rank with the ruleset's own weights.
    pub nominal: Vec<u32>,
    /// Median rank over the samples.
    pub median: Vec<f64>,
    /// 5th percentile of the ranks (the better end).
    pub p05: Vec<f64>,
    /// 95th percentile of the ranks (the worse end).
    pub p95: Vec<f64>,
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output is fixed by its
/// definition, so that a seed gives the same samples on every platform and in every version.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `p` quantile of sorted values, interpolated between order statistics (R's default,
/// type 7).
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = last as f64 * p;
    let lo = h.floor() as usize;
    let (a, b) = (
        sorted.get(lo).copied().unwrap_or(f64::NAN),
        sorted.get((lo + 1).min(last)).copied().unwrap_or(f64::NAN),
    );
    a + (h - lo as f64) * (b - a)
}

impl Ruleset {
    /// The nodes whose weights the analysis perturbs.
    fn noisy_nodes(&self, depths: Option<&[usize]>) -> Vec<usize> {
        let mut out = Vec::new();
        for node in &self.nodes {
            if let NodeKind::Group {
                aggregate,
                children,
            } = &node.kind
            {
                if !aggregate.weighted() {
                    continue;
                }
                out.extend(children.iter().copied().filter(|&c| {
                    self.nodes
                        .get(c)
                        .is_some_and(|n| !n.bonus && depths.is_none_or(|d| d.contains(&n.depth)))
                }));
            }
        }
        out.sort_unstable();
        out
    }

    /// Monte Carlo over noisy weights: each unit's nominal, median and 5th–95th percentile rank
    /// in the batch (its own cohort) — see the module's documentation. Samples are spread over
    /// the available cores; the result does not depend on how.
    pub fn uncertainty(
        &self,
        batch: &Batch<'_>,
        noise: &WeightNoise,
    ) -> Result<RankUncertainty, AnalysisError> {
        let fail = |m: &str| {
            Err(AnalysisError {
                message: m.to_string(),
            })
        };
        if noise.samples == 0 {
            return fail("at least one sample is needed");
        }
        if !(0.0..1.0).contains(&noise.noise) {
            return fail("the noise factor must lie within [0, 1)");
        }
        let noisy = self.noisy_nodes(noise.depths.as_deref());
        if noisy.is_empty() {
            return fail(
                "no weight to perturb: no node at those depths is weighted by its parent (mean, geomean, min, harmonic or power)",
            );
        }
        let len = batch.len();
        let scored = self.score_on_threads(batch, usize::MAX);
        let nominal = scored.ranks().to_vec();
        // Weights change, the leaves do not: they are scored once, and with the cohort's
        // statistics kept, each sample only aggregates the groups again.
        let kept = self.keep_leaves(batch, &scored);
        // Ranks of every sample, sample-major.
        let mut ranks = vec![0u32; noise.samples * len];
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(noise.samples)
            .max(1);
        let per = noise.samples.div_ceil(threads);
        let run = |first: usize, out: &mut [u32]| {
            let mut ruleset = self.clone();
            // One table per thread, its memory reused from sample to sample.
            let mut scores = scored.clone();
            for (k, sample) in out.chunks_mut(len.max(1)).enumerate() {
                let mut rng =
                    SplitMix(noise.seed ^ ((first + k) as u64).wrapping_mul(0xd134_2543_de82_ef95));
                for &i in &noisy {
                    if let (Some(node), Some(base)) = (ruleset.nodes.get_mut(i), self.nodes.get(i))
                    {
                        let u = rng.unit();
                        node.weight = base.weight * (1.0 - noise.noise + 2.0 * noise.noise * u);
                    }
                }
                ruleset.rescore_other_weights(batch, &mut scores, &kept);
                sample.copy_from_slice(scores.ranks());
            }
        };
        if len > 0 && threads == 1 {
            // On this thread: WebAssembly has no threads to spawn.
            run(0, &mut ranks);
        } else if len > 0 {
            std::thread::scope(|scope| {
                for (t, part) in ranks.chunks_mut(per * len).enumerate() {
                    let run = &run;
                    scope.spawn(move || run(t * per, part));
                }
            });
        }
        let mut median = vec![f64::NAN; len];
        let mut p05 = vec![f64::NAN; len];
        let mut p95 = vec![f64::NAN; len];
        let mut unit = Vec::with_capacity(noise.samples);
        for row in 0..len {
            if nominal.get(row).copied().unwrap_or(0) == 0 {
                continue;
            }
            unit.clear();
            unit.extend(
                (0..noise.samples)
                    .filter_map(|s| ranks.get(s * len + row))
                    .filter(|&&r| r > 0)
                    .map(|&r| f64::from(r)),
            );
            unit.sort_by(f64::total_cmp);
            for (column, p) in [(&mut median, 0.5), (&mut p05, 0.05), (&mut p95, 0.95)] {
                if let Some(x) = column.get_mut(row) {
                    *x = quantile(&unit, p);
                }
            }
        }
        Ok(RankUncertainty {
            samples: noise.samples,
            nominal,
            median,
            p05,
            p95,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{quantile, SplitMix};

    #[test]
    fn quantiles_interpolate_as_r_does() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&x, 0.5), 3.0);
        assert_eq!(quantile(&x, 0.0), 1.0);
        assert_eq!(quantile(&x, 1.0), 10.0);
        // R: quantile(c(1,2,3,4,10), c(.05, .95)) = 1.2, 8.8
        assert!((quantile(&x, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile(&x, 0.95) - 8.8).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn the_generator_is_splitmix64() {
        // The reference outputs of SplitMix64 seeded with 1234567.
        let mut g = SplitMix(1_234_567);
        assert_eq!(g.next(), 6_457_827_717_110_365_317);
        assert_eq!(g.next(), 3_203_168_211_198_807_973);
        let u = g.unit();
        assert!((0.0..1.0).contains(&u));
    }
}
