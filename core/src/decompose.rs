//! Each unit's score taken apart: the points every indicator adds to its total, adding up to the
//! total (bonus and vetoes included, each a line of its own), and the unit's strengths and
//! weaknesses, its best- and worst-ranked indicators within the cohort.
//!
//! The lines are the leaves of the indicator tree and the top-level bonus items, with the
//! contributions of the audit trail ([`crate::NodeResult::contribution`]): linear aggregations
//! pass a factor down, non-linear ones share their points out in proportion. A `deduction`
//! group adds a line for the points it starts from (its children's lines are negative), and a
//! veto that changes the total adds a line with the difference. The lines add up to the total
//! within floating-point rounding: `|Σ lines − score| ≤ 1e-9 × max(1, max_score)` (the
//! engine sums in tree order; re-adding the same numbers in another order can differ in the
//! last bits).

use crate::batch::Batch;
use crate::evaluation::Status;
use crate::ruleset::{Aggregate, NodeKind, Ruleset};
use crate::score::Scores;
use serde::Serialize;

/// What a line of a decomposition stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// An indicator of the tree (a leaf).
    Indicator,
    /// A bonus item, credited after the ruleset-wide cap.
    Bonus,
    /// The points a deduction group starts from (its items' lines are negative).
    Base,
    /// What a veto did to the total (negative when it zeroed it; 0 when it set the grade only).
    Veto,
}

/// One line of a unit's decomposition.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Line {
    /// Kind.
    pub kind: LineKind,
    /// Indicator path, or the veto's id.
    pub path: String,
    /// Indicator name (or the veto's reason).
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// The indicator's own points (0 for base and veto lines).
    pub score: f64,
    /// Its maximum.
    pub max: f64,
    /// Points it adds to the total.
    pub contribution: f64,
    /// Rank of its points among the cohort's valid rows (1 = best; ties share the better
    /// rank); 0 when not ranked (base and veto lines, an indicator not counted at this row).
    pub rank: u32,
    /// Rows ranked on it.
    pub of: u32,
}

/// One unit's decomposition.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UnitDecomposition {
    /// Row in the batch.
    pub row: usize,
    /// Unit id.
    pub id: Option<String>,
    /// Unit name.
    pub name: Option<String>,
    /// Total (`NaN` when the row could not be scored).
    pub score: f64,
    /// Lines, tree order, vetoes last; empty when the row could not be scored.
    pub lines: Vec<Line>,
    /// Paths of its best-ranked indicators, best first.
    pub strengths: Vec<String>,
    /// Paths of its worst-ranked indicators where it lost points, worst first.
    pub weaknesses: Vec<String>,
    /// The row's error code, when it could not be scored.
    pub error: Option<String>,
}

impl Ruleset {
    /// Every unit's decomposition, in the batch's row order, the batch scored as one cohort;
    /// `k` strengths and weaknesses each (see the module documentation).
    pub fn decompose(&self, batch: &Batch<'_>, k: usize) -> Vec<UnitDecomposition> {
        let scores = self.score(batch);
        self.decompose_scores(batch, &scores, k)
    }

    /// [`Ruleset::decompose`] of a score table already computed from `batch`.
    pub fn decompose_scores(
        &self,
        batch: &Batch<'_>,
        scores: &Scores,
        k: usize,
    ) -> Vec<UnitDecomposition> {
        let ranked = self.ranked_columns(scores);
        (0..scores.len())
            .map(|row| self.decompose_row(batch, scores, &ranked, row, k))
            .collect()
    }

    /// Per node, the cohort's valid values sorted best first (empty for groups).
    fn ranked_columns(&self, scores: &Scores) -> Vec<Vec<f64>> {
        (0..self.nodes.len())
            .map(|i| {
                let leaf = self
                    .nodes
                    .get(i)
                    .is_some_and(|n| matches!(n.kind, NodeKind::Leaf { .. }) || top_bonus(self, i));
                if !leaf {
                    return Vec::new();
                }
                let mut v: Vec<f64> = (0..scores.len())
                    .filter(|&r| valid(scores, i, r))
                    .filter_map(|r| scores.node_score.get(i)?.get(r).copied())
                    .collect();
                v.sort_by(|a, b| b.total_cmp(a));
                v
            })
            .collect()
    }

