//! `qinglian diff OLD NEW [DATA]`: what changed between two versions of a ruleset, in plain words
//! (indicators added or removed, points, criteria and scoring methods, grade bands, vetoes, bonus,
//! scale), and, given data, the impact: how many units change score and grade, and the grade
//! transition table. Indicators are matched by path; the wording is the rule table's.

use qinglian::export::table::RuleTable;
use qinglian::{format_number as num, Evaluation, Lang, Ruleset};
use std::collections::BTreeMap;
use std::path::Path;

/// The report, as Markdown.
pub fn run(
    old: &Ruleset,
    new: &Ruleset,
    data: Option<&Path>,
    lang: Lang,
) -> Result<String, String> {
    let zh = lang == Lang::Zh;
    let (a, b) = (old.rule_table(lang), new.rule_table(lang));
    let mut out = String::new();
    let pa = old.provenance();
    let pb = new.provenance();
    out.push_str(&if zh {
        format!(
            "# 规则变更：{} {} → {} {}\n\n",
            a.title, pa.version, b.title, pb.version
        )
    } else {
        format!(
            "# Ruleset changes: {} {} → {} {}\n\n",
            a.title, pa.version, b.title, pb.version
        )
    });
    let changes = changes(old, new, &a, &b, zh);
    if changes.is_empty() && pa.hash == pb.hash {
        out.push_str(if zh {
            "两版规则内容相同（仅注释或排版不同）。\n"
        } else {
            "The two rulesets have the same content (comments or layout aside).\n"
        });
    } else if changes.is_empty() {
        // The content hashes differ in something the rule table does not word (a version
        // string, an input's wording, a missing-data setting): say so rather than "the same".
        out.push_str(if zh {
            "两版规则内容不同，但指标、分值、权重、计分方法和等级等评分细则均未变化（见下方内容哈希）。\n"
        } else {
            "The rulesets differ, but not in the indicators, points, weights, scoring methods, grades or other scoring rules (see the content hashes below).\n"
        });
    }
    for line in &changes {
        out.push_str(&format!("- {line}\n"));
    }
    if let Some(path) = data {
        out.push_str(&impact(old, new, path, lang)?);
    }
    out.push_str(&format!(
        "\n---\n{} {} sha256:{}\n{} {} sha256:{}\n",
        if zh { "原规则" } else { "old" },
        pa.version,
        pa.hash,
        if zh { "新规则" } else { "new" },
        pb.version,
        pb.hash
    ));
    Ok(out)
}

