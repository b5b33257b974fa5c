//! The tree over a chunk: leaves by their kernels, groups from their children's columns, then
//! the bonus, vetoes, grade bands and alerts.

use super::chunk::{Env, Out, Rows};
use super::kept::KeptLeaves;
use super::leaf::Leaf;
use super::{set_bit, Placement, NO_ALERT, NO_GRADE};
use crate::cohort::RankRefs;
use crate::error::RecordError;
use crate::evaluation::Status;
use crate::explain::num;
use crate::expr::vector::VectorEval;
use crate::ruleset::{Aggregate, MissingPolicy, Node, NodeKind, Piece, Ruleset, VetoEffect};

/// Whether a node in `status` counts in its parent's score.
pub(crate) fn counted(node: &Node, status: Status) -> bool {
    match status {
        Status::Scored | Status::Zeroed => true,
        Status::NotApplicable => false,
        Status::Missing => node.missing == MissingPolicy::Zero,
    }
}

/// The state of a node that lacks data, by its missing-data policy; `what` (the missing data,
/// in words) is only written for the error.
pub(crate) fn missing_state(
    node: &Node,
    what: impl FnOnce() -> String,
    column: Option<&str>,
) -> Result<(f64, Status), RecordError> {
    match node.missing {
        MissingPolicy::Error => {
            let mut e = RecordError::new(
                "record.missing_input",
                format!(
                    "indicator `{}` ({}) cannot be scored: missing {}",
                    node.path,
                    node.name,
                    what()
                ),
            )
            .path(&node.path);
            if let Some(c) = column {
                e = e.column(c);
            }
            Err(e)
        }
        MissingPolicy::Zero | MissingPolicy::Reweight => Ok((0.0, Status::Missing)),
        MissingPolicy::NotApplicable => Ok((0.0, Status::NotApplicable)),
    }
}

/// `-0.0` → `0.0`: an empty float sum is `-0.0` in Rust, and a score of "-0" helps nobody.
pub(crate) fn plus_zero(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x
    }
}

/// Scores one chunk into its rows of the table.
pub(crate) fn score_chunk(
    ruleset: &Ruleset,
    env: &Env<'_>,
    rows: &mut Rows,
    out: &mut Out<'_, '_>,
    rank_refs: &RankRefs,
    placement: &Placement,
    leaves: &LeafPass<'_>,
) {
    for index in (0..ruleset.nodes.len()).rev() {
        let Some(node) = ruleset.nodes.get(index) else {
            continue;
        };
        match &node.kind {
            NodeKind::Leaf { .. } => match leaves {
                LeafPass::Score => {
                    score_leaf_node(ruleset, env, index, rows, out, rank_refs, placement);
                }
                LeafPass::Kept(kept) => kept.restore(index, env, rows, out),
            },
            NodeKind::Group {
                aggregate,
                children,
            } => score_group(ruleset, env, node, index, *aggregate, children, rows, out),
        }
    }
    finish(ruleset, env, rows, out);
}

/// How a chunk's leaves get their columns.
pub(crate) enum LeafPass<'k> {
    /// By their kernels.
    Score,
    /// Copied from a scoring of the same batch under other weights.
    Kept(&'k KeptLeaves),
}

/// Scores node `index` of the chunk if it is a leaf.
pub(crate) fn score_leaf_node(
    ruleset: &Ruleset,
    env: &Env<'_>,
    index: usize,
    rows: &mut Rows,
    out: &mut Out<'_, '_>,
    rank_refs: &RankRefs,
    placement: &Placement,
) {
    let Some(node) = ruleset.nodes.get(index) else {
        return;
    };
    let NodeKind::Leaf { scorer, inputs } = &node.kind else {
        return;
    };
    let start = env.start;
    let group = |i: usize| match placement {
        Placement::Groups(g) => g.group_of(start + i),
        _ => 0,
    };
    let leaf = Leaf {
        ruleset,
        env,
        node: index,
        path: &node.path,
        max: node.max,
        rank_refs,
        group: &group,
        grouped: matches!(placement, Placement::Groups(_)),
    };
    score_leaf(&leaf, node, scorer, inputs, rows, out);
}

