//! Scoring: a batch of checked records → one [`Evaluation`] per row. Leaves are scored by their
//! scorer, groups aggregate their children (children are stored after their parents, so one pass
//! in reverse order scores the whole tree), then bonus, vetoes, grade and alerts are applied.

use crate::batch::{Batch, Owned, RowView};
use crate::error::RecordError;
use crate::evaluation::*;
use crate::explain::num;
use crate::expr::{Expr, Row, Value};
use crate::record::Record;
use crate::ruleset::*;
use crate::scorer::{score_leaf, Cohort, Outcome};
use std::collections::BTreeMap;

/// Batches at least this large are scored on several threads.
const PARALLEL_ROWS: usize = 4096;

/// The per-node state while a record is scored.
#[derive(Clone)]
struct State {
    score: f64,
    status: Status,
    counted: bool,
    detail: Text,
}

impl Ruleset {
    /// Scores one record. A ruleset with `rank` scorers treats the record as a cohort of one.
    ///
    /// ```
    /// # let ruleset = qinglian::Ruleset::from_toml(r#"
    /// # [ruleset]
    /// # id = "demo"
    /// # name = "示例"
    /// # version = "1"
    /// # scale = 10
    /// # [[input]]
    /// # name = "cases"
    /// # type = "count"
    /// # [[indicator]]
    /// # id = "discipline"
    /// # name = "纪律"
    /// # points = 10
    /// # scorer = { type = "per_occurrence", count = "cases", per = 3 }
    /// # "#).unwrap();
    /// use qinglian::Record;
    /// let evaluation = ruleset.evaluate(&Record::new().with("id", "E1").with("cases", 2.0)).unwrap();
    /// assert_eq!(evaluation.score, 4.0); // 10 − 2 × 3
    /// assert_eq!(evaluation.node("discipline").unwrap().lost, 6.0);
    /// ```
    pub fn evaluate(&self, record: &Record) -> Result<Evaluation, RecordError> {
        let batch = Batch::from_records(self, std::slice::from_ref(record));
        let mut results = self.evaluate_rows(&batch, true);
        match results.pop() {
            Some(result) => result.map_err(|mut e| {
                e.row = None;
                e
            }),
            None => Err(RecordError::new("record.empty", "nothing to score")),
        }
    }

    /// Scores every row of a batch, in order: a bad row gets its own error and never affects the
    /// others. Each evaluation also gets its place in the cohort (rank, percentile, quota tier).
    pub fn evaluate_batch(&self, batch: &Batch) -> Vec<Result<Evaluation, RecordError>> {
        let mut results = self.evaluate_rows(batch, true);
        self.place_in_cohort(&mut results);
        results
    }

    /// Like [`Ruleset::evaluate_batch`] without the written audit trail: every number, status,
    /// grade, veto, bonus, alert and cohort place is the same, but nodes' `detail` and `inputs`
    /// and the `reasons` are left empty. For tables of scores (data frames), where writing the
    /// sentences would be most of the work.
    pub fn evaluate_batch_scores(&self, batch: &Batch) -> Vec<Result<Evaluation, RecordError>> {
        let mut results = self.evaluate_rows(batch, false);
        self.place_in_cohort(&mut results);
        results
    }

    /// Checks and scores records (e.g. from [`crate::read_records`]) as one cohort.
    pub fn evaluate_records(
        &self,
        rows: &[Result<Record, RecordError>],
    ) -> Vec<Result<Evaluation, RecordError>> {
        self.evaluate_batch(&Batch::from_rows(self, rows))
    }

