//! Scoring a batch into a [`Scores`] table, column by column.
//!
//! Rows are scored in chunks of [`CHUNK`] so that a chunk's columns stay in cache: first the
//! equivalences substitute inputs, then every node of the tree is scored bottom-up (children are
//! stored after their parents, so one pass in reverse order scores the whole tree), then the
//! bonus, vetoes, grade bands and alerts; last, each row is placed in its cohort. No sentence is
//! written here: [`crate::explain`] renders an [`crate::Evaluation`] from one row of the table
//! when someone asks.

mod chunk;
mod kept;
pub(crate) mod leaf;
mod plan;
pub(crate) mod tree;

pub(crate) use chunk::{Env, Rows};
pub(crate) use plan::Plan;

use crate::batch::Batch;
use crate::cohort::{self, Cohort, CohortError, Groups, RankRefs};
use crate::error::RecordError;
use crate::evaluation::Status;
use crate::ruleset::Ruleset;
use kept::KeptLeaves;
use std::collections::BTreeMap;
use std::sync::Arc;
use tree::LeafPass;

/// Rows scored together: small enough that a chunk's columns stay in cache.
pub(crate) const CHUNK: usize = 2048;

/// Batches at least this large are split over the available cores.
const PARALLEL_ROWS: usize = 16 * CHUNK;

/// No grade band applies.
pub const NO_GRADE: u32 = u32::MAX;

/// Per-row sets of small integers (vetoes or alerts that fired), one bit each.
#[derive(Clone, Debug, Default)]
pub(crate) struct Bits {
    pub words: usize,
    pub data: Vec<u64>,
}

impl Bits {
    fn new(rows: usize, items: usize) -> Bits {
        let words = items.div_ceil(64);
        Bits {
            words,
            data: vec![0; rows * words],
        }
    }

    pub(crate) fn get(&self, row: usize, item: usize) -> bool {
        self.data
            .get(row * self.words + item / 64)
            .is_some_and(|w| w >> (item % 64) & 1 == 1)
    }

    /// The items set at `row`, in order.
    pub(crate) fn items(&self, row: usize) -> impl Iterator<Item = usize> + '_ {
        let words = self
            .data
            .get(row * self.words..(row + 1) * self.words)
            .unwrap_or(&[]);
        words.iter().enumerate().flat_map(|(w, &bits)| {
            (0..64)
                .filter(move |b| bits >> b & 1 == 1)
                .map(move |b| w * 64 + b)
        })
    }
}

pub(crate) fn set_bit(words: &mut [u64], per_row: usize, row: usize, item: usize) {
    if let Some(w) = words.get_mut(row * per_row + item / 64) {
        *w |= 1 << (item % 64);
    }
}

/// How the rows of a table were placed in a cohort.
#[derive(Clone, Debug)]
pub(crate) enum Placement {
    /// The batch is one cohort.
    Batch,
    /// One cohort per group.
    Groups(Arc<Groups>),
    /// Against a fitted reference cohort.
    Reference,
    /// Not placed (one record scored alone).
    Alone,
}

/// A columnar score table: one row per batch row, one score and status column per indicator,
/// the totals, grades, vetoes, alerts and cohort places. Numbers only: the audit trail of a row
/// is written on demand by [`Ruleset::explain`].
#[derive(Clone, Debug)]
pub struct Scores {
    pub(crate) len: usize,
    /// Per node (the root first, then [`Ruleset::indicator_paths`] order).
    pub(crate) node_score: Vec<Vec<f64>>,
    pub(crate) node_status: Vec<Vec<Status>>,
    pub(crate) total: Vec<f64>,
    pub(crate) base: Vec<f64>,
    pub(crate) bonus: Vec<f64>,
    /// Bonus earned before the ruleset-wide cap.
    pub(crate) earned: Vec<f64>,
    pub(crate) bonus_denied: Vec<bool>,
    pub(crate) grade: Vec<u32>,
    pub(crate) vetoes: Bits,
    pub(crate) vetoes_unchecked: Bits,
    pub(crate) alerts: Bits,
    /// The most severe level among the alerts raised, or [`NO_ALERT`].
    pub(crate) alert_level: Vec<u8>,
    pub(crate) failed: Vec<bool>,
    pub(crate) errors: BTreeMap<usize, RecordError>,
    pub(crate) rank: Vec<u32>,
    pub(crate) of: Vec<u32>,
    pub(crate) percentile: Vec<f64>,
    pub(crate) tier: Vec<u32>,
    pub(crate) placement: Placement,
    pub(crate) rank_refs: Arc<RankRefs>,
    /// Per `normalise` leaf that imputes or treats outliers (node index): the
    /// `TREATED_*` flags of each row.
    pub(crate) treat_flags: Vec<(usize, Vec<u8>)>,
}