/// One line per change.
fn changes(old: &Ruleset, new: &Ruleset, a: &RuleTable, b: &RuleTable, zh: bool) -> Vec<String> {
    let mut out = Vec::new();
    let sep = if zh { "：" } else { ": " };
    let (ma, mb) = (old.metadata(), new.metadata());
    if ma.scale != mb.scale {
        out.push(format!(
            "{}{sep}{} → {}",
            if zh { "满分" } else { "Scale" },
            num(ma.scale),
            num(mb.scale)
        ));
    }
    if a.title != b.title {
        out.push(format!(
            "{}{sep}{} → {}",
            if zh { "名称" } else { "Name" },
            a.title,
            b.title
        ));
    }
    let rows = |r: &Ruleset,
                t: &RuleTable|
     -> BTreeMap<String, (usize, qinglian::export::table::RuleRow)> {
        r.indicator_paths()
            .into_iter()
            .zip(t.rows.iter().cloned())
            .enumerate()
            .map(|(i, (p, row))| (p.to_string(), (i, row)))
            .collect()
    };
    let (ra, rb) = (rows(old, a), rows(new, b));
    let title = |row: &qinglian::export::table::RuleRow| format!("「{}」", row.names.join(" › "));
    let mut ordered: Vec<(&String, &(usize, qinglian::export::table::RuleRow))> =
        rb.iter().collect();
    ordered.sort_by_key(|(_, (i, _))| *i);
    for (path, (_, row)) in &ordered {
        match ra.get(*path) {
            None => out.push(format!(
                "{}{sep}{}（{}）",
                if zh {
                    "新增指标"
                } else {
                    "Indicator added"
                },
                title(row),
                points(row.points, zh)
            )),
            Some((_, was)) => {
                let t = title(row);
                if was.names != row.names {
                    out.push(format!(
                        "{}{sep}{} → {}",
                        if zh {
                            "指标更名"
                        } else {
                            "Indicator renamed"
                        },
                        title(was),
                        t
                    ));
                }
                if was.points != row.points {
                    out.push(format!(
                        "{t} {}{sep}{} → {}",
                        if zh { "分值" } else { "points" },
                        num(was.points),
                        num(row.points)
                    ));
                }
                // The declared weight; siblings' shares follow from it (and are shown with it).
                if was.weight.map(|w| w.0) != row.weight.map(|w| w.0) {
                    let words = |w: Option<(f64, f64)>| match w {
                        Some((w, share)) => qinglian::export::table::weight_words(
                            if zh { Lang::Zh } else { Lang::En },
                            w,
                            share,
                        ),
                        None => blank("", zh).to_string(),
                    };
                    out.push(format!(
                        "{t} {}{sep}{} → {}",
                        if zh { "权重" } else { "weight" },
                        words(was.weight),
                        words(row.weight)
                    ));
                }
                if was.bonus != row.bonus {
                    out.push(format!(
                        "{t}{sep}{}",
                        match (row.bonus, zh) {
                            (true, true) => "改为附加分",
                            (false, true) => "不再是附加分",
                            (true, false) => "now a bonus item",
                            (false, false) => "no longer a bonus item",
                        }
                    ));
                }
                if was.method != row.method {
                    out.push(format!(
                        "{t} {}{sep}{} → {}",
                        if zh { "计分方法" } else { "scoring" },
                        was.method,
                        row.method
                    ));
                }
                if was.criterion != row.criterion {
                    out.push(format!(
                        "{t} {}{sep}{} → {}",
                        if zh { "评分标准" } else { "criterion" },
                        blank(&was.criterion, zh),
                        blank(&row.criterion, zh)
                    ));
                }
            }
        }
    }
    let mut removed: Vec<&(usize, qinglian::export::table::RuleRow)> = ra
        .iter()
        .filter(|(p, _)| !rb.contains_key(*p))
        .map(|(_, r)| r)
        .collect();
    removed.sort_by_key(|(i, _)| *i);
    for (_, row) in removed {
        out.push(format!(
            "{}{sep}{}（{}）",
            if zh {
                "删除指标"
            } else {
                "Indicator removed"
            },
            title(row),
            points(row.points, zh)
        ));
    }
    let sections = |t: &RuleTable| -> BTreeMap<(String, String), String> {
        t.sections()
            .into_iter()
            .flat_map(|(kind, lines)| lines.into_iter().map(move |(n, r)| ((kind.clone(), n), r)))
            .collect()
    };
    let (sa, sb) = (sections(a), sections(b));
    for ((kind, name), rule) in &sb {
        match sa.get(&(kind.clone(), name.clone())) {
            None => out.push(format!(
                "{kind}{sep}{}「{name}」：{rule}",
                if zh { "新增" } else { "added " }
            )),
            Some(was) if was != rule => out.push(format!("{kind}「{name}」{sep}{was} → {rule}")),
            Some(_) => {}
        }
    }
    for ((kind, name), rule) in &sa {
        if !sb.contains_key(&(kind.clone(), name.clone())) {
            out.push(format!(
                "{kind}{sep}{}「{name}」：{rule}",
                if zh { "删除" } else { "removed " }
            ));
        }
    }
    out
}

fn points(p: f64, zh: bool) -> String {
    if zh {
        format!("{}分", num(p))
    } else {
        format!("{} points", num(p))
    }
}

fn blank(s: &str, zh: bool) -> &str {
    match (s.is_empty(), zh) {
        (true, true) => "（无）",
        (true, false) => "(none)",
        _ => s,
    }
}

