//! `qinglian sensitivity`: how the ranking and the grades respond to uncertain rule parameters
//! (`Ruleset::parameter_sensitivity`) — the units that can change grade, with how often and
//! their rank band, and with `--indices` each parameter's first-order and total sensitivity
//! index. The numbers are those of Rust, Python and JavaScript for the same seed.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};
use qinglian::{
    format_number as num, Batch, Lang, ParameterAnalysis, ParameterRange, ParameterSensitivity,
    Ruleset, NO_GRADE,
};
use std::fmt::Write as _;
use std::path::Path;

/// How to print the result.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SensitivityFormat {
    /// Tables: the units that can change grade, and the indices.
    Table,
    /// A JSON object with the settings, every unit and the indices.
    Json,
}

/// The analysis's settings as given on the command line.
pub struct Settings<'a> {
    pub encoding: Option<&'a str>,
    pub sheet: Option<&'a str>,
    pub vary: &'a [String],
    pub samples: usize,
    pub seed: u64,
    pub indices: bool,
    pub bootstrap: usize,
    pub format: SensitivityFormat,
    pub lang: Lang,
}

/// `PATH=LOW..HIGH` (drawn uniformly), `PATH=LOW..=HIGH` (whole numbers from LOW to HIGH) or
/// `PATH=A|B|C` (alternatives with equal odds: numbers, `true`/`false`, or text).
pub fn parameter(text: &str) -> Result<ParameterRange, String> {
    let bad = || {
        format!(
            "`{}`: write PATH=LOW..HIGH (e.g. grade.优秀.min=85..95), PATH=LOW..=HIGH for whole numbers, or PATH=A|B for alternatives",
            qinglian::excerpt(text, 80)
        )
    };
    if let Some((path, list)) = text.split_once('=').filter(|(_, l)| l.contains('|')) {
        let value = |t: &str| -> serde_json::Value {
            let t = t.trim();
            match t {
                "true" => true.into(),
                "false" => false.into(),
                _ => t
                    .parse::<i64>()
                    .map(serde_json::Value::from)
                    .or_else(|_| t.parse::<f64>().map(serde_json::Value::from))
                    .unwrap_or_else(|_| t.into()),
            }
        };
        if path.trim().is_empty() || list.split('|').any(|t| t.trim().is_empty()) {
            return Err(bad());
        }
        return Ok(ParameterRange::choice(
            path.trim(),
            list.split('|').map(value).collect(),
        ));
    }
    let (path, range) = text.rsplit_once('=').ok_or_else(bad)?;
    let (path, range, whole) = match path.strip_suffix("..") {
        // `PATH=LOW..=HIGH` splits at its last `=`: the path then ends in `=LOW..`.
        Some(head) => {
            let (path, low) = head.rsplit_once('=').ok_or_else(bad)?;
            (path, format!("{low}..{range}"), true)
        }
        None => (path, range.to_string(), false),
    };
    let (low, high) = range.split_once("..").ok_or_else(bad)?;
    let number = |t: &str| t.trim().parse::<f64>().map_err(|_| bad());
    let p = ParameterRange::new(path.trim(), number(low)?, number(high)?);
    Ok(if whole { p.whole() } else { p })
}

/// Reads the data, runs the analysis, returns the text to print and the number of rows that
/// could not be scored (written to standard error, one line each).
pub fn run(ruleset: &Ruleset, data: &Path, s: &Settings<'_>) -> Result<(String, usize), String> {
    if s.vary.is_empty() {
        return Err("name the parameters to vary with --vary PATH=LOW..HIGH".into());
    }
    let ranges = s
        .vary
        .iter()
        .map(|v| parameter(v))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = crate::data::whole_file("sensitivity", data, s.encoding, s.sheet)?;
    let batch = Batch::from_rows(ruleset, &rows);
    let mut analysis = ParameterAnalysis::new(s.samples, s.seed);
    if s.indices {
        analysis = analysis.with_indices(s.bootstrap);
    }
    let result = ruleset
        .parameter_sensitivity(&batch, &ranges, &analysis)
        .map_err(|e| format!("cannot run the analysis: {e}"))?;
    let mut failed = 0;
    for row in 0..batch.len() {
        if let Some(e) = batch.error(row) {
            failed += 1;
            eprintln!("{e}");
        }
    }
    let text = match s.format {
        SensitivityFormat::Table => table(ruleset, &batch, &result, s),
        SensitivityFormat::Json => json(ruleset, &batch, &result, s)?,
    };
    Ok((text, failed))
}