/// No quota tier.
pub const NO_TIER: u32 = u32::MAX;

/// No alert raised.
pub const NO_ALERT: u8 = u8::MAX;

impl Scores {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Totals (tree score plus credited bonus, after vetoes); `NaN` for rows with an error.
    pub fn totals(&self) -> &[f64] {
        &self.total
    }

    /// Scores of the indicator tree (before the bonus); `NaN` for rows with an error.
    pub fn base_scores(&self) -> &[f64] {
        &self.base
    }

    /// Bonus credited after the ruleset-wide cap; `NaN` for rows with an error.
    pub fn bonus_scores(&self) -> &[f64] {
        &self.bonus
    }

    /// Grade of each row as an index into [`Ruleset::grades`] (best first), or [`NO_GRADE`].
    pub fn grades(&self) -> &[u32] {
        &self.grade
    }

    /// The grade index of one row.
    pub fn grade(&self, row: usize) -> Option<usize> {
        self.grade
            .get(row)
            .filter(|&&g| g != NO_GRADE)
            .map(|&g| g as usize)
    }

    /// Points of indicator `i` (an index into [`Ruleset::indicator_paths`]); `NaN` for rows
    /// with an error.
    pub fn indicator_scores(&self, i: usize) -> Option<&[f64]> {
        self.node_score.get(i + 1).map(Vec::as_slice)
    }

    /// How indicator `i` was scored, per row ([`Status::Missing`] for rows with an error).
    pub fn indicator_statuses(&self, i: usize) -> Option<&[Status]> {
        self.node_status.get(i + 1).map(Vec::as_slice)
    }

    /// What imputation and outlier treatment did to the value indicator `i` (an index into
    /// [`Ruleset::indicator_paths`]) was scored on, per row: a set of bits,
    /// [`TREATED_IMPUTED`](crate::TREATED_IMPUTED), [`TREATED_WINSORISED_HIGH`](crate::TREATED_WINSORISED_HIGH),
    /// [`TREATED_WINSORISED_LOW`](crate::TREATED_WINSORISED_LOW) and [`TREATED_LOG`](crate::TREATED_LOG);
    /// 0 where nothing was done or the indicator was not scored by its rule. `None` for an
    /// indicator that neither imputes nor treats outliers.
    pub fn treatment_flags(&self, i: usize) -> Option<&[u8]> {
        self.treat_flags
            .iter()
            .find(|(node, _)| *node == i + 1)
            .map(|(_, f)| f.as_slice())
    }

    /// Whether a row was scored (it has no error).
    pub fn is_scored(&self, row: usize) -> bool {
        !self.failed.get(row).copied().unwrap_or(true)
    }

    /// The error of a row that could not be scored.
    pub fn error(&self, row: usize) -> Option<&RecordError> {
        self.errors.get(&row)
    }

    /// Every error, by row.
    pub fn errors(&self) -> impl Iterator<Item = (usize, &RecordError)> {
        self.errors.iter().map(|(&r, e)| (r, e))
    }