    fn decompose_row(
        &self,
        batch: &Batch<'_>,
        scores: &Scores,
        ranked: &[Vec<f64>],
        row: usize,
        k: usize,
    ) -> UnitDecomposition {
        let mut unit = UnitDecomposition {
            row,
            id: batch.id(row).map(str::to_string),
            name: batch.name(row).map(str::to_string),
            score: f64::NAN,
            lines: Vec::new(),
            strengths: Vec::new(),
            weaknesses: Vec::new(),
            error: scores.error(row).map(|e| e.code.to_string()),
        };
        if unit.error.is_some() {
            return unit;
        }
        let at = |col: &[f64]| col.get(row).copied().unwrap_or(0.0);
        unit.score = at(&scores.total);
        let contributions = self.contributions_at(scores, row);
        let contribution = |i: usize| contributions.get(i).copied().unwrap_or(0.0);
        let score_of = |i: usize| {
            scores
                .node_score
                .get(i)
                .and_then(|c| c.get(row))
                .copied()
                .unwrap_or(0.0)
        };
        for (i, node) in self.nodes.iter().enumerate().skip(1) {
            let top = top_bonus(self, i);
            if node.bonus && !top {
                continue;
            }
            match &node.kind {
                NodeKind::Group {
                    aggregate: Aggregate::Deduction,
                    children,
                } if !top => {
                    let items: f64 = children.iter().map(|&c| contribution(c)).sum();
                    let base = contribution(i) - items;
                    if base != 0.0 {
                        unit.lines.push(Line {
                            kind: LineKind::Base,
                            path: node.path.clone(),
                            name: node.name.clone(),
                            name_en: node.name_en.clone(),
                            score: 0.0,
                            max: node.max,
                            contribution: base,
                            rank: 0,
                            of: 0,
                        });
                    }
                }
                NodeKind::Group { .. } if !top => {}
                _ => {
                    let score = score_of(i);
                    let column = ranked.get(i).map(Vec::as_slice).unwrap_or(&[]);
                    let rank = if valid(scores, i, row) {
                        column.partition_point(|&x| x > score) + 1
                    } else {
                        0
                    };
                    unit.lines.push(Line {
                        kind: if top {
                            LineKind::Bonus
                        } else {
                            LineKind::Indicator
                        },
                        path: node.path.clone(),
                        name: node.name.clone(),
                        name_en: node.name_en.clone(),
                        score,
                        max: node.max,
                        contribution: contribution(i),
                        rank: u32::try_from(rank).unwrap_or(u32::MAX),
                        of: u32::try_from(column.len()).unwrap_or(u32::MAX),
                    });
                }
            }
        }
        let before = at(&scores.base) + at(&scores.bonus);
        for v in scores.vetoes(row) {
            let Some(veto) = self.vetoes.get(v) else {
                continue;
            };
            // The first veto carries the whole change of the total; later ones only the grade.
            let change = if unit.lines.iter().any(|l| l.kind == LineKind::Veto) {
                0.0
            } else {
                unit.score - before
            };
            unit.lines.push(Line {
                kind: LineKind::Veto,
                path: veto.id.clone(),
                name: veto.reason.clone(),
                name_en: veto.reason_en.clone(),
                score: 0.0,
                max: 0.0,
                contribution: change,
                rank: 0,
                of: 0,
            });
        }
        self.strengths_and_weaknesses(&mut unit, k);
        unit
    }

    fn strengths_and_weaknesses(&self, unit: &mut UnitDecomposition, k: usize) {
        // Where in the cohort: 0 = best, towards 1 = worst, comparable across indicators.
        let place = |l: &Line| f64::from(l.rank - 1) / f64::from(l.of.max(1));
        let mut ranked: Vec<&Line> = unit
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Indicator && l.rank > 0)
            .collect();
        let mut weak: Vec<&Line> = ranked.iter().copied().filter(|l| l.score < l.max).collect();
        weak.sort_by(|a, b| {
            place(b)
                .total_cmp(&place(a))
                .then((b.max - b.score).total_cmp(&(a.max - a.score)))
        });
        unit.weaknesses = weak.iter().take(k).map(|l| l.path.clone()).collect();
        ranked.retain(|l| !unit.weaknesses.contains(&l.path));
        ranked.sort_by(|a, b| {
            place(a)
                .total_cmp(&place(b))
                .then(b.contribution.total_cmp(&a.contribution))
        });
        unit.strengths = ranked.iter().take(k).map(|l| l.path.clone()).collect();
    }
}

fn top_bonus(ruleset: &Ruleset, node: usize) -> bool {
    ruleset.plan.top_bonus.get(node).copied().unwrap_or(false)
}

/// Whether a row's value of a node takes part in the cohort's ranking: the row was scored and
/// the node counted (scored or zeroed, not missing or not applicable).
fn valid(scores: &Scores, node: usize, row: usize) -> bool {
    scores.error(row).is_none()
        && scores
            .node_status
            .get(node)
            .and_then(|c| c.get(row))
            .is_some_and(|s| matches!(s, Status::Scored | Status::Zeroed))
}