fn score_leaf(
    leaf: &Leaf<'_, '_>,
    node: &Node,
    scorer: &crate::ruleset::Scorer,
    inputs: &[usize],
    rows: &mut Rows,
    out: &mut Out<'_, '_>,
) {
    let (env, n) = (leaf.env, leaf.env.n);
    let Some((score, status, _)) = out.split(leaf.node) else {
        return;
    };
    // Rows where `zero_when` decided (true or missing) are not scored by the rule.
    let zero = node.zero_when.as_ref().map(|(when, _)| {
        env.eval(leaf.ruleset, when, rows, &node.path)
            .bools(n)
            .into_owned()
    });
    let todo: Option<Vec<bool>> = zero.as_ref().map(|z| {
        z.iter()
            .zip(&rows.alive)
            .map(|(&z, &a)| a && z == 0)
            .collect()
    });
    leaf.score(scorer, todo.as_deref(), rows, score, status);
    if let Some(zero) = &zero {
        for ((s, st), &z) in score.iter_mut().zip(status.iter_mut()).zip(zero) {
            match z {
                0 => {}
                1 => (*s, *st) = (0.0, Status::Zeroed),
                _ => (*s, *st) = (0.0, Status::Missing),
            }
        }
    }
    // The missing-data policy, for the rows that lack data.
    if !matches!(node.missing, MissingPolicy::Zero | MissingPolicy::Reweight) && any_missing(status)
    {
        for (i, st) in status.iter_mut().enumerate() {
            if *st != Status::Missing || !rows.is_alive(i) {
                continue;
            }
            let missing = || {
                inputs
                    .iter()
                    .filter(|&&s| env.is_missing(s, i))
                    .filter_map(|&s| leaf.ruleset.inputs.get(s).map(|x| x.name.as_str()))
            };
            let state = missing_state(
                node,
                || {
                    let names: Vec<&str> = missing().collect();
                    if names.is_empty() {
                        "?".to_string()
                    } else {
                        names.join(", ")
                    }
                },
                missing().next(),
            );
            match state {
                Ok((_, s)) => *st = s,
                Err(e) => rows.fail(env.start, i, e),
            }
        }
    }
}

/// Whether every row of a status column is [`Status::Scored`] (the zero byte): an OR over
/// blocks, which the compiler vectorises, instead of a test per byte.
pub(crate) fn all_scored(status: &[Status]) -> bool {
    status
        .chunks(64)
        .all(|block| block.iter().fold(0u8, |any, &st| any | st as u8) == 0)
}

/// Whether some row of a status column is [`Status::Missing`], by blocks as [`all_scored`]
/// (`contains` tests byte by byte).
pub(crate) fn any_missing(status: &[Status]) -> bool {
    status.chunks(64).any(|block| {
        block
            .iter()
            .fold(false, |any, &st| any | (st == Status::Missing))
    })
}

/// What a group's children add up to at one row.
#[derive(Clone, Copy)]
pub(crate) struct Tally {
    pub considered: usize,
    pub counted: usize,
    pub any_missing: bool,
    pub all: f64,
    pub present: f64,
    pub raw: f64,
    pub lost: f64,
    /// Σ weight × share (for `mean`).
    pub weighted: f64,
    /// The lowest share of a weighted child (for `min`).
    pub lowest: f64,
}

impl Tally {
    pub(crate) fn new() -> Tally {
        Tally {
            considered: 0,
            counted: 0,
            any_missing: false,
            all: -0.0,
            present: -0.0,
            raw: -0.0,
            lost: -0.0,
            weighted: -0.0,
            lowest: 1.0,
        }
    }

    /// Adds one (non-bonus) child, in child order.
    #[inline]
    pub(crate) fn add(&mut self, child: &Node, by_weight: bool, score: f64, status: Status) {
        let key = if by_weight { child.weight } else { child.max };
        self.considered += 1;
        self.all += key;
        self.any_missing |= status == Status::Missing;
        if counted(child, status) {
            let share = if child.max > 0.0 {
                score / child.max
            } else {
                0.0
            };
            self.counted += 1;
            self.present += key;
            self.raw += score;
            self.lost += (child.max - score).max(0.0);
            self.weighted += child.weight * share;
            if child.weight > 0.0 {
                self.lowest = f64::min(self.lowest, share);
            }
        }
    }
}

/// Whether an aggregation weighs its children by weight (else by points).
pub(crate) fn by_weight(aggregate: Aggregate) -> bool {
    aggregate.weighted()
}

/// Whether a group takes the weighted geometric mean: `geomean`, and `power` with exponent 0
/// (the limit of the power mean as p → 0).
pub(crate) fn geometric(node: &Node, aggregate: Aggregate) -> bool {
    aggregate == Aggregate::Geomean || (aggregate == Aggregate::Power && node.exponent == 0.0)
}

