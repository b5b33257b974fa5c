//! The 评分细则 table a reviewer reads instead of TOML: 一级/二级/三级指标, 分值, 评分标准 (the
//! scheme's own wording, from each indicator's `description`) and 计分方法 (the rule written out
//! in the words the audit trail uses), then the bonus, vetoes, grade bands, quota tiers and
//! early warnings, and the ruleset's provenance. As Markdown, HTML or (with the `xlsx` feature)
//! an Excel sheet.

use super::{named, ruleset_name, say};
use crate::evaluation::Text;
use crate::explain::rules;
use crate::ruleset::{NodeKind, Ruleset};
use crate::{format_number as num, Lang};

/// One row of the rule table: an indicator.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RuleRow {
    /// Names from the 一级指标 down: `[一级, 二级, 三级…]`.
    pub names: Vec<String>,
    /// Maximum points.
    pub points: f64,
    /// Whether it is a bonus (附加分) item.
    pub bonus: bool,
    /// Under a parent that weighs its children (weighted means, minimum): the declared weight
    /// and its share of the siblings' weights. Points alone would read as if every child of a
    /// composite index counted the same.
    pub weight: Option<(f64, f64)>,
    /// The scheme's own wording of the rule (the indicator's description), if given.
    pub criterion: String,
    /// The rule written out: the scorer (leaves) or how children combine (groups), and any
    /// condition that zeroes the item.
    pub method: String,
}

/// The whole table: indicator rows and the ruleset-wide rules, in one language.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RuleTable {
    /// Title: the evaluation system's name.
    pub title: String,
    /// Points of the tree.
    pub scale: f64,
    /// Indicator rows, parents before children.
    pub rows: Vec<RuleRow>,
    /// Bonus cap and condition, if there is a bonus.
    pub bonus: Option<String>,
    /// Vetoes: name (or reason) and what it does.
    pub vetoes: Vec<(String, String)>,
    /// Grade bands, best first: name and its requirement.
    pub grades: Vec<(String, String)>,
    /// Quota tiers: name and share.
    pub quotas: Vec<(String, String)>,
    /// Early warnings: level and condition.
    pub alerts: Vec<(String, String)>,
    /// Id, version and content hash of the ruleset.
    pub provenance: crate::Provenance,
    /// Language of the words.
    pub lang: Lang,
}