    fn evaluate_rows(&self, batch: &Batch, trail: bool) -> Vec<Result<Evaluation, RecordError>> {
        let cohort = if self.has_rank {
            self.cohort(batch)
        } else {
            Cohort::default()
        };
        let score_row = |row: usize| {
            let id = batch.ids.get(row).cloned().flatten();
            match batch.errors.get(row).cloned().flatten() {
                Some(e) => Err(e),
                None => self
                    .evaluate_row(batch, row, &cohort, trail)
                    .map_err(|e| e.at_row(row, id.as_deref())),
            }
        };
        // Rows are independent, so large batches are split over the available cores; results
        // are joined back in row order, so the output does not depend on the thread count.
        // (Asking for the core count reads cgroup files, so small batches do not ask.)
        if batch.len() < PARALLEL_ROWS {
            return (0..batch.len()).map(score_row).collect();
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads < 2 {
            return (0..batch.len()).map(score_row).collect();
        }
        let chunk = batch.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..batch.len())
                .step_by(chunk)
                .map(|start| {
                    let end = (start + chunk).min(batch.len());
                    scope.spawn(move || (start..end).map(score_row).collect::<Vec<_>>())
                })
                .collect();
            let mut results = Vec::with_capacity(batch.len());
            for (handle, start) in handles.into_iter().zip((0..batch.len()).step_by(chunk)) {
                match handle.join() {
                    Ok(part) => results.extend(part),
                    // A worker cannot panic (no panicking code in scoring), but if one did, its
                    // rows get errors rather than taking the batch down.
                    Err(_) => {
                        results.extend((start..(start + chunk).min(batch.len())).map(|row| {
                            Err(
                                RecordError::new("record.internal", "internal error while scoring")
                                    .at_row(row, None),
                            )
                        }))
                    }
                }
            }
            results
        })
    }

    /// Values of every `rank` scorer over the batch's valid rows.
    fn cohort(&self, batch: &Batch) -> Cohort {
        let mut cohort = Cohort::default();
        for (index, node) in self.nodes.iter().enumerate() {
            let NodeKind::Leaf { scorer, .. } = &node.kind else {
                continue;
            };
            let Scorer::Rank { value, .. } = scorer.as_ref() else {
                continue;
            };
            let mut values = Vec::new();
            for row in 0..batch.len() {
                if batch.errors.get(row).is_some_and(Option::is_some) {
                    continue;
                }
                let mut view = batch.row(self, row);
                if self.apply_equivalences(&mut view, &mut Vec::new()).is_err() {
                    continue;
                }
                if let Ok(Value::Number(x)) = value.eval(&view) {
                    values.push(x);
                }
            }
            cohort.values.push((index, values));
        }
        cohort
    }

    /// Substitutes inputs per the `[[equivalence]]` rules, in order; returns their reasons.
    fn apply_equivalences(
        &self,
        view: &mut RowView<'_>,
        reasons: &mut Vec<Reason>,
    ) -> Result<(), RecordError> {
        for eq in &self.equivalences {
            let fired = matches!(
                eq.when.eval(view).map_err(fault("equivalence"))?,
                Value::Bool(true)
            );
            if fired {
                let value = Owned::from_value(eq.value.eval(view).map_err(fault("equivalence"))?);
                view.overrides.push((eq.input, value));
                let en = eq.reason_en.clone().unwrap_or_else(|| eq.reason.clone());
                reasons.push(Reason {
                    kind: ReasonKind::Equivalence,
                    path: None,
                    points: None,
                    text: Text::new(eq.reason.clone(), en),
                });
            }
        }
        Ok(())
    }

    fn evaluate_row(
        &self,
        batch: &Batch,
        row: usize,
        cohort: &Cohort,
        trail: bool,
    ) -> Result<Evaluation, RecordError> {
        let mut view = batch.row(self, row);
        let mut reasons = Vec::new();
        self.apply_equivalences(&mut view, &mut reasons)?;
        if !trail {
            reasons.clear();
        }

        let mut states: Vec<State> = vec![
            State {
                score: 0.0,
                status: Status::Scored,
                counted: false,
                detail: Text::new("", "")
            };
            self.nodes.len()
        ];
        for index in (0..self.nodes.len()).rev() {
            let Some(node) = self.nodes.get(index) else {
                continue;
            };
            let state = match &node.kind {
                NodeKind::Leaf { .. } => self.leaf(node, index, &view, cohort, trail)?,
                NodeKind::Group {
                    aggregate,
                    children,
                } => self.group(node, *aggregate, children, &states, &view, trail)?,
            };
            if let Some(slot) = states.get_mut(index) {
                *slot = state;
            }
        }
        let root = states.first().cloned().unwrap_or(State {
            score: 0.0,
            status: Status::Missing,
            counted: false,
            detail: Text::new("", ""),
        });
        if !root.counted {
            return Err(RecordError::new(
                "record.insufficient_data",
                "no indicator could be scored: too much data is missing or not applicable",
            ));
        }
        let base = root.score;

        // Bonus: top-level bonus nodes (no bonus ancestor), each within its own points.
        let bonus_nodes = &self.top_bonus;
        let earned: f64 = bonus_nodes
            .iter()
            .filter_map(|&i| states.get(i))
            .filter(|s| s.counted)
            .map(|s| s.score)
            .sum();
        let allowed = match &self.bonus_when {
            Some(when) => matches!(when.eval(&view).map_err(fault("bonus"))?, Value::Bool(true)),
            None => true,
        };
        let credited = if allowed {
            earned.min(self.meta.bonus_cap)
        } else {
            0.0
        };
        let bonus_ratio = if earned > 0.0 { credited / earned } else { 0.0 };

        let contributions = self.contributions(&states, base, bonus_ratio);

        let mut evaluation = Evaluation {
            id: batch.ids.get(row).cloned().flatten(),
            name: batch.names.get(row).cloned().flatten(),
            ruleset: self.meta.id.clone(),
            score: plus_zero(base + credited),
            max_score: self.max_total(),
            base_score: plus_zero(base),
            bonus_score: plus_zero(credited),
            grade: None,
            grade_en: None,
            nodes: Vec::with_capacity(self.nodes.len()),
            vetoes: Vec::new(),
            bonuses: Vec::new(),
            alerts: Vec::new(),
            missing: Vec::new(),
            reasons,
            cohort: None,
        };

        for (index, node) in self.nodes.iter().enumerate().skip(1) {
            let (Some(state), Some(&contribution)) = (states.get(index), contributions.get(index))
            else {
                continue;
            };
            // A bonus item earning less than its cap lost nothing: it was never owed.
            let lost = if state.counted && !node.bonus {
                (node.max - state.score).max(0.0)
            } else {
                0.0
            };
            let (rule, inputs) = match &node.kind {
                NodeKind::Leaf { scorer, inputs } if trail => (
                    scorer.kind(),
                    inputs
                        .iter()
                        .filter_map(|&s| Some((self.inputs.get(s)?.name.clone(), view.json(s))))
                        .collect(),
                ),
                NodeKind::Leaf { scorer, .. } => (scorer.kind(), BTreeMap::new()),
                NodeKind::Group { aggregate, .. } => (aggregate.name(), BTreeMap::new()),
            };
            let is_leaf = matches!(node.kind, NodeKind::Leaf { .. });
            if let Some(reason) = node_reason(node, state, lost, is_leaf).filter(|_| trail) {
                evaluation.reasons.push(reason);
            }
            evaluation.nodes.push(NodeResult {
                path: node.path.clone(),
                name: node.name.clone(),
                name_en: node.name_en.clone(),
                depth: node.depth,
                score: plus_zero(state.score),
                max: node.max,
                lost: plus_zero(lost),
                contribution: plus_zero(contribution),
                status: state.status,
                counted: state.counted,
                bonus: node.bonus,
                rule,
                detail: if trail {
                    state.detail.clone()
                } else {
                    Text::default()
                },
                inputs,
            });
        }
        for &i in bonus_nodes {
            let (Some(node), Some(state)) = (self.nodes.get(i), states.get(i)) else {
                continue;
            };
            if state.counted && state.score > 0.0 {
                let hit = BonusHit {
                    path: node.path.clone(),
                    name: node.name.clone(),
                    points: state.score,
                    credited: plus_zero(state.score * bonus_ratio),
                };
                if !trail {
                    evaluation.bonuses.push(hit);
                    continue;
                }
                let text = Text::new(
                    format!(
                        "附加分“{}”：得{}分，计入{}分",
                        node.name,
                        num(hit.points),
                        num(hit.credited)
                    ),
                    format!(
                        "bonus `{}`: {} points earned, {} credited",
                        node.name_en.as_deref().unwrap_or(&node.name),
                        num(hit.points),
                        num(hit.credited)
                    ),
                );
                evaluation.reasons.push(Reason {
                    kind: ReasonKind::Bonus,
                    path: Some(node.path.clone()),
                    points: Some(hit.credited),
                    text,
                });
                evaluation.bonuses.push(hit);
            }
        }
        if earned > 0.0 && !allowed && trail {
            evaluation.reasons.push(Reason {
                kind: ReasonKind::Bonus,
                path: None,
                points: Some(0.0),
                text: Text::new(
                    "不满足附加分条件，附加分不计入总分",
                    "the bonus condition is not met: no bonus counts",
                ),
            });
        }
        evaluation.missing = self
            .inputs
            .iter()
            .enumerate()
            .filter(|(slot, input)| {
                if input.kind == InputType::Survey {
                    view.survey(*slot).is_none()
                } else {
                    view.get(*slot) == Value::Missing
                }
            })
            .map(|(_, i)| i.name.clone())
            .collect();

        self.vetoes_and_grade(&view, &mut evaluation, trail)?;
        self.alerts(&view, &mut evaluation)?;
        Ok(evaluation)
    }

    fn leaf(
        &self,
        node: &Node,
        index: usize,
        view: &RowView<'_>,
        cohort: &Cohort,
        trail: bool,
    ) -> Result<State, RecordError> {
        let NodeKind::Leaf { scorer, inputs } = &node.kind else {
            return Err(RecordError::new(
                "record.internal",
                "a group was scored as a leaf",
            ));
        };
        let outcome = match &node.zero_when {
            Some((when, reason)) => match when.eval(view).map_err(fault(&node.path))? {
                Value::Bool(true) => Outcome::Zeroed(zero_text(reason)),
                Value::Bool(false) => score_leaf(scorer, node.max, index, view, cohort, trail)
                    .map_err(|e| e.path(&node.path))?,
                _ => Outcome::Missing,
            },
            None => score_leaf(scorer, node.max, index, view, cohort, trail)
                .map_err(|e| e.path(&node.path))?,
        };
        Ok(match outcome {
            Outcome::Points(points, detail) => State {
                score: points.clamp(0.0, node.max),
                status: Status::Scored,
                counted: true,
                detail,
            },
            Outcome::Zeroed(detail) => State {
                score: 0.0,
                status: Status::Zeroed,
                counted: true,
                detail,
            },
            Outcome::NotApplicable(detail) => State {
                score: 0.0,
                status: Status::NotApplicable,
                counted: false,
                detail,
            },
            Outcome::Missing => {
                let missing: Vec<&str> = inputs
                    .iter()
                    .filter(|&&s| {
                        if matches!(scorer.as_ref(), Scorer::Survey { .. }) {
                            view.survey(s).is_none()
                        } else {
                            view.get(s) == Value::Missing
                        }
                    })
                    .filter_map(|&s| self.inputs.get(s).map(|i| i.name.as_str()))
                    .collect();
                let names = if missing.is_empty() {
                    "?".to_string()
                } else {
                    missing.join(", ")
                };
                missing_state(node, &names, missing.first().copied())?
            }
        })
    }

    fn group(
        &self,
        node: &Node,
        aggregate: Aggregate,
        children: &[usize],
        states: &[State],
        view: &RowView<'_>,
        trail: bool,
    ) -> Result<State, RecordError> {
        let considered: Vec<(&Node, &State)> = children
            .iter()
            .filter_map(|&c| Some((self.nodes.get(c)?, states.get(c)?)))
            .filter(|(n, _)| !n.bonus)
            .collect();
        let counted: Vec<(&Node, &State)> = considered
            .iter()
            .copied()
            .filter(|(_, s)| s.counted)
            .collect();
        let weighted = matches!(
            aggregate,
            Aggregate::Mean | Aggregate::Geomean | Aggregate::Min
        );
        let key = |n: &Node| if weighted { n.weight } else { n.max };
        if considered.is_empty() {
            // Only bonus children: the group carries no points of its own.
            return Ok(State {
                score: 0.0,
                status: Status::Scored,
                counted: true,
                detail: Text::new("仅含附加分项", "bonus items only"),
            });
        }
        if counted.is_empty() {
            if considered.iter().any(|(_, s)| s.status == Status::Missing) {
                return missing_state(node, "所有子项缺失 / every child missing", None);
            }
            return Ok(State {
                score: 0.0,
                status: Status::NotApplicable,
                counted: false,
                detail: Text::new("所有子项均不适用", "every child is not applicable"),
            });
        }
        let all: f64 = considered.iter().map(|(n, _)| key(n)).sum();
        let present: f64 = counted.iter().map(|(n, _)| key(n)).sum();
        if let Some(min) = node.min_coverage {
            let coverage = if all > 0.0 { present / all } else { 0.0 };
            if coverage < min {
                return missing_state(
                    node,
                    &format!(
                        "数据覆盖率{}% < {}% / coverage below minimum",
                        num(coverage * 100.0),
                        num(min * 100.0)
                    ),
                    None,
                );
            }
        }
        let share = |n: &Node, s: &State| if n.max > 0.0 { s.score / n.max } else { 0.0 };
        let left_out = considered.len() - counted.len();
        let raw: f64 = counted.iter().map(|(_, s)| s.score).sum();
        let lost: f64 = counted
            .iter()
            .map(|(n, s)| (n.max - s.score).max(0.0))
            .sum();
        let score = match aggregate {
            // Children left out (not applicable, missing under `reweight`) leave the denominator.
            Aggregate::Sum if left_out > 0 && present > 0.0 => raw * node.max / present,
            Aggregate::Sum => raw,
            Aggregate::Mean if present > 0.0 => {
                node.max
                    * counted
                        .iter()
                        .map(|(n, s)| n.weight * share(n, s))
                        .sum::<f64>()
                    / present
            }
            Aggregate::Geomean if present > 0.0 => {
                node.max
                    * counted
                        .iter()
                        .map(|(n, s)| libm::pow(share(n, s), n.weight / present))
                        .product::<f64>()
            }
            Aggregate::Mean | Aggregate::Geomean => 0.0,
            Aggregate::Min => {
                node.max
                    * counted
                        .iter()
                        .filter(|(n, _)| n.weight > 0.0)
                        .map(|(n, s)| share(n, s))
                        .fold(1.0_f64, f64::min)
            }
            Aggregate::Deduction => (node.max - lost).max(0.0),
        };
        let score = if score.is_finite() {
            score.clamp(0.0, node.max)
        } else {
            0.0
        };
        if let Some((when, reason)) = &node.zero_when {
            match when.eval(view).map_err(fault(&node.path))? {
                Value::Bool(true) => {
                    return Ok(State {
                        score: 0.0,
                        status: Status::Zeroed,
                        counted: true,
                        detail: zero_text(reason),
                    })
                }
                Value::Bool(false) => {}
                _ => return missing_state(node, "zero_when", None),
            }
        }
        let detail = if trail {
            group_text(aggregate, node.max, raw, present, left_out, lost, score)
        } else {
            Text::default()
        };
        Ok(State {
            score,
            status: Status::Scored,
            counted: true,
            detail,
        })
    }

    /// Each node's contribution to the total, top-down: linear aggregations pass a factor down,
    /// non-linear ones (geomean, min) share their contribution out in proportion.
    fn contributions(&self, states: &[State], base: f64, bonus_ratio: f64) -> Vec<f64> {
        let n = self.nodes.len();
        let mut factor = vec![0.0; n];
        let mut contribution = vec![0.0; n];
        if let Some(f) = factor.first_mut() {
            *f = 1.0;
        }
        if let Some(c) = contribution.first_mut() {
            *c = base;
        }
        for index in 0..n {
            let (Some(node), Some(state)) = (self.nodes.get(index), states.get(index)) else {
                continue;
            };
            let NodeKind::Group {
                aggregate,
                children,
            } = &node.kind
            else {
                continue;
            };
            let parent_factor = if state.status == Status::Zeroed || !state.counted {
                0.0
            } else {
                factor.get(index).copied().unwrap_or(0.0)
            };
            let parent_contribution = contribution.get(index).copied().unwrap_or(0.0);
            let counted: Vec<usize> = children
                .iter()
                .copied()
                .filter(|&c| {
                    self.nodes.get(c).is_some_and(|n| !n.bonus)
                        && states.get(c).is_some_and(|s| s.counted)
                })
                .collect();
            let weighted = matches!(
                aggregate,
                Aggregate::Mean | Aggregate::Geomean | Aggregate::Min
            );
            let present: f64 = counted
                .iter()
                .filter_map(|&c| self.nodes.get(c))
                .map(|c| if weighted { c.weight } else { c.max })
                .sum();
            let lost_total: f64 = counted
                .iter()
                .filter_map(|&c| Some((self.nodes.get(c)?, states.get(c)?)))
                .map(|(c, s)| (c.max - s.score).max(0.0))
                .sum();
            let strength: f64 = counted
                .iter()
                .filter_map(|&c| Some((self.nodes.get(c)?, states.get(c)?)))
                .map(|(c, s)| {
                    if c.max > 0.0 {
                        c.weight * s.score / c.max
                    } else {
                        0.0
                    }
                })
                .sum();
            for &c in children {
                let (Some(child), Some(cs)) = (self.nodes.get(c), states.get(c)) else {
                    continue;
                };
                let (f, contrib) = if self.top_bonus.contains(&c) {
                    (bonus_ratio, bonus_ratio * cs.score)
                } else if !cs.counted || child.bonus {
                    (0.0, 0.0)
                } else {
                    match aggregate {
                        Aggregate::Sum => {
                            let f = if present > 0.0 {
                                parent_factor * node.max / present
                            } else {
                                0.0
                            };
                            (f, f * cs.score)
                        }
                        Aggregate::Mean => {
                            let f = if present > 0.0 && child.max > 0.0 {
                                parent_factor * node.max * child.weight / present / child.max
                            } else {
                                0.0
                            };
                            (f, f * cs.score)
                        }
                        Aggregate::Deduction => {
                            let floor = if lost_total > node.max && lost_total > 0.0 {
                                node.max / lost_total
                            } else {
                                1.0
                            };
                            (
                                parent_factor * floor,
                                -parent_factor * floor * (child.max - cs.score).max(0.0),
                            )
                        }
                        Aggregate::Geomean | Aggregate::Min => {
                            let own = if child.max > 0.0 {
                                child.weight * cs.score / child.max
                            } else {
                                0.0
                            };
                            let contrib = if strength > 0.0 && parent_factor > 0.0 {
                                parent_contribution * own / strength
                            } else {
                                0.0
                            };
                            (
                                if cs.score > 0.0 {
                                    contrib / cs.score
                                } else {
                                    0.0
                                },
                                contrib,
                            )
                        }
                    }
                };
                if let Some(slot) = factor.get_mut(c) {
                    *slot = f;
                }
                if let Some(slot) = contribution.get_mut(c) {
                    *slot = contrib;
                }
            }
        }
        contribution
    }

    fn vetoes_and_grade(
        &self,
        view: &RowView<'_>,
        evaluation: &mut Evaluation,
        trail: bool,
    ) -> Result<(), RecordError> {
        let mut forced: Option<usize> = None;
        let mut cap: Option<usize> = None;
        for veto in &self.vetoes {
            let path = format!("veto.{}", veto.id);
            match veto.when.eval(view).map_err(fault(&path))? {
                Value::Bool(true) => {
                    let grade_name = veto
                        .grade
                        .and_then(|g| self.grades.get(g))
                        .map(|g| g.name.clone());
                    match veto.effect {
                        VetoEffect::Zero => evaluation.score = 0.0,
                        VetoEffect::Grade => forced = forced.max(veto.grade),
                        VetoEffect::CapGrade => cap = cap.max(veto.grade),
                    }
                    let en = veto
                        .reason_en
                        .clone()
                        .unwrap_or_else(|| veto.reason.clone());
                    let text = Text::new(veto.reason.clone(), en);
                    evaluation.reasons.push(Reason {
                        kind: ReasonKind::Veto,
                        path: Some(path),
                        points: None,
                        text: text.clone(),
                    });
                    evaluation.vetoes.push(VetoHit {
                        id: veto.id.clone(),
                        effect: veto.effect,
                        grade: grade_name,
                        reason: text,
                        facts: facts(&veto.when, view),
                    });
                }
                Value::Missing => {
                    let name = veto.name.clone().unwrap_or_else(|| veto.id.clone());
                    evaluation.reasons.push(Reason {
                        kind: ReasonKind::Missing,
                        path: Some(path),
                        points: None,
                        text: Text::new(
                            format!("否决项“{name}”因数据缺失无法核对"),
                            format!("veto `{}` could not be checked: data missing", veto.id),
                        ),
                    });
                }
                _ => {}
            }
        }
        let mut grade = self.grades.iter().position(|g| {
            evaluation.score >= g.min
                && g.when
                    .as_ref()
                    .is_none_or(|w| matches!(w.eval(view), Ok(Value::Bool(true))))
        });
        if forced.is_some() {
            grade = forced;
        }
        if let (Some(g), Some(c)) = (grade, cap) {
            grade = Some(g.max(c));
        }
        if let Some(g) = grade.and_then(|g| self.grades.get(g)) {
            evaluation.grade = Some(g.name.clone());
            evaluation.grade_en = g.name_en.clone();
        }
        if !trail {
            evaluation.reasons.clear(); // veto sentences: the vetoes themselves stay listed
            return Ok(());
        }
        let text = match &evaluation.grade {
            Some(g) => Text::new(
                format!(
                    "总分{}分（满分{}），评定为“{g}”",
                    num(evaluation.score),
                    num(evaluation.max_score)
                ),
                format!(
                    "total {} of {}: grade {}",
                    num(evaluation.score),
                    num(evaluation.max_score),
                    evaluation.grade_en.as_deref().unwrap_or(g)
                ),
            ),
            None => Text::new(
                format!(
                    "总分{}分（满分{}），未达到任何等次",
                    num(evaluation.score),
                    num(evaluation.max_score)
                ),
                format!(
                    "total {} of {}: no grade band applies",
                    num(evaluation.score),
                    num(evaluation.max_score)
                ),
            ),
        };
        evaluation.reasons.push(Reason {
            kind: ReasonKind::Grade,
            path: None,
            points: Some(evaluation.score),
            text,
        });
        Ok(())
    }

    fn alerts(&self, view: &RowView<'_>, evaluation: &mut Evaluation) -> Result<(), RecordError> {
        for alert in &self.alerts {
            let path = format!("alert.{}", alert.id);
            if matches!(
                alert.when.eval(view).map_err(fault(&path))?,
                Value::Bool(true)
            ) {
                let zh = render(&alert.message, view).map_err(fault(&path))?;
                let en = match &alert.message_en {
                    Some(m) => render(m, view).map_err(fault(&path))?,
                    None => zh.clone(),
                };
                evaluation.alerts.push(AlertHit {
                    id: alert.id.clone(),
                    level: alert.level.clone(),
                    message: Text::new(zh, en),
                    facts: facts(&alert.when, view),
                });
            }
        }
        Ok(())
    }

    /// Ranks the successful evaluations by total and assigns percentile and quota tier.
    fn place_in_cohort(&self, results: &mut [Result<Evaluation, RecordError>]) {
        let totals: Vec<f64> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|e| e.score)
            .collect();
        let of = totals.len();
        for evaluation in results.iter_mut().filter_map(|r| r.as_mut().ok()) {
            let rank = 1 + totals.iter().filter(|&&t| t > evaluation.score).count();
            let tier = self
                .quotas
                .iter()
                .find(|q| rank as f64 <= q.top * of as f64 + 1e-9)
                .map(|q| q.name.clone());
            evaluation.cohort = Some(CohortPlace {
                rank,
                of,
                percentile: 100.0 * (of - rank + 1) as f64 / of as f64,
                tier,
            });
        }
    }
}