/// One child's term of a power mean, Σ w·x^p: a zero weight adds nothing (0 · ∞ would be NaN
/// for a zero share under a negative exponent), the harmonic mean divides rather than raises.
/// A zero share under a negative exponent gives ∞, which makes the mean 0: as under `geomean`,
/// one child with nothing zeroes the group (the limit of the mean as that share → 0).
#[inline]
pub(crate) fn power_term(weight: f64, share: f64, exponent: f64) -> f64 {
    if weight <= 0.0 {
        0.0
    } else if exponent == -1.0 {
        weight / share
    } else {
        weight * libm::pow(share, exponent)
    }
}

/// A power mean's points from Σ w·x^p (`acc`) and Σ w (`present`): M · (acc / present)^(1/p).
#[inline]
pub(crate) fn power_mean(max: f64, acc: f64, present: f64, exponent: f64) -> f64 {
    if present <= 0.0 {
        0.0
    } else if exponent == -1.0 {
        max * present / acc
    } else {
        max * libm::pow(acc / present, 1.0 / exponent)
    }
}

/// Adds up a group's children at one row (`at(child)` gives its score and status).
pub(crate) fn tally(
    ruleset: &Ruleset,
    aggregate: Aggregate,
    children: &[usize],
    at: &dyn Fn(usize) -> (f64, Status),
) -> Tally {
    let weighted = by_weight(aggregate);
    let mut t = Tally::new();
    for &c in children {
        let Some(child) = ruleset.nodes.get(c) else {
            continue;
        };
        if !child.bonus {
            let (score, status) = at(c);
            t.add(child, weighted, score, status);
        }
    }
    t
}

/// A group's score from its children at one row, before `zero_when`; `Err` for an early
/// decision (no counted child, coverage too low). `at` is read only for the geometric,
/// harmonic and power means.
pub(crate) fn group_score(
    ruleset: &Ruleset,
    node: &Node,
    aggregate: Aggregate,
    children: &[usize],
    t: &Tally,
    at: &dyn Fn(usize) -> (f64, Status),
) -> Result<f64, Early> {
    if t.considered == 0 {
        return Err(Early::BonusOnly);
    }
    if t.counted == 0 {
        return Err(if t.any_missing {
            Early::AllMissing
        } else {
            Early::NotApplicable
        });
    }
    if let Some(min) = node.min_coverage {
        let coverage = if t.all > 0.0 { t.present / t.all } else { 0.0 };
        if coverage < min {
            return Err(Early::Coverage(coverage, min));
        }
    }
    let present = t.present;
    let left_out = t.considered - t.counted;
    // The counted children's shares and weights, in child order.
    let counted_shares = || {
        children.iter().filter_map(|&c| {
            let child = ruleset.nodes.get(c)?;
            let (score, status) = at(c);
            (!child.bonus && counted(child, status)).then(|| {
                let share = if child.max > 0.0 {
                    score / child.max
                } else {
                    0.0
                };
                (share, child.weight)
            })
        })
    };
    let score = match aggregate {
        // Children left out (not applicable, missing under `reweight`) leave the denominator.
        Aggregate::Sum if left_out > 0 && present > 0.0 => t.raw * node.max / present,
        Aggregate::Sum => t.raw,
        Aggregate::Mean if present > 0.0 => node.max * t.weighted / present,
        _ if geometric(node, aggregate) && present > 0.0 => {
            node.max
                * counted_shares()
                    .map(|(share, weight)| libm::pow(share, weight / present))
                    .product::<f64>()
        }
        Aggregate::Harmonic | Aggregate::Power => {
            let acc = counted_shares().fold(-0.0, |acc, (share, weight)| {
                acc + power_term(weight, share, node.exponent)
            });
            power_mean(node.max, acc, present, node.exponent)
        }
        Aggregate::Mean | Aggregate::Geomean => 0.0,
        Aggregate::Min => node.max * t.lowest,
        Aggregate::Deduction => (node.max - t.lost).max(0.0),
    };
    Ok(if score.is_finite() {
        score.clamp(0.0, node.max)
    } else {
        0.0
    })
}

/// Why a group was decided before aggregating.
#[derive(Clone, Copy)]
pub(crate) enum Early {
    BonusOnly,
    AllMissing,
    NotApplicable,
    Coverage(f64, f64),
}

