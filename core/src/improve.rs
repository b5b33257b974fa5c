//! An improvement plan for one unit: the cheapest set of changes to its inputs that lifts it to
//! the next grade band above its own (or to a grade asked for), each change with the points it
//! gains, every number checked by scoring the changed record with the engine.
//!
//! **Changes.** A change sets one input of the unit to another value. The values tried for an
//! input are those that can move its indicator: for a yes/no input the other answer; for a
//! category the other values; for a number or count 0, its declared bounds, the numbers its
//! indicator's rule names (band thresholds, goalposts, targets, the literals of its
//! expressions) and one either side of each, and for a count of occurrences every smaller
//! count (a `per_occurrence` deduction's count down to 0). Survey inputs are not changed.
//!
//! **Options.** For each indicator short of its points, a ladder of options: starting from the
//! unit's values, the single change that raises the indicator most (the cheapest among equals)
//! is taken, then the next among the inputs not yet changed, until it has its points or
//! nothing more helps; every distinct level reached on the way is an option, with the cheapest
//! changes found for it (the next band of a threshold, or its top band). An option that does
//! not raise the unit's total (a capped bonus, a capped group) is dropped.
//!
//! **Cost.** By default the points a plan recovers: the smallest plan is the one that reaches
//! the grade with the fewest points to make up. With a cost per input (cost per unit of change;
//! 1 unit for a yes/no or category change) it is the sum over the changes, and inputs left out
//! of the cost map are not changed. Ties go to fewer changes, then the higher score.
//!
//! **Search.** At most one option per indicator. When the combinations number at most
//! [`EXACT_LIMIT`], every one is scored by the engine and the cheapest that reaches the grade is
//! chosen (exact). Otherwise options are added greedily by points gained per cost, each step
//! scored by the engine, then any option the plan can do without is removed.
//!
//! **Vetoes and grade conditions.** A veto that holds and keeps the unit below the target (one
//! that zeroes the total, or forces or caps the grade below it) must be lifted first: the plan
//! lists the change to its condition's inputs as a required step, or says the target cannot be
//! reached while the veto holds. Likewise for the target grade's own condition (`when`). An
//! indicator's options may move such an input further (fewer cases than the veto needs); the
//! required step then shows the final value. Bonus
//! caps and group caps need no special handling: every gain is measured on the engine's total.

use crate::batch::Batch;
use crate::cohort::Cohort;
use crate::expr::vector::numbers;
use crate::expr::{Expr, Value};
use crate::record::{Cell, Record};
use crate::ruleset::{Input, InputType, NodeKind, Ruleset, Scorer, Tier, VetoEffect};
use crate::score::Scores;
use crate::uncertainty::AnalysisError;
use serde::Serialize;
use std::collections::BTreeMap;

/// Combinations of options scored one by one for an exact plan; above it the search is greedy.
pub const EXACT_LIMIT: usize = 4096;

/// What to aim for and what changes cost.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ImproveOptions {
    /// Target grade (Chinese or English name); `None`: the next band above the unit's own.
    pub target: Option<String>,
    /// Cost per unit of change of each input, by input name; `None`: cost = points recovered.
    pub costs: Option<BTreeMap<String, f64>>,
}

impl ImproveOptions {
    /// Aims at the next grade band, cost = points recovered.
    pub fn new() -> Self {
        ImproveOptions::default()
    }

    /// Aims at a grade (Chinese or English name).
    pub fn target(mut self, grade: impl Into<String>) -> Self {
        self.target = Some(grade.into());
        self
    }

    /// Costs per unit of change of the inputs (the others are not changed).
    pub fn costs(mut self, costs: BTreeMap<String, f64>) -> Self {
        self.costs = Some(costs);
        self
    }
}

/// Why a step is there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Lifts a veto that keeps the unit below the target.
    Veto,
    /// Meets the target grade's own condition.
    Grade,
    /// Raises an indicator.
    Indicator,
}

/// One change of one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// Why.
    pub kind: StepKind,
    /// The indicator's path, the veto's id or the grade's name.
    pub path: String,
    /// Indicator name, veto reason or grade name.
    pub name: String,
    /// English of `name`.
    pub name_en: Option<String>,
    /// The input changed.
    pub input: String,
    /// Its label.
    pub label: String,
    /// English label.
    pub label_en: Option<String>,
    /// Value before.
    pub from: serde_json::Value,
    /// Value after.
    pub to: serde_json::Value,
    /// Points the unit's total gains with this step, the steps before it already made.
    pub points: f64,
    /// Cost of the step (by default its points).
    pub cost: f64,
}

/// How the plan was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Search {
    /// Nothing to do (already at or above the target, or no grade above).
    None,
    /// Every combination scored.
    Exact,
    /// Greedy by points per cost, then pruned.
    Greedy,
}