fn grade_name(ruleset: &Ruleset, g: u32, en: bool) -> String {
    if g == NO_GRADE {
        return "—".into();
    }
    ruleset
        .grades()
        .get(g as usize)
        .map(|grade| match (en, &grade.name_en) {
            (true, Some(n)) => n.clone(),
            _ => grade.name.clone(),
        })
        .unwrap_or_default()
}

fn percent(share: f64) -> String {
    format!("{}%", num((share * 1000.0).round() / 10.0))
}

fn table(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    r: &ParameterSensitivity,
    s: &Settings<'_>,
) -> String {
    let en = s.lang == Lang::En;
    let meta = ruleset.metadata();
    let name = match (en, &meta.name_en) {
        (true, Some(n)) => n.as_str(),
        _ => meta.name.as_str(),
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}",
        if en {
            format!(
                "{name}: grades and ranks under uncertain rules ({} runs, seed {})",
                r.runs, s.seed
            )
        } else {
            format!(
                "{name}：规则参数不确定时的等级与排名（{}次计算，随机种子{}）",
                r.runs, s.seed
            )
        }
    );
    for v in s.vary {
        let _ = writeln!(text, "  {} {v}", if en { "varying" } else { "变动" });
    }
    let changing = r.units_changing_grade();
    let ranked = r.nominal_rank.iter().filter(|&&x| x > 0).count();
    let at = |v: &[f64], row: usize| v.get(row).copied().unwrap_or(f64::NAN);
    if ruleset.grades().is_empty() {
        // No grade bands (a composite index): the rank bands are the result.
        let _ = writeln!(text, "{}", rank_table(batch, r, en));
    } else {
        let _ = writeln!(
            text,
            "{}",
            if en {
                format!("{changing} of {ranked} units can change grade.")
            } else {
                format!("{ranked}个单位中有{changing}个的等级可能改变。")
            }
        );
    }
    if changing > 0 {
        let mut out = Table::new();
        out.load_preset(UTF8_FULL_CONDENSED);
        out.set_header(if en {
            [
                "ID",
                "Name",
                "Score",
                "Grade",
                "Grade changes in",
                "Rank",
                "Rank 5th–95th",
            ]
        } else {
            [
                "编号",
                "名称",
                "得分",
                "等级",
                "等级改变的概率",
                "排名",
                "排名5%–95%分位",
            ]
        });
        let mut order: Vec<usize> = (0..batch.len())
            .filter(|&row| at(&r.grade_change, row) > 0.0)
            .collect();
        order.sort_by(|&a, &b| {
            at(&r.grade_change, b)
                .total_cmp(&at(&r.grade_change, a))
                .then(r.nominal_rank.get(a).cmp(&r.nominal_rank.get(b)))
        });
        let right = |t: String| Cell::new(t).set_alignment(CellAlignment::Right);
        for row in order {
            out.add_row(vec![
                Cell::new(batch.id(row).unwrap_or_default()),
                Cell::new(batch.name(row).unwrap_or_default()),
                right(num(at(&r.nominal_score, row))),
                Cell::new(grade_name(
                    ruleset,
                    r.nominal_grade.get(row).copied().unwrap_or(NO_GRADE),
                    en,
                )),
                right(percent(at(&r.grade_change, row))),
                right(r.nominal_rank.get(row).copied().unwrap_or(0).to_string()),
                right(format!(
                    "{}–{}",
                    num(at(&r.rank_p05, row)),
                    num(at(&r.rank_p95, row))
                )),
            ]);
        }
        let _ = writeln!(text, "{out}");
    }
    if !r.indices.is_empty() {
        let mut out = Table::new();
        out.load_preset(UTF8_FULL_CONDENSED);
        out.set_header(if en {
            [
                "Parameter",
                "First-order index",
                "95% interval",
                "Total index",
                "95% interval",
            ]
        } else {
            ["参数", "一阶敏感性指数", "95%区间", "总效应指数", "95%区间"]
        });
        let interval = |i: [f64; 2]| {
            if i[0].is_nan() {
                "—".to_string()
            } else {
                format!("{}–{}", num(i[0]), num(i[1]))
            }
        };
        let right = |t: String| Cell::new(t).set_alignment(CellAlignment::Right);
        for i in &r.indices {
            out.add_row(vec![
                Cell::new(&i.path),
                right(num(i.first)),
                right(interval(i.first_interval)),
                right(num(i.total)),
                right(interval(i.total_interval)),
            ]);
        }
        let _ = writeln!(
            text,
            "{}",
            if en {
                "Sensitivity of the mean absolute rank shift to each parameter:"
            } else {
                "各参数对平均名次变动的敏感性："
            }
        );
        let _ = writeln!(text, "{out}");
    }
    text
}

