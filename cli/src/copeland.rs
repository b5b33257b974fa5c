//! `qinglian copeland`: Copeland scores at a node of the tree (`Ruleset::copeland`) — every pair
//! of units of the file compared on the node's children, by their points and weights — beside
//! the rank the node's own aggregation gives, as a table in Copeland order, or CSV / JSON rows in
//! the file's order. The numbers are those of Rust, Python and JavaScript.

use crate::uncertainty::{field, UncertaintyFormat as Format};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};
use qinglian::{format_number as num, Batch, Copeland, Lang, Ruleset};
use std::fmt::Write as _;
use std::path::Path;

/// The analysis's settings as given on the command line.
pub struct Settings<'a> {
    pub encoding: Option<&'a str>,
    pub sheet: Option<&'a str>,
    pub node: Option<&'a str>,
    pub format: Format,
    pub lang: Lang,
}

/// Reads the data, runs the analysis, returns the text to print and the number of rows that
/// could not be scored (written to standard error, one line each).
pub fn run(ruleset: &Ruleset, data: &Path, s: &Settings<'_>) -> Result<(String, usize), String> {
    let rows = crate::data::whole_file("copeland", data, s.encoding, s.sheet)?;
    let batch = Batch::from_rows(ruleset, &rows);
    let c = ruleset
        .copeland(&batch, s.node)
        .map_err(|e| format!("cannot compute Copeland scores: {e}"))?;
    let scores = ruleset.score(&batch);
    let mut failed = 0;
    for (_, e) in scores.errors() {
        failed += 1;
        eprintln!("{e}");
    }
    // The rank by the node's own aggregation, for comparison (the total's rank at the root).
    let own = match s.node {
        None => scores.ranks().to_vec(),
        Some(path) => node_ranks(ruleset, &scores, path),
    };
    let text = match s.format {
        Format::Table => table(ruleset, &batch, &c, &own, s),
        Format::Csv => csv(&batch, &c, &own),
        Format::Json => json(&batch, &c, &own, s)?,
    };
    Ok((text, failed))
}

/// Ranks by a node's points (1 = best, ties sharing the better rank; 0 for rows in error).
fn node_ranks(ruleset: &Ruleset, scores: &qinglian::Scores, path: &str) -> Vec<u32> {
    let points = ruleset
        .indicator_paths()
        .iter()
        .position(|&p| p == path)
        .and_then(|i| scores.indicator_scores(i))
        .unwrap_or_default();
    let mut sorted: Vec<f64> = (0..scores.len())
        .filter(|&r| scores.is_scored(r))
        .filter_map(|r| points.get(r).copied())
        .collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    (0..scores.len())
        .map(|r| match points.get(r) {
            Some(&x) if scores.is_scored(r) => (sorted.partition_point(|&y| y > x) + 1) as u32,
            _ => 0,
        })
        .collect()
}

fn rank_text(rank: u32, none: &str) -> String {
    if rank > 0 {
        rank.to_string()
    } else {
        none.to_string()
    }
}

fn table(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    c: &Copeland,
    own: &[u32],
    s: &Settings<'_>,
) -> String {
    let en = s.lang == Lang::En;
    fn find<'t>(
        node: &'t qinglian::IndicatorInfo,
        path: &str,
    ) -> Option<&'t qinglian::IndicatorInfo> {
        if node.path == path {
            return Some(node);
        }
        node.children.iter().find_map(|c| find(c, path))
    }
    let tree = ruleset.tree();
    let name = find(&tree, s.node.unwrap_or(""))
        .map(|i| match (en, &i.name_en) {
            (true, Some(n)) => n.clone(),
            _ => i.name.clone(),
        })
        .unwrap_or_default();
    let mut text = String::new();
    let share = num((c.dominant_share * 1000.0).round() / 10.0);
    let _ = writeln!(
        text,
        "{}",
        if en {
            format!("{name}: Copeland scores (pairs won − pairs lost on its parts); {share}% of the pairs are ordered whatever the weights")
        } else {
            format!("{name}：科普兰得分（两两比较各组成部分，胜场数−负场数）；{share}%的单位对无论权重如何都次序不变")
        }
    );
    let mut out = Table::new();
    out.load_preset(UTF8_FULL_CONDENSED);
    out.set_header(if en {
        [
            "Rank",
            "ID",
            "Name",
            "Copeland score",
            "Rank by weighted aggregation",
        ]
    } else {
        ["排名", "编号", "名称", "科普兰得分", "加权汇总排名"]
    });
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&row| match c.ranks.get(row).copied().unwrap_or(0) {
        0 => (u32::MAX, row),
        r => (r, row),
    });
    let right = |t: String| Cell::new(t).set_alignment(CellAlignment::Right);
    for row in order {
        let score = c.scores.get(row).copied().unwrap_or(f64::NAN);
        out.add_row(vec![
            right(rank_text(c.ranks.get(row).copied().unwrap_or(0), "—")),
            Cell::new(batch.id(row).unwrap_or_default()),
            Cell::new(batch.name(row).unwrap_or_default()),
            right(if score.is_nan() {
                "—".into()
            } else {
                num(score)
            }),
            right(rank_text(own.get(row).copied().unwrap_or(0), "—")),
        ]);
    }
    let _ = writeln!(text, "{out}");
    text
}

fn csv(batch: &Batch<'_>, c: &Copeland, own: &[u32]) -> String {
    let mut text = String::from("id,name,copeland,rank,weighted_rank\n");
    for row in 0..batch.len() {
        let score = c.scores.get(row).copied().unwrap_or(f64::NAN);
        let cells = [
            field(batch.id(row).unwrap_or_default()),
            field(batch.name(row).unwrap_or_default()),
            if score.is_nan() {
                String::new()
            } else {
                num(score)
            },
            rank_text(c.ranks.get(row).copied().unwrap_or(0), ""),
            rank_text(own.get(row).copied().unwrap_or(0), ""),
        ];
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

fn json(batch: &Batch<'_>, c: &Copeland, own: &[u32], s: &Settings<'_>) -> Result<String, String> {
    let rank = |r: Option<&u32>| r.copied().filter(|&r| r > 0);
    let units: Vec<serde_json::Value> = (0..batch.len())
        .map(|row| {
            let score = c.scores.get(row).copied().filter(|x| !x.is_nan());
            serde_json::json!({
                "id": batch.id(row),
                "name": batch.name(row),
                "copeland": score,
                "rank": rank(c.ranks.get(row)),
                "weighted_rank": rank(own.get(row)),
            })
        })
        .collect();
    let share = Some(c.dominant_share).filter(|x| !x.is_nan());
    let value = serde_json::json!({
        "node": s.node.unwrap_or(""),
        "dominant_pairs": c.dominant_pairs,
        "dominant_share": share,
        "units": units,
    });
    serde_json::to_string_pretty(&value)
        .map(|t| t + "\n")
        .map_err(|e| e.to_string())
}