/// What a group did, in words.
fn group_text(
    aggregate: Aggregate,
    max: f64,
    raw: f64,
    present: f64,
    left_out: usize,
    lost: f64,
    score: f64,
) -> Text {
    match aggregate {
        Aggregate::Sum if left_out > 0 => Text::new(
            format!(
                "子项合计{}分（满分{}），{left_out}项不计，折算为{}分",
                num(raw),
                num(present),
                num(score)
            ),
            format!(
                "children sum to {} of {}; {left_out} left out, rescaled to {}",
                num(raw),
                num(present),
                num(score)
            ),
        ),
        Aggregate::Sum => Text::new(
            format!("子项合计{}分", num(raw)),
            format!("sum of children: {}", num(raw)),
        ),
        Aggregate::Mean => Text::new(
            "子项得分率加权算术平均",
            "weighted arithmetic mean of children's shares",
        ),
        Aggregate::Geomean => Text::new(
            "子项得分率加权几何平均",
            "weighted geometric mean of children's shares",
        ),
        Aggregate::Min => Text::new(
            "取子项最低得分率（不可补偿）",
            "lowest share among children (non-compensatory)",
        ),
        Aggregate::Deduction => Text::new(
            format!("从{}分起扣，共扣{}分，扣完为止", num(max), num(lost)),
            format!("starts at {}, {} deducted, floor 0", num(max), num(lost)),
        ),
    }
}