/// The impact on a data file: both rulesets score it, each as one cohort.
fn impact(old: &Ruleset, new: &Ruleset, path: &Path, lang: Lang) -> Result<String, String> {
    let zh = lang == Lang::Zh;
    let rows = qinglian::read_records(path).map_err(|e| e.to_string())?;
    let by_id = |r: &Ruleset| -> BTreeMap<String, Evaluation> {
        r.evaluate_records(&rows)
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.id.clone()?, e)))
            .collect()
    };
    let (ea, eb) = (by_id(old), by_id(new));
    let grade = |e: &Evaluation| -> String {
        match (lang, &e.grade_en) {
            (Lang::En, Some(en)) => en.clone(),
            _ => e.grade.clone().unwrap_or_else(|| "—".into()),
        }
    };
    let mut both = 0usize;
    let mut score_changed = 0usize;
    let mut grade_changed = 0usize;
    let mut moves: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut biggest: Vec<(f64, &str, &Evaluation, &Evaluation)> = Vec::new();
    for (id, a) in &ea {
        let Some(b) = eb.get(id) else { continue };
        both += 1;
        let delta = b.score - a.score;
        if delta.abs() > 1e-9 {
            score_changed += 1;
            biggest.push((delta, id, a, b));
        }
        if a.grade != b.grade {
            grade_changed += 1;
        }
        *moves.entry((grade(a), grade(b))).or_default() += 1;
    }
    // A composite index without grade bands: no grade counts, table or column.
    let graded = !old.grades().is_empty() || !new.grades().is_empty();
    let mut out = String::new();
    out.push_str(&match (zh, graded) {
        (true, true) => format!(
            "\n## 对数据的影响（{}）\n\n两版均能评分的单位{both}个：总分变化{score_changed}个，等级变化{grade_changed}个。\n",
            path.display()
        ),
        (true, false) => format!(
            "\n## 对数据的影响（{}）\n\n两版均能评分的单位{both}个：总分变化{score_changed}个。\n",
            path.display()
        ),
        (false, true) => format!(
            "\n## Impact on the data ({})\n\n{both} units scored under both: {score_changed} change score, {grade_changed} change grade.\n",
            path.display()
        ),
        (false, false) => format!(
            "\n## Impact on the data ({})\n\n{both} units scored under both: {score_changed} change score.\n",
            path.display()
        ),
    });
    // The grade transition table, grades in band order (old bands as rows, new as columns).
    let names = |r: &Ruleset| -> Vec<String> {
        r.grades()
            .into_iter()
            .map(|g| match (lang, g.name_en) {
                (Lang::En, Some(en)) => en,
                _ => g.name,
            })
            .chain(std::iter::once("—".to_string()))
            .collect()
    };
    let (rows_g, cols_g) = (names(old), names(new));
    let used = |g: &String, row: bool| {
        moves
            .iter()
            .any(|((a, b), _)| if row { a == g } else { b == g })
    };
    let rows_g: Vec<&String> = rows_g
        .iter()
        .filter(|g| g.as_str() != "—" || used(g, true))
        .collect();
    let cols_g: Vec<&String> = cols_g
        .iter()
        .filter(|g| g.as_str() != "—" || used(g, false))
        .collect();
    if graded {
        out.push_str(&transitions(&moves, &rows_g, &cols_g, zh));
    }
    if !biggest.is_empty() {
        biggest.sort_by(|x, y| y.0.abs().total_cmp(&x.0.abs()).then(x.1.cmp(y.1)));
        let head = match (zh, graded) {
            (true, true) => "编号 | 名称 | 原总分 | 新总分 | 等级",
            (true, false) => "编号 | 名称 | 原总分 | 新总分",
            (false, true) => "ID | Name | Old total | New total | Grade",
            (false, false) => "ID | Name | Old total | New total",
        };
        out.push_str(&format!(
            "\n### {}\n\n| {head} |\n|{}\n",
            if zh {
                "变化最大的单位"
            } else {
                "Largest changes"
            },
            "---|".repeat(4 + usize::from(graded))
        ));
        for (_, id, a, b) in biggest.iter().take(10) {
            out.push_str(&format!(
                "| {id} | {} | {} | {} |",
                b.name.as_deref().unwrap_or(""),
                num(a.score),
                num(b.score),
            ));
            if graded {
                out.push_str(&format!(" {} → {} |", grade(a), grade(b)));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// The grade transition table (old bands as rows, new as columns).
fn transitions(
    moves: &BTreeMap<(String, String), usize>,
    rows_g: &[&String],
    cols_g: &[&String],
    zh: bool,
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\n### {}\n\n| {} |",
        if zh {
            "等级变动（行：原等级，列：新等级）"
        } else {
            "Grade transitions (rows: old grade, columns: new grade)"
        },
        if zh { "原＼新" } else { "old \\ new" }
    ));
    for c in cols_g {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str(&format!("\n|{}\n", "---|".repeat(cols_g.len() + 1)));
    for r in rows_g {
        out.push_str(&format!("| {r} |"));
        for c in cols_g {
            let n = moves
                .get(&((*r).clone(), (*c).clone()))
                .copied()
                .unwrap_or(0);
            out.push_str(&format!(" {n} |"));
        }
        out.push('\n');
    }
    out
}
