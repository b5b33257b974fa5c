//! Leaves kept from one scoring of a batch, for scoring it again under other weights.
//!
//! A Monte Carlo over weights scores the same batch a thousand times with only the weights of
//! group children changed. No leaf reads a weight, so each leaf's columns, and the rows it
//! stops with an error, are the same in every sample: they are computed once here, and each
//! sample copies them in and re-aggregates the groups. What may differ between samples is
//! which rows a group stopped before a leaf's turn (a data-availability threshold weighs the
//! children present), so a sample replays a leaf's errors only on the rows still alive at its
//! turn, as scoring the leaf there would. (A row a leaf stopped in the capture is stopped by
//! that leaf, or before it, in every sample: what later leaves computed for it never shows.)

use super::chunk::{each_chunk, Env, Out, Part, Rows};
use super::tree::score_leaf_node;
use super::{Placement, Scores};
use crate::batch::Batch;
use crate::cohort::RankRefs;
use crate::error::RecordError;
use crate::evaluation::Status;
use crate::ruleset::{NodeKind, Ruleset};

/// Every leaf's score and status columns over the whole batch, and the rows it stops, with
/// their errors (indexed by node; empty for groups).
pub(crate) struct KeptLeaves {
    score: Vec<Vec<f64>>,
    status: Vec<Vec<Status>>,
    failures: Vec<Vec<(usize, RecordError)>>,
}

impl KeptLeaves {
    /// Scores every leaf of `ruleset` over `batch` into `table` (fresh memory of the batch's
    /// shape, with its placement and cohort) and keeps the columns.
    pub(crate) fn capture(ruleset: &Ruleset, batch: &Batch<'_>, mut table: Scores) -> KeptLeaves {
        let mut failures = vec![Vec::new(); ruleset.nodes.len()];
        let rank_refs = std::sync::Arc::clone(&table.rank_refs);
        let placement = table.placement.clone();
        for mut part in super::chunk::split(&mut table, &[(0, batch.len())]) {
            capture_part(
                ruleset,
                batch,
                &mut part,
                &rank_refs,
                &placement,
                &mut failures,
            );
        }
        KeptLeaves {
            score: leaf_columns(ruleset, table.node_score),
            status: leaf_columns(ruleset, table.node_status),
            failures,
        }
    }

    /// Writes leaf `node`'s kept columns into the chunk and stops, with the kept errors, the
    /// chunk's rows it stopped that are still alive.
    pub(crate) fn restore(&self, node: usize, env: &Env<'_>, rows: &mut Rows, out: &mut Out) {
        let range = env.start..env.start + env.n;
        if let (Some((score, status, _)), Some(kept_score), Some(kept_status)) = (
            out.split(node),
            self.score.get(node).and_then(|c| c.get(range.clone())),
            self.status.get(node).and_then(|c| c.get(range.clone())),
        ) {
            score.copy_from_slice(kept_score);
            status.copy_from_slice(kept_status);
        }
        for (row, e) in self.failures.get(node).into_iter().flatten() {
            if range.contains(row) {
                rows.stop(*row - env.start, *row, e);
            }
        }
    }
}

/// The leaves' columns (the groups' left empty).
fn leaf_columns<T>(ruleset: &Ruleset, columns: Vec<Vec<T>>) -> Vec<Vec<T>> {
    columns
        .into_iter()
        .zip(&ruleset.nodes)
        .map(|(column, node)| match node.kind {
            NodeKind::Leaf { .. } => column,
            NodeKind::Group { .. } => Vec::new(),
        })
        .collect()
}