fn zero_text(reason: &Option<String>) -> Text {
    match reason {
        Some(r) => Text::new(format!("本项不得分：{r}"), format!("item zeroed: {r}")),
        None => Text::new("本项不得分", "item zeroed"),
    }
}

fn missing_state(node: &Node, what: &str, column: Option<&str>) -> Result<State, RecordError> {
    let detail = Text::new(format!("数据缺失：{what}"), format!("data missing: {what}"));
    match node.missing {
        MissingPolicy::Error => {
            let mut e = RecordError::new(
                "record.missing_input",
                format!(
                    "indicator `{}` ({}) cannot be scored: missing {what}",
                    node.path, node.name
                ),
            )
            .path(&node.path);
            if let Some(c) = column {
                e = e.column(c);
            }
            Err(e)
        }
        MissingPolicy::Zero => Ok(State {
            score: 0.0,
            status: Status::Missing,
            counted: true,
            detail,
        }),
        MissingPolicy::Reweight => Ok(State {
            score: 0.0,
            status: Status::Missing,
            counted: false,
            detail,
        }),
        MissingPolicy::NotApplicable => Ok(State {
            score: 0.0,
            status: Status::NotApplicable,
            counted: false,
            detail,
        }),
    }
}

fn node_reason(node: &Node, state: &State, lost: f64, is_leaf: bool) -> Option<Reason> {
    let en_name = node.name_en.as_deref().unwrap_or(&node.name);
    let (kind, points, zh, en) = match state.status {
        Status::Zeroed => (
            ReasonKind::Zeroed,
            Some(lost),
            format!(
                "“{}”不得分（失{}分）：{}",
                node.name,
                num(lost),
                state.detail.zh
            ),
            format!(
                "`{en_name}` zeroed ({} lost): {}",
                num(lost),
                state.detail.en
            ),
        ),
        Status::Missing if is_leaf => (
            ReasonKind::Missing,
            Some(lost),
            format!("“{}”{}", node.name, state.detail.zh),
            format!("`{en_name}`: {}", state.detail.en),
        ),
        Status::NotApplicable if is_leaf => (
            ReasonKind::NotApplicable,
            None,
            format!("“{}”不适用，不计入分母", node.name),
            format!("`{en_name}` not applicable: left out of the denominator"),
        ),
        Status::Scored if is_leaf && lost > 1e-12 && !node.bonus => (
            ReasonKind::Deduction,
            Some(lost),
            format!("“{}”失{}分：{}", node.name, num(lost), state.detail.zh),
            format!("`{en_name}` lost {}: {}", num(lost), state.detail.en),
        ),
        _ => return None,
    };
    Some(Reason {
        kind,
        path: Some(node.path.clone()),
        points,
        text: Text::new(zh, en),
    })
}

fn facts(expr: &Expr, view: &RowView<'_>) -> BTreeMap<String, serde_json::Value> {
    expr.names()
        .iter()
        .cloned()
        .zip(expr.slots().iter().map(|&s| view.json(s)))
        .collect()
}

fn render(pieces: &[Piece], view: &RowView<'_>) -> Result<String, crate::expr::EvalFault> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => match e.eval(view)? {
                Value::Missing => out.push('—'),
                Value::Number(x) => out.push_str(&num(x)),
                Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                Value::Text(t) => out.push_str(t),
            },
        }
    }
    Ok(out)
}

pub(crate) fn fault(path: &str) -> impl Fn(crate::expr::EvalFault) -> RecordError + '_ {
    move |e| RecordError::new("record.eval", e.to_string()).path(path)
}

/// `-0.0` → `0.0`: an empty float sum is `-0.0` in Rust, and a score of "-0" helps nobody (and
/// would print as `-0` in JSON, CSV and the browser).
fn plus_zero(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x
    }
}
