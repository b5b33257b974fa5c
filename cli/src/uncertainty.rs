//! `qinglian uncertainty`: how far each unit's rank depends on the weights — Monte Carlo over
//! noisy weights (`Ruleset::uncertainty`), as a table in rank order, or CSV / JSON rows in the
//! file's order. The numbers are those of Rust, Python and JavaScript for the same seed.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};
use qinglian::{format_number as num, Batch, Lang, RankUncertainty, Ruleset, WeightNoise};
use std::fmt::Write as _;
use std::path::Path;

/// How to print the result.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum UncertaintyFormat {
    /// A table in nominal rank order.
    Table,
    /// CSV rows in the file's order.
    Csv,
    /// A JSON object with the settings and one entry per row in the file's order.
    Json,
}

/// The analysis's settings as given on the command line.
pub struct Settings<'a> {
    pub encoding: Option<&'a str>,
    pub sheet: Option<&'a str>,
    pub samples: usize,
    pub noise: f64,
    pub seed: u64,
    pub depths: &'a [usize],
    pub format: UncertaintyFormat,
    pub lang: Lang,
}

/// Reads the data, runs the analysis, returns the text to print and the number of rows that
/// could not be scored (written to standard error, one line each).
pub fn run(ruleset: &Ruleset, data: &Path, s: &Settings<'_>) -> Result<(String, usize), String> {
    let rows = crate::data::whole_file("uncertainty", data, s.encoding, s.sheet)?;
    let batch = Batch::from_rows(ruleset, &rows);
    let mut noise = WeightNoise::new(s.samples, s.noise, s.seed);
    if !s.depths.is_empty() {
        noise = noise.at_depths(s.depths.to_vec());
    }
    let u = ruleset
        .uncertainty(&batch, &noise)
        .map_err(|e| format!("cannot run the analysis: {e}"))?;
    // The rows that could not be scored, with their reasons (the analysis leaves them unranked).
    let nominal = ruleset.score(&batch);
    let mut failed = 0;
    for (_, e) in nominal.errors() {
        failed += 1;
        eprintln!("{e}");
    }
    let text = match s.format {
        UncertaintyFormat::Table => table(ruleset, &batch, &u, s),
        UncertaintyFormat::Csv => csv(&batch, &u),
        UncertaintyFormat::Json => json(&batch, &u, s)?,
    };
    Ok((text, failed))
}

/// A rank statistic as written: `—` (table) or empty (CSV) for a row that was not ranked.
fn stat(x: f64, none: &str) -> String {
    if x.is_nan() {
        none.to_string()
    } else {
        num(x)
    }
}

fn table(ruleset: &Ruleset, batch: &Batch<'_>, u: &RankUncertainty, s: &Settings<'_>) -> String {
    let en = s.lang == Lang::En;
    let meta = ruleset.metadata();
    let name = match (en, &meta.name_en) {
        (true, Some(n)) => n.as_str(),
        _ => meta.name.as_str(),
    };
    let percent = num(s.noise * 100.0);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}",
        if en {
            format!(
                "{name}: ranks under noisy weights ({} samples, weights ±{percent}%, seed {})",
                u.samples, s.seed
            )
        } else {
            format!(
                "{name}：权重扰动下的排名（抽样{}次，权重±{percent}%，随机种子{}）",
                u.samples, s.seed
            )
        }
    );
    let mut out = Table::new();
    out.load_preset(UTF8_FULL_CONDENSED);
    out.set_header(if en {
        [
            "Rank",
            "ID",
            "Name",
            "Median rank",
            "5th percentile",
            "95th percentile",
        ]
    } else {
        ["排名", "编号", "名称", "排名中位数", "5%分位", "95%分位"]
    });
    // Rank order; unranked rows (errors) last, in the file's order.
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&row| match u.nominal.get(row).copied().unwrap_or(0) {
        0 => (u32::MAX, row),
        r => (r, row),
    });
    let at = |v: &[f64], row: usize| v.get(row).copied().unwrap_or(f64::NAN);
    for row in order {
        let rank = u.nominal.get(row).copied().unwrap_or(0);
        let right = |t: String| Cell::new(t).set_alignment(CellAlignment::Right);
        out.add_row(vec![
            right(if rank > 0 {
                rank.to_string()
            } else {
                "—".into()
            }),
            Cell::new(batch.id(row).unwrap_or_default()),
            Cell::new(batch.name(row).unwrap_or_default()),
            right(stat(at(&u.median, row), "—")),
            right(stat(at(&u.p05, row), "—")),
            right(stat(at(&u.p95, row), "—")),
        ]);
    }
    let _ = writeln!(text, "{out}");
    let _ = writeln!(
        text,
        "{}",
        if en {
            "A unit whose 5th–95th percentile band is wide owes its rank to the weights chosen."
        } else {
            "5%–95%分位区间越宽，该单位的名次越依赖权重的设定。"
        }
    );
    text
}

/// A CSV field, quoted when it must be (as `score --format csv` writes them).
pub(crate) fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(batch: &Batch<'_>, u: &RankUncertainty) -> String {
    let mut text = String::from("id,name,rank,rank_median,rank_p05,rank_p95\n");
    let at = |v: &[f64], row: usize| stat(v.get(row).copied().unwrap_or(f64::NAN), "");
    for row in 0..batch.len() {
        let rank = u.nominal.get(row).copied().unwrap_or(0);
        let cells = [
            field(batch.id(row).unwrap_or_default()),
            field(batch.name(row).unwrap_or_default()),
            if rank > 0 {
                rank.to_string()
            } else {
                String::new()
            },
            at(&u.median, row),
            at(&u.p05, row),
            at(&u.p95, row),
        ];
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

fn json(batch: &Batch<'_>, u: &RankUncertainty, s: &Settings<'_>) -> Result<String, String> {
    // Unranked rows have null statistics (JSON has no NaN).
    let at = |v: &[f64], row: usize| {
        v.get(row)
            .copied()
            .filter(|x| !x.is_nan())
            .map_or(serde_json::Value::Null, serde_json::Value::from)
    };
    let units: Vec<serde_json::Value> = (0..batch.len())
        .map(|row| {
            let rank = u.nominal.get(row).copied().unwrap_or(0);
            serde_json::json!({
                "id": batch.id(row),
                "name": batch.name(row),
                "rank": (rank > 0).then_some(rank),
                "rank_median": at(&u.median, row),
                "rank_p05": at(&u.p05, row),
                "rank_p95": at(&u.p95, row),
            })
        })
        .collect();
    let value = serde_json::json!({
        "samples": u.samples,
        "weight_noise": s.noise,
        "seed": s.seed,
        "depths": if s.depths.is_empty() { None } else { Some(s.depths) },
        "units": units,
    });
    serde_json::to_string_pretty(&value)
        .map(|t| t + "\n")
        .map_err(|e| e.to_string())
}
