//! The audit trail as text: every indicator's inputs, rule, points earned and lost and why, then
//! vetoes, bonuses, alerts and the grade. Used by the CLI, Python's `explain()` and the browser.

pub(crate) mod improve;
mod render;
pub(crate) mod rules;

use crate::evaluation::{Evaluation, Status, Text};
use serde::{Deserialize, Serialize};

/// Language of readable output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Chinese.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks this language's side of a text.
    pub fn pick<'a>(&self, text: &'a Text) -> &'a str {
        match self {
            Lang::Zh => &text.zh,
            Lang::En => &text.en,
        }
    }
}

/// Formats a number for people: whole numbers without decimals, others with up to four.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "—".to_string();
    }
    // Round to four decimals, then print the shortest form (Display), which is far cheaper than
    // fixed-precision formatting and never shows binary noise such as 0.30000000000000004.
    let rounded = (x * 10_000.0).round() / 10_000.0;
    if rounded == 0.0 {
        return "0".to_string();
    }
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        return format!("{}", rounded as i64);
    }
    format!("{rounded}")
}

impl Evaluation {
    /// The audit trail as indented text.
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
    /// let e = ruleset.evaluate(&qinglian::Record::new().with("cases", 1.0)).unwrap();
    /// let trail = e.explain(qinglian::Lang::Zh);
    /// assert!(trail.contains("纪律"));
    /// assert!(trail.contains("7/10"));
    /// ```
    pub fn explain(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let mut out = String::new();
        let who = match (&self.id, &self.name) {
            (Some(id), Some(name)) => format!("{id} {name}"),
            (Some(id), None) => id.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => "—".to_string(),
        };
        out.push_str(&format!(
            "{} {who} · {} {}\n",
            if zh { "单位" } else { "Unit" },
            if zh { "评价体系" } else { "ruleset" },
            self.ruleset
        ));
        let grade = self
            .grade
            .as_deref()
            .map(|g| {
                if zh {
                    g
                } else {
                    self.grade_en.as_deref().unwrap_or(g)
                }
            })
            .unwrap_or("—");
        out.push_str(&format!(
            "{} {}/{}  ({} {} + {} {})  {} {grade}\n",
            if zh { "总分" } else { "Total" },
            num(self.score),
            num(self.max_score),
            if zh { "指标" } else { "tree" },
            num(self.base_score),
            if zh { "附加分" } else { "bonus" },
            num(self.bonus_score),
            if zh { "等次" } else { "grade" },
        ));
        if let Some(c) = &self.cohort {
            out.push_str(&format!(
                "{} {}/{}  {} {}%{}\n",
                if zh { "排名" } else { "Rank" },
                c.rank,
                c.of,
                if zh { "百分位" } else { "percentile" },
                num(c.percentile),
                c.tier
                    .as_deref()
                    .map_or(String::new(), |t| format!("  {t}"))
            ));
        }
        out.push('\n');
        for node in &self.nodes {
            let indent = "  ".repeat(node.depth.saturating_sub(1));
            let name = if zh {
                node.name.as_str()
            } else {
                node.name_en.as_deref().unwrap_or(&node.name)
            };
            let mark = match node.status {
                Status::Scored if node.lost > 1e-12 => "✗",
                Status::Scored => "✓",
                Status::Zeroed => "0",
                Status::Missing => "?",
                Status::NotApplicable => "–",
            };
            let bonus = if node.bonus {
                if zh {
                    " [附加分]"
                } else {
                    " [bonus]"
                }
            } else {
                ""
            };
            out.push_str(&format!(
                "{indent}{mark} {} {name}{bonus}  {}/{}",
                node.path,
                num(node.score),
                num(node.max)
            ));
            if node.lost > 1e-12 {
                out.push_str(&format!(
                    "  {}{}",
                    if zh { "失" } else { "-" },
                    num(node.lost)
                ));
            }
            out.push_str(&format!("  [{}] {}", node.rule, lang.pick(&node.detail)));
            if !node.inputs.is_empty() {
                let inputs: Vec<String> = node
                    .inputs
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_text(v)))
                    .collect();
                out.push_str(&format!("  ({})", inputs.join(", ")));
            }
            out.push('\n');
        }
        let sections: [(&str, &str, Vec<String>); 3] = [
            (
                "否决项",
                "Vetoes",
                self.vetoes
                    .iter()
                    .map(|v| {
                        format!(
                            "{} ({:?}): {}{}",
                            v.id,
                            v.effect,
                            lang.pick(&v.reason),
                            facts(&v.facts)
                        )
                    })
                    .collect(),
            ),
            (
                "附加分",
                "Bonuses",
                self.bonuses
                    .iter()
                    .map(|b| {
                        format!(
                            "{} +{} ({} {})",
                            b.path,
                            num(b.credited),
                            if zh { "得" } else { "earned" },
                            num(b.points)
                        )
                    })
                    .collect(),
            ),
            (
                "预警",
                "Alerts",
                self.alerts
                    .iter()
                    .map(|a| format!("[{}] {}{}", a.level, lang.pick(&a.message), facts(&a.facts)))
                    .collect(),
            ),
        ];
        for (title_zh, title_en, lines) in sections {
            if !lines.is_empty() {
                out.push_str(&format!("\n{}\n", if zh { title_zh } else { title_en }));
                for line in lines {
                    out.push_str(&format!("  {line}\n"));
                }
            }
        }
        out.push_str(&format!("\n{}\n", if zh { "说明" } else { "Reasons" }));
        for r in &self.reasons {
            out.push_str(&format!("  - {}\n", lang.pick(&r.text)));
        }
        out
    }
}

/// The values a veto or alert was decided on, for checking it offline: `  (a=3, b=true)`.
fn facts(facts: &std::collections::BTreeMap<String, serde_json::Value>) -> String {
    if facts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = facts
        .iter()
        .map(|(k, v)| format!("{k}={}", value_text(v)))
        .collect();
    format!("  ({})", parts.join(", "))
}

/// An input value as a person writes it: `3` rather than `3.0`, text without quotes.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), num),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", value_text(v)))
                .collect();
            parts.join(";")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_print_without_noise() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(num(2.5), "2.5");
    }
}
