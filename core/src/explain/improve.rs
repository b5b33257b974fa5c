//! An improvement plan and a decomposition in words: indicator names, input labels and values
//! as a person reads them (是/否, yes/no, a category's English name), never identifiers.

use super::{num, Lang};
use crate::decompose::{LineKind, UnitDecomposition};
use crate::improve::{ImprovementPlan, Step, StepKind};
use crate::ruleset::{InputType, Ruleset};

/// Column headings of a plan's table.
pub fn plan_headings(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::Zh => ["指标", "改动事项", "现值", "改为", "得分增加", "代价"],
        Lang::En => ["Indicator", "Change", "Now", "To", "Points gained", "Cost"],
    }
}

/// Column headings of a decomposition's table.
pub fn decomposition_headings(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Zh => ["指标", "得分", "满分", "对总分的贡献", "同组排名"],
        Lang::En => [
            "Indicator",
            "Points",
            "Of",
            "Contribution",
            "Rank in cohort",
        ],
    }
}

fn pick<'a>(lang: Lang, zh: &'a str, en: Option<&'a str>) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en.unwrap_or(zh),
    }
}

impl Ruleset {
    /// A value of an input in words.
    fn value_words(&self, input: &str, value: &serde_json::Value, lang: Lang) -> String {
        let en = lang == Lang::En;
        let declared = self.inputs.iter().find(|i| i.name == input);
        let unit = declared.and_then(|i| match lang {
            Lang::Zh => i.unit.clone(),
            Lang::En => i.unit_en.clone().or_else(|| i.unit.clone()),
        });
        match value {
            serde_json::Value::Null => if en { "missing" } else { "缺失" }.to_string(),
            serde_json::Value::Bool(b) => match (b, en) {
                (true, false) => "是",
                (false, false) => "否",
                (true, true) => "yes",
                (false, true) => "no",
            }
            .to_string(),
            serde_json::Value::Number(x) => {
                let x = num(x.as_f64().unwrap_or(f64::NAN));
                match unit {
                    Some(u) if en => format!("{x} {u}"),
                    Some(u) => format!("{x}{u}"),
                    None => x,
                }
            }
            serde_json::Value::String(s) => match (declared, lang) {
                (Some(i), Lang::En) if i.kind == InputType::Category => i.value_en(s).to_string(),
                _ => s.clone(),
            },
            other => other.to_string(),
        }
    }

    fn step_what(&self, step: &Step, lang: Lang) -> String {
        let name = pick(lang, &step.name, step.name_en.as_deref());
        match (step.kind, lang) {
            (StepKind::Indicator, _) => name.to_string(),
            (StepKind::Veto, Lang::Zh) => format!("解除否决：{name}"),
            (StepKind::Veto, Lang::En) => format!("Lift the veto: {name}"),
            (StepKind::Grade, Lang::Zh) => format!("“{name}”等级条件"),
            (StepKind::Grade, Lang::En) => format!("Condition of the grade “{name}”"),
        }
    }

    /// A plan's steps as table rows in words (see [`plan_headings`]).
    pub fn plan_rows(&self, plan: &ImprovementPlan, lang: Lang) -> Vec<[String; 6]> {
        plan.steps
            .iter()
            .map(|s| {
                [
                    self.step_what(s, lang),
                    pick(lang, &s.label, s.label_en.as_deref()).to_string(),
                    self.value_words(&s.input, &s.from, lang),
                    self.value_words(&s.input, &s.to, lang),
                    signed(s.points),
                    num(s.cost),
                ]
            })
            .collect()
    }

    /// What the plan achieves, in one sentence.
    pub fn plan_summary(&self, plan: &ImprovementPlan, lang: Lang) -> String {
        let en = lang == Lang::En;
        let who = match (&plan.id, &plan.name) {
            (Some(id), Some(name)) => format!("{id} {name}"),
            (Some(id), None) => id.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => "—".to_string(),
        };
        let grade = |g: &Option<String>, g_en: &Option<String>| match g {
            Some(g) => pick(lang, g, g_en.as_deref()).to_string(),
            None => if en { "no grade" } else { "无等级" }.to_string(),
        };
        let now = grade(&plan.grade_before, &plan.grade_before_en);
        let after = grade(&plan.grade_after, &plan.grade_after_en);
        let Some(target) = &plan.target else {
            return if en {
                format!(
                    "{who}: {} points, {now}: no grade above it.",
                    num(plan.score_before)
                )
            } else {
                format!("{who}：{}分，{now}，已是最高等级。", num(plan.score_before))
            };
        };
        let target = pick(lang, target, plan.target_en.as_deref());
        if plan.steps.is_empty() && plan.reachable {
            return if en {
                format!(
                    "{who}: {} points, {now}: already at or above {target}.",
                    num(plan.score_before)
                )
            } else {
                format!(
                    "{who}：{}分，{now}，已达到“{target}”。",
                    num(plan.score_before)
                )
            };
        }
        if let Some(blocked) = &plan.blocked_by {
            let what = self.step_what(blocked, lang);
            return if en {
                format!(
                    "{who}: {} points, {now}: {target} cannot be reached — {what} cannot be met with the inputs that may change.",
                    num(plan.score_before)
                )
            } else {
                format!(
                    "{who}：{}分，{now}；无法达到“{target}”——{what}无法通过可改动的事项满足。",
                    num(plan.score_before)
                )
            };
        }
        let n = plan.steps.len();
        match (plan.reachable, en) {
            (true, true) => format!(
                "{who}: {} points, {now} → {target}: {n} change{} raise the total to {} points, {after} (cost {}).",
                num(plan.score_before),
                if n == 1 { "" } else { "s" },
                num(plan.score_after),
                num(plan.cost)
            ),
            (true, false) => format!(
                "{who}：{}分，{now} → “{target}”：改动{n}项，总分升至{}分，{after}（代价{}）。",
                num(plan.score_before),
                num(plan.score_after),
                num(plan.cost)
            ),
            (false, true) => format!(
                "{who}: {} points, {now}: {target} cannot be reached; every change below together gives {} points, {after}.",
                num(plan.score_before),
                num(plan.score_after)
            ),
            (false, false) => format!(
                "{who}：{}分，{now}；无法达到“{target}”，下列改动全部完成也只得{}分，{after}。",
                num(plan.score_before),
                num(plan.score_after)
            ),
        }
    }