impl Ruleset {
    /// The 评分细则 table of this ruleset in one language.
    pub fn rule_table(&self, lang: Lang) -> RuleTable {
        let pick = |t: Text| lang.pick(&t).to_string();
        let mut rows = Vec::new();
        for node in self.nodes.iter().skip(1) {
            let mut names = Vec::new();
            let mut prefix = String::new();
            for part in node.path.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                if let Some(n) = self.nodes.iter().find(|n| n.path == prefix) {
                    names.push(named(lang, &n.name, n.name_en.as_deref()).to_string());
                }
            }
            let mut method = match &node.kind {
                NodeKind::Leaf { scorer, .. } => {
                    pick(rules::scorer_words(scorer, node.max, &self.inputs))
                }
                NodeKind::Group { aggregate, .. } => {
                    pick(rules::aggregate_words(*aggregate, node.exponent))
                }
            };
            if let Some((when, reason)) = &node.zero_when {
                method.push_str(say(lang, "；", "; "));
                method.push_str(&pick(rules::zero_words(
                    when,
                    reason.as_deref(),
                    node.zero_reason_en.as_deref(),
                    &self.inputs,
                )));
            }
            let parent = match node.path.rsplit_once('.') {
                Some((up, _)) => self.nodes.iter().find(|n| n.path == up),
                None => self.nodes.first(),
            };
            let weight = match parent.map(|p| &p.kind) {
                Some(NodeKind::Group {
                    aggregate,
                    children,
                    ..
                }) if aggregate.weighted() => {
                    let total: f64 = children
                        .iter()
                        .filter_map(|&c| self.nodes.get(c))
                        .filter(|c| !c.bonus)
                        .map(|c| c.weight)
                        .sum();
                    (!node.bonus && total > 0.0).then(|| (node.weight, node.weight / total))
                }
                _ => None,
            };
            rows.push(RuleRow {
                names,
                points: node.max,
                bonus: node.bonus,
                weight,
                criterion: named(
                    lang,
                    node.description.as_deref().unwrap_or_default(),
                    node.description_en.as_deref(),
                )
                .to_string(),
                method,
            });
        }
        let bonus = (self.meta.bonus_cap > 0.0).then(|| {
            let cap = num(self.meta.bonus_cap);
            let mut text = match lang {
                Lang::Zh => format!("附加分最高{cap}分"),
                Lang::En => format!("bonus of at most {cap} points"),
            };
            if let Some(when) = &self.bonus_when {
                let c = rules::expr_words(when, &self.inputs);
                text.push_str(&match lang {
                    Lang::Zh => format!("，仅当{}时计入", c.zh),
                    Lang::En => format!(", counted only when {}", c.en),
                });
            }
            text
        });
        let vetoes = self
            .vetoes
            .iter()
            .map(|v| {
                let name = match (lang, &v.name, &v.reason_en) {
                    (Lang::En, _, Some(en)) => en.clone(),
                    (_, Some(name), _) => name.clone(),
                    _ => v.reason.clone(),
                };
                (name, pick(rules::veto_words(v, &self.grades, &self.inputs)))
            })
            .collect();
        let grades = self
            .grades
            .iter()
            .map(|g| {
                let mut need = match lang {
                    Lang::Zh => format!("总分≥{}", num(g.min)),
                    Lang::En => format!("total ≥ {}", num(g.min)),
                };
                if let Some(when) = &g.when {
                    let c = rules::expr_words(when, &self.inputs);
                    need.push_str(&match lang {
                        Lang::Zh => format!("，且{}", c.zh),
                        Lang::En => format!(", and {}", c.en),
                    });
                }
                (named(lang, &g.name, g.name_en.as_deref()).to_string(), need)
            })
            .collect();
        let quotas = self
            .quotas
            .iter()
            .map(|q| {
                let share = num(q.top * 100.0);
                (
                    q.name.clone(),
                    match lang {
                        Lang::Zh => format!("排名前{share}%"),
                        Lang::En => format!("top {share}%"),
                    },
                )
            })
            .collect();
        let alerts = self
            .alerts
            .iter()
            .map(|a| {
                (
                    super::level_word(lang, &a.level).to_string(),
                    lang.pick(&rules::expr_words(&a.when, &self.inputs))
                        .to_string(),
                )
            })
            .collect();
        RuleTable {
            title: ruleset_name(self, lang).to_string(),
            scale: self.meta.scale,
            rows,
            bonus,
            vetoes,
            grades,
            quotas,
            alerts,
            provenance: self.provenance(),
            lang,
        }
    }
}

/// The column titles of the indicator table.
pub(crate) fn titles(lang: Lang, depth: usize, weighted: bool) -> Vec<String> {
    let levels: Vec<String> = (1..=depth)
        .map(|d| match lang {
            Lang::Zh => format!(
                "{}级指标",
                ["一", "二", "三", "四", "五", "六"]
                    .get(d - 1)
                    .unwrap_or(&"下")
            ),
            Lang::En => format!("Level {d}"),
        })
        .collect();
    let mut t = levels;
    t.push(say(lang, "分值", "Points").to_string());
    if weighted {
        t.push(say(lang, "权重", "Weight").to_string());
    }
    t.extend(
        [
            say(lang, "评分标准", "Criterion"),
            say(lang, "计分方法", "How it is scored"),
        ]
        .map(String::from),
    );
    t
}

/// A weight as the table shows it: the declared weight and its share among the siblings.
pub fn weight_words(lang: Lang, weight: f64, share: f64) -> String {
    let share = num((share * 1000.0).round() / 10.0);
    match lang {
        Lang::Zh => format!("{}（{share}%）", num(weight)),
        Lang::En => format!("{} ({share}%)", num(weight)),
    }
}

