//! `qinglian improve`: one unit's improvement plan — the cheapest changes to its inputs that
//! reach the next grade band (or the one asked for), each with the points it gains — and its
//! score taken apart by indicator, as tables in plain words or as JSON.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};
use qinglian::{decomposition_headings, plan_headings, Batch, ImproveOptions, Lang, Ruleset};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// How to print the plan.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ImproveFormat {
    /// Tables in words.
    Table,
    /// The plan and the decomposition as JSON.
    Json,
}

/// The command's settings.
pub struct Settings<'a> {
    pub id: &'a str,
    pub target: Option<&'a str>,
    pub costs: &'a [String],
    pub encoding: Option<&'a str>,
    pub sheet: Option<&'a str>,
    pub format: ImproveFormat,
    pub lang: Lang,
}

/// `input=cost` pairs as a cost map.
fn costs(pairs: &[String]) -> Result<Option<BTreeMap<String, f64>>, String> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut out = BTreeMap::new();
    for pair in pairs {
        let (name, cost) = pair
            .split_once('=')
            .ok_or_else(|| format!("--cost takes input=cost, e.g. livestream=2, not `{pair}`"))?;
        let cost: f64 = cost
            .trim()
            .parse()
            .map_err(|_| format!("--cost {pair}: `{cost}` is not a number"))?;
        out.insert(name.trim().to_string(), cost);
    }
    Ok(Some(out))
}

/// Reads the data, makes the plan, returns the text to print.
pub fn run(ruleset: &Ruleset, data: &Path, s: &Settings<'_>) -> Result<String, String> {
    let rows = crate::data::whole_file("improve", data, s.encoding, s.sheet)?;
    let batch = Batch::from_rows(ruleset, &rows);
    let mut options = ImproveOptions::new();
    options.target = s.target.map(str::to_string);
    options.costs = costs(s.costs)?;
    let plan = ruleset
        .improve(&batch, s.id, &options)
        .map_err(|e| format!("cannot make the plan: {e}"))?;
    let units = ruleset.decompose(&batch, 3);
    let unit = units.get(plan.row);
    Ok(match s.format {
        ImproveFormat::Json => {
            let doc = serde_json::json!({ "plan": plan, "decomposition": unit });
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        }
        ImproveFormat::Table => {
            let en = s.lang == Lang::En;
            let mut text = String::new();
            let _ = writeln!(text, "{}", ruleset.plan_summary(&plan, s.lang));
            let rows = ruleset.plan_rows(&plan, s.lang);
            if !rows.is_empty() {
                let _ = writeln!(text, "{}", table(&plan_headings(s.lang), &rows, 4));
            }
            if let Some(unit) = unit {
                let _ = writeln!(
                    text,
                    "\n{}",
                    if en {
                        "Where the points come from now:"
                    } else {
                        "当前得分构成："
                    }
                );
                let rows = ruleset.decomposition_rows(unit, s.lang);
                let _ = writeln!(text, "{}", table(&decomposition_headings(s.lang), &rows, 1));
                let names = |paths: &[String]| {
                    paths
                        .iter()
                        .filter_map(|p| unit.lines.iter().find(|l| &l.path == p))
                        .map(|l| match (en, &l.name_en) {
                            (true, Some(n)) => n.clone(),
                            _ => l.name.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(if en { ", " } else { "、" })
                };
                let (strong, weak) = (names(&unit.strengths), names(&unit.weaknesses));
                if en {
                    let _ = writeln!(text, "Strengths: {strong}\nWeaknesses: {weak}");
                } else {
                    let _ = writeln!(text, "优势：{strong}\n短板：{weak}");
                }
            }
            text
        }
    })
}

/// A table whose columns from `numbers_from` on are right-aligned.
fn table<const N: usize>(headings: &[&str; N], rows: &[[String; N]], numbers_from: usize) -> Table {
    let mut out = Table::new();
    out.load_preset(UTF8_FULL_CONDENSED);
    out.set_header(headings.to_vec());
    for row in rows {
        out.add_row(row.iter().enumerate().map(|(i, t)| {
            let cell = Cell::new(t);
            if i >= numbers_from {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    out
}