    /// A plan as text: the summary, then its steps as a table.
    pub fn plan_text(&self, plan: &ImprovementPlan, lang: Lang) -> String {
        let mut out = self.plan_summary(plan, lang);
        out.push('\n');
        let rows = self.plan_rows(plan, lang);
        if !rows.is_empty() {
            table(&mut out, &plan_headings(lang), &rows);
        }
        out
    }

    /// A unit's decomposition as table rows in words (see [`decomposition_headings`]).
    pub fn decomposition_rows(&self, unit: &UnitDecomposition, lang: Lang) -> Vec<[String; 5]> {
        let en = lang == Lang::En;
        unit.lines
            .iter()
            .map(|l| {
                let name = pick(lang, &l.name, l.name_en.as_deref());
                let what = match (l.kind, en) {
                    (LineKind::Indicator, _) => name.to_string(),
                    // Bonus items are often named as such already (创新加分, … (bonus)).
                    (LineKind::Bonus, false) if name.contains("加分") => name.to_string(),
                    (LineKind::Bonus, true) if name.to_lowercase().contains("bonus") => {
                        name.to_string()
                    }
                    (LineKind::Bonus, false) => format!("{name}（附加分）"),
                    (LineKind::Bonus, true) => format!("{name} (bonus)"),
                    (LineKind::Base, false) => format!("{name}（起扣分值）"),
                    (LineKind::Base, true) => format!("{name} (points deducted from)"),
                    (LineKind::Veto, false) => format!("否决：{name}"),
                    (LineKind::Veto, true) => format!("Veto: {name}"),
                };
                let own = matches!(l.kind, LineKind::Indicator | LineKind::Bonus);
                [
                    what,
                    if own { num(l.score) } else { String::new() },
                    if own { num(l.max) } else { String::new() },
                    signed(l.contribution),
                    if l.rank > 0 {
                        format!("{}/{}", l.rank, l.of)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect()
    }

    /// A unit's decomposition as text: the table, then its strengths and weaknesses.
    pub fn decomposition_text(&self, unit: &UnitDecomposition, lang: Lang) -> String {
        let en = lang == Lang::En;
        let mut out = String::new();
        table(
            &mut out,
            &decomposition_headings(lang),
            &self.decomposition_rows(unit, lang),
        );
        let names = |paths: &[String]| {
            paths
                .iter()
                .filter_map(|p| unit.lines.iter().find(|l| &l.path == p))
                .map(|l| pick(lang, &l.name, l.name_en.as_deref()).to_string())
                .collect::<Vec<_>>()
                .join(if en { ", " } else { "、" })
        };
        let (s, w) = (names(&unit.strengths), names(&unit.weaknesses));
        if en {
            out.push_str(&format!("Strengths: {s}\nWeaknesses: {w}\n"));
        } else {
            out.push_str(&format!("优势：{s}\n短板：{w}\n"));
        }
        out
    }
}

/// `+3`, `−2`, `0`.
fn signed(x: f64) -> String {
    let s = num(x);
    if x > 0.0 && s != "0" {
        format!("+{s}")
    } else {
        s
    }
}

/// A plain table, columns separated by `|` (alignment is left to the reader, as widths of
/// Chinese text vary by font).
fn table<const N: usize>(out: &mut String, headings: &[&str; N], rows: &[[String; N]]) {
    out.push_str("| ");
    out.push_str(&headings.join(" | "));
    out.push_str(" |\n|");
    for _ in 0..N {
        out.push_str(" --- |");
    }
    out.push('\n');
    for row in rows {
        out.push_str("| ");
        out.push_str(&row.join(" | "));
        out.push_str(" |\n");
    }
}