    /// Indexes (into the ruleset's vetoes, in declaration order) of the vetoes that fired.
    pub fn vetoes(&self, row: usize) -> impl Iterator<Item = usize> + '_ {
        self.vetoes.items(row)
    }

    /// Indexes (into the ruleset's alerts) of the early warnings raised.
    pub fn alerts(&self, row: usize) -> impl Iterator<Item = usize> + '_ {
        self.alerts.items(row)
    }

    /// The most severe level of the alerts each row raised, as an index into
    /// [`crate::ALERT_LEVELS`] (0 = red), or [`NO_ALERT`].
    pub fn alert_levels(&self) -> &[u8] {
        &self.alert_level
    }

    /// Whether a veto fired at `row`.
    pub fn is_vetoed(&self, row: usize) -> bool {
        self.vetoes.items(row).next().is_some()
    }

    /// Cohort rank per row (1 = best; ties share the better rank), 0 when not placed.
    pub fn ranks(&self) -> &[u32] {
        &self.rank
    }

    /// Size of each row's cohort (0 when not placed).
    pub fn cohort_sizes(&self) -> &[u32] {
        &self.of
    }

    /// Percentile per row, `100 × (of − rank + 1) / of`; `NaN` when not placed.
    pub fn percentiles(&self) -> &[f64] {
        &self.percentile
    }

    /// Quota tier per row as an index into the ruleset's quotas, or [`NO_TIER`].
    pub fn tiers(&self) -> &[u32] {
        &self.tier
    }

    /// Takes the indicator score columns out of the table (in [`Ruleset::indicator_paths`]
    /// order), leaving it without them; for bindings that hand the buffers over without copying.
    pub fn take_indicator_scores(&mut self) -> Vec<Vec<f64>> {
        self.node_score.drain(1..).collect()
    }

    /// Takes the status columns out like [`Scores::take_indicator_scores`].
    pub fn take_indicator_statuses(&mut self) -> Vec<Vec<Status>> {
        self.node_status.drain(1..).collect()
    }

    /// Takes the treatment flags out of the table: per indicator that imputes or treats
    /// outliers (an index into [`Ruleset::indicator_paths`]), the column of
    /// [`Scores::treatment_flags`].
    pub fn take_treatment_flags(&mut self) -> Vec<(usize, Vec<u8>)> {
        std::mem::take(&mut self.treat_flags)
            .into_iter()
            .filter_map(|(node, flags)| Some((node.checked_sub(1)?, flags)))
            .collect()
    }

    /// Takes the totals, base scores and bonus scores out of the table.
    pub fn take_totals(&mut self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (
            std::mem::take(&mut self.total),
            std::mem::take(&mut self.base),
            std::mem::take(&mut self.bonus),
        )
    }
}

/// `v` as `len` copies of `value`, in the memory it already has.
fn refill<T: Clone>(mut v: Vec<T>, len: usize, value: T) -> Vec<T> {
    v.clear();
    v.resize(len, value);
    v
}

impl Scores {
    fn empty() -> Scores {
        Scores {
            len: 0,
            node_score: Vec::new(),
            node_status: Vec::new(),
            total: Vec::new(),
            base: Vec::new(),
            bonus: Vec::new(),
            earned: Vec::new(),
            bonus_denied: Vec::new(),
            grade: Vec::new(),
            vetoes: Bits::default(),
            vetoes_unchecked: Bits::default(),
            alerts: Bits::default(),
            alert_level: Vec::new(),
            failed: Vec::new(),
            errors: BTreeMap::new(),
            rank: Vec::new(),
            of: Vec::new(),
            percentile: Vec::new(),
            tier: Vec::new(),
            placement: Placement::Alone,
            rank_refs: Arc::new(RankRefs::default()),
            treat_flags: Vec::new(),
        }
    }