/// The state of a group decided before aggregating.
fn early_state(node: &Node, early: Early) -> Result<(f64, Status), RecordError> {
    match early {
        Early::BonusOnly => Ok((0.0, Status::Scored)),
        Early::NotApplicable => Ok((0.0, Status::NotApplicable)),
        Early::AllMissing => {
            missing_state(node, || "所有子项缺失 / every child missing".into(), None)
        }
        Early::Coverage(coverage, min) => missing_state(
            node,
            || {
                format!(
                    "数据覆盖率{}% < {}% / coverage below minimum",
                    num(coverage * 100.0),
                    num(min * 100.0)
                )
            },
            None,
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn score_group(
    ruleset: &Ruleset,
    env: &Env<'_>,
    node: &Node,
    index: usize,
    aggregate: Aggregate,
    children: &[usize],
    rows: &mut Rows,
    out: &mut Out<'_, '_>,
) {
    let n = env.n;
    let Some((scores, status, after)) = out.split(index) else {
        return;
    };
    let weighted = by_weight(aggregate);
    let members: Vec<&Node> = children
        .iter()
        .filter_map(|&c| ruleset.nodes.get(c))
        .collect();
    let considered = members.iter().filter(|c| !c.bonus).count();
    let simple = considered > 0 && node.min_coverage.is_none() && !geometric(node, aggregate);
    let exponent = node.exponent;
    if simple && node.zero_when.is_none() {
        let clean = children
            .iter()
            .zip(&members)
            .all(|(&c, child)| child.bonus || all_scored(after.status(c)));
        if clean {
            score_clean_group(node, aggregate, children, &members, &after, scores, status);
            return;
        }
        if matches!(aggregate, Aggregate::Sum | Aggregate::Mean) {
            let group = Group {
                node,
                aggregate,
                children,
                members: &members,
                considered,
            };
            score_linear_group(&group, env, &after, rows, scores, status);
            return;
        }
    }
    // Children column by column. The fields a row's tally needs depend on the aggregation;
    // the static ones (how many children, their total key) are the same for every row.
    let mut counted_n = vec![0u32; n];
    let mut any_missing = vec![false; n];
    let mut present = vec![-0.0_f64; n];
    let mut acc = vec![-0.0_f64; n];
    let mut lowest = vec![1.0_f64; n];
    let mut all = -0.0_f64;
    for (&c, child) in children.iter().zip(&members) {
        if child.bonus {
            continue;
        }
        let key = if weighted { child.weight } else { child.max };
        all += key;
        let (cs, cst) = (after.score(c), after.status(c));
        let (max, weight) = (child.max, child.weight);
        let share = |s: f64| if max > 0.0 { s / max } else { 0.0 };
        // A child scored at every row counts everywhere: its loop needs no status test.
        let clean = all_scored(cst);
        // One loop per aggregation, so the inner loop does only its own arithmetic.
        macro_rules! lanes {
            (|$s:ident, $a:ident, $low:ident| $add:expr) => {{
                if clean {
                    let lanes = counted_n
                        .iter_mut()
                        .zip(present.iter_mut())
                        .zip(acc.iter_mut())
                        .zip(lowest.iter_mut())
                        .zip(cs);
                    #[allow(unused_variables)]
                    for ((((k, p), $a), $low), &$s) in lanes {
                        *k += 1;
                        *p += key;
                        $add;
                    }
                } else {
                    let lanes = counted_n
                        .iter_mut()
                        .zip(any_missing.iter_mut())
                        .zip(present.iter_mut())
                        .zip(acc.iter_mut())
                        .zip(lowest.iter_mut())
                        .zip(cs.iter().zip(cst));
                    #[allow(unused_variables)]
                    for (((((k, m), p), $a), $low), (&$s, &st)) in lanes {
                        *m |= st == Status::Missing;
                        if counted(child, st) {
                            *k += 1;
                            *p += key;
                            $add;
                        }
                    }
                }
            }};
        }
        match aggregate {
            Aggregate::Sum => lanes!(|s, a, low| *a += s),
            Aggregate::Deduction => lanes!(|s, a, low| *a += (max - s).max(0.0)),
            Aggregate::Mean => lanes!(|s, a, low| *a += weight * share(s)),
            Aggregate::Min if weight > 0.0 => lanes!(|s, a, low| *low = f64::min(*low, share(s))),
            // (The geometric mean needs the total key first: it reads the children again.)
            _ if geometric(node, aggregate) => lanes!(|s, a, low| *a += 0.0),
            Aggregate::Harmonic | Aggregate::Power => {
                lanes!(|s, a, low| *a += power_term(weight, share(s), exponent))
            }
            Aggregate::Min | Aggregate::Geomean => lanes!(|s, a, low| *a += 0.0),
        }
    }
    let mut reached = vec![false; n];
    // The usual row: some child counted, coverage met, a linear aggregation.
    let max = node.max;
    for (i, ((((s, st), r), &k), (&p, &a))) in scores
        .iter_mut()
        .zip(status.iter_mut())
        .zip(reached.iter_mut())
        .zip(&counted_n)
        .zip(present.iter().zip(&acc))
        .enumerate()
    {
        if simple && k > 0 {
            let left_out = considered - k as usize;
            let score = match aggregate {
                Aggregate::Sum if left_out > 0 && p > 0.0 => a * max / p,
                Aggregate::Sum => a,
                Aggregate::Mean if p > 0.0 => max * a / p,
                Aggregate::Mean | Aggregate::Geomean => 0.0,
                Aggregate::Harmonic | Aggregate::Power => power_mean(max, a, p, exponent),
                Aggregate::Min => max * lowest.get(i).copied().unwrap_or(1.0),
                Aggregate::Deduction => (max - a).max(0.0),
            };
            let score = if score.is_finite() {
                score.clamp(0.0, max)
            } else {
                0.0
            };
            (*s, *st, *r) = (score, Status::Scored, true);
            continue;
        }
        if !rows.is_alive(i) {
            continue;
        }
        let at = |c: usize| {
            (
                after.score(c).get(i).copied().unwrap_or(0.0),
                after.status(c).get(i).copied().unwrap_or(Status::Missing),
            )
        };
        let t = Tally {
            considered,
            counted: k as usize,
            any_missing: any_missing.get(i).copied().unwrap_or(false),
            all,
            present: p,
            raw: a,
            lost: a,
            weighted: a,
            lowest: lowest.get(i).copied().unwrap_or(1.0),
        };
        let state = match group_score(ruleset, node, aggregate, children, &t, &at) {
            Ok(score) => {
                (*s, *st, *r) = (score, Status::Scored, true);
                continue;
            }
            Err(early) => early_state(node, early),
        };
        match state {
            Ok(state) => (*s, *st) = state,
            Err(e) => rows.fail(env.start, i, e),
        }
    }
    if let Some((when, _)) = &node.zero_when {
        let z = env
            .eval_in(ruleset, when, rows, Some(&reached), &node.path)
            .bools(n)
            .into_owned();
        for (i, ((s, st), (&z, &r))) in scores
            .iter_mut()
            .zip(status.iter_mut())
            .zip(z.iter().zip(&reached))
            .enumerate()
        {
            if !r || !rows.is_alive(i) {
                continue;
            }
            match z {
                0 => {}
                1 => (*s, *st) = (0.0, Status::Zeroed),
                _ => match missing_state(node, || "zero_when".into(), None) {
                    Ok(state) => (*s, *st) = state,
                    Err(e) => rows.fail(env.start, i, e),
                },
            }
        }
    }
}

/// A group and its children, as [`score_group`] found them.
struct Group<'g> {
    node: &'g Node,
    aggregate: Aggregate,
    children: &'g [usize],
    members: &'g [&'g Node],
    /// How many children are not bonus (at least one).
    considered: usize,
}

/// The running count, total key and sum of terms of a group's counted children, per row.
struct Lanes<'l> {
    counted: &'l mut [f64],
    present: &'l mut [f64],
    acc: &'l mut [f64],
}

