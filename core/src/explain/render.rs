//! One row of a score table, written out as an [`Evaluation`]: every node's points with the
//! sentence that says what its rule did, the inputs it read, contributions, vetoes, bonuses,
//! alerts with their messages, the grade and the cohort place. The numbers come from the table;
//! the values a sentence quotes are read from the row again.

use super::num;
use super::rules;
use crate::batch::{Batch, Owned, RowView};
use crate::error::RecordError;
use crate::evaluation::*;
use crate::expr::{Expr, Row, Value};
use crate::ruleset::*;
use crate::score::leaf::{self as rule};
use crate::score::tree::{counted, group_score, plus_zero, tally, Early};
use crate::score::{Placement, Scores, NO_TIER};
use std::collections::BTreeMap;

/// A node's state at the row, from the table.
#[derive(Clone, Copy)]
struct State {
    score: f64,
    status: Status,
    counted: bool,
}

fn fault(path: &str) -> impl Fn(crate::expr::EvalFault) -> RecordError + '_ {
    move |e| RecordError::eval(path, &e)
}

impl Ruleset {
    /// The audit trail of one row of a score table: an [`Evaluation`] with every sentence, in
    /// Chinese and English. `batch` is the batch the table was scored from.
    pub fn explain(
        &self,
        batch: &Batch<'_>,
        scores: &Scores,
        row: usize,
    ) -> Result<Evaluation, RecordError> {
        if row >= scores.len() || row >= batch.len() {
            return Err(RecordError::new(
                "record.no_such_row",
                format!(
                    "row {} is not in the table ({} rows)",
                    row + 1,
                    scores.len()
                ),
            ));
        }
        if let Some(e) = scores.error(row) {
            return Err(e.clone());
        }
        let mut view = batch.row(self, row);
        let mut reasons = Vec::new();
        self.apply_equivalences(&mut view, &mut reasons)?;

        let states = self.states(scores, row);
        let at = |row_col: &[f64]| row_col.get(row).copied().unwrap_or(0.0);
        let base = states.first().map_or(0.0, |s| s.score);
        let earned = at(&scores.earned);
        let credited = at(&scores.bonus);
        let denied = scores.bonus_denied.get(row).copied().unwrap_or(false);
        let bonus_ratio = if earned > 0.0 { credited / earned } else { 0.0 };
        let contributions = self.row_contributions(scores, row, &states);
        let group = match &scores.placement {
            Placement::Groups(g) => g.group_of(row),
            _ => 0,
        };

        let mut evaluation = Evaluation {
            id: batch.id(row).map(str::to_string),
            name: batch.name(row).map(str::to_string),
            ruleset: self.meta.id.clone(),
            ruleset_version: self.meta.version.clone(),
            ruleset_hash: self.hash.clone(),
            score: at(&scores.total),
            max_score: self.max_total(),
            base_score: plus_zero(base),
            bonus_score: credited,
            grade: None,
            grade_en: None,
            nodes: Vec::with_capacity(self.nodes.len()),
            vetoes: Vec::new(),
            bonuses: Vec::new(),
            alerts: Vec::new(),
            missing: Vec::new(),
            reasons,
            cohort: None,
            warnings: Vec::new(),
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
            let (rule, inputs, detail) = match &node.kind {
                NodeKind::Leaf { scorer, inputs } => (
                    scorer.kind(),
                    inputs
                        .iter()
                        .filter_map(|&s| Some((self.inputs.get(s)?.name.clone(), view.json(s))))
                        .collect(),
                    self.leaf_detail(node, scorer, inputs, *state, &view, scores, group, index)?,
                ),
                NodeKind::Group {
                    aggregate,
                    children,
                } => (
                    aggregate.name(),
                    BTreeMap::new(),
                    self.group_detail(node, *aggregate, children, *state, &states),
                ),
            };
            let is_leaf = matches!(node.kind, NodeKind::Leaf { .. });
            if let Some(reason) = node_reason(node, state, &detail, lost, is_leaf) {
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
                detail,
                inputs,
            });
        }
        for &i in &self.top_bonus {
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
                let text = Text::new(
                    format!(
                        "附加分“{}”：得{}分，计入{}分",
                        node.name,
                        num(hit.points),
                        num(hit.credited)
                    ),
                    format!(
                        "bonus “{}”: {} points earned, {} credited",
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
        if earned > 0.0 && denied {
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

        self.vetoes_and_grade(&view, scores, row, &mut evaluation);
        self.alert_hits(&view, scores, row, &mut evaluation)?;
        self.cohort_place(scores, row, &mut evaluation);
        Ok(evaluation)
    }

    /// Substitutes inputs per the `[[equivalence]]` rules, in order; returns their reasons.
    pub(crate) fn apply_equivalences(
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

    #[allow(clippy::too_many_arguments)]
    fn leaf_detail(
        &self,
        node: &Node,
        scorer: &Scorer,
        inputs: &[usize],
        state: State,
        view: &RowView<'_>,
        scores: &Scores,
        group: usize,
        index: usize,
    ) -> Result<Text, RecordError> {
        let zero_when = match &node.zero_when {
            Some((when, reason)) => Some((when.eval(view).map_err(fault(&node.path))?, reason)),
            None => None,
        };
        let missing = || {
            // Named by their labels, as a person filling in the form reads them.
            let missing: Vec<&crate::ruleset::Input> = inputs
                .iter()
                .filter(|&&s| {
                    if matches!(scorer, Scorer::Survey { .. }) {
                        view.survey(s).is_none()
                    } else {
                        view.get(s) == Value::Missing
                    }
                })
                .filter_map(|&s| self.inputs.get(s))
                .collect();
            if missing.is_empty() {
                // Nothing is missing in the record: its cohort leaves nothing to normalise by.
                match scorer {
                    Scorer::Normalise {
                        method: Normalisation::Target { .. },
                        ..
                    } => {
                        return Text::new(
                            "本组最差值已达到目标，无从衡量距离，按缺失处理",
                            "the cohort's worst value already reaches the target, leaving no distance to measure: treated as missing",
                        )
                    }
                    Scorer::Normalise {
                        method: Normalisation::Reference { unit, .. },
                        ..
                    } => {
                        return if scores.rank_refs.stats(index, group).reference.is_nan() {
                            Text::new(
                                format!("本组中没有参照单位“{unit}”或其数值缺失，无从衡量距离，按缺失处理"),
                                format!("the reference unit “{unit}” is not in the cohort or its value is missing, leaving nothing to measure against: treated as missing"),
                            )
                        } else {
                            Text::new(
                                format!("参照单位“{unit}”的数值即本组最差值，无从衡量距离，按缺失处理"),
                                format!("the reference unit “{unit}” has the cohort's worst value, leaving no distance to measure: treated as missing"),
                            )
                        };
                    }
                    Scorer::Normalise {
                        method: Normalisation::FractionOfMax,
                        ..
                    } => {
                        return Text::new(
                            "本组最优值不大于0，无从计算比例，按缺失处理",
                            "the cohort's best value is not above 0, so no fraction of it can be taken: treated as missing",
                        )
                    }
                    Scorer::Normalise {
                        method: Normalisation::Rank | Normalisation::Borda,
                        ..
                    } => {
                        return Text::new(
                            "本组数值个数超过本指标分值，名次无法计分，按缺失处理",
                            "the cohort has more values than the indicator has points, so its ranks cannot be scored: treated as missing",
                        )
                    }
                    Scorer::Normalise {
                        method: Normalisation::AboveMean { .. },
                        ..
                    } => {
                        return Text::new(
                            "本组均值不大于0，无从与均值比较，按缺失处理",
                            "the cohort's mean is not above 0, so nothing can be compared with it: treated as missing",
                        )
                    }
                    Scorer::Normalise { .. } => {
                        return Text::new(
                            "本组数值全部相同或过少，无从归一化，按缺失处理",
                            "the cohort's values are all equal or too few to normalise by: treated as missing",
                        )
                    }
                    _ => {}
                }
            }
            if missing.is_empty() {
                return missing_text("?", "?");
            }
            let zh: Vec<&str> = missing.iter().map(|i| i.label.as_str()).collect();
            let en: Vec<&str> = missing
                .iter()
                .map(|i| i.label_en.as_deref().unwrap_or(&i.label))
                .collect();
            missing_text(&zh.join("、"), &en.join("; "))
        };
        match (state.status, zero_when) {
            (Status::Zeroed, Some((Value::Bool(true), reason))) => {
                return Ok(zero_text(reason, &node.zero_reason_en))
            }
            (Status::Missing | Status::NotApplicable, Some((Value::Missing, _))) => {
                return Ok(missing())
            }
            (Status::Missing, _) => return Ok(missing()),
            _ => {}
        }
        let values = scores.rank_refs.values(index, group);
        let stats = scores.rank_refs.stats(index, group);
        let adjustment = scores.rank_refs.adjustment(index, group);
        let cohort = Cohort {
            values,
            stats: &stats,
            adjustment: &adjustment,
        };
        let text = describe(scorer, node.max, view, &cohort, &self.inputs)?;
        Ok(match (state.status, text) {
            (_, Described::Text(t)) => t,
            (Status::Zeroed, Described::Zeroed(t))
            | (Status::NotApplicable, Described::NotApplicable(t)) => t,
            _ => missing(),
        })
    }

    fn group_detail(
        &self,
        node: &Node,
        aggregate: Aggregate,
        children: &[usize],
        state: State,
        states: &[State],
    ) -> Text {
        let at = |c: usize| {
            states
                .get(c)
                .map_or((0.0, Status::Missing), |s| (s.score, s.status))
        };
        let t = tally(self, aggregate, children, &at);
        let early = group_score(self, node, aggregate, children, &t, &at).err();
        match (state.status, early) {
            (Status::Zeroed, _) => zero_text(
                node.zero_when.as_ref().map_or(&None, |(_, r)| r),
                &node.zero_reason_en,
            ),
            (_, Some(Early::BonusOnly)) => Text::new("仅含附加分项", "bonus items only"),
            (Status::NotApplicable, Some(Early::NotApplicable)) => {
                Text::new("所有子项均不适用", "every child is not applicable")
            }
            (_, Some(Early::AllMissing)) => missing_text("所有子项", "every item"),
            (_, Some(Early::Coverage(coverage, min))) => Text::new(
                format!(
                    "数据缺失：数据覆盖率{}%，低于{}%",
                    num(coverage * 100.0),
                    num(min * 100.0)
                ),
                format!(
                    "data missing: coverage {}%, below {}%",
                    num(coverage * 100.0),
                    num(min * 100.0)
                ),
            ),
            (Status::Missing | Status::NotApplicable, _) => {
                missing_text("不得分条件所需数据", "the data of the zeroing condition")
            }
            _ => group_text(
                aggregate,
                node,
                t.raw,
                t.present,
                t.considered - t.counted,
                t.lost,
                state.score,
            ),
        }
    }

    /// Every node's state at a row of the table.
    fn states(&self, scores: &Scores, row: usize) -> Vec<State> {
        (0..self.nodes.len())
            .map(|i| {
                let score = scores
                    .node_score
                    .get(i)
                    .and_then(|c| c.get(row))
                    .copied()
                    .unwrap_or(0.0);
                let status = scores
                    .node_status
                    .get(i)
                    .and_then(|c| c.get(row))
                    .copied()
                    .unwrap_or(Status::Missing);
                let counted = self.nodes.get(i).is_some_and(|n| counted(n, status));
                State {
                    score,
                    status,
                    counted,
                }
            })
            .collect()
    }

    fn row_contributions(&self, scores: &Scores, row: usize, states: &[State]) -> Vec<f64> {
        let at = |row_col: &[f64]| row_col.get(row).copied().unwrap_or(0.0);
        let base = states.first().map_or(0.0, |s| s.score);
        let earned = at(&scores.earned);
        let credited = at(&scores.bonus);
        let bonus_ratio = if earned > 0.0 { credited / earned } else { 0.0 };
        self.contributions(states, base, bonus_ratio)
    }

    /// Each node's contribution to the total before vetoes at a row of the table (the
    /// numbers of [`NodeResult::contribution`], without writing any sentence).
    pub(crate) fn contributions_at(&self, scores: &Scores, row: usize) -> Vec<f64> {
        let states = self.states(scores, row);
        self.row_contributions(scores, row, &states)
    }

    /// Each node's contribution to the total, top-down: linear aggregations pass a factor down,
    /// non-linear ones (geomean, min, harmonic, power) share their contribution out in
    /// proportion.
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
            let counted_children = || {
                children.iter().copied().filter(|&c| {
                    self.nodes.get(c).is_some_and(|n| !n.bonus)
                        && states.get(c).is_some_and(|s| s.counted)
                })
            };
            let weighted = aggregate.weighted();
            let present: f64 = counted_children()
                .filter_map(|c| self.nodes.get(c))
                .map(|c| if weighted { c.weight } else { c.max })
                .sum();
            let lost_total: f64 = counted_children()
                .filter_map(|c| Some((self.nodes.get(c)?, states.get(c)?)))
                .map(|(c, s)| (c.max - s.score).max(0.0))
                .sum();
            let strength: f64 = counted_children()
                .filter_map(|c| Some((self.nodes.get(c)?, states.get(c)?)))
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
                let top_bonus = self.plan.top_bonus.get(c).copied().unwrap_or(false);
                let (f, contrib) = if top_bonus {
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
                        Aggregate::Geomean
                        | Aggregate::Min
                        | Aggregate::Harmonic
                        | Aggregate::Power => {
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
        scores: &Scores,
        row: usize,
        evaluation: &mut Evaluation,
    ) {
        for (k, veto) in self.vetoes.iter().enumerate() {
            let path = format!("veto.{}", veto.id);
            if scores.vetoes.get(row, k) {
                let grade_name = veto
                    .grade
                    .and_then(|g| self.grades.get(g))
                    .map(|g| g.name.clone());
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
            } else if scores.vetoes_unchecked.get(row, k) {
                let name = veto.name.clone().unwrap_or_else(|| veto.id.clone());
                let name_en = veto.name_en.as_deref().unwrap_or(&name);
                evaluation.reasons.push(Reason {
                    kind: ReasonKind::Missing,
                    path: Some(path),
                    points: None,
                    text: Text::new(
                        format!("否决项“{name}”因数据缺失无法核对"),
                        format!("veto “{name_en}” could not be checked: data missing"),
                    ),
                });
            }
        }
        if let Some(g) = scores.grade(row).and_then(|g| self.grades.get(g)) {
            evaluation.grade = Some(g.name.clone());
            evaluation.grade_en = g.name_en.clone();
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
    }

    fn alert_hits(
        &self,
        view: &RowView<'_>,
        scores: &Scores,
        row: usize,
        evaluation: &mut Evaluation,
    ) -> Result<(), RecordError> {
        for k in scores.alerts.items(row) {
            let Some(alert) = self.alerts.get(k) else {
                continue;
            };
            let path = format!("alert.{}", alert.id);
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
        Ok(())
    }

    fn cohort_place(&self, scores: &Scores, row: usize, evaluation: &mut Evaluation) {
        let rank = scores.rank.get(row).copied().unwrap_or(0);
        if rank > 0 {
            let tier = self
                .quotas
                .get(scores.tier.get(row).copied().unwrap_or(NO_TIER) as usize);
            evaluation.cohort = Some(CohortPlace {
                rank: rank as usize,
                of: scores.of.get(row).copied().unwrap_or(0) as usize,
                percentile: scores.percentile.get(row).copied().unwrap_or(f64::NAN),
                tier: tier.map(|q| q.name.clone()),
                tier_en: tier.and_then(|q| q.name_en.clone()),
            });
        }
        if matches!(scores.placement, Placement::Alone) && self.cohort_dependent() {
            let text = Text::new(
                "本评价体系含依赖参评群体的规则（排名计分、按群体归一化或名额档次），单独评价时只以本单位为群体：请提供参照群体",
                "this ruleset has rules that depend on the cohort (rank scoring, normalisation against the cohort or quota tiers); scored alone, the unit is its own cohort: score it against a fitted cohort",
            );
            evaluation.reasons.push(Reason {
                kind: ReasonKind::Cohort,
                path: None,
                points: None,
                text: text.clone(),
            });
            evaluation.warnings.push(text);
        }
    }

    /// Whether some rule depends on the cohort: `rank` or `normalise` scorers, or quota tiers.
    pub fn cohort_dependent(&self) -> bool {
        !self.plan.rank_leaves.is_empty() || !self.quotas.is_empty()
    }
}

/// A scorer's sentence, or the state its rule put the leaf in.
enum Described {
    Text(Text),
    /// A value the rule needs is missing.
    Missing,
    Zeroed(Text),
    NotApplicable(Text),
}

fn number(e: &Expr, view: &RowView<'_>) -> Result<Option<f64>, RecordError> {
    Ok(match e.eval(view).map_err(fault(""))? {
        Value::Number(x) => Some(x),
        _ => None,
    })
}

fn boolean(e: &Expr, view: &RowView<'_>) -> Result<Option<bool>, RecordError> {
    Ok(match e.eval(view).map_err(fault(""))? {
        Value::Bool(b) => Some(b),
        _ => None,
    })
}

/// A band's label in Chinese and English (its `label_en`, else its label).
fn label(band: Option<&Band>) -> (String, String) {
    match band {
        Some(b) => {
            let l = b.label.clone().unwrap_or_else(|| format!("≥{}", num(b.at)));
            let en = b.label_en.clone().unwrap_or_else(|| l.clone());
            (l, en)
        }
        None => ("未达任何档次".to_string(), "no band reached".to_string()),
    }
}

/// What a cohort-dependent leaf is measured against in its cohort group.
struct Cohort<'a> {
    /// The sorted values (for `rank` and percentiles).
    values: &'a [f64],
    stats: &'a crate::cohort::Stats,
    /// The imputation and outlier treatment fitted on the group.
    adjustment: &'a crate::cohort::Adjustment,
}

/// A value after the imputation and outlier treatment fitted on its cohort group, and what
/// was done to it in words (`None` when nothing).
fn treated(
    raw: f64,
    adjustment: &crate::cohort::Adjustment,
    impute: Option<crate::ruleset::Imputation>,
) -> (f64, Option<Text>) {
    use crate::cohort::{
        TREATED_IMPUTED, TREATED_LOG, TREATED_WINSORISED_HIGH, TREATED_WINSORISED_LOW,
    };
    let (x, flags) = adjustment.apply(raw);
    if flags == 0 {
        return (x, None);
    }
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    let mut before = raw;
    let mut was = "原值";
    if flags & TREATED_IMPUTED != 0 {
        before = adjustment.impute.unwrap_or(f64::NAN);
        was = "补齐值";
        let (how_zh, how_en) = match impute {
            Some(crate::ruleset::Imputation::Median) => ("中位数", "median"),
            _ => ("均值", "mean"),
        };
        zh.push(format!("数值缺失，以本组{how_zh}{}补齐", num(before)));
        en.push(format!(
            "missing; imputed with the cohort's {how_en}, {}",
            num(before)
        ));
    }
    if flags & TREATED_WINSORISED_HIGH != 0 {
        let cap = adjustment.cap_high.unwrap_or(f64::NAN);
        zh.push(format!("{was}{}高于上限，缩尾为{}", num(before), num(cap)));
        en.push(format!("{} winsorised down to {}", num(before), num(cap)));
    }
    if flags & TREATED_WINSORISED_LOW != 0 {
        let cap = adjustment.cap_low.unwrap_or(f64::NAN);
        zh.push(format!("{was}{}低于下限，缩尾为{}", num(before), num(cap)));
        en.push(format!("{} winsorised up to {}", num(before), num(cap)));
    }
    if flags & TREATED_LOG != 0 {
        zh.push(format!("{was}{}取对数变换为{}", num(before), num(x)));
        en.push(format!("{} log-transformed to {}", num(before), num(x)));
    }
    (x, Some(Text::new(zh.join("；"), en.join("; "))))
}

/// A sentence after what was done to the value before it.
fn noted(note: Option<Text>, described: Described) -> Described {
    match (note, described) {
        (Some(n), Described::Text(t)) => Described::Text(Text::new(
            format!("{}；{}", n.zh, t.zh),
            format!("{}; {}", n.en, t.en),
        )),
        (_, d) => d,
    }
}

/// What the scorer did at this row, in words.
fn describe(
    scorer: &Scorer,
    max: f64,
    view: &RowView<'_>,
    cohort: &Cohort<'_>,
    inputs: &[crate::ruleset::Input],
) -> Result<Described, RecordError> {
    let (rank_values, stats) = (cohort.values, cohort.stats);
    macro_rules! need {
        ($e:expr) => {
            match $e {
                Some(v) => v,
                None => return Ok(Described::Missing),
            }
        };
    }
    // A share of the leaf's points, clamped to [0, 1].
    let share = |s: f64, zh: String, en: String| {
        let s = f64::clamp(s, 0.0, 1.0);
        Described::Text(Text::new(
            format!("{zh}，得分率{}%", num(s * 100.0)),
            format!("{en}: {}% of the points", num(s * 100.0)),
        ))
    };
    let text = |zh: String, en: String| Described::Text(Text::new(zh, en));
    Ok(match scorer {
        Scorer::Clause { when } => {
            if need!(boolean(when, view)?) {
                text(
                    format!("条款已满足，得{}分", num(max)),
                    format!("clause met: {} points", num(max)),
                )
            } else {
                text(
                    "条款未满足，不得分".to_string(),
                    "clause not met: 0 points".to_string(),
                )
            }
        }
        Scorer::PerOccurrence {
            count,
            per,
            cap,
            floor,
        } => {
            let n = need!(number(count, view)?).max(0.0);
            let points = rule::per_occurrence(max, n, *per, *cap, *floor);
            text(
                format!(
                    "发生{}次，每次扣{}分，扣{}分（最多扣{}分，最低{}分）",
                    num(n),
                    num(*per),
                    num(max - points),
                    num(*cap),
                    num(*floor)
                ),
                format!(
                    "{} occurrence(s) at {} each: {} deducted (at most {}, floor {})",
                    num(n),
                    num(*per),
                    num(max - points),
                    num(*cap),
                    num(*floor)
                ),
            )
        }
        Scorer::Severity { tiers, cap } => {
            let mut total = 0.0;
            let (mut zh, mut en) = (Vec::new(), Vec::new());
            for tier in tiers {
                match tier {
                    Tier::Zero {
                        name,
                        name_en,
                        when,
                    } => {
                        if need!(boolean(when, view)?) {
                            let en = name_en.as_deref().unwrap_or(name);
                            return Ok(Described::Zeroed(Text::new(
                                format!("情节{name}，本项不得分"),
                                format!("{en} case: item zeroed"),
                            )));
                        }
                    }
                    Tier::PerCase {
                        name,
                        name_en,
                        count,
                        per,
                    } => {
                        let n = need!(number(count, view)?).max(0.0);
                        if n > 0.0 {
                            let name_en = name_en.as_deref().unwrap_or(name);
                            zh.push(format!("{name}{}例×{}分", num(n), num(*per)));
                            en.push(format!("{name_en} {}×{}", num(n), num(*per)));
                        }
                        total = rule::severity_add(total, *per, n);
                    }
                }
            }
            let deduction = f64::min(total, *cap);
            let (zh, en) = if zh.is_empty() {
                ("无扣分情形".to_string(), "no cases".to_string())
            } else {
                (zh.join("，"), en.join(", "))
            };
            text(
                format!("{zh}，扣{}分", num(deduction)),
                format!("{en}: {} deducted", num(deduction)),
            )
        }
        Scorer::Discretionary {
            input,
            min,
            max: hi,
        } => {
            let v = need!(match view.get(*input) {
                Value::Number(x) => Some(x),
                _ => None,
            });
            text(
                format!("酌情扣{}分（可扣{}–{}分）", num(v), num(*min), num(*hi)),
                format!(
                    "discretionary deduction of {} (allowed {}–{})",
                    num(v),
                    num(*min),
                    num(*hi)
                ),
            )
        }
        Scorer::PerItem { count, per } => {
            let n = need!(number(count, view)?).max(0.0);
            let points = rule::per_item(max, n, *per);
            text(
                format!(
                    "{}项，每项{}分，计{}分（最高{}分）",
                    num(n),
                    num(*per),
                    num(points),
                    num(max)
                ),
                format!(
                    "{} item(s) at {} each: {} (at most {})",
                    num(n),
                    num(*per),
                    num(points),
                    num(max)
                ),
            )
        }
        Scorer::Threshold {
            value,
            direction,
            bands,
        } => {
            let x = need!(number(value, view)?);
            let band = rule::threshold(bands, *direction, x);
            let (label, label_en) = label(band);
            share(
                band.map_or(0.0, |b| b.share),
                format!("数值{}，{label}", num(x)),
                format!("value {}, band {label_en}", num(x)),
            )
        }
        Scorer::Piecewise { value, points } => {
            let x = need!(number(value, view)?);
            share(
                rule::interpolate(points, x),
                format!("数值{}，分段线性计分", num(x)),
                format!("value {}, piecewise-linear", num(x)),
            )
        }
        Scorer::Goalposts {
            value,
            lo,
            hi,
            direction,
        } => {
            let x = need!(number(value, view)?);
            share(
                rule::goalposts(x, *lo, *hi, *direction),
                format!("数值{}，阈值{}–{}", num(x), num(*lo), num(*hi)),
                format!("value {}, goalposts {}–{}", num(x), num(*lo), num(*hi)),
            )
        }
        Scorer::Target {
            value,
            target,
            direction,
            tolerance,
        } => {
            let x = need!(number(value, view)?);
            share(
                rule::target_share(x, *target, *direction, *tolerance),
                format!("数值{}，目标值{}", num(x), num(*target)),
                format!("value {}, target {}", num(x), num(*target)),
            )
        }
        Scorer::Efficacy { value, worst, best } => {
            let x = need!(number(value, view)?);
            let d = rule::efficacy(x, *worst, *best);
            share(
                d / 100.0,
                format!("数值{}，功效系数{}", num(x), num(d)),
                format!("value {}, efficacy coefficient {}", num(x), num(d)),
            )
        }
        Scorer::Levels {
            input,
            shares,
            not_applicable,
        } => {
            let level = need!(match view.get(*input) {
                Value::Text(t) => Some(t),
                _ => None,
            });
            let level_en = inputs.get(*input).map_or(level, |i| i.value_en(level));
            if not_applicable.iter().any(|v| v == level) {
                return Ok(Described::NotApplicable(Text::new(
                    format!("“{level}”：不适用，不计入分母"),
                    format!("“{level_en}”: not applicable"),
                )));
            }
            let s = shares
                .iter()
                .find(|(v, _)| v == level)
                .map_or(0.0, |(_, s)| *s);
            share(s, format!("等级“{level}”"), format!("level “{level_en}”"))
        }
        Scorer::Survey {
            input,
            codes,
            excluded,
            scale,
            min_valid,
        } => {
            let counts = need!(view.survey(*input));
            let (valid, mean) = need!(rule::survey_mean(counts, codes, *min_valid));
            let left_out: f64 = excluded
                .iter()
                .map(|i| counts.get(*i).copied().unwrap_or(0.0))
                .sum();
            share(
                mean / scale,
                format!(
                    "有效票{}张（剔除{}张），平均{}分",
                    num(valid),
                    num(left_out),
                    num(mean)
                ),
                format!(
                    "{} valid votes ({} excluded), mean {}",
                    num(valid),
                    num(left_out),
                    num(mean)
                ),
            )
        }
        Scorer::Frequency { periods, min } => {
            let mut met = 0usize;
            for p in periods {
                if need!(number(p, view)?) >= *min {
                    met += 1;
                }
            }
            share(
                met as f64 / periods.len().max(1) as f64,
                format!(
                    "{}个周期中{}个达标（每期不少于{}次）",
                    periods.len(),
                    met,
                    num(*min)
                ),
                format!(
                    "{met} of {} periods compliant (at least {} each)",
                    periods.len(),
                    num(*min)
                ),
            )
        }
        Scorer::Criteria { criteria, bands } => {
            let mut met = 0usize;
            for c in criteria {
                if need!(boolean(c, view)?) {
                    met += 1;
                }
            }
            let band = rule::at_least(bands, met as f64);
            let (label, label_en) = label(band);
            share(
                band.map_or(0.0, |b| b.share),
                format!("符合{met}项标准，{label}"),
                format!("{met} criteria met: {label_en}"),
            )
        }
        Scorer::RiskMatrix {
            likelihood,
            severity,
            bands,
        } => {
            let (l, s) = (
                need!(number(likelihood, view)?),
                need!(number(severity, view)?),
            );
            let risk = l * s;
            let band = rule::at_least(bands, risk);
            let (label, label_en) = label(band);
            share(
                band.map_or(0.0, |b| b.share),
                format!(
                    "可能性{}×严重程度{}=风险值{}，{label}",
                    num(l),
                    num(s),
                    num(risk)
                ),
                format!(
                    "likelihood {} × severity {} = risk {}: {label_en}",
                    num(l),
                    num(s),
                    num(risk)
                ),
            )
        }
        Scorer::Rank {
            value,
            direction,
            step,
        } => {
            let x = need!(number(value, view)?);
            let rank = rule::better_than(rank_values, x, *direction) + 1;
            let of = rank_values.len().max(1);
            text(
                format!(
                    "数值{}，第{rank}名（共{of}个），每降一名扣{}分",
                    num(x),
                    num(*step)
                ),
                format!(
                    "value {}, rank {rank} of {of}, {} per place",
                    num(x),
                    num(*step)
                ),
            )
        }
        Scorer::Normalise {
            value,
            method,
            direction,
            prepare,
            ..
        } => {
            // The value after imputation and outlier treatment, which the sentence says first.
            let raw = number(value, view)?.unwrap_or(f64::NAN);
            let (x, note) = treated(raw, cohort.adjustment, prepare.impute);
            let x = need!((!x.is_nan()).then_some(x));
            let points = need!(rule::normalise(
                method,
                *direction,
                stats,
                rank_values,
                max,
                x
            ))
            .clamp(0.0, max);
            let (lower_zh, lower_en) = match direction {
                Direction::Higher => ("", ""),
                Direction::Lower => ("（越低越好）", " (lower is better)"),
            };
            let described = match method {
                Normalisation::Minmax { lo, hi } => text(
                    format!(
                        "数值{}{lower_zh}，本组最小值{}、最大值{}，按最小–最大法折算为{}分（{}–{}分）",
                        num(x),
                        num(stats.min),
                        num(stats.max),
                        num(points),
                        num(*lo),
                        num(*hi)
                    ),
                    format!(
                        "value {}{lower_en}; the cohort's minimum {}, maximum {}: min-max scaled to {} points (range {}–{})",
                        num(x),
                        num(stats.min),
                        num(stats.max),
                        num(points),
                        num(*lo),
                        num(*hi)
                    ),
                ),
                Normalisation::Zscore { mean, sd } => text(
                    format!(
                        "数值{}{lower_zh}，本组均值{}、标准差{}，标准化为{}分（均值{}分，每个标准差{}分）",
                        num(x),
                        num(stats.mean),
                        num(stats.sd),
                        num(points),
                        num(*mean),
                        num(*sd)
                    ),
                    format!(
                        "value {}{lower_en}; the cohort's mean {}, standard deviation {}: standardised to {} points (mean {}, {} points per standard deviation)",
                        num(x),
                        num(stats.mean),
                        num(stats.sd),
                        num(points),
                        num(*mean),
                        num(*sd)
                    ),
                ),
                Normalisation::Percentile => share(
                    if max > 0.0 { points / max } else { 0.0 },
                    format!(
                        "数值{}{lower_zh}，在本组{}个数值中的百分位",
                        num(x),
                        rank_values.len()
                    ),
                    format!(
                        "value {}{lower_en}, its percentile among the cohort's {} values",
                        num(x),
                        rank_values.len()
                    ),
                ),
                Normalisation::FractionOfMax => {
                    let best = match direction {
                        Direction::Higher => stats.max,
                        Direction::Lower => stats.min,
                    };
                    share(
                        if max > 0.0 { points / max } else { 0.0 },
                        format!("数值{}{lower_zh}，本组最优值{}", num(x), num(best)),
                        format!("value {}{lower_en}; the cohort's best {}", num(x), num(best)),
                    )
                }
                Normalisation::Target { target } => {
                    let worst = match direction {
                        Direction::Higher => stats.min,
                        Direction::Lower => stats.max,
                    };
                    share(
                        if max > 0.0 { points / max } else { 0.0 },
                        format!(
                            "数值{}{lower_zh}，本组最差值{}、目标值{}",
                            num(x),
                            num(worst),
                            num(*target)
                        ),
                        format!(
                            "value {}{lower_en}; the cohort's worst {}, the target {}",
                            num(x),
                            num(worst),
                            num(*target)
                        ),
                    )
                }
                Normalisation::Reference { unit, .. } => {
                    let worst = match direction {
                        Direction::Higher => stats.min,
                        Direction::Lower => stats.max,
                    };
                    text(
                        format!(
                            "数值{}{lower_zh}，本组最差值{}、参照单位“{unit}”的数值{}，得{}分",
                            num(x),
                            num(worst),
                            num(stats.reference),
                            num(points)
                        ),
                        format!(
                            "value {}{lower_en}; the cohort's worst {}, the reference unit “{unit}” {}: {} points",
                            num(x),
                            num(worst),
                            num(stats.reference),
                            num(points)
                        ),
                    )
                }
                Normalisation::Rank | Normalisation::Borda => {
                    let place = rule::better_than(rank_values, x, *direction) + 1;
                    let (zh, en) = if matches!(method, Normalisation::Rank) {
                        ("名次分（最差为1分）", "rank points (1 for the last)")
                    } else {
                        ("波达分（胜过的个数）", "Borda points (the values it beats)")
                    };
                    text(
                        format!(
                            "数值{}{lower_zh}，在本组{}个数值中排第{place}名，{zh}{}分",
                            num(x),
                            rank_values.len(),
                            num(points)
                        ),
                        format!(
                            "value {}{lower_en}, rank {place} of the cohort's {} values: {en} {}",
                            num(x),
                            rank_values.len(),
                            num(points)
                        ),
                    )
                }
                Normalisation::PercentileBands { .. } => {
                    let worse = rule::worse_than(rank_values, x, *direction) as f64;
                    let rank = 100.0 * worse / (rank_values.len().max(2) - 1) as f64;
                    share(
                        if max > 0.0 { points / max } else { 0.0 },
                        format!(
                            "数值{}{lower_zh}，在本组{}个数值中的百分位{}，按分档计分",
                            num(x),
                            rank_values.len(),
                            num(rank)
                        ),
                        format!(
                            "value {}{lower_en}, percentile rank {} among the cohort's {} values, scored by its band",
                            num(x),
                            num(rank),
                            rank_values.len()
                        ),
                    )
                }
                Normalisation::AboveMean { tolerance } => {
                    let (zh, en) = if points >= max {
                        ("优于", "better than")
                    } else if points <= 0.0 {
                        ("差于", "worse than")
                    } else {
                        ("接近", "close to")
                    };
                    text(
                        format!(
                            "数值{}{lower_zh}，本组均值{}，{zh}均值（容差{}%），得{}分",
                            num(x),
                            num(stats.mean),
                            num(tolerance * 100.0),
                            num(points)
                        ),
                        format!(
                            "value {}{lower_en}; the cohort's mean {}: {en} the mean (tolerance {}%), {} points",
                            num(x),
                            num(stats.mean),
                            num(tolerance * 100.0),
                            num(points)
                        ),
                    )
                }
            };
            noted(note, described)
        }
        Scorer::Formula { expr } => {
            let v = need!(number(expr, view)?);
            text(
                format!("按公式计算得{}", num(v)),
                format!("computed by formula: {}", num(v)),
            )
        }
    })
}

/// What a group did, in words.
fn group_text(
    aggregate: Aggregate,
    node: &Node,
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
        Aggregate::Harmonic | Aggregate::Power => rules::power_words(aggregate, node.exponent),
        Aggregate::Deduction => Text::new(
            format!("从{}分起扣，共扣{}分，扣完为止", num(node.max), num(lost)),
            format!(
                "starts at {}, {} deducted, floor 0",
                num(node.max),
                num(lost)
            ),
        ),
    }
}

fn zero_text(reason: &Option<String>, reason_en: &Option<String>) -> Text {
    match reason {
        Some(r) => {
            let en = reason_en.as_deref().unwrap_or(r);
            Text::new(format!("本项不得分：{r}"), format!("item zeroed: {en}"))
        }
        None => Text::new("本项不得分", "item zeroed"),
    }
}

fn missing_text(zh: &str, en: &str) -> Text {
    Text::new(format!("数据缺失：{zh}"), format!("data missing: {en}"))
}

fn node_reason(
    node: &Node,
    state: &State,
    detail: &Text,
    lost: f64,
    is_leaf: bool,
) -> Option<Reason> {
    let en_name = node.name_en.as_deref().unwrap_or(&node.name);
    let (kind, points, zh, en) = match state.status {
        Status::Zeroed => (
            ReasonKind::Zeroed,
            Some(lost),
            format!("“{}”不得分（失{}分）：{}", node.name, num(lost), detail.zh),
            format!("“{en_name}” zeroed ({} lost): {}", num(lost), detail.en),
        ),
        Status::Missing if is_leaf => (
            ReasonKind::Missing,
            Some(lost),
            format!("“{}”{}", node.name, detail.zh),
            format!("“{en_name}”: {}", detail.en),
        ),
        Status::NotApplicable if is_leaf => (
            ReasonKind::NotApplicable,
            None,
            format!("“{}”不适用，不计入分母", node.name),
            format!("“{en_name}” not applicable: left out of the denominator"),
        ),
        Status::Scored if is_leaf && lost > 1e-12 && !node.bonus => (
            ReasonKind::Deduction,
            Some(lost),
            format!("“{}”失{}分：{}", node.name, num(lost), detail.zh),
            format!("“{en_name}” lost {}: {}", num(lost), detail.en),
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