    /// A new table for `batch`, before scoring.
    fn fresh(
        ruleset: &Ruleset,
        batch: &Batch<'_>,
        placement: Placement,
        rank_refs: Arc<RankRefs>,
    ) -> Scores {
        let len = batch.len();
        let nodes = ruleset.nodes.len();
        Scores {
            len,
            // One allocation per column: `vec![column; nodes]` would clone the first column,
            // writing every page of the table once more before the kernels write it.
            node_score: (0..nodes).map(|_| vec![0.0; len]).collect(),
            node_status: (0..nodes).map(|_| vec![Status::Scored; len]).collect(),
            total: vec![f64::NAN; len],
            base: vec![f64::NAN; len],
            bonus: vec![f64::NAN; len],
            earned: vec![0.0; len],
            bonus_denied: vec![false; len],
            grade: vec![NO_GRADE; len],
            vetoes: Bits::new(len, ruleset.vetoes.len()),
            vetoes_unchecked: Bits::new(len, ruleset.vetoes.len()),
            alerts: Bits::new(len, ruleset.alerts.len()),
            alert_level: vec![NO_ALERT; len],
            failed: batch.failed.clone(),
            errors: batch.errors.clone(),
            rank: vec![0; len],
            of: vec![0; len],
            percentile: vec![f64::NAN; len],
            tier: vec![NO_TIER; len],
            placement,
            rank_refs,
            treat_flags: Vec::new(),
        }
    }

    /// This table's memory made ready for `batch`, as [`Scores::fresh`] would be.
    fn reset(
        self,
        ruleset: &Ruleset,
        batch: &Batch<'_>,
        placement: Placement,
        rank_refs: Arc<RankRefs>,
    ) -> Scores {
        let len = batch.len();
        let nodes = ruleset.nodes.len();
        let mut node_score = self.node_score;
        node_score.resize_with(nodes, Vec::new);
        let mut node_status = self.node_status;
        node_status.resize_with(nodes, Vec::new);
        let bits = |b: Bits, items: usize| {
            let words = items.div_ceil(64);
            Bits {
                words,
                data: refill(b.data, len * words, 0),
            }
        };
        let mut failed = self.failed;
        failed.clear();
        failed.extend_from_slice(&batch.failed);
        Scores {
            len,
            // The kernels write every row of every indicator column that is still being
            // scored, and rows with an error are overwritten at the end: what the columns held
            // before cannot show, so they are only made the right length, not filled again.
            node_score: node_score
                .into_iter()
                .map(|mut c| {
                    c.resize(len, 0.0);
                    c
                })
                .collect(),
            node_status: node_status
                .into_iter()
                .map(|mut c| {
                    c.resize(len, Status::Scored);
                    c
                })
                .collect(),
            total: refill(self.total, len, f64::NAN),
            base: refill(self.base, len, f64::NAN),
            bonus: refill(self.bonus, len, f64::NAN),
            earned: refill(self.earned, len, 0.0),
            bonus_denied: refill(self.bonus_denied, len, false),
            grade: refill(self.grade, len, NO_GRADE),
            vetoes: bits(self.vetoes, ruleset.vetoes.len()),
            vetoes_unchecked: bits(self.vetoes_unchecked, ruleset.vetoes.len()),
            alerts: bits(self.alerts, ruleset.alerts.len()),
            alert_level: refill(self.alert_level, len, NO_ALERT),
            failed,
            errors: batch.errors.clone(),
            rank: refill(self.rank, len, 0),
            of: refill(self.of, len, 0),
            percentile: refill(self.percentile, len, f64::NAN),
            tier: refill(self.tier, len, NO_TIER),
            placement,
            rank_refs,
            treat_flags: Vec::new(),
        }
    }
}

/// Where the cohort-dependent rules get their cohort.
pub(crate) enum Source<'c> {
    Batch,
    Groups(Arc<Groups>),
    Reference(&'c Cohort),
    Alone,
}

impl Ruleset {
    /// Scores a batch into a table; the batch is one cohort (ranks, percentiles, quota tiers and
    /// `rank` scorers are computed over its valid rows).
    pub fn score(&self, batch: &Batch<'_>) -> Scores {
        self.score_with(batch, Source::Batch)
    }

    /// Scores a batch with one cohort per group (a year, a district, a sector): ranks,
    /// percentiles, tiers and `rank` scorers are computed within each group, exactly as if each
    /// group were scored alone.
    pub fn score_by(&self, batch: &Batch<'_>, groups: &Groups) -> Result<Scores, CohortError> {
        if groups.len() != batch.len() {
            return Err(CohortError::new(format!(
                "the groups cover {} rows but the batch has {}",
                groups.len(),
                batch.len()
            )));
        }
        Ok(self.score_with(batch, Source::Groups(Arc::new(groups.clone()))))
    }

