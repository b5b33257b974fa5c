//! `qinglian`: check rulesets, score records into a ranked table, explain one unit's score.

use clap::{Parser, Subcommand, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell as TableCell, CellAlignment, Table};
use qinglian::{format_number as num, read_records, Evaluation, Lang, RecordError, Ruleset};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "qinglian",
    version,
    about = "清廉 — evaluate integrity indicator systems written as TOML rulesets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate rulesets and print every error and warning with file:line:column and indicator path.
    Check {
        /// Ruleset files.
        #[arg(required = true)]
        rulesets: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Score every record of a CSV / JSON / JSON Lines file and print them ranked.
    Score {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json or .jsonl).
        data: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Show only the first N units of the ranking (table format).
        #[arg(long)]
        top: Option<usize>,
        /// Language of names and grades.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Print the audit trail of one unit: every indicator's inputs, rule, points and why.
    Explain {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json or .jsonl).
        data: PathBuf,
        /// The unit's id.
        #[arg(long)]
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
        /// Language.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// Writes to standard output; a closed pipe (`qinglian score … | head`) ends the program quietly
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("cannot write the output: {e}");
            std::process::exit(1);
        }
    }};
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        out!($($arg)*);
        out!("\n");
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { rulesets, format } => check(&rulesets, format),
        Command::Score {
            ruleset,
            data,
            format,
            top,
            lang,
        } => score(&ruleset, &data, format, top, lang.into()),
        Command::Explain {
            ruleset,
            data,
            id,
            format,
            lang,
        } => explain(&ruleset, &data, &id, format, lang.into()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &PathBuf) -> Result<Ruleset, String> {
    Ruleset::load(path).map_err(|e| e.to_string())
}