impl Lanes<'_> {
    /// Adds a child: its key and `term(score)` at the rows where it counts (every row, or
    /// those whose status is at most the limit); `-0.0` elsewhere, which changes no sum.
    #[inline(always)]
    fn add(
        self,
        scores: &[f64],
        statuses: Option<(&[Status], u8)>,
        key: f64,
        term: impl Fn(f64) -> f64,
    ) {
        let lanes = self
            .counted
            .iter_mut()
            .zip(self.present.iter_mut())
            .zip(self.acc.iter_mut())
            .zip(scores);
        match statuses {
            None => {
                for (((k, p), a), &s) in lanes {
                    *k += 1.0;
                    *p += key;
                    *a += term(s);
                }
            }
            Some((statuses, limit)) => {
                // The choice as a mask of bits: written as a condition, the compiler makes
                // it a branch per row.
                let minus_zero = (-0.0_f64).to_bits();
                for ((((k, p), a), &s), &st) in lanes.zip(statuses) {
                    let counts = 0_u64.wrapping_sub(u64::from(st as u8 <= limit));
                    let pick = |x: f64| f64::from_bits(x.to_bits() & counts | minus_zero & !counts);
                    *k += f64::from_bits(1.0_f64.to_bits() & counts);
                    *p += pick(key);
                    *a += pick(term(s));
                }
            }
        }
    }
}