    /// Scores a batch against a fitted reference cohort (see [`Ruleset::fit`]): each row is
    /// ranked among the reference's units, and `rank` scorers use the reference's values.
    pub fn score_against(&self, batch: &Batch<'_>, cohort: &Cohort) -> Result<Scores, CohortError> {
        cohort.check_fits(self)?;
        Ok(self.score_with(batch, Source::Reference(cohort)))
    }

    /// Fits a reference cohort on a batch: the statistics every cohort-dependent rule needs.
    pub fn fit(&self, batch: &Batch<'_>) -> Cohort {
        let scores = self.score(batch);
        Cohort::from_scores(self, batch, &scores)
    }

    /// Like [`Ruleset::score`] on at most `threads` threads (1: on the calling thread only), for
    /// services that manage their own threads and for benchmarks. The result does not depend on
    /// the thread count.
    pub fn score_on_threads(&self, batch: &Batch<'_>, threads: usize) -> Scores {
        self.score_full(batch, Source::Batch, threads)
    }

    pub(crate) fn score_with(&self, batch: &Batch<'_>, source: Source<'_>) -> Scores {
        self.score_full(batch, source, usize::MAX)
    }

    /// Like [`Ruleset::score_on_threads`], writing into `table` and reusing its memory: for a
    /// service or an analysis that scores many batches of similar size (an index recomputed a
    /// thousand times) without asking the operating system for fresh pages on every call,
    /// which for a large table costs more than scoring it. The result is that of
    /// [`Ruleset::score_on_threads`]; whatever `table` held before is replaced.
    pub fn score_into(&self, batch: &Batch<'_>, threads: usize, table: &mut Scores) {
        let recycled = std::mem::replace(table, Scores::empty());
        *table = self.score_in(batch, Source::Batch, threads, Some(recycled));
    }

    /// The leaves of this batch's scoring in `table` (one cohort), kept for
    /// [`Ruleset::rescore_other_weights`].
    pub(crate) fn keep_leaves(&self, batch: &Batch<'_>, table: &Scores) -> KeptLeaves {
        let scratch = Scores::fresh(
            self,
            batch,
            table.placement.clone(),
            Arc::clone(&table.rank_refs),
        );
        KeptLeaves::capture(self, batch, scratch)
    }

    /// Scores the batch (one cohort, one thread) again into `table`, which holds this batch's
    /// scores under a ruleset that differs from this one in the weights of group children
    /// only: the leaves are copied from `kept` ([`Ruleset::keep_leaves`], of either ruleset)
    /// rather than scored, and the cohort's statistics kept rather than gathered again, and
    /// the groups above them aggregated — for an analysis that re-scores the batch under other
    /// weights a thousand times. The result is that of [`Ruleset::score_into`].
    pub(crate) fn rescore_other_weights(
        &self,
        batch: &Batch<'_>,
        table: &mut Scores,
        kept: &KeptLeaves,
    ) {
        let mut recycled = std::mem::replace(table, Scores::empty());
        let rank_refs = Arc::clone(&recycled.rank_refs);
        // The same inputs and cohort: the same treatment of every value.
        let flags = std::mem::take(&mut recycled.treat_flags);
        let mut s = recycled.reset(self, batch, Placement::Batch, rank_refs);
        self.score_rows(batch, &mut s, 1, &LeafPass::Kept(kept));
        cohort::place_in_batch(self, &mut s, None);
        s.treat_flags = flags;
        *table = s;
    }

    fn score_full(&self, batch: &Batch<'_>, source: Source<'_>, threads: usize) -> Scores {
        self.score_in(batch, source, threads, None)
    }