fn check(paths: &[PathBuf], format: CheckFormat) -> Result<ExitCode, String> {
    let mut failed = false;
    let mut report = Vec::new();
    for path in paths {
        let (errors, warnings, summary) = match Ruleset::load(path) {
            Ok(r) => {
                let m = r.metadata();
                let summary = format!(
                    "{} {} v{}: {} inputs, {} indicators, scale {}",
                    m.id,
                    m.name,
                    m.version,
                    r.inputs().len(),
                    r.indicator_paths().len(),
                    num(m.scale)
                );
                (Vec::new(), r.warnings().to_vec(), Some(summary))
            }
            Err(e) => (e.errors, e.warnings, None),
        };
        failed |= !errors.is_empty();
        match format {
            CheckFormat::Text => {
                for d in errors.iter().chain(&warnings) {
                    outln!("{d}");
                }
                match &summary {
                    Some(s) => outln!("ok {}: {s}", path.display()),
                    None => outln!("FAILED {}: {} error(s), {} warning(s)", path.display(), errors.len(), warnings.len()),
                }
            }
            CheckFormat::Json => report.push(serde_json::json!({ "file": path.display().to_string(), "ok": summary.is_some(), "errors": errors, "warnings": warnings })),
        }
    }
    if let CheckFormat::Json = format {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn results(
    ruleset: &Ruleset,
    data: &PathBuf,
) -> Result<Vec<Result<Evaluation, RecordError>>, String> {
    let rows = read_records(data).map_err(|e| e.to_string())?;
    Ok(ruleset.evaluate_records(&rows))
}

fn score(
    ruleset_path: &PathBuf,
    data: &PathBuf,
    format: Format,
    top: Option<usize>,
    lang: Lang,
) -> Result<ExitCode, String> {
    let ruleset = load(ruleset_path)?;
    let results = results(&ruleset, data)?;
    let dimensions: Vec<(String, String)> = ruleset
        .tree()
        .children
        .iter()
        .map(|d| {
            (
                d.path.clone(),
                if lang == Lang::En {
                    d.name_en.clone().unwrap_or_else(|| d.name.clone())
                } else {
                    d.name.clone()
                },
            )
        })
        .collect();
    let mut ranked: Vec<&Evaluation> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    ranked.sort_by_key(|e| e.cohort.as_ref().map_or(usize::MAX, |c| c.rank));
    let errors: Vec<&RecordError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let grade = |e: &Evaluation| match lang {
        Lang::En => e.grade_en.clone().or_else(|| e.grade.clone()),
        Lang::Zh => e.grade.clone(),
    };
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = results
                .iter()
                .map(|r| match r {
                    Ok(e) => serde_json::json!({ "ok": e }),
                    Err(e) => serde_json::json!({ "error": e }),
                })
                .collect();
            let out = serde_json::json!({ "ruleset": ruleset.metadata().id, "results": items });
            outln!(
                "{}",
                serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
            );
        }
        Format::Csv => {
            let mut header = vec![
                "rank",
                "id",
                "name",
                "score",
                "max_score",
                "base_score",
                "bonus_score",
                "grade",
                "tier",
                "percentile",
            ]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
            header.extend(dimensions.iter().map(|(p, _)| p.clone()));
            header.extend(["vetoes", "alerts", "error"].map(String::from));
            outln!("{}", csv_line(&header));
            for e in &ranked {
                let c = e.cohort.as_ref();
                let mut row = vec![
                    c.map_or(String::new(), |c| c.rank.to_string()),
                    e.id.clone().unwrap_or_default(),
                    e.name.clone().unwrap_or_default(),
                    e.score.to_string(),
                    e.max_score.to_string(),
                    e.base_score.to_string(),
                    e.bonus_score.to_string(),
                    grade(e).unwrap_or_default(),
                    c.and_then(|c| c.tier.clone()).unwrap_or_default(),
                    c.map_or(String::new(), |c| c.percentile.to_string()),
                ];
                row.extend(
                    dimensions
                        .iter()
                        .map(|(p, _)| e.node(p).map_or(String::new(), |n| n.score.to_string())),
                );
                row.push(ids(e.vetoes.iter().map(|v| v.id.as_str())));
                row.push(ids(e.alerts.iter().map(|a| a.id.as_str())));
                row.push(String::new());
                outln!("{}", csv_line(&row));
            }
            for err in &errors {
                let mut row = vec![String::new(), err.id.clone().unwrap_or_default()];
                row.resize(12 + dimensions.len(), String::new());
                row.push(err.to_string());
                outln!("{}", csv_line(&row));
            }
        }
        Format::Table => {
            let m = ruleset.metadata();
            let title = if lang == Lang::En {
                m.name_en.clone().unwrap_or_else(|| m.name.clone())
            } else {
                m.name.clone()
            };
            outln!(
                "{title} — {} · {}",
                data.display(),
                if lang == Lang::En { "ranked" } else { "排名" }
            );
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            let head: Vec<String> = if lang == Lang::En {
                ["Rank", "ID", "Name", "Total", "Grade", "Tier"]
                    .map(String::from)
                    .to_vec()
            } else {
                ["排名", "编号", "名称", "总分", "等次", "档次"]
                    .map(String::from)
                    .to_vec()
            };
            let mut head = head;
            head.extend(dimensions.iter().map(|(_, n)| n.clone()));
            // Vetoes and early warnings get columns only when some unit has them.
            let shown: Vec<&Evaluation> = ranked
                .iter()
                .take(top.unwrap_or(usize::MAX))
                .copied()
                .collect();
            let show_vetoes = shown.iter().any(|e| !e.vetoes.is_empty());
            let show_alerts = shown.iter().any(|e| !e.alerts.is_empty());
            if show_vetoes {
                head.push(if lang == Lang::En { "Vetoes" } else { "否决" }.into());
            }
            if show_alerts {
                head.push(if lang == Lang::En { "Alerts" } else { "预警" }.into());
            }
            table.set_header(head);
            for e in &shown {
                let c = e.cohort.as_ref();
                let mut row = vec![
                    TableCell::new(c.map_or(String::new(), |c| c.rank.to_string()))
                        .set_alignment(CellAlignment::Right),
                    TableCell::new(e.id.clone().unwrap_or_default()),
                    TableCell::new(e.name.clone().unwrap_or_default()),
                    TableCell::new(format!("{}/{}", num(e.score), num(e.max_score)))
                        .set_alignment(CellAlignment::Right),
                    TableCell::new(grade(e).unwrap_or_else(|| "—".into())),
                    TableCell::new(c.and_then(|c| c.tier.clone()).unwrap_or_default()),
                ];
                row.extend(dimensions.iter().map(|(p, _)| {
                    TableCell::new(e.node(p).map_or("—".to_string(), |n| num(n.score)))
                        .set_alignment(CellAlignment::Right)
                }));
                if show_vetoes {
                    row.push(TableCell::new(ids(e.vetoes.iter().map(|v| v.id.as_str()))));
                }
                if show_alerts {
                    row.push(TableCell::new(alert_levels(&e.alerts, lang)));
                }
                table.add_row(row);
            }
            outln!("{table}");
            outln!(
                "{}",
                if lang == Lang::En {
                    format!("{} scored, {} with errors", ranked.len(), errors.len())
                } else {
                    format!("共评价{}个单位，{}条记录有误", ranked.len(), errors.len())
                }
            );
        }
    }
    for err in &errors {
        eprintln!("{err}");
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(
    ruleset_path: &PathBuf,
    data: &PathBuf,
    id: &str,
    format: ExplainFormat,
    lang: Lang,
) -> Result<ExitCode, String> {
    let ruleset = load(ruleset_path)?;
    let results = results(&ruleset, data)?;
    let found = results.iter().find(|r| match r {
        Ok(e) => e.id.as_deref() == Some(id),
        Err(e) => e.id.as_deref() == Some(id),
    });
    match found {
        None => Err(format!("no record with id `{id}` in {}", data.display())),
        Some(Err(e)) => Err(format!("record `{id}` could not be scored: {e}")),
        Some(Ok(e)) => {
            match format {
                ExplainFormat::Text => out!("{}", e.explain(lang)),
                ExplainFormat::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(e).map_err(|e| e.to_string())?
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.collect::<Vec<_>>().join(";")
}

/// Alerts counted by level, most severe first: `红2 橙1` / `red 2, orange 1`.
fn alert_levels(alerts: &[qinglian::AlertHit], lang: Lang) -> String {
    let levels = [
        ("red", "红"),
        ("orange", "橙"),
        ("yellow", "黄"),
        ("blue", "蓝"),
    ];
    let parts: Vec<String> = levels
        .iter()
        .filter_map(|(en, zh)| {
            let n = alerts.iter().filter(|a| a.level == *en).count();
            (n > 0).then(|| {
                if lang == Lang::En {
                    format!("{en} {n}")
                } else {
                    format!("{zh}{n}")
                }
            })
        })
        .collect();
    parts.join(if lang == Lang::En { ", " } else { " " })
}

fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}
