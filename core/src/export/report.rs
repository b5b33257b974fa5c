//! The 评价报告 of one unit: a self-contained, printable HTML page (A4 print stylesheet, charts as
//! inline SVG, no external assets) with the unit's total, grade and place in its cohort, a chart
//! and a table per dimension, every lost point with its reason, vetoes, bonuses, alerts, and what
//! the unit could improve. Built from an [`Evaluation`] after scoring.

use super::table::esc;
use super::{level_word, named, ruleset_name, say};
use crate::evaluation::{Evaluation, NodeResult, ReasonKind, Status};
use crate::{format_number as num, Lang, Ruleset};

/// Bars of a chart: label, points earned, maximum.
struct Bar<'a> {
    label: &'a str,
    score: f64,
    max: f64,
}

impl Ruleset {
    /// The printable HTML report of one unit's evaluation (from this ruleset).
    pub fn report_html(&self, e: &Evaluation, lang: Lang) -> String {
        let mut page = Page {
            out: String::with_capacity(16 * 1024),
            lang,
        };
        page.render(self, e);
        page.out
    }
}

struct Page {
    out: String,
    lang: Lang,
}

impl Page {
    fn say(&self, zh: &'static str, en: &'static str) -> &'static str {
        say(self.lang, zh, en)
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn name<'a>(&self, n: &'a NodeResult) -> &'a str {
        named(self.lang, &n.name, n.name_en.as_deref())
    }

    fn render(&mut self, ruleset: &Ruleset, e: &Evaluation) {
        let lang = self.lang;
        let system = ruleset_name(ruleset, lang);
        let who = match (&e.name, &e.id) {
            (Some(n), Some(id)) => format!("{n}（{id}）"),
            (Some(n), None) => n.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => String::new(),
        };
        let title = format!("{} · {}", who, self.say("评价报告", "Evaluation report"));
        self.push(&format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{REPORT_CSS}</style>\n</head>\n<body>\n<main>\n",
            self.say("zh-CN", "en"),
            esc(&title)
        ));
        self.push(&format!(
            "<header><p class=\"system\">{}</p><h1>{}</h1><p class=\"kind\">{}</p></header>\n",
            esc(system),
            esc(&who),
            self.say("评价报告", "Evaluation report")
        ));
        self.summary(ruleset, e);
        self.overview(e);
        self.dimensions(e);
        self.lost(e);
        self.others(e);
        self.hints(ruleset, e);
        let p = ruleset.provenance();
        self.push(&format!(
            "<footer>{} {} · {} {} · SHA-256 {}</footer>\n</main>\n</body>\n</html>\n",
            self.say("评价规则", "Ruleset"),
            esc(&p.ruleset),
            self.say("版本", "version"),
            esc(&p.version),
            esc(&p.hash)
        ));
    }

    fn summary(&mut self, ruleset: &Ruleset, e: &Evaluation) {
        let grade = match (self.lang, &e.grade_en) {
            (Lang::En, Some(en)) => en.clone(),
            _ => e.grade.clone().unwrap_or_else(|| "—".into()),
        };
        let mut cells = vec![(
            self.say("总分", "Total"),
            format!("{} / {}", num(e.score), num(e.max_score)),
        )];
        // A composite index without grade bands has no grade to show.
        if !ruleset.grades().is_empty() {
            cells.push((self.say("等级", "Grade"), grade));
        }
        if let Some(c) = &e.cohort {
            cells.push((
                self.say("排名", "Rank"),
                match self.lang {
                    Lang::Zh => format!("第{}名 / 共{}个", c.rank, c.of),
                    Lang::En => format!("{} of {}", c.rank, c.of),
                },
            ));
            cells.push((
                self.say("百分位", "Percentile"),
                num((c.percentile * 10.0).round() / 10.0),
            ));
            if let Some(t) = &c.tier {
                cells.push((self.say("分档", "Tier"), t.clone()));
            }
        }
        if e.bonus_score > 0.0 {
            cells.push((self.say("附加分", "Bonus"), num(e.bonus_score)));
        }
        self.push("<section class=\"summary\">");
        for (label, value) in cells {
            self.push(&format!(
                "<div><span class=\"label\">{}</span><span class=\"value\">{}</span></div>",
                esc(label),
                esc(&value)
            ));
        }
        self.push("</section>\n");
        // The total against the grade bands, as one bar.
        let bands = ruleset.grades();
        if !bands.is_empty() && e.max_score > 0.0 {
            self.push(&band_svg(e.score, e.max_score, &bands, self.lang));
        }
        for w in &e.warnings {
            self.push(&format!(
                "<p class=\"note\">{}</p>\n",
                esc(self.lang.pick(w))
            ));
        }
    }

    fn overview(&mut self, e: &Evaluation) {
        let bars: Vec<Bar<'_>> = e
            .nodes
            .iter()
            .filter(|n| n.depth == 1 && !n.bonus)
            .map(|n| Bar {
                label: self.name(n),
                score: n.score,
                max: n.max,
            })
            .collect();
        if bars.is_empty() {
            return;
        }
        self.push(&format!(
            "<section><h2>{}</h2>\n{}</section>\n",
            self.say("各维度得分", "Score by dimension"),
            bars_svg(&bars, self.lang)
        ));
    }

    fn dimensions(&mut self, e: &Evaluation) {
        let lang = self.lang;
        let tops: Vec<usize> = (0..e.nodes.len())
            .filter(|&i| e.nodes.get(i).is_some_and(|n| n.depth == 1))
            .collect();
        for (k, &start) in tops.iter().enumerate() {
            let end = tops.get(k + 1).copied().unwrap_or(e.nodes.len());
            let Some(dim) = e.nodes.get(start) else {
                continue;
            };
            let below = e.nodes.get(start + 1..end).unwrap_or(&[]);
            let score = match (dim.status, dim.bonus) {
                (Status::NotApplicable, _) => self.say("不适用", "not applicable").to_string(),
                (_, true) => match lang {
                    Lang::Zh => format!("附加分 {}（最高{}）", num(dim.score), num(dim.max)),
                    Lang::En => format!("bonus {} (at most {})", num(dim.score), num(dim.max)),
                },
                _ => format!("{} / {}", num(dim.score), num(dim.max)),
            };
            self.push(&format!(
                "<section class=\"dimension\"><h2>{} <span class=\"points\">{}</span></h2>\n",
                esc(self.name(dim)),
                esc(&score)
            ));
            let leaves: Vec<Bar<'_>> = below
                .iter()
                .filter(|n| n.depth == 2)
                .map(|n| Bar {
                    label: self.name(n),
                    score: n.score,
                    max: n.max,
                })
                .collect();
            if leaves.len() > 1 {
                self.push(&bars_svg(&leaves, lang));
            }
            self.push(&format!(
                "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                self.say("指标", "Indicator"),
                self.say("得分", "Points"),
                self.say("说明", "What the rule did")
            ));
            for n in std::iter::once(dim).chain(below) {
                let points = match n.status {
                    Status::NotApplicable => self.say("不适用", "n/a").to_string(),
                    _ => format!("{} / {}", num(n.score), num(n.max)),
                };
                let class = if n.lost > 0.0 { " class=\"lost\"" } else { "" };
                self.push(&format!(
                    "<tr{class}><td class=\"d{}\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                    n.depth.min(4),
                    esc(self.name(n)),
                    esc(&points),
                    esc(lang.pick(&n.detail))
                ));
            }
            self.push("</tbody></table></section>\n");
        }
    }

    fn lost(&mut self, e: &Evaluation) {
        let lang = self.lang;
        let items: Vec<(String, String)> = e
            .reasons
            .iter()
            .filter(|r| {
                matches!(
                    r.kind,
                    ReasonKind::Deduction | ReasonKind::Zeroed | ReasonKind::Missing
                )
            })
            .map(|r| {
                let points = r.points.map(num).unwrap_or_default();
                (points, lang.pick(&r.text).to_string())
            })
            .collect();
        self.push(&format!(
            "<section class=\"lost\"><h2>{}</h2>\n",
            self.say("失分明细", "Points lost")
        ));
        if items.is_empty() {
            self.push(&format!(
                "<p>{}</p>\n",
                self.say("各项均得满分。", "No point was lost.")
            ));
        } else {
            self.push(&format!(
                "<table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                self.say("失分", "Lost"),
                self.say("原因", "Reason")
            ));
            for (points, text) in items {
                self.push(&format!(
                    "<tr><td class=\"num\">{}</td><td>{}</td></tr>\n",
                    esc(&points),
                    esc(&text)
                ));
            }
            self.push("</tbody></table>\n");
        }
        self.push("</section>\n");
    }

    fn others(&mut self, e: &Evaluation) {
        let lang = self.lang;
        if !e.vetoes.is_empty() {
            self.push(&format!(
                "<section class=\"veto\"><h2>{}</h2><ul>\n",
                self.say("一票否决", "Vetoes")
            ));
            for v in &e.vetoes {
                self.push(&format!("<li>{}</li>\n", esc(lang.pick(&v.reason))));
            }
            self.push("</ul></section>\n");
        }
        if !e.bonuses.is_empty() {
            self.push(&format!(
                "<section><h2>{}</h2><ul>\n",
                self.say("附加分", "Bonus")
            ));
            for b in &e.bonuses {
                let name = e.node(&b.path).map_or(b.name.as_str(), |n| self.name(n));
                self.push(&format!(
                    "<li>{}：{}{}</li>\n",
                    esc(name),
                    esc(&num(b.credited)),
                    self.say("分", " points")
                ));
            }
            self.push("</ul></section>\n");
        }
        if !e.alerts.is_empty() {
            self.push(&format!(
                "<section><h2>{}</h2><ul>\n",
                self.say("预警", "Early warnings")
            ));
            for a in &e.alerts {
                self.push(&format!(
                    "<li class=\"alert {}\"><b>{}</b> {}</li>\n",
                    esc(&a.level),
                    level_word(lang, &a.level),
                    esc(lang.pick(&a.message))
                ));
            }
            self.push("</ul></section>\n");
        }
    }

    /// What to improve: the grade within reach, and the leaves that lost the most points.
    fn hints(&mut self, ruleset: &Ruleset, e: &Evaluation) {
        let lang = self.lang;
        let mut hints = Vec::new();
        if e.vetoes.is_empty() {
            // The next better band by points (bands are best first).
            let bands = ruleset.grades();
            let next = bands
                .iter()
                .rev()
                .find(|g| g.min > e.score && g.min <= e.max_score);
            if let Some(g) = next {
                let gap = num(g.min - e.score);
                let name = named(lang, &g.name, g.name_en.as_deref());
                hints.push(match lang {
                    Lang::Zh => format!("距“{name}”还差{gap}分。"),
                    Lang::En => format!("{gap} points short of {name}."),
                });
            }
        } else {
            hints.push(
                self.say(
                    "存在一票否决事项，须先消除否决情形。",
                    "A veto applies: it must be cleared first.",
                )
                .to_string(),
            );
        }
        let mut leaves: Vec<&NodeResult> = e
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                n.lost > 0.0
                    && !n.bonus
                    && e.nodes.get(i + 1).is_none_or(|next| next.depth <= n.depth)
            })
            .map(|(_, n)| n)
            .collect();
        leaves.sort_by(|a, b| b.lost.total_cmp(&a.lost));
        for n in leaves.into_iter().take(5) {
            let lost = num(n.lost);
            let name = self.name(n);
            hints.push(match lang {
                Lang::Zh => format!("“{name}”失{lost}分：{}", n.detail.zh),
                Lang::En => format!("{name} lost {lost}: {}", n.detail.en),
            });
        }
        if hints.is_empty() {
            return;
        }
        self.push(&format!(
            "<section class=\"hints\"><h2>{}</h2><ol>\n",
            self.say("改进建议", "Where to improve")
        ));
        for h in hints {
            self.push(&format!("<li>{}</li>\n", esc(&h)));
        }
        self.push("</ol></section>\n");
    }
}