/// An improvement plan (see the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ImprovementPlan {
    /// Row in the batch.
    pub row: usize,
    /// Unit id.
    pub id: Option<String>,
    /// Unit name.
    pub name: Option<String>,
    /// Total now.
    pub score_before: f64,
    /// Grade now.
    pub grade_before: Option<String>,
    /// English grade now.
    pub grade_before_en: Option<String>,
    /// Grade aimed at (`None` when there is no band above).
    pub target: Option<String>,
    /// English of the target.
    pub target_en: Option<String>,
    /// Whether the steps reach the target.
    pub reachable: bool,
    /// The changes, required ones first; when unreachable, the changes that come closest.
    pub steps: Vec<Step>,
    /// The engine's total with every step made.
    pub score_after: f64,
    /// The engine's grade with every step made.
    pub grade_after: Option<String>,
    /// English grade after.
    pub grade_after_en: Option<String>,
    /// Sum of the steps' costs.
    pub cost: f64,
    /// How the plan was found.
    pub search: Search,
    /// The veto or grade condition that cannot be met, when that is what makes it unreachable.
    pub blocked_by: Option<Step>,
}

impl ImprovementPlan {
    /// The changed values, input → value: the record to score to check the plan.
    pub fn changes(&self) -> BTreeMap<String, serde_json::Value> {
        self.steps
            .iter()
            .map(|s| (s.input.clone(), s.to.clone()))
            .collect()
    }

    /// The plan as JSON (the shape Python and JavaScript share).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

type Change = (usize, Cell);

/// An option of one indicator: changes and the leaf's points with them.
#[derive(Clone, Debug)]
struct Opt {
    changes: Vec<Change>,
    level: f64,
    cost: f64,
}

/// The engine's verdict on a variant of the unit.
#[derive(Clone, Debug)]
struct Outcome {
    ok: bool,
    total: f64,
    grade: Option<usize>,
}

struct Unit<'r> {
    ruleset: &'r Ruleset,
    base: Record,
    cohort: &'r Cohort,
    costs: Option<Vec<Option<f64>>>,
    target: usize,
}

impl Ruleset {
    /// The improvement plan of the unit whose id is `id`, the batch being its cohort.
    pub fn improve(
        &self,
        batch: &Batch<'_>,
        id: &str,
        options: &ImproveOptions,
    ) -> Result<ImprovementPlan, AnalysisError> {
        let row = (0..batch.len())
            .find(|&r| batch.id(r) == Some(id))
            .ok_or_else(|| invalid(format!("no unit has the id `{}`", crate::excerpt(id, 60))))?;
        self.improve_row(batch, row, options)
    }

    /// The improvement plan of the unit at `row` of the batch, the batch being its cohort.
    pub fn improve_row(
        &self,
        batch: &Batch<'_>,
        row: usize,
        options: &ImproveOptions,
    ) -> Result<ImprovementPlan, AnalysisError> {
        self.improve_row_against(batch, row, options, &self.fit(batch))
    }