/// A sum or weighted mean without `zero_when` or minimum coverage, some child not scored at
/// some row: each child is one pass without a branch per row, adding its term where it counts
/// and `-0.0` (which leaves any sum's bits as they are) where it does not, so the compiler
/// vectorises it; the sums are those of the general path, bit for bit. The counts are kept
/// as floats (exact for any number of children) so that every lane is a double. The rare row
/// where no child counts is decided as the general path decides it.
fn score_linear_group(
    group: &Group<'_>,
    env: &Env<'_>,
    after: &super::chunk::After<'_>,
    rows: &mut Rows,
    scores: &mut [f64],
    status: &mut [Status],
) {
    let n = scores.len();
    let (node, max) = (group.node, group.node.max);
    let sum = group.aggregate == Aggregate::Sum;
    let mut counted_n = vec![0.0_f64; n];
    let mut present = vec![-0.0_f64; n];
    let mut acc = vec![-0.0_f64; n];
    for (&c, child) in group.children.iter().zip(group.members) {
        if child.bonus {
            continue;
        }
        let key = if sum { child.max } else { child.weight };
        let (cs, cst) = (after.score(c), after.status(c));
        let (cmax, weight) = (child.max, child.weight);
        // Statuses up to `limit` count (`counted`, as a comparison): scored, zeroed, and
        // missing where the child's policy counts a missing child as 0.
        let limit = if child.missing == MissingPolicy::Zero {
            Status::Missing as u8
        } else {
            Status::Zeroed as u8
        };
        let columns = Lanes {
            counted: &mut counted_n,
            present: &mut present,
            acc: &mut acc,
        };
        let statuses = (!all_scored(cst)).then_some((cst, limit));
        // One loop per kind of term, its constants hoisted, so that each vectorises.
        if sum {
            columns.add(cs, statuses, key, |s| s);
        } else if cmax > 0.0 {
            columns.add(cs, statuses, key, |s| weight * (s / cmax));
        } else {
            let zero = weight * 0.0;
            columns.add(cs, statuses, key, |_| zero);
        }
    }
    // Every row as if some child counted there (the rows where none did, rare, are decided
    // after; the others' states are overwritten when the row is failed).
    status.fill(Status::Scored);
    if sum {
        let considered = group.considered as f64;
        for ((s, &k), (&p, &a)) in scores
            .iter_mut()
            .zip(&counted_n)
            .zip(present.iter().zip(&acc))
        {
            let share = if k < considered && p > 0.0 {
                a * max / p
            } else {
                a
            };
            *s = within(share, max);
        }
    } else {
        for (s, (&p, &a)) in scores.iter_mut().zip(present.iter().zip(&acc)) {
            let mean = max * a / p;
            *s = within(if p > 0.0 { mean } else { 0.0 }, max);
        }
    }
    if counted_n.iter().fold(true, |all, &k| all & (k > 0.0)) {
        return;
    }
    // Rows where no child counts: all missing, or none applicable.
    for (i, ((s, st), &k)) in scores
        .iter_mut()
        .zip(status.iter_mut())
        .zip(&counted_n)
        .enumerate()
    {
        if k > 0.0 || !rows.is_alive(i) {
            continue;
        }
        let any_missing = group.children.iter().zip(group.members).any(|(&c, child)| {
            !child.bonus && after.status(c).get(i).copied() == Some(Status::Missing)
        });
        let early = if any_missing {
            Early::AllMissing
        } else {
            Early::NotApplicable
        };
        match early_state(node, early) {
            Ok(state) => (*s, *st) = state,
            Err(e) => rows.fail(env.start, i, e),
        }
    }
}