/// Scores the leaves of one part, chunk by chunk, in scoring order, recording the rows each
/// one stops in `failures`.
fn capture_part(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    part: &mut Part<'_>,
    rank_refs: &RankRefs,
    placement: &Placement,
    failures: &mut [Vec<(usize, RecordError)>],
) {
    each_chunk(ruleset, batch, part, |env, rows, out| {
        // Substitutions run again in every sample: their errors are not a leaf's.
        rows.errors.clear();
        for index in (0..ruleset.nodes.len()).rev() {
            score_leaf_node(ruleset, env, index, rows, out, rank_refs, placement);
            if let Some(kept) = failures.get_mut(index) {
                kept.append(&mut rows.errors);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use crate::batch::Batch;
    use crate::record::Record;
    use crate::ruleset::Ruleset;
    use crate::score::Scores;

    /// Mean, geometric mean and minimum groups, a deduction group, an equivalence, a veto,
    /// quotas, leaves that stop a row when their value is missing (`balance.c`), and a group
    /// that stops a row when its children with data carry less than half its weight (`perf`):
    /// which rows it stops depends on the weights, and it comes after `balance` in the tree, so
    /// in scoring order it may stop a row before `balance.c` does.
    const RULES: &str = r#"
[ruleset]
id = "w"
name = "w"
version = "1"
scale = 100
aggregate = "mean"
missing = "error"
[[input]]
name = "a"
type = "number"
[[input]]
name = "b"
type = "number"
[[input]]
name = "c"
type = "number"
[[input]]
name = "d"
type = "number"
[[input]]
name = "e1"
type = "count"
[[input]]
name = "archive"
type = "boolean"
[[input]]
name = "updated"
type = "boolean"
[[input]]
name = "bad"
type = "boolean"
required = true
[[indicator]]
id = "balance"
name = "balance"
aggregate = "geomean"
[[indicator]]
id = "balance.c"
name = "C"
scorer = { type = "goalposts", value = "c", lo = 0, hi = 100 }
[[indicator]]
id = "balance.d"
name = "D"
weight = 2
missing = "reweight"
scorer = { type = "normalise", value = "d", method = "minmax", lo = 1, hi = 100 }
[[indicator]]
id = "perf"
name = "perf"
weight = 2
aggregate = "mean"
min_coverage = 0.5
[[indicator]]
id = "perf.a"
name = "A"
weight = 3
missing = "reweight"
scorer = { type = "normalise", value = "a", method = "zscore" }
[[indicator]]
id = "perf.b"
name = "B"
missing = "reweight"
scorer = { type = "normalise", value = "b", method = "minmax", direction = "lower" }
[[indicator]]
id = "floor"
name = "floor"
aggregate = "min"
missing = "zero"
[[indicator]]
id = "floor.a"
name = "A"
scorer = { type = "goalposts", value = "a", lo = 0, hi = 100 }
[[indicator]]
id = "floor.c"
name = "C"
scorer = { type = "goalposts", value = "c", lo = 0, hi = 100 }
[[indicator]]
id = "discipline"
name = "discipline"
aggregate = "deduction"
[[indicator]]
id = "discipline.e1"
name = "E1"
points = 30
scorer = { type = "per_occurrence", count = "e1", per = 10 }
[[indicator]]
id = "records"
name = "records"
scorer = { type = "clause", when = "archive" }
[[equivalence]]
input = "archive"
when = "archive and not updated"
value = "false"
reason = "stale"
[[grade]]
name = "good"
min = 60
[[grade]]
name = "rest"
min = 0
[[veto]]
id = "bad"
when = "bad"
effect = "zero"
reason = "veto"
[[quota]]
name = "top"
top = 0.3
[[quota]]
name = "rest"
top = 1.0
"#;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
        fn maybe(&mut self, missing: f64) -> Option<f64> {
            (self.unit() >= missing).then(|| (self.unit() * 100.0).round())
        }
    }

    fn records(n: usize) -> Vec<Record> {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        (0..n)
            .map(|i| {
                let mut r = Record::new().with("id", format!("U{i}").as_str());
                for (name, missing) in [("a", 0.3), ("b", 0.3), ("c", 0.05), ("d", 0.2)] {
                    if let Some(v) = rng.maybe(missing) {
                        r = r.with(name, v);
                    }
                }
                r = r.with("e1", (rng.next() % 4) as f64);
                r = r.with("archive", rng.unit() < 0.8);
                r = r.with("updated", rng.unit() < 0.8);
                if rng.unit() > 0.01 {
                    // Now and then `bad` is absent: a required input, the row's error.
                    r = r.with("bad", rng.unit() < 0.05);
                }
                r
            })
            .collect()
    }

    /// Every number, status, place and error of the two tables, bit for bit.
    fn assert_same(s: &Scores, t: &Scores, what: &str) {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(s.totals()), bits(t.totals()), "{what}: totals");
        assert_eq!(bits(s.base_scores()), bits(t.base_scores()), "{what}");
        assert_eq!(bits(s.bonus_scores()), bits(t.bonus_scores()), "{what}");
        assert_eq!(s.grades(), t.grades(), "{what}: grades");
        assert_eq!(s.ranks(), t.ranks(), "{what}: ranks");
        assert_eq!(bits(s.percentiles()), bits(t.percentiles()), "{what}");
        assert_eq!(s.tiers(), t.tiers(), "{what}: tiers");
        assert_eq!(s.alert_levels(), t.alert_levels(), "{what}");
        let mut i = 0;
        while let (Some(x), Some(y)) = (s.indicator_scores(i), t.indicator_scores(i)) {
            assert_eq!(bits(x), bits(y), "{what}: node {i}");
            assert_eq!(
                s.indicator_statuses(i),
                t.indicator_statuses(i),
                "{what}: {i}"
            );
            i += 1;
        }
        let errors = |s: &Scores| {
            s.errors()
                .map(|(row, e)| (row, e.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(errors(s), errors(t), "{what}: errors");
        for row in 0..s.len() {
            assert_eq!(s.is_vetoed(row), t.is_vetoed(row), "{what}: veto {row}");
        }
    }

    #[test]
    fn rescoring_with_kept_leaves_equals_scoring_under_the_new_weights() {
        let ruleset = Ruleset::from_toml(RULES).unwrap();
        // Three chunks, the last one short.
        let records = records(2 * crate::score::CHUNK + 300);
        let batch = Batch::from_records(&ruleset, &records);
        let mut table = ruleset.score_on_threads(&batch, 1);
        let kept = ruleset.keep_leaves(&batch, &table);
        let mut rng = Rng(7);
        let mut perturbed = ruleset.clone();
        let mut coverage_failures = Vec::new();
        for sample in 0..12 {
            for (node, base) in perturbed.nodes.iter_mut().zip(&ruleset.nodes) {
                // Wide noise, so that `perf`'s coverage, and the rows it stops, change.
                node.weight = base.weight * (0.1 + 1.8 * rng.unit());
            }
            perturbed.rescore_other_weights(&batch, &mut table, &kept);
            let full = perturbed.score_on_threads(&batch, 1);
            assert_same(&table, &full, &format!("sample {sample}"));
            coverage_failures.push(
                full.errors()
                    .filter(|(_, e)| e.path.as_deref() == Some("perf"))
                    .count(),
            );
        }
        // The check covered what it is about: rows stopped by a leaf, by a group, and by a
        // group in some samples only.
        let full = perturbed.score_on_threads(&batch, 1);
        assert!(full
            .errors()
            .any(|(_, e)| e.path.as_deref() == Some("balance.c")));
        assert!(full
            .errors()
            .any(|(_, e)| e.code == "record.missing_required"));
        assert!(
            coverage_failures.iter().any(|&n| n > 0),
            "{coverage_failures:?}"
        );
        assert!(
            coverage_failures.windows(2).any(|w| w[0] != w[1]),
            "{coverage_failures:?}"
        );
        // `perf` is scored (in reverse order) before `balance.c`.
        let at = |path: &str| ruleset.nodes.iter().position(|n| n.path == path).unwrap();
        assert!(at("perf") > at("balance.c"));
    }
}