    /// [`Ruleset::improve_row`] against a cohort already fitted (on this batch, or a reference),
    /// for plans of many units of one batch.
    pub fn improve_row_against(
        &self,
        batch: &Batch<'_>,
        row: usize,
        options: &ImproveOptions,
        cohort: &Cohort,
    ) -> Result<ImprovementPlan, AnalysisError> {
        if row >= batch.len() {
            return Err(invalid(format!(
                "row {} is not in the data ({} rows)",
                row + 1,
                batch.len()
            )));
        }
        let costs = options
            .costs
            .as_ref()
            .map(|c| self.cost_slots(c))
            .transpose()?;
        let target = options
            .target
            .as_deref()
            .map(|t| {
                self.grades
                    .iter()
                    .position(|g| g.name == t || g.name_en.as_deref() == Some(t))
                    .ok_or_else(|| {
                        invalid(format!(
                            "no grade is called `{}`; the grades are {}",
                            crate::excerpt(t, 60),
                            self.grade_names().join(", ")
                        ))
                    })
            })
            .transpose()?;
        let mut unit = Unit {
            ruleset: self,
            base: self.record_at(batch, row),
            cohort,
            costs,
            target: 0,
        };
        let now = unit.score(&[Vec::new()])?;
        let now_scores = &now;
        if let Some(e) = now_scores.error(0) {
            return Err(invalid(format!(
                "the unit at row {} could not be scored: {}",
                row + 1,
                e.message
            )));
        }
        let before = outcome(now_scores, 0);
        let grade_name = |g: Option<usize>| {
            let g = g.and_then(|g| self.grades.get(g));
            (g.map(|g| g.name.clone()), g.and_then(|g| g.name_en.clone()))
        };
        let (grade_before, grade_before_en) = grade_name(before.grade);
        let target = target.or(match before.grade {
            None => self.grades.len().checked_sub(1),
            Some(g) => g.checked_sub(1),
        });
        let (target_name, target_en) = grade_name(target);
        let mut plan = ImprovementPlan {
            row,
            id: batch.id(row).map(str::to_string),
            name: batch.name(row).map(str::to_string),
            score_before: before.total,
            grade_before,
            grade_before_en,
            target: target_name,
            target_en,
            reachable: true,
            steps: Vec::new(),
            score_after: before.total,
            grade_after: plan_grade(self, before.grade),
            grade_after_en: plan_grade_en(self, before.grade),
            cost: 0.0,
            search: Search::None,
            blocked_by: None,
        };
        let Some(target) = target else {
            return Ok(plan);
        };
        unit.target = target;
        if before.reaches(target) {
            return Ok(plan);
        }

        // Required changes: vetoes keeping the unit below the target, the target's condition.
        let mut required: Vec<(StepKind, usize, Vec<Change>)> = Vec::new();
        let mut fixed: Vec<Change> = Vec::new();
        for v in now_scores.vetoes(0).collect::<Vec<_>>() {
            let Some(veto) = self.vetoes.get(v) else {
                continue;
            };
            let below = match (veto.effect, veto.grade) {
                (VetoEffect::Zero, _) => true,
                (_, Some(g)) => g > target,
                (_, None) => false,
            };
            if !below {
                continue;
            }
            match unit.lift(&fixed, &veto.when, |s, i| !s.vetoes(i).any(|x| x == v))? {
                Some(changes) => {
                    fixed.extend(changes.iter().cloned());
                    required.push((StepKind::Veto, v, changes));
                }
                None => {
                    plan.reachable = false;
                    plan.blocked_by = Some(unit.veto_step(v));
                    return Ok(plan);
                }
            }
        }
        if let Some(when) = self.grades.get(target).and_then(|g| g.when.as_ref()) {
            let holds = |b: &Batch<'_>, i: usize| {
                matches!(when.eval(&b.row(self, i)), Ok(Value::Bool(true)))
            };
            let check = unit.variants_batch(&[fixed.clone()]);
            if !holds(&check, 0) {
                match unit.lift_by(&fixed, when, &holds)? {
                    Some(changes) => {
                        fixed.extend(changes.iter().cloned());
                        required.push((StepKind::Grade, target, changes));
                    }
                    None => {
                        plan.reachable = false;
                        plan.blocked_by = Some(unit.grade_step(target));
                        return Ok(plan);
                    }
                }
            }
        }