/// The usual chunk: every child scored at every row, a linear aggregation, no `zero_when`.
/// Each child is one tight loop over the chunk; the arithmetic (and its order) is that of the
/// general path, whose tally in this case counts every child at every row.
fn score_clean_group(
    node: &Node,
    aggregate: Aggregate,
    children: &[usize],
    members: &[&Node],
    after: &super::chunk::After<'_>,
    scores: &mut [f64],
    status: &mut [Status],
) {
    let weighted = by_weight(aggregate);
    let (max, exponent) = (node.max, node.exponent);
    let mut present = -0.0_f64;
    let mut acc = vec![
        if aggregate == Aggregate::Min {
            1.0
        } else {
            -0.0
        };
        scores.len()
    ];
    for (&c, child) in children.iter().zip(members) {
        if child.bonus {
            continue;
        }
        present += if weighted { child.weight } else { child.max };
        let (cs, cmax, weight) = (after.score(c), child.max, child.weight);
        let share = |s: f64| if cmax > 0.0 { s / cmax } else { 0.0 };
        let lanes = acc.iter_mut().zip(cs);
        match aggregate {
            Aggregate::Sum => lanes.for_each(|(a, &s)| *a += s),
            Aggregate::Deduction => lanes.for_each(|(a, &s)| *a += (cmax - s).max(0.0)),
            Aggregate::Mean => lanes.for_each(|(a, &s)| *a += weight * share(s)),
            Aggregate::Min if weight > 0.0 => lanes.for_each(|(a, &s)| *a = f64::min(*a, share(s))),
            Aggregate::Harmonic | Aggregate::Power => {
                lanes.for_each(|(a, &s)| *a += power_term(weight, share(s), exponent))
            }
            Aggregate::Min | Aggregate::Geomean => {}
        }
    }
    status.fill(Status::Scored);
    // The usual aggregations as a plain map each (a `match` per row stays in the loop).
    match aggregate {
        Aggregate::Sum => return points_within(scores, &acc, max, |a| a),
        Aggregate::Mean if present > 0.0 => {
            return points_within(scores, &acc, max, |a| max * a / present)
        }
        _ => {}
    }
    for (s, &a) in scores.iter_mut().zip(&acc) {
        let score = match aggregate {
            Aggregate::Sum => a,
            Aggregate::Mean if present > 0.0 => max * a / present,
            Aggregate::Mean | Aggregate::Geomean => 0.0,
            Aggregate::Harmonic | Aggregate::Power => power_mean(max, a, present, exponent),
            Aggregate::Min => max * a,
            Aggregate::Deduction => (max - a).max(0.0),
        };
        *s = if score.is_finite() {
            score.clamp(0.0, max)
        } else {
            0.0
        };
    }
}

/// A group's points within `[0, max]`, 0 where not finite (as the general path), without a
/// branch.
#[inline(always)]
fn within(score: f64, max: f64) -> f64 {
    // `f64::clamp`, spelt out: its check of the bounds would sit in the loop.
    let low = if score < 0.0 { 0.0 } else { score };
    let clamped = if low > max { max } else { low };
    // `is_finite` as a comparison of doubles (false for `NaN`), which vectorises.
    if score.abs() < f64::INFINITY {
        clamped
    } else {
        0.0
    }
}

/// `points(acc)` at every row, within `[0, max]` (0 where not finite), without a branch.
#[inline(always)]
fn points_within(scores: &mut [f64], acc: &[f64], max: f64, points: impl Fn(f64) -> f64) {
    for (s, &a) in scores.iter_mut().zip(acc) {
        *s = within(points(a), max);
    }
}