/// Horizontal bars of points earned against the maximum.
fn bars_svg(bars: &[Bar<'_>], lang: Lang) -> String {
    const ROW: f64 = 26.0;
    const LABEL: f64 = 190.0;
    const WIDTH: f64 = 640.0;
    const BAR: f64 = WIDTH - LABEL - 90.0;
    let height = ROW * bars.len() as f64 + 8.0;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        say(lang, "得分条形图", "bar chart of points")
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let share = if b.max > 0.0 {
            (b.score / b.max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let label: String = b.label.chars().take(14).collect();
        let colour = if share >= 0.9 {
            "#2e7d32"
        } else if share >= 0.6 {
            "#f9a825"
        } else {
            "#c62828"
        };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{BAR}\" height=\"16\" fill=\"#eceff1\"/>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{:.1}\" height=\"16\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{} / {}</text>",
            LABEL - 8.0,
            y + 13.0,
            esc(&label),
            y,
            y,
            BAR * share,
            LABEL + BAR + 6.0,
            y + 13.0,
            num(b.score),
            num(b.max)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// The total on a scale marked with the grade bands' thresholds.
fn band_svg(score: f64, max: f64, bands: &[crate::ruleset::GradeInfo], lang: Lang) -> String {
    const WIDTH: f64 = 640.0;
    const LEFT: f64 = 20.0;
    const SPAN: f64 = WIDTH - 2.0 * LEFT;
    let x = |v: f64| LEFT + SPAN * (v / max).clamp(0.0, 1.0);
    let mut svg = format!(
        "<svg class=\"bands\" viewBox=\"0 0 {WIDTH} 58\" width=\"100%\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <rect x=\"{LEFT}\" y=\"22\" width=\"{SPAN}\" height=\"12\" fill=\"#eceff1\"/>\
         <rect x=\"{LEFT}\" y=\"22\" width=\"{:.1}\" height=\"12\" fill=\"#1565c0\"/>",
        say(lang, "总分与等级线", "total against the grade bands"),
        x(score) - LEFT
    );
    for g in bands {
        if g.min <= 0.0 {
            continue;
        }
        let gx = x(g.min);
        let name = named(lang, &g.name, g.name_en.as_deref());
        svg.push_str(&format!(
            "<line x1=\"{gx:.1}\" y1=\"16\" x2=\"{gx:.1}\" y2=\"40\" stroke=\"#333\" stroke-width=\"1.5\"/>\
             <text x=\"{gx:.1}\" y=\"12\" text-anchor=\"middle\" font-size=\"11\">{} {}</text>",
            esc(name),
            num(g.min)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"54\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">{}</text></svg>\n",
        x(score),
        num(score)
    ));
    svg
}

const REPORT_CSS: &str = "
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;color:#222;margin:0;background:#f5f5f5}
main{max-width:190mm;margin:0 auto;padding:12mm;background:#fff}
header{border-bottom:3px solid #1565c0;margin-bottom:1em}
header .system{margin:0;color:#1565c0;font-weight:bold}header h1{margin:.2em 0}header .kind{margin:0;color:#555}
.summary{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
.summary div{border:1px solid #cfd8dc;border-radius:4px;padding:.5em 1em;min-width:7em}
.summary .label{display:block;color:#555;font-size:.85em}.summary .value{font-size:1.3em;font-weight:bold}
h2{font-size:1.15em;border-left:4px solid #1565c0;padding-left:.4em;margin-top:1.4em}
h2 .points{color:#555;font-weight:normal;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.88em;margin:.5em 0}
th,td{border:1px solid #cfd8dc;padding:.3em .45em;text-align:left;vertical-align:top}
th{background:#e3f2fd}td.num{white-space:nowrap;text-align:right}
td.d2{padding-left:1.2em}td.d3{padding-left:2.2em}td.d4{padding-left:3.2em}td.d1{font-weight:bold}
tr.lost td.num{color:#c62828}
.veto li{color:#c62828;font-weight:bold}.alert.red b{color:#c62828}.alert.orange b{color:#ef6c00}
.alert.yellow b{color:#f9a825}.alert.blue b{color:#1565c0}.note{color:#ef6c00}
svg{display:block;max-width:100%;margin:.5em 0}
footer{margin-top:2em;padding-top:.5em;border-top:1px solid #cfd8dc;color:#666;font-size:.75em;word-break:break-all}
@page{size:A4;margin:12mm}
@media print{body{background:#fff}main{max-width:none;padding:0}section{break-inside:avoid-page}tr{break-inside:avoid}h2{break-after:avoid}}
";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::read_records;

    #[test]
    fn a_report_holds_the_unit_its_points_lost_and_the_rules_hash() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let ruleset = Ruleset::load(format!("{root}/rules/private-enterprise.toml")).unwrap();
        let rows = read_records(format!("{root}/examples/data/private-enterprises.csv")).unwrap();
        let results = ruleset.evaluate_records(&rows);
        let e = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .find(|e| e.score < e.max_score && !e.reasons.is_empty())
            .unwrap();
        let html = ruleset.report_html(e, Lang::Zh);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(e.name.as_deref().unwrap()));
        assert!(html.contains(ruleset.hash()));
        assert!(html.contains("@page{size:A4"));
        // Every dimension has its section, every deduction its line.
        for d in e.nodes.iter().filter(|n| n.depth == 1) {
            assert!(html.contains(&esc(&d.name)), "{}", d.name);
        }
        for r in e.reasons.iter().filter(|r| r.kind == ReasonKind::Deduction) {
            assert!(html.contains(&esc(&r.text.zh)), "{}", r.text.zh);
        }
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        // No external assets: nothing is fetched.
        assert!(!html.contains("src="));
        assert!(!html.contains("<link"));
        assert!(!html.contains("<script"));
        let en = ruleset.report_html(e, Lang::En);
        assert!(en.contains("Evaluation report"));
        assert!(en.contains("Points lost"));
    }

    #[test]
    fn the_next_grade_is_named_with_the_points_missing() {
        let ruleset = Ruleset::from_toml(
            "[ruleset]\nid='t'\nname='测试'\nversion='1'\nscale=10\n[[input]]\nname='n'\ntype='count'\nlabel='违规次数'\n[[indicator]]\nid='a'\nname='纪律'\npoints=10\nscorer={type='per_occurrence', count='n', per=3}\n[[grade]]\nname='优秀'\nmin=9\n[[grade]]\nname='合格'\nmin=0\n",
        )
        .unwrap();
        let e = ruleset
            .evaluate(&crate::Record::new().with("id", "U1").with("n", 1.0))
            .unwrap();
        let html = ruleset.report_html(&e, Lang::Zh);
        assert!(html.contains("距“优秀”还差2分。"), "{html}");
        assert!(html.contains("“纪律”失3分"), "{html}");
    }
}