        // Options per indicator, on top of the required changes.
        let groups: Vec<(usize, Vec<Opt>)> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n.kind, NodeKind::Leaf { .. }))
            .map(|(i, _)| Ok((i, unit.options(&fixed, i)?)))
            .collect::<Result<Vec<_>, AnalysisError>>()?
            .into_iter()
            .filter(|(_, o)| !o.is_empty())
            .collect();
        let combinations = groups
            .iter()
            .try_fold(1_usize, |acc, (_, o)| acc.checked_mul(o.len() + 1))
            .filter(|&c| c <= EXACT_LIMIT);
        let (chosen, search) = match combinations {
            Some(_) => (unit.exact(&fixed, &groups)?, Search::Exact),
            None => (unit.greedy(&fixed, &groups)?, Search::Greedy),
        };
        let (choice, reachable) = match chosen {
            Some(c) => (c, true),
            // Unreachable: the top option of every indicator, as close as the unit can come.
            None => (groups.iter().map(|(_, o)| o.len()).collect(), false),
        };

        // The steps in order, each scored with the ones before it.
        let mut ordered: Vec<(StepKind, usize, Change)> = Vec::new();
        for (kind, at, changes) in &required {
            ordered.extend(changes.iter().map(|c| (*kind, *at, c.clone())));
        }
        for ((node, opts), &k) in groups.iter().zip(&choice) {
            if let Some(opt) = k.checked_sub(1).and_then(|k| opts.get(k)) {
                for c in &opt.changes {
                    match ordered.iter_mut().find(|(_, _, (s, _))| *s == c.0) {
                        // A required step's input moved further: the step takes the value.
                        Some((_, _, (_, to))) => *to = c.1.clone(),
                        None => ordered.push((StepKind::Indicator, *node, c.clone())),
                    }
                }
            }
        }
        let prefixes: Vec<Vec<Change>> = (0..=ordered.len())
            .map(|n| ordered.iter().take(n).map(|(_, _, c)| c.clone()).collect())
            .collect();
        let scored = unit.score(&prefixes)?;
        let totals: Vec<Outcome> = (0..prefixes.len()).map(|i| outcome(&scored, i)).collect();
        for (i, (kind, at, (slot, to))) in ordered.iter().enumerate() {
            let gain = match (totals.get(i + 1), totals.get(i)) {
                (Some(a), Some(b)) => a.total - b.total,
                _ => 0.0,
            };
            let cost = match &unit.costs {
                Some(_) => unit.change_cost(*slot, to),
                None => gain.max(0.0),
            };
            let mut step = match kind {
                StepKind::Veto => unit.veto_step(*at),
                StepKind::Grade => unit.grade_step(*at),
                StepKind::Indicator => unit.node_step(*at),
            };
            unit.fill(&mut step, *slot, to);
            step.points = gain;
            step.cost = cost;
            plan.steps.push(step);
        }
        let last = totals.last().cloned().unwrap_or(before);
        plan.reachable = reachable && last.reaches(target);
        plan.score_after = last.total;
        plan.grade_after = plan_grade(self, last.grade);
        plan.grade_after_en = plan_grade_en(self, last.grade);
        plan.cost = plan.steps.iter().map(|s| s.cost).sum();
        plan.search = search;
        Ok(plan)
    }

    /// The unit at `row` as a record: its id, name and every input's value.
    fn record_at(&self, batch: &Batch<'_>, row: usize) -> Record {
        let mut record = Record::new();
        if let Some(id) = batch.id(row) {
            record = record.with(&self.meta.id_field, id);
        }
        if let Some(name) = batch.name(row) {
            record = record.with(&self.meta.name_field, name);
        }
        let view = batch.row(self, row);
        for (slot, input) in self.inputs.iter().enumerate() {
            let cell = match view.json(slot) {
                serde_json::Value::Bool(b) => Cell::Bool(b),
                serde_json::Value::Number(n) => n.as_f64().map_or(Cell::Missing, Cell::Number),
                serde_json::Value::String(s) => Cell::Text(s),
                serde_json::Value::Object(m) => Cell::Counts(
                    m.into_iter()
                        .filter_map(|(k, v)| Some((k, v.as_f64()?)))
                        .collect(),
                ),
                _ => Cell::Missing,
            };
            record.fields.insert(input.name.clone(), cell);
        }
        record
    }

    fn cost_slots(&self, costs: &BTreeMap<String, f64>) -> Result<Vec<Option<f64>>, AnalysisError> {
        let mut slots = vec![None; self.inputs.len()];
        for (name, &cost) in costs {
            let slot = self.plan.input_slots.get(name).copied().ok_or_else(|| {
                invalid(format!(
                    "the costs name `{}`, which is not an input of the ruleset",
                    crate::excerpt(name, 60)
                ))
            })?;
            if !cost.is_finite() || cost < 0.0 {
                return Err(invalid(format!(
                    "the cost of `{}` must be a number ≥ 0, not {cost}",
                    crate::excerpt(name, 60)
                )));
            }
            if let Some(s) = slots.get_mut(slot) {
                *s = Some(cost);
            }
        }
        Ok(slots)
    }
}

fn plan_grade(ruleset: &Ruleset, g: Option<usize>) -> Option<String> {
    g.and_then(|g| ruleset.grades.get(g))
        .map(|g| g.name.clone())
}

fn plan_grade_en(ruleset: &Ruleset, g: Option<usize>) -> Option<String> {
    g.and_then(|g| ruleset.grades.get(g))
        .and_then(|g| g.name_en.clone())
}

fn invalid(message: String) -> AnalysisError {
    AnalysisError { message }
}

fn outcome(scores: &Scores, i: usize) -> Outcome {
    Outcome {
        ok: scores.error(i).is_none(),
        total: scores.totals().get(i).copied().unwrap_or(f64::NAN),
        grade: scores.grade(i),
    }
}

impl Outcome {
    fn reaches(&self, target: usize) -> bool {
        self.ok && self.grade.is_some_and(|g| g <= target)
    }
}

fn cell_json(cell: &Cell) -> serde_json::Value {
    match cell {
        Cell::Missing => serde_json::Value::Null,
        Cell::Bool(b) => serde_json::Value::Bool(*b),
        Cell::Number(x) => serde_json::json!(x),
        Cell::Text(t) => serde_json::Value::String(t.clone()),
        Cell::Counts(c) => serde_json::json!(c),
    }
}

fn number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(x) if x.is_finite() => Some(*x),
        _ => None,
    }
}

/// The numbers a leaf's rule names: the values of its inputs worth trying.
fn constants(scorer: &Scorer) -> Vec<f64> {
    let mut out = Vec::new();
    scorer.for_each_expr(&mut |e: &Expr| numbers(e.root(), &mut out));
    match scorer {
        Scorer::Threshold { bands, .. }
        | Scorer::Criteria { bands, .. }
        | Scorer::RiskMatrix { bands, .. } => out.extend(bands.iter().map(|b| b.at)),
        Scorer::Piecewise { points, .. } => out.extend(points.iter().map(|p| p.0)),
        Scorer::Goalposts { lo, hi, .. } => out.extend([*lo, *hi]),
        Scorer::Target {
            target, tolerance, ..
        } => {
            out.push(*target);
            if let Some(t) = tolerance {
                out.extend([target - t, target + t]);
            }
        }
        Scorer::Efficacy { worst, best, .. } => out.extend([*worst, *best]),
        Scorer::Frequency { min, .. } => out.push(*min),
        Scorer::Discretionary { min, max, .. } => out.extend([*min, *max]),
        Scorer::Severity { tiers, .. } => {
            for t in tiers {
                if let Tier::PerCase { .. } = t {
                    out.push(0.0);
                }
            }
        }
        _ => {}
    }
    out
}