    fn score_in(
        &self,
        batch: &Batch<'_>,
        source: Source<'_>,
        threads: usize,
        recycled: Option<Scores>,
    ) -> Scores {
        let (rank_refs, placement) = match &source {
            Source::Batch => (
                cohort::rank_refs_of_batch(self, batch, None),
                Placement::Batch,
            ),
            Source::Groups(g) => (
                cohort::rank_refs_of_batch(self, batch, Some(g)),
                Placement::Groups(Arc::clone(g)),
            ),
            Source::Reference(c) => (c.rank_refs(self), Placement::Reference),
            Source::Alone => (
                cohort::rank_refs_of_batch(self, batch, None),
                Placement::Alone,
            ),
        };
        let rank_refs = Arc::new(rank_refs);
        let mut s = match recycled {
            Some(old) => old.reset(self, batch, placement, rank_refs),
            None => Scores::fresh(self, batch, placement, rank_refs),
        };
        self.score_rows(batch, &mut s, threads, &LeafPass::Score);
        s.treat_flags = cohort::treatment_flags(self, batch, &s);
        match source {
            Source::Batch => cohort::place_in_batch(self, &mut s, None),
            Source::Groups(g) => cohort::place_in_batch(self, &mut s, Some(&g)),
            Source::Reference(c) => cohort::place_against(self, &mut s, c),
            Source::Alone => {}
        }
        s
    }

    /// Scores every chunk, on several threads for a large batch; each thread writes its own
    /// rows of the table, so the result does not depend on the thread count.
    fn score_rows(&self, batch: &Batch<'_>, s: &mut Scores, most: usize, leaves: &LeafPass<'_>) {
        let len = s.len;
        // (Asking for the core count reads cgroup files, so small batches do not ask.)
        let threads = if len < PARALLEL_ROWS || most <= 1 {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(most))
        };
        // Parts are whole chunks, so chunk boundaries (and results) never depend on threads.
        let chunks = len.div_ceil(CHUNK);
        let per = chunks.div_ceil(threads.max(1)).max(1) * CHUNK;
        let bounds: Vec<(usize, usize)> = (0..len)
            .step_by(per.max(1))
            .map(|a| (a, (a + per).min(len)))
            .collect();
        let rank_refs = Arc::clone(&s.rank_refs);
        let placement = s.placement.clone();
        let parts = chunk::split(s, &bounds);
        let errors: Vec<Vec<(usize, RecordError)>> = if parts.len() <= 1 {
            parts
                .into_iter()
                .map(|mut p| chunk::score_part(self, batch, &mut p, &rank_refs, &placement, leaves))
                .collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = parts
                    .into_iter()
                    .map(|mut p| {
                        let (rank_refs, placement) = (&rank_refs, &placement);
                        scope.spawn(move || {
                            chunk::score_part(self, batch, &mut p, rank_refs, placement, leaves)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .zip(&bounds)
                    .map(|(h, &(start, end))| {
                        // Scoring has no panicking code; if a worker died anyway its rows get
                        // errors rather than taking the batch down.
                        h.join().unwrap_or_else(|_| {
                            (start..end)
                                .map(|row| {
                                    let e = RecordError::new(
                                        "record.internal",
                                        "internal error while scoring",
                                    );
                                    (row, e.at_row(row, batch.id(row)))
                                })
                                .collect()
                        })
                    })
                    .collect()
            })
        };
        for (row, e) in errors.into_iter().flatten() {
            if let Some(f) = s.failed.get_mut(row) {
                *f = true;
            }
            s.errors.entry(row).or_insert(e);
        }
        for row in 0..len {
            if s.failed.get(row).copied().unwrap_or(false) {
                for v in [&mut s.total, &mut s.base, &mut s.bonus] {
                    if let Some(x) = v.get_mut(row) {
                        *x = f64::NAN;
                    }
                }
                // A row with an error has no indicator results (whatever was computed before
                // the error is not a result).
                for (scores, statuses) in s.node_score.iter_mut().zip(&mut s.node_status) {
                    if let (Some(x), Some(st)) = (scores.get_mut(row), statuses.get_mut(row)) {
                        (*x, *st) = (f64::NAN, Status::Missing);
                    }
                }
                if let Some(g) = s.grade.get_mut(row) {
                    *g = NO_GRADE;
                }
            }
        }
    }
}