/// Every unit in nominal rank order with its score and rank band (unranked rows last).
fn rank_table(batch: &Batch<'_>, r: &ParameterSensitivity, en: bool) -> Table {
    let at = |v: &[f64], row: usize| v.get(row).copied().unwrap_or(f64::NAN);
    let mut out = Table::new();
    out.load_preset(UTF8_FULL_CONDENSED);
    out.set_header(if en {
        [
            "Rank",
            "ID",
            "Name",
            "Score",
            "Median rank",
            "Rank 5th–95th",
        ]
    } else {
        [
            "排名",
            "编号",
            "名称",
            "得分",
            "排名中位数",
            "排名5%–95%分位",
        ]
    });
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&row| match r.nominal_rank.get(row).copied().unwrap_or(0) {
        0 => (u32::MAX, row),
        rank => (rank, row),
    });
    let right = |t: String| Cell::new(t).set_alignment(CellAlignment::Right);
    for row in order {
        let rank = r.nominal_rank.get(row).copied().unwrap_or(0);
        let dash = |x: f64| {
            if x.is_nan() {
                "—".to_string()
            } else {
                num(x)
            }
        };
        out.add_row(vec![
            right(if rank > 0 {
                rank.to_string()
            } else {
                "—".into()
            }),
            Cell::new(batch.id(row).unwrap_or_default()),
            Cell::new(batch.name(row).unwrap_or_default()),
            right(dash(at(&r.nominal_score, row))),
            right(dash(at(&r.rank_median, row))),
            right(if rank > 0 {
                format!(
                    "{}–{}",
                    num(at(&r.rank_p05, row)),
                    num(at(&r.rank_p95, row))
                )
            } else {
                "—".into()
            }),
        ]);
    }
    out
}

fn json(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    r: &ParameterSensitivity,
    s: &Settings<'_>,
) -> Result<String, String> {
    let value = |x: f64| {
        (!x.is_nan())
            .then_some(x)
            .map_or(serde_json::Value::Null, serde_json::Value::from)
    };
    let at = |v: &[f64], row: usize| value(v.get(row).copied().unwrap_or(f64::NAN));
    let grades = ruleset.grades();
    let units: Vec<serde_json::Value> = (0..batch.len())
        .map(|row| {
            let rank = r.nominal_rank.get(row).copied().unwrap_or(0);
            let grade = r.nominal_grade.get(row).copied().unwrap_or(NO_GRADE);
            let shares: serde_json::Map<String, serde_json::Value> = grades
                .iter()
                .zip(r.grade_shares.get(row).map(Vec::as_slice).unwrap_or(&[]))
                .map(|(g, &x)| (g.name.clone(), value(x)))
                .collect();
            serde_json::json!({
                "id": batch.id(row),
                "name": batch.name(row),
                "rank": (rank > 0).then_some(rank),
                "score": at(&r.nominal_score, row),
                "grade": (grade != NO_GRADE).then(|| grade_name(ruleset, grade, false)),
                "rank_median": at(&r.rank_median, row),
                "rank_p05": at(&r.rank_p05, row),
                "rank_p95": at(&r.rank_p95, row),
                "score_p05": at(&r.score_p05, row),
                "score_p95": at(&r.score_p95, row),
                "grade_change": at(&r.grade_change, row),
                "grade_shares": shares,
            })
        })
        .collect();
    let out = serde_json::json!({
        "parameters": s.vary,
        "samples": s.samples,
        "seed": s.seed,
        "runs": r.runs,
        "units_changing_grade": r.units_changing_grade(),
        "indices": r.indices,
        "units": units,
    });
    serde_json::to_string_pretty(&out)
        .map(|t| t + "\n")
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::parameter;

    #[test]
    fn parameters_are_read_from_path_and_range() {
        let p = parameter("grade.优秀.min=85..95").unwrap();
        assert_eq!(
            (p.path.as_str(), p.low, p.high, p.whole),
            ("grade.优秀.min", 85.0, 95.0, false)
        );
        let p = parameter("quota.引领型.top=1..=3").unwrap();
        assert_eq!(
            (p.path.as_str(), p.low, p.high, p.whole),
            ("quota.引领型.top", 1.0, 3.0, true)
        );
        let p = parameter("ruleset.aggregate=mean|geomean").unwrap();
        assert_eq!(
            p.choices,
            [serde_json::json!("mean"), serde_json::json!("geomean")]
        );
        let p = parameter("grade.优秀.min=85|90").unwrap();
        assert_eq!(p.choices, [serde_json::json!(85), serde_json::json!(90)]);
        for bad in ["x", "x=1", "x=a..2", "=1..2x", "x=a|", "=a|b"] {
            assert!(parameter(bad).is_err(), "{bad}");
        }
    }
}