/// Values of an input worth trying instead of `current`.
fn candidates(input: &Input, current: &Cell, constants: &[f64]) -> Vec<Cell> {
    match input.kind {
        InputType::Survey => Vec::new(),
        InputType::Boolean => match current {
            Cell::Bool(b) => vec![Cell::Bool(!b)],
            _ => vec![Cell::Bool(true), Cell::Bool(false)],
        },
        InputType::Category => input
            .values
            .iter()
            .filter(|v| !matches!(current, Cell::Text(t) if t == *v))
            .map(|v| Cell::Text(v.clone()))
            .collect(),
        InputType::Count | InputType::Number => {
            let whole = input.kind == InputType::Count;
            let mut xs: Vec<f64> = vec![0.0];
            xs.extend(input.min);
            xs.extend(input.max);
            for &k in constants {
                xs.extend([k, k - 1.0, k + 1.0]);
            }
            let now = number(current);
            if let Some(c) = now {
                xs.extend([c - 1.0, c + 1.0]);
                if whole && c <= 64.0 {
                    // Every smaller count: one occurrence fewer at a time.
                    let mut k = 0.0;
                    while k < c {
                        xs.push(k);
                        k += 1.0;
                    }
                }
            }
            xs.retain(|&x| {
                x.is_finite()
                    && now != Some(x)
                    && input.min.is_none_or(|lo| x >= lo)
                    && input.max.is_none_or(|hi| x <= hi)
                    && (!whole || (x >= 0.0 && x.fract() == 0.0))
            });
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            xs.into_iter().map(Cell::Number).collect()
        }
    }
}