/// Root, bonus, vetoes, grade and alerts of a chunk.
fn finish(ruleset: &Ruleset, env: &Env<'_>, rows: &mut Rows, out: &mut Out<'_, '_>) {
    let n = env.n;
    let Some(root) = ruleset.nodes.first() else {
        return;
    };
    for i in 0..n {
        if rows.is_alive(i)
            && !counted(
                root,
                out.status(0).get(i).copied().unwrap_or(Status::Missing),
            )
        {
            rows.fail(
                env.start,
                i,
                RecordError::new(
                    "record.insufficient_data",
                    "no indicator could be scored: too much data is missing or not applicable",
                ),
            );
        }
    }
    // Bonus: top-level bonus nodes, each within its own points, then the ruleset-wide cap.
    let mut earned = vec![-0.0_f64; n];
    for &b in &ruleset.top_bonus {
        let Some(node) = ruleset.nodes.get(b) else {
            continue;
        };
        for ((e, &s), &st) in earned.iter_mut().zip(out.score(b)).zip(out.status(b)) {
            if counted(node, st) {
                *e += s;
            }
        }
    }
    let allowed: Option<Vec<u8>> = ruleset
        .bonus_when
        .as_ref()
        .map(|w| env.eval(ruleset, w, rows, "bonus").bools(n).into_owned());
    let cap = ruleset.meta.bonus_cap;
    let part = &mut *out.part;
    let off = out.off;
    for i in 0..n {
        if !rows.is_alive(i) {
            continue;
        }
        let e = earned.get(i).copied().unwrap_or(0.0);
        let ok = allowed
            .as_ref()
            .is_none_or(|a| a.get(i).copied() == Some(1));
        let credited = if ok { e.min(cap) } else { 0.0 };
        let base = part
            .score
            .first()
            .and_then(|c| c.get(off + i))
            .copied()
            .unwrap_or(0.0);
        let at = off + i;
        for (column, value) in [
            (&mut *part.total, plus_zero(base + credited)),
            (&mut *part.base, plus_zero(base)),
            (&mut *part.bonus, plus_zero(credited)),
            (&mut *part.earned, e),
        ] {
            if let Some(x) = column.get_mut(at) {
                *x = value;
            }
        }
        if let Some(d) = part.bonus_denied.get_mut(at) {
            *d = !ok;
        }
    }

    // Vetoes, in order: zero the total, force or cap the grade.
    let mut forced = vec![-1_i64; n];
    let mut capped = vec![-1_i64; n];
    for (k, veto) in ruleset.vetoes.iter().enumerate() {
        let path = ruleset
            .plan
            .veto_paths
            .get(k)
            .map_or("veto", String::as_str);
        let w = env
            .eval(ruleset, &veto.when, rows, path)
            .bools(n)
            .into_owned();
        let grade = veto.grade.map_or(-1, |g| g as i64);
        for (i, &w) in w.iter().enumerate() {
            if !rows.is_alive(i) {
                continue;
            }
            let at = off + i;
            match w {
                1 => {
                    set_bit(part.vetoes, part.veto_words, at, k);
                    match veto.effect {
                        VetoEffect::Zero => {
                            if let Some(t) = part.total.get_mut(at) {
                                *t = 0.0;
                            }
                        }
                        VetoEffect::Grade => {
                            if let Some(f) = forced.get_mut(i) {
                                *f = (*f).max(grade);
                            }
                        }
                        VetoEffect::CapGrade => {
                            if let Some(c) = capped.get_mut(i) {
                                *c = (*c).max(grade);
                            }
                        }
                    }
                }
                0 => {}
                _ => set_bit(part.vetoes_unchecked, part.veto_words, at, k),
            }
        }
    }

    // Grade bands, best first: the first whose minimum is met and whose condition holds (a
    // condition that faults does not hold).
    let mut grade = vec![NO_GRADE; n];
    for (g, band) in ruleset.grades.iter().enumerate() {
        let open: Vec<bool> = (0..n)
            .map(|i| {
                rows.is_alive(i)
                    && grade.get(i) == Some(&NO_GRADE)
                    && part.total.get(off + i).is_some_and(|&t| t >= band.min)
            })
            .collect();
        if !open.iter().any(|&o| o) {
            continue;
        }
        let holds: Vec<bool> = match &band.when {
            None => open,
            Some(when) => {
                let mut ev = VectorEval::new(env, n, when, &ruleset.plan.symbols);
                let v = ev.run(Some(&open)).bools(n).into_owned();
                let mut holds: Vec<bool> =
                    open.iter().zip(&v).map(|(&o, &v)| o && v == 1).collect();
                for (i, _) in &ev.faults {
                    if let Some(h) = holds.get_mut(*i) {
                        *h = false;
                    }
                }
                holds
            }
        };
        for (slot, h) in grade.iter_mut().zip(holds) {
            if h {
                *slot = g as u32;
            }
        }
    }
    for i in 0..n {
        if !rows.is_alive(i) {
            continue;
        }
        let mut g = grade.get(i).copied().unwrap_or(NO_GRADE);
        let f = forced.get(i).copied().unwrap_or(-1);
        let c = capped.get(i).copied().unwrap_or(-1);
        if f >= 0 {
            g = f as u32;
        }
        if g != NO_GRADE && c >= 0 {
            g = g.max(c as u32);
        }
        if let Some(slot) = part.grade.get_mut(off + i) {
            *slot = g;
        }
    }

    // Early warnings: the condition, then the message's values (which may fault too).
    for (k, alert) in ruleset.alerts.iter().enumerate() {
        let path = ruleset
            .plan
            .alert_paths
            .get(k)
            .map_or("alert", String::as_str);
        let w = env
            .eval(ruleset, &alert.when, rows, path)
            .bools(n)
            .into_owned();
        let fired: Vec<bool> = w
            .iter()
            .enumerate()
            .map(|(i, &w)| w == 1 && rows.is_alive(i))
            .collect();
        if !fired.iter().any(|&f| f) {
            continue;
        }
        let pieces = alert
            .message
            .iter()
            .chain(alert.message_en.iter().flatten());
        for piece in pieces {
            if let Piece::Expr(e) = piece {
                let active: Vec<bool> = fired
                    .iter()
                    .enumerate()
                    .map(|(i, &f)| f && rows.is_alive(i))
                    .collect();
                env.eval_in(ruleset, e, rows, Some(&active), path);
            }
        }
        let level = ruleset
            .plan
            .alert_levels
            .get(k)
            .copied()
            .unwrap_or(NO_ALERT);
        for (i, &f) in fired.iter().enumerate() {
            if f && rows.is_alive(i) {
                set_bit(part.alerts, part.alert_words, off + i, k);
                if let Some(l) = part.alert_level.get_mut(off + i) {
                    *l = (*l).min(level);
                }
            }
        }
    }
}