impl RuleTable {
    /// Depth of the deepest indicator (the number of name columns).
    pub fn depth(&self) -> usize {
        self.rows.iter().map(|r| r.names.len()).max().unwrap_or(1)
    }

    /// Whether some indicator is weighed by its parent (the table then has a 权重 column after
    /// 分值).
    pub fn weighted(&self) -> bool {
        self.rows.iter().any(|r| r.weight.is_some())
    }

    /// The cells of each indicator row: a name column per level (a name shown only on its own
    /// row, so that a parent reads as the heading of its children), points, the weight (when
    /// [`RuleTable::weighted`]), criterion, method.
    pub fn cells(&self) -> Vec<Vec<String>> {
        let depth = self.depth();
        let weighted = self.weighted();
        let lang = self.lang;
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![String::new(); depth];
                if let (Some(last), Some(cell)) = (r.names.last(), cells.get_mut(r.names.len() - 1))
                {
                    *cell = last.clone();
                }
                let points = num(r.points);
                cells.push(if r.bonus {
                    match lang {
                        Lang::Zh => format!("附加分，最高{points}分"),
                        Lang::En => format!("bonus, at most {points}"),
                    }
                } else {
                    points
                });
                if weighted {
                    cells.push(
                        r.weight
                            .map(|(w, share)| weight_words(lang, w, share))
                            .unwrap_or_default(),
                    );
                }
                cells.push(r.criterion.clone());
                cells.push(r.method.clone());
                cells
            })
            .collect()
    }

    /// The ruleset-wide sections: title and (name, rule) lines.
    pub fn sections(&self) -> Vec<(String, Vec<(String, String)>)> {
        let lang = self.lang;
        let mut out = Vec::new();
        if let Some(b) = &self.bonus {
            out.push((
                say(lang, "附加分", "Bonus").to_string(),
                vec![(say(lang, "附加分", "Bonus").to_string(), b.clone())],
            ));
        }
        if !self.vetoes.is_empty() {
            out.push((
                say(lang, "一票否决", "Vetoes").to_string(),
                self.vetoes.clone(),
            ));
        }
        if !self.grades.is_empty() {
            out.push((say(lang, "等级", "Grades").to_string(), self.grades.clone()));
        }
        if !self.quotas.is_empty() {
            out.push((
                say(lang, "名额分档", "Quota tiers").to_string(),
                self.quotas.clone(),
            ));
        }
        if !self.alerts.is_empty() {
            out.push((
                say(lang, "预警", "Early warnings").to_string(),
                self.alerts.clone(),
            ));
        }
        out
    }

    /// One line naming the exact rules: version and content hash.
    pub fn provenance_line(&self) -> String {
        let p = &self.provenance;
        match self.lang {
            Lang::Zh => format!("规则 {} 版本 {} · SHA-256 {}", p.ruleset, p.version, p.hash),
            Lang::En => format!(
                "Ruleset {} version {} · SHA-256 {}",
                p.ruleset, p.version, p.hash
            ),
        }
    }

    /// The table as Markdown (GitHub tables).
    pub fn to_markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let lang = self.lang;
        let mut out = format!("# {}", self.title);
        out.push_str(&match lang {
            Lang::Zh => format!(" — 评分细则（满分{}分）\n\n", num(self.scale)),
            Lang::En => format!(" — scoring rules ({} points)\n\n", num(self.scale)),
        });
        let titles = titles(lang, self.depth(), self.weighted());
        out.push_str(&format!("| {} |\n", titles.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(titles.len())));
        for row in self.cells() {
            let row: Vec<String> = row.iter().map(|c| cell(c)).collect();
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        for (title, lines) in self.sections() {
            out.push_str(&format!("\n## {title}\n\n"));
            for (name, rule) in lines {
                out.push_str(
                    &format!("- **{}**：{}\n", cell(&name), cell(&rule))
                        .replace("**：", if lang == Lang::En { "**: " } else { "**：" }),
                );
            }
        }
        out.push_str(&format!("\n---\n{}\n", self.provenance_line()));
        out
    }

    /// The table as a self-contained HTML page (printable, no external assets).
    pub fn to_html(&self) -> String {
        let lang = self.lang;
        let mut out = String::new();
        out.push_str(&format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
            say(lang, "zh-CN", "en"),
            esc(&self.title),
            TABLE_CSS
        ));
        out.push_str(&format!(
            "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n<table>\n<thead><tr>",
            esc(&self.title),
            esc(&match lang {
                Lang::Zh => format!("评分细则（满分{}分）", num(self.scale)),
                Lang::En => format!("Scoring rules ({} points)", num(self.scale)),
            })
        ));
        for t in titles(lang, self.depth(), self.weighted()) {
            out.push_str(&format!("<th>{}</th>", esc(&t)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (row, r) in self.cells().iter().zip(&self.rows) {
            let class = if r.names.len() == 1 {
                " class=\"top\""
            } else {
                ""
            };
            out.push_str(&format!("<tr{class}>"));
            for c in row {
                out.push_str(&format!("<td>{}</td>", esc(c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        for (title, lines) in self.sections() {
            out.push_str(&format!("<h2>{}</h2>\n<ul>\n", esc(&title)));
            for (name, rule) in lines {
                out.push_str(&format!(
                    "<li><b>{}</b>{}{}</li>\n",
                    esc(&name),
                    say(lang, "：", ": "),
                    esc(&rule)
                ));
            }
            out.push_str("</ul>\n");
        }
        out.push_str(&format!(
            "<footer>{}</footer>\n</body>\n</html>\n",
            esc(&self.provenance_line())
        ));
        out
    }
}

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const TABLE_CSS: &str = "
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}.sub{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #999;padding:.35em .5em;vertical-align:top;text-align:left}
th{background:#ddebf7}tr.top td{background:#f3f7fb;font-weight:bold}
footer{margin-top:2em;color:#666;font-size:.8em;word-break:break-all}
@page{size:A4 landscape;margin:15mm}
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}
";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn every_ruleset() -> Vec<Ruleset> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) == Some("toml") {
                out.push(Ruleset::load(&path).unwrap());
            }
        }
        out
    }

    #[test]
    fn every_indicator_has_a_row_and_no_input_name_is_shown() {
        for ruleset in every_ruleset() {
            for lang in [Lang::Zh, Lang::En] {
                let table = ruleset.rule_table(lang);
                assert_eq!(table.rows.len(), ruleset.indicator_paths().len());
                let md = table.to_markdown();
                let html = table.to_html();
                for input in ruleset.inputs() {
                    // Names made of ASCII identifiers must not leak into the reader's text.
                    if input.name.contains('_') {
                        assert!(
                            !md.contains(&input.name),
                            "{} shows the input name {}",
                            ruleset.metadata().id,
                            input.name
                        );
                    }
                }
                assert!(md.contains(ruleset.hash()));
                assert!(html.contains(ruleset.hash()));
                assert!(html.starts_with("<!DOCTYPE html>"));
                assert!(!html.contains("http"), "no external assets");
                for g in ruleset.grade_names() {
                    if lang == Lang::Zh {
                        assert!(md.contains(g));
                    }
                }
            }
        }
    }

    #[test]
    fn rows_follow_the_tree_and_points() {
        let ruleset = Ruleset::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/village.toml"
        ))
        .unwrap();
        let table = ruleset.rule_table(Lang::Zh);
        let first = &table.rows[0];
        assert_eq!(first.names, ["小微权力规范运行"]);
        assert_eq!(first.points, 35.0);
        let list = &table.rows[1];
        assert_eq!(list.names, ["小微权力规范运行", "小微权力清单"]);
        assert!(list.criterion.starts_with("小微权力清单36条"));
        assert!(list.method.starts_with("满足「"), "{}", list.method);
        assert!(
            list.method.ends_with("得10分；否则不得分"),
            "{}",
            list.method
        );
        let md = table.to_markdown();
        assert!(md.contains("| 一级指标 | 二级指标 |"));
        assert!(md.contains("## 等级"));
    }
}