impl Unit<'_> {
    fn record(&self, changes: &[Change]) -> Record {
        let mut r = self.base.clone();
        for (slot, cell) in changes {
            if let Some(input) = self.ruleset.inputs.get(*slot) {
                r.fields.insert(input.name.clone(), cell.clone());
            }
        }
        r
    }

    fn variants_batch(&self, variants: &[Vec<Change>]) -> Batch<'static> {
        let records: Vec<Record> = variants.iter().map(|v| self.record(v)).collect();
        Batch::from_records(self.ruleset, &records)
    }

    /// Scores variants of the unit against its cohort.
    fn score(&self, variants: &[Vec<Change>]) -> Result<Scores, AnalysisError> {
        let batch = self.variants_batch(variants);
        self.ruleset
            .score_against(&batch, self.cohort)
            .map_err(|e| invalid(e.to_string()))
    }

    fn current(&self, slot: usize) -> Cell {
        self.ruleset
            .inputs
            .get(slot)
            .and_then(|i| self.base.get(&i.name))
            .cloned()
            .unwrap_or(Cell::Missing)
    }

    fn changeable(&self, slot: usize) -> bool {
        match &self.costs {
            None => true,
            Some(c) => c.get(slot).copied().flatten().is_some(),
        }
    }

    /// Cost of setting an input to `to` (user costs), or 1 per change (for ties).
    fn change_cost(&self, slot: usize, to: &Cell) -> f64 {
        let per = match &self.costs {
            Some(c) => c.get(slot).copied().flatten().unwrap_or(f64::INFINITY),
            None => 1.0,
        };
        let units = match (number(&self.current(slot)), number(to)) {
            (Some(a), Some(b)) => (b - a).abs(),
            (None, Some(b)) => b.abs().max(1.0),
            _ => 1.0,
        };
        per * units
    }

    fn changes_cost(&self, changes: &[Change]) -> f64 {
        changes.iter().map(|(s, c)| self.change_cost(*s, c)).sum()
    }

    /// The cheapest change of one input (or two) of `when` that makes `ok` true, on top of
    /// `fixed`.
    fn lift(
        &self,
        fixed: &[Change],
        when: &Expr,
        ok: impl Fn(&Scores, usize) -> bool,
    ) -> Result<Option<Vec<Change>>, AnalysisError> {
        let tries = self.tries(fixed, when);
        let scored = self.score(&tries)?;
        Ok(cheapest(
            self,
            &tries,
            |i| scored.error(i).is_none() && ok(&scored, i),
            fixed,
        ))
    }

    fn lift_by(
        &self,
        fixed: &[Change],
        when: &Expr,
        ok: &dyn Fn(&Batch<'_>, usize) -> bool,
    ) -> Result<Option<Vec<Change>>, AnalysisError> {
        let tries = self.tries(fixed, when);
        let batch = self.variants_batch(&tries);
        Ok(cheapest(self, &tries, |i| ok(&batch, i), fixed))
    }

    /// Variants changing one, then two, of an expression's inputs.
    fn tries(&self, fixed: &[Change], when: &Expr) -> Vec<Vec<Change>> {
        let mut ks = Vec::new();
        numbers(when.root(), &mut ks);
        let per_slot: Vec<(usize, Vec<Cell>)> = when
            .slots()
            .iter()
            .filter(|&&s| self.changeable(s) && !fixed.iter().any(|(f, _)| *f == s))
            .filter_map(|&s| {
                let input = self.ruleset.inputs.get(s)?;
                Some((s, candidates(input, &self.current(s), &ks)))
            })
            .collect();
        let mut tries: Vec<Vec<Change>> = Vec::new();
        for (s, cs) in &per_slot {
            for c in cs {
                tries.push(with(fixed, &[(*s, c.clone())]));
            }
        }
        for (i, (s, cs)) in per_slot.iter().enumerate() {
            for (t, ds) in per_slot.iter().skip(i + 1) {
                for c in cs {
                    for d in ds {
                        if tries.len() < EXACT_LIMIT {
                            tries.push(with(fixed, &[(*s, c.clone()), (*t, d.clone())]));
                        }
                    }
                }
            }
        }
        tries
    }

    /// The ladder of options of one leaf (see the module documentation).
    fn options(&self, fixed: &[Change], node: usize) -> Result<Vec<Opt>, AnalysisError> {
        let Some(n) = self.ruleset.nodes.get(node) else {
            return Ok(Vec::new());
        };
        let NodeKind::Leaf { scorer, inputs } = &n.kind else {
            return Ok(Vec::new());
        };
        let mut ks = constants(scorer);
        let mut slots: Vec<usize> = inputs.clone();
        if let Some((when, _)) = &n.zero_when {
            numbers(when.root(), &mut ks);
            slots.extend(when.slots());
        }
        slots.sort_unstable();
        slots.dedup();
        // An input a required step already changed may move further (fewer cases than a veto
        // needs, for the points they cost): its value is then the required one.
        slots.retain(|&s| self.changeable(s));
        let start = self.score(&[fixed.to_vec()])?;
        let leaf = |s: &Scores, i: usize| {
            s.node_score
                .get(node)
                .and_then(|c| c.get(i))
                .copied()
                .unwrap_or(0.0)
        };
        let base_total = outcome(&start, 0).total;
        let mut level = leaf(&start, 0);
        let mut state: Vec<Change> = Vec::new();
        let mut found: Vec<Opt> = Vec::new();
        while level < n.max && state.len() < slots.len() {
            let mut tries: Vec<Vec<Change>> = Vec::new();
            for &s in slots.iter().filter(|s| !state.iter().any(|(t, _)| t == *s)) {
                let Some(input) = self.ruleset.inputs.get(s) else {
                    continue;
                };
                let now = match fixed.iter().find(|(f, _)| *f == s) {
                    Some((_, c)) => c.clone(),
                    None => self.current(s),
                };
                for c in candidates(input, &now, &ks) {
                    tries.push(with(&state, &[(s, c)]));
                }
            }
            let full: Vec<Vec<Change>> = tries.iter().map(|t| with(fixed, t)).collect();
            let scored = self.score(&full)?;
            let mut best: Option<(usize, f64, f64)> = None;
            for (i, t) in tries.iter().enumerate() {
                let o = outcome(&scored, i);
                let l = leaf(&scored, i);
                if !o.ok || l <= level {
                    continue;
                }
                let cost = self.changes_cost(t);
                if o.total > base_total {
                    let better = found.iter().position(|f| f.level == l);
                    match better {
                        Some(p) if found.get(p).is_some_and(|f| f.cost <= cost) => {}
                        Some(p) => {
                            if let Some(f) = found.get_mut(p) {
                                *f = Opt {
                                    changes: t.clone(),
                                    level: l,
                                    cost,
                                };
                            }
                        }
                        None => found.push(Opt {
                            changes: t.clone(),
                            level: l,
                            cost,
                        }),
                    }
                }
                let take = match best {
                    None => true,
                    Some((_, bl, bc)) => l > bl || (l == bl && cost < bc),
                };
                if take {
                    best = Some((i, l, cost));
                }
            }
            let Some((i, l, _)) = best else {
                break;
            };
            state = tries.get(i).cloned().unwrap_or_default();
            level = l;
        }
        // Drop levels that cost more than a higher one.
        found.sort_by(|a, b| a.level.total_cmp(&b.level));
        let mut kept: Vec<Opt> = Vec::new();
        for o in found.into_iter().rev() {
            if kept.iter().all(|k| o.cost < k.cost) {
                kept.push(o);
            }
        }
        kept.reverse();
        Ok(kept)
    }

    /// Changes of a choice (0 = none, k = option k − 1 per group), or `None` when two options
    /// set one input to different values.
    fn merge(
        fixed: &[Change],
        groups: &[(usize, Vec<Opt>)],
        choice: &[usize],
    ) -> Option<Vec<Change>> {
        let mut out = fixed.to_vec();
        let mut set: Vec<usize> = Vec::new();
        for ((_, opts), &k) in groups.iter().zip(choice) {
            let Some(opt) = k.checked_sub(1).and_then(|k| opts.get(k)) else {
                continue;
            };
            for (s, c) in &opt.changes {
                match out.iter_mut().find(|(t, _)| t == s) {
                    Some((_, d)) if set.contains(s) && d != c => return None,
                    // A required value an option moves further.
                    Some((_, d)) => *d = c.clone(),
                    None => out.push((*s, c.clone())),
                }
                set.push(*s);
            }
        }
        Some(out)
    }

    /// The cost of a scored variant: user costs, or the points it recovers.
    fn plan_cost(&self, changes: &[Change], total: f64, before: f64) -> f64 {
        match &self.costs {
            Some(_) => self.changes_cost(changes),
            None => (total - before).max(0.0),
        }
    }

    /// Every combination scored; the cheapest reaching the target (fewer changes, then the
    /// higher score, on ties).
    fn exact(
        &self,
        fixed: &[Change],
        groups: &[(usize, Vec<Opt>)],
    ) -> Result<Option<Vec<usize>>, AnalysisError> {
        let mut choices: Vec<Vec<usize>> = vec![Vec::new()];
        for (_, opts) in groups {
            choices = choices
                .into_iter()
                .flat_map(|c| {
                    (0..=opts.len()).map(move |k| {
                        let mut c = c.clone();
                        c.push(k);
                        c
                    })
                })
                .collect();
        }
        let merged: Vec<(Vec<usize>, Vec<Change>)> = choices
            .into_iter()
            .filter_map(|c| Some((c.clone(), Self::merge(fixed, groups, &c)?)))
            .collect();
        let variants: Vec<Vec<Change>> = merged.iter().map(|(_, v)| v.clone()).collect();
        let scored = self.score(&variants)?;
        let before = self.before_total(fixed)?;
        let mut best: Option<(usize, f64, usize, f64)> = None;
        for (i, (_, v)) in merged.iter().enumerate() {
            let o = outcome(&scored, i);
            if !o.reaches(self.target) {
                continue;
            }
            let key = (self.plan_cost(v, o.total, before), v.len(), o.total);
            let better = match best {
                None => true,
                Some((_, c, n, t)) => {
                    key.0 < c || (key.0 == c && (key.1 < n || (key.1 == n && key.2 > t)))
                }
            };
            if better {
                best = Some((i, key.0, key.1, key.2));
            }
        }
        Ok(best.and_then(|(i, ..)| merged.get(i).map(|(c, _)| c.clone())))
    }

    fn before_total(&self, fixed: &[Change]) -> Result<f64, AnalysisError> {
        Ok(outcome(&self.score(&[fixed.to_vec()])?, 0).total)
    }

    /// Options added by points gained per cost, each scored, then pruned.
    fn greedy(
        &self,
        fixed: &[Change],
        groups: &[(usize, Vec<Opt>)],
    ) -> Result<Option<Vec<usize>>, AnalysisError> {
        let mut choice = vec![0_usize; groups.len()];
        let before = self.before_total(fixed)?;
        let mut now = outcome(&self.score(&[fixed.to_vec()])?, 0);
        while !now.reaches(self.target) {
            let mut tries: Vec<(Vec<usize>, Vec<Change>)> = Vec::new();
            for (g, (_, opts)) in groups.iter().enumerate() {
                let at = choice.get(g).copied().unwrap_or(0);
                for k in at + 1..=opts.len() {
                    let mut c = choice.clone();
                    if let Some(x) = c.get_mut(g) {
                        *x = k;
                    }
                    if let Some(m) = Self::merge(fixed, groups, &c) {
                        tries.push((c, m));
                    }
                }
            }
            let variants: Vec<Vec<Change>> = tries.iter().map(|(_, v)| v.clone()).collect();
            let scored = self.score(&variants)?;
            let current = self.plan_cost(
                &Self::merge(fixed, groups, &choice).unwrap_or_default(),
                now.total,
                before,
            );
            // A try reaching the target beats any that does not, the cheapest first; among the
            // others, the most points per unit of cost.
            let mut best: Option<(usize, bool, f64)> = None;
            for (i, (_, v)) in tries.iter().enumerate() {
                let o = outcome(&scored, i);
                let gain = o.total - now.total;
                let reaches = o.reaches(self.target);
                if !o.ok || (gain <= 0.0 && !reaches) {
                    continue;
                }
                let extra = self.plan_cost(v, o.total, before) - current;
                let merit = if reaches {
                    -extra
                } else if extra > 0.0 {
                    gain / extra
                } else {
                    f64::MAX
                };
                if best.is_none_or(|(_, r, m)| (reaches, merit) > (r, m)) {
                    best = Some((i, reaches, merit));
                }
            }
            let Some((i, ..)) = best else {
                return Ok(None);
            };
            if let Some((c, _)) = tries.get(i) {
                choice = c.clone();
            }
            now = outcome(&scored, i);
        }
        // Prune: leave out any option the plan can do without, the costliest first.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|&a, &b| {
            let cost = |g: usize| {
                groups
                    .get(g)
                    .and_then(|(_, o)| o.get(choice.get(g)?.checked_sub(1)?))
                    .map_or(0.0, |o| o.cost)
            };
            cost(b).total_cmp(&cost(a))
        });
        for g in order {
            if choice.get(g).copied().unwrap_or(0) == 0 {
                continue;
            }
            let mut c = choice.clone();
            if let Some(x) = c.get_mut(g) {
                *x = 0;
            }
            if let Some(m) = Self::merge(fixed, groups, &c) {
                if outcome(&self.score(&[m])?, 0).reaches(self.target) {
                    choice = c;
                }
            }
        }
        Ok(Some(choice))
    }

    fn veto_step(&self, v: usize) -> Step {
        let veto = self.ruleset.vetoes.get(v);
        Step {
            kind: StepKind::Veto,
            path: veto.map(|v| v.id.clone()).unwrap_or_default(),
            name: veto
                .map(|v| v.name.clone().unwrap_or_else(|| v.reason.clone()))
                .unwrap_or_default(),
            name_en: veto.and_then(|v| v.name_en.clone().or_else(|| v.reason_en.clone())),
            input: String::new(),
            label: String::new(),
            label_en: None,
            from: serde_json::Value::Null,
            to: serde_json::Value::Null,
            points: 0.0,
            cost: 0.0,
        }
    }

    fn grade_step(&self, g: usize) -> Step {
        let grade = self.ruleset.grades.get(g);
        Step {
            kind: StepKind::Grade,
            path: grade.map(|g| g.name.clone()).unwrap_or_default(),
            name: grade.map(|g| g.name.clone()).unwrap_or_default(),
            name_en: grade.and_then(|g| g.name_en.clone()),
            ..self.veto_step(usize::MAX)
        }
    }

    fn node_step(&self, node: usize) -> Step {
        let n = self.ruleset.nodes.get(node);
        Step {
            kind: StepKind::Indicator,
            path: n.map(|n| n.path.clone()).unwrap_or_default(),
            name: n.map(|n| n.name.clone()).unwrap_or_default(),
            name_en: n.and_then(|n| n.name_en.clone()),
            ..self.veto_step(usize::MAX)
        }
    }

    fn fill(&self, step: &mut Step, slot: usize, to: &Cell) {
        if let Some(input) = self.ruleset.inputs.get(slot) {
            step.input = input.name.clone();
            step.label = input.label.clone();
            step.label_en = input.label_en.clone();
        }
        step.from = cell_json(&self.current(slot));
        step.to = cell_json(to);
    }
}

fn with(base: &[Change], more: &[Change]) -> Vec<Change> {
    let mut out: Vec<Change> = base.to_vec();
    for (s, c) in more {
        out.retain(|(t, _)| t != s);
        out.push((*s, c.clone()));
    }
    out
}

/// The cheapest of the tries that passes, as the changes beyond `fixed`.
fn cheapest(
    unit: &Unit<'_>,
    tries: &[Vec<Change>],
    pass: impl Fn(usize) -> bool,
    fixed: &[Change],
) -> Option<Vec<Change>> {
    let mut best: Option<(f64, usize, Vec<Change>)> = None;
    for (i, t) in tries.iter().enumerate() {
        if !pass(i) {
            continue;
        }
        let extra: Vec<Change> = t.iter().skip(fixed.len()).cloned().collect();
        // Magnitude breaks ties when there are no user costs (every change then costs 1).
        let cost = unit.changes_cost(&extra)
            + extra
                .iter()
                .map(|(s, c)| match (number(&unit.current(*s)), number(c)) {
                    (Some(a), Some(b)) => (a - b).abs() * 1e-9,
                    _ => 0.0,
                })
                .sum::<f64>();
        if best
            .as_ref()
            .is_none_or(|(c, n, _)| cost < *c || (cost == *c && extra.len() < *n))
        {
            best = Some((cost, extra.len(), extra));
        }
    }
    best.map(|(_, _, e)| e)
}
