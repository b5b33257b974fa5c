//! `qinglian`: check rulesets, score records into a ranked table, explain one unit's score.
//!
//! Data files are streamed: `score` fits the cohort chunk by chunk (one per group with `--by`),
//! then reads the file again and scores each chunk against it, writing rows as it goes, so its
//! memory does not grow with the file beyond what the cohort holds (every total, and the values
//! of `rank` scorers). With `--cohort FILE` the cohort is read from a file instead and the data
//! is read once.
//!
//! Exit status: 0 when every row was scored (or, for `check`, every ruleset is valid); 1 when
//! some rows could not be scored — the other rows are still written — or a ruleset has errors;
//! 2 when the command could not run: a ruleset that does not load, a file that cannot be read,
//! wrong arguments.

mod cohorts;
mod copeland;
mod data;
mod diff;
mod improve;
mod output;
mod report;
mod sensitivity;
mod table;
mod uncertainty;
mod xlsx;

use clap::{Parser, Subcommand, ValueEnum};
use cohorts::Cohorts;
use data::{each_chunk, Data};
use output::{Csv, Json, Layout, Out, Row, Sink, Tabular};
use qinglian::{format_number as num, Lang, Ruleset, CHUNK_ROWS};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Some rows could not be scored (the others were written), or `check` found errors.
const ROWS_FAILED: u8 = 1;
/// The command could not run: a ruleset that does not load, an unreadable file, bad arguments
/// (the status `clap` uses for the latter too).
const CANNOT_RUN: u8 = 2;

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
    /// Score every record of a CSV / JSON / JSON Lines file or a sheet of a workbook: a ranked
    /// table, or CSV / JSON rows in the file's order.
    Score {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods; `-` reads standard
        /// input).
        data: PathBuf,
        /// The data file's text encoding (`gbk`, `gb18030`, `utf-16le`, `big5`, `utf-8`):
        /// detected when not given (a byte order mark, else UTF-8, else GBK/GB18030).
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// Output format (`xlsx` needs `-o FILE`).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write to this file instead of standard output (required for `xlsx`).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Show only the first N units of the ranking (of each group with --by; table format).
        #[arg(long)]
        top: Option<usize>,
        /// Rank within groups: one cohort per value of these columns (e.g. `year` or
        /// `year,district`) for ranks, percentiles, quota tiers and rank scorers.
        #[arg(long, value_delimiter = ',', conflicts_with = "cohort")]
        by: Vec<String>,
        /// Score against a cohort written by `qinglian fit` instead of the file's own units.
        #[arg(long)]
        cohort: Option<PathBuf>,
        /// A unit id on more than one row is an error (not written), not just a warning.
        #[arg(long)]
        strict: bool,
        /// Language of names and grades.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Rows read and scored at a time.
        #[arg(long, hide = true, default_value_t = CHUNK_ROWS)]
        chunk_rows: usize,
    },
    /// Fit a cohort on a data file (every total, and the values of rank scorers) and write it as
    /// JSON, to score other files against with `score --cohort` or `explain --cohort`.
    Fit {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods; `-` reads standard
        /// input).
        data: PathBuf,
        /// The data file's text encoding (`gbk`, `gb18030`, `utf-16le`, `big5`, `utf-8`):
        /// detected when not given (a byte order mark, else UTF-8, else GBK/GB18030).
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// The cohort file to write (standard output if not given).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Rows read and scored at a time.
        #[arg(long, hide = true, default_value_t = CHUNK_ROWS)]
        chunk_rows: usize,
    },
    /// Print the audit trail of one unit: every indicator's inputs, rule, points and why.
    Explain {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods; `-` reads standard
        /// input).
        data: PathBuf,
        /// The data file's text encoding (`gbk`, `gb18030`, `utf-16le`, `big5`, `utf-8`):
        /// detected when not given (a byte order mark, else UTF-8, else GBK/GB18030).
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// The unit's id.
        #[arg(long)]
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
        /// Place the unit within its group of these columns (as `score --by`).
        #[arg(long, value_delimiter = ',', conflicts_with = "cohort")]
        by: Vec<String>,
        /// Place the unit in a cohort written by `qinglian fit` instead of the file's units.
        #[arg(long)]
        cohort: Option<PathBuf>,
        /// An id on more than one row is an error, not a warning.
        #[arg(long)]
        strict: bool,
        /// Language.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Rows read and scored at a time.
        #[arg(long, hide = true, default_value_t = CHUNK_ROWS)]
        chunk_rows: usize,
    },
    /// Write the printable 评价报告 (HTML) of one unit (`--id`), or of every unit into a folder.
    Report {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods; `-` reads standard
        /// input).
        data: PathBuf,
        /// The unit's id; without it, every unit gets a report in the folder `-o` names.
        #[arg(long)]
        id: Option<String>,
        /// The data file's text encoding (as `score --encoding`); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// The report file (with `--id`; standard output if not given), or the folder.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Place units within their group of these columns (as `score --by`).
        #[arg(long, value_delimiter = ',', conflicts_with = "cohort")]
        by: Vec<String>,
        /// Place units in a cohort written by `qinglian fit` instead of the file's units.
        #[arg(long)]
        cohort: Option<PathBuf>,
        /// Language.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Rows read and scored at a time.
        #[arg(long, hide = true, default_value_t = CHUNK_ROWS)]
        chunk_rows: usize,
    },
    /// List what changed between two versions of a ruleset, in plain words; given data, how many
    /// units change score and grade, with the grade transition table.
    Diff {
        /// The earlier ruleset file.
        old: PathBuf,
        /// The later ruleset file.
        new: PathBuf,
        /// Records to score under both (.csv, .json or .jsonl).
        data: Option<PathBuf>,
        /// Language.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// How the grades and ranks respond to uncertain rule parameters: each run scores the file's
    /// units as one cohort with every `--vary` parameter drawn from its range; prints the units
    /// that can change grade (how often, and their rank band) and, with `--indices`, each
    /// parameter's first-order and total sensitivity index on the mean absolute rank shift.
    Sensitivity {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods).
        data: PathBuf,
        /// A parameter and its range: PATH=LOW..HIGH (a path as for what-if changes, e.g.
        /// `grade.优秀.min=85..95`, `complaints.scorer.tiers.0.per=5..15`), PATH=LOW..=HIGH for
        /// whole numbers, or PATH=A|B for alternatives (`ruleset.aggregate=mean|geomean`).
        /// Repeat for several.
        #[arg(long, required = true)]
        vary: Vec<String>,
        /// Number of draws (N).
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Seed of the random streams.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Also estimate each parameter's sensitivity indices (N × (parameters + 2) runs).
        #[arg(long)]
        indices: bool,
        /// Bootstrap resamples for the indices' 95% intervals.
        #[arg(long, default_value_t = 100)]
        bootstrap: usize,
        /// The data file's text encoding (as `score --encoding`); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook to read, by name; the first when not given.
        #[arg(long)]
        sheet: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = sensitivity::SensitivityFormat::Table)]
        format: sensitivity::SensitivityFormat,
        /// Language of the tables.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// How far each unit's rank depends on the weights: Monte Carlo over noisy weights (each
    /// weight of a node weighted by its parent drawn from [w(1 − f), w(1 + f)]), the units of the
    /// file ranked as one cohort per sample; prints each unit's rank, median rank and 5th–95th
    /// percentile ranks.
    Uncertainty {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods).
        data: PathBuf,
        /// Number of samples.
        #[arg(long, default_value_t = 1000)]
        samples: usize,
        /// The noise factor f, within [0, 1): 0.25 draws each weight within ±25 %.
        #[arg(long, default_value_t = 0.25)]
        noise: f64,
        /// Seed of the random streams: the same seed gives the same numbers, here and in Rust,
        /// Python and JavaScript.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Perturb only the weights of nodes at these depths (1 = the 一级指标), e.g. `1,2`.
        #[arg(long, value_delimiter = ',')]
        depths: Vec<usize>,
        /// The data file's text encoding (as `score --encoding`); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// Output format: a table in rank order, or CSV / JSON rows in the file's order.
        #[arg(long, value_enum, default_value_t = uncertainty::UncertaintyFormat::Table)]
        format: uncertainty::UncertaintyFormat,
        /// Language of the table.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Copeland scores: every pair of units of the file compared on the parts of a node (the
    /// whole index by default) by their points and weights — the non-compensatory alternative
    /// to the node's weighted aggregation; prints each unit's score (pairs won − pairs lost),
    /// its rank by it and its rank by the node's own aggregation.
    Copeland {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods).
        data: PathBuf,
        /// The group whose parts are compared, by its indicator path; the whole index when not
        /// given.
        #[arg(long)]
        node: Option<String>,
        /// The data file's text encoding (as `score --encoding`); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// Output format: a table in Copeland order, or CSV / JSON rows in the file's order.
        #[arg(long, value_enum, default_value_t = uncertainty::UncertaintyFormat::Table)]
        format: uncertainty::UncertaintyFormat,
        /// Language of the table.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// One unit's improvement plan: the cheapest changes to its inputs that lift it to the next
    /// grade band (or `--target`), each with the points it gains, checked by scoring the changed
    /// record; then where its points come from now, indicator by indicator, with its strengths
    /// and weaknesses in the cohort of the file.
    Improve {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Records (.csv, .json, .jsonl, or a workbook: .xlsx, .xls, .ods); the file is the
        /// unit's cohort.
        data: PathBuf,
        /// The unit's id.
        #[arg(long)]
        id: String,
        /// The grade to reach (Chinese or English name); the next band above the unit's own
        /// when not given.
        #[arg(long)]
        target: Option<String>,
        /// Cost per unit of change of an input, `input=cost` (repeat for more); then only these
        /// inputs may change. Without any, the cost of a plan is the points it recovers.
        #[arg(long = "cost")]
        costs: Vec<String>,
        /// The data file's text encoding (as `score --encoding`); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
        /// The sheet of a workbook (.xlsx, .xls, .ods) to read, by name; the first when not
        /// given.
        #[arg(long)]
        sheet: Option<String>,
        /// Output format: tables in words, or JSON.
        #[arg(long, value_enum, default_value_t = improve::ImproveFormat::Table)]
        format: improve::ImproveFormat,
        /// Language of the tables.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Print the JSON Schema of the ruleset format (kept in docs/ruleset.schema.json), for
    /// editors: taplo / Even Better TOML give completion and hover docs from it.
    Schema,
    /// Print the 评分细则 table of a ruleset for reviewers: indicators by level, points, the
    /// scheme's criteria and how each is scored, then bonus, vetoes and grades.
    Table {
        /// Ruleset file.
        ruleset: PathBuf,
        /// Output format (default: Markdown, or what `-o`'s extension names).
        #[arg(long, value_enum)]
        format: Option<table::TableFormat>,
        /// Write to this file (.md, .html or .xlsx) instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
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
    /// An Excel workbook: the ranking, a sheet per dimension, the points lost with reasons.
    Xlsx,
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

/// Writes to standard output; a closed pipe (`qinglian check … | head`) ends the program quietly
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
            encoding,
            sheet,
            format,
            output,
            top,
            by,
            cohort,
            strict,
            lang,
            chunk_rows,
        } => score(
            &Scoring {
                ruleset: &ruleset,
                data: &data,
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                by: &by,
                cohort: cohort.as_deref(),
                strict,
                chunk_rows,
            },
            format,
            output.as_deref(),
            top,
            lang.into(),
        ),
        Command::Fit {
            ruleset,
            data,
            encoding,
            sheet,
            output,
            chunk_rows,
        } => fit(
            &Scoring {
                ruleset: &ruleset,
                data: &data,
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                by: &[],
                cohort: None,
                strict: false,
                chunk_rows,
            },
            output.as_deref(),
        ),
        Command::Explain {
            ruleset,
            data,
            encoding,
            sheet,
            id,
            format,
            by,
            cohort,
            strict,
            lang,
            chunk_rows,
        } => explain(
            &Scoring {
                ruleset: &ruleset,
                data: &data,
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                by: &by,
                cohort: cohort.as_deref(),
                strict,
                chunk_rows,
            },
            &id,
            format,
            lang.into(),
        ),
        Command::Report {
            ruleset,
            data,
            id,
            encoding,
            sheet,
            output,
            by,
            cohort,
            lang,
            chunk_rows,
        } => {
            let target = match (&id, &output) {
                (Some(id), to) => Ok(report::Target::One {
                    id,
                    to: to.as_deref(),
                }),
                (None, Some(folder)) => Ok(report::Target::All { folder }),
                (None, None) => Err(
                    "name a unit with --id, or a folder for every unit's report with -o"
                        .to_string(),
                ),
            };
            target.and_then(|target| {
                let scoring = Scoring {
                    ruleset: &ruleset,
                    data: &data,
                    encoding: encoding.as_deref(),
                    sheet: sheet.as_deref(),
                    by: &by,
                    cohort: cohort.as_deref(),
                    strict: false,
                    chunk_rows,
                };
                if let Some(html) = report::run(&scoring, target, lang.into())? {
                    out!("{html}");
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Diff {
            old,
            new,
            data,
            lang,
        } => load(&old).and_then(|a| {
            let b = load(&new)?;
            out!("{}", diff::run(&a, &b, data.as_deref(), lang.into())?);
            Ok(ExitCode::SUCCESS)
        }),
        Command::Sensitivity {
            ruleset,
            data,
            vary,
            samples,
            seed,
            indices,
            bootstrap,
            encoding,
            sheet,
            format,
            lang,
        } => load(&ruleset).and_then(|r| {
            let settings = sensitivity::Settings {
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                vary: &vary,
                samples,
                seed,
                indices,
                bootstrap,
                format,
                lang: lang.into(),
            };
            let (text, failed) = sensitivity::run(&r, &data, &settings)?;
            out!("{text}");
            if failed > 0 {
                eprintln!("{failed} rows could not be scored and are not ranked");
                return Ok(ExitCode::from(ROWS_FAILED));
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Uncertainty {
            ruleset,
            data,
            samples,
            noise,
            seed,
            depths,
            encoding,
            sheet,
            format,
            lang,
        } => load(&ruleset).and_then(|r| {
            let settings = uncertainty::Settings {
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                samples,
                noise,
                seed,
                depths: &depths,
                format,
                lang: lang.into(),
            };
            let (text, failed) = uncertainty::run(&r, &data, &settings)?;
            out!("{text}");
            if failed > 0 {
                eprintln!("{failed} rows could not be scored and are not ranked");
                return Ok(ExitCode::from(ROWS_FAILED));
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Copeland {
            ruleset,
            data,
            node,
            encoding,
            sheet,
            format,
            lang,
        } => load(&ruleset).and_then(|r| {
            let settings = copeland::Settings {
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                node: node.as_deref(),
                format,
                lang: lang.into(),
            };
            let (text, failed) = copeland::run(&r, &data, &settings)?;
            out!("{text}");
            if failed > 0 {
                eprintln!("{failed} rows could not be scored and are not ranked");
                return Ok(ExitCode::from(ROWS_FAILED));
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Improve {
            ruleset,
            data,
            id,
            target,
            costs,
            encoding,
            sheet,
            format,
            lang,
        } => load(&ruleset).and_then(|r| {
            let settings = improve::Settings {
                id: &id,
                target: target.as_deref(),
                costs: &costs,
                encoding: encoding.as_deref(),
                sheet: sheet.as_deref(),
                format,
                lang: lang.into(),
            };
            out!("{}", improve::run(&r, &data, &settings)?);
            Ok(ExitCode::SUCCESS)
        }),
        Command::Schema => {
            out!("{}", RULESET_SCHEMA);
            Ok(ExitCode::SUCCESS)
        }
        Command::Table {
            ruleset,
            format,
            output,
            lang,
        } => load(&ruleset).and_then(|r| {
            if let Some(text) = table::run(&r, format, output.as_deref(), lang.into())? {
                out!("{text}");
            }
            Ok(ExitCode::SUCCESS)
        }),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(CANNOT_RUN)
        }
    }
}

/// The JSON Schema of rulesets (one file, shared with the docs and the editors).
const RULESET_SCHEMA: &str = include_str!("../../docs/ruleset.schema.json");

fn load(path: &Path) -> Result<Ruleset, String> {
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
        ExitCode::from(ROWS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// What `score` and `explain` read: the ruleset, the data, and where the cohort comes from.
struct Scoring<'a> {
    ruleset: &'a Path,
    data: &'a Path,
    encoding: Option<&'a str>,
    sheet: Option<&'a str>,
    by: &'a [String],
    cohort: Option<&'a Path>,
    strict: bool,
    chunk_rows: usize,
}

/// Prints the reader's notes on the data file (unknown columns, absent inputs) once.
fn print_notes(notes: &[qinglian::Diagnostic]) {
    for note in notes {
        eprintln!("{note}");
    }
}

/// Records the id of a row of cohort group `group` (0 without `--by`); an id repeated within
/// its group is reported (on standard error), and under `strict` returned as the row's error.
fn see_id(
    ids: &mut qinglian::UnitIds,
    group: usize,
    id: Option<&str>,
    row: usize,
    strict: bool,
) -> Option<qinglian::RecordError> {
    let id = id?;
    let first = ids.repeat_in(group, id, row)?;
    let e = qinglian::repeated_id(id, row, first, strict);
    if strict {
        Some(e)
    } else {
        eprintln!("warning{e}");
        None
    }
}

/// The cohorts rows are scored against: read from `--cohort`, or fitted on the data (one per
/// group with `--by`).
fn cohorts(s: &Scoring<'_>, ruleset: &Ruleset, data: &Data) -> Result<Cohorts, String> {
    match s.cohort {
        Some(file) => Ok(Cohorts::single(cohorts::load(file, ruleset, s.ruleset)?)),
        None => Ok(cohorts::fit(ruleset, data, s.by, s.chunk_rows)?.cohorts),
    }
}

fn score(
    s: &Scoring<'_>,
    format: Format,
    output: Option<&Path>,
    top: Option<usize>,
    lang: Lang,
) -> Result<ExitCode, String> {
    if matches!(format, Format::Xlsx) && output.is_none() {
        return Err("--format xlsx writes a file: name it with -o ranking.xlsx".into());
    }
    if output.is_some() && !matches!(format, Format::Xlsx) {
        return Err("-o is for --format xlsx; other formats go to standard output".into());
    }
    let ruleset = load(s.ruleset)?;
    let data = Data::open(s.data, s.encoding, s.sheet)?;
    let mut cohorts = cohorts(s, &ruleset, &data)?;
    let layout = Layout::new(&ruleset, lang, s.by);
    let mut out = Out::new();
    let mut sink: Box<dyn Sink> = match format {
        Format::Csv => Box::new(Csv::new(layout, &mut out)),
        Format::Json => Box::new(Json::new(&ruleset, s.by, &mut out)),
        Format::Xlsx => Box::new(xlsx::Xlsx::new(
            &ruleset,
            lang,
            s.by,
            output.map(Path::to_path_buf).unwrap_or_default(),
        )),
        Format::Table => {
            let m = ruleset.metadata();
            let name = match (lang, &m.name_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => m.name.clone(),
            };
            let how = match (lang, s.cohort) {
                (Lang::En, Some(c)) => format!("ranked against the cohort {}", c.display()),
                (_, Some(c)) => format!("排名（参照群体 {}）", c.display()),
                (Lang::En, None) if !s.by.is_empty() => {
                    format!("ranked within each {}", s.by.join(", "))
                }
                (_, None) if !s.by.is_empty() => format!("排名（按{}分组）", s.by.join("、")),
                (Lang::En, None) => "ranked".to_string(),
                (_, None) => "排名".to_string(),
            };
            Box::new(Tabular::new(
                layout,
                format!("{name} — {} · {how}", data.name()),
                top,
            ))
        }
    };
    let reader = data.reader(&ruleset, s.chunk_rows, s.by)?;
    let mut failed = 0usize;
    let mut rows = 0usize;
    let mut ids = qinglian::UnitIds::new();
    let notes = each_chunk(reader, |chunk| {
        let scored = cohorts::score_chunk(&ruleset, &chunk, &mut cohorts)?;
        for local in 0..chunk.len() {
            rows += 1;
            let Some((part, batch, scores, pos)) = scored.row(local) else {
                failed += 1;
                continue;
            };
            let file_row = chunk.file_row(local);
            let forced = match scores.error(pos) {
                Some(_) => None,
                None => see_id(&mut ids, part.group, batch.id(pos), file_row, s.strict),
            };
            let row = Row {
                batch,
                scores,
                pos,
                file_row,
                group: cohorts.keys.get(part.group).map_or(&[], Vec::as_slice),
                forced: forced.as_ref(),
            };
            if let Some(e) = sink.row(&mut out, &row) {
                failed += 1;
                eprintln!("{e}");
            }
        }
        Ok(true)
    })?;
    print_notes(&notes);
    sink.finish(&mut out)?;
    out.flush();
    if failed > 0 {
        eprintln!("{failed} of {rows} rows could not be scored");
        return Ok(ExitCode::from(ROWS_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

fn fit(s: &Scoring<'_>, output: Option<&Path>) -> Result<ExitCode, String> {
    let ruleset = load(s.ruleset)?;
    let data = Data::open(s.data, s.encoding, s.sheet)?;
    let fitted = cohorts::fit(&ruleset, &data, &[], s.chunk_rows)?;
    let size = fitted.cohorts.size();
    let Some(cohort) = fitted.cohorts.cohorts.first() else {
        return Err("no cohort was fitted".into());
    };
    let json = cohort.to_json();
    let to = match output {
        Some(path) => {
            std::fs::write(path, format!("{json}\n"))
                .map_err(|e| format!("cannot write the cohort to {}: {e}", path.display()))?;
            path.display().to_string()
        }
        None => {
            let mut out = Out::new();
            out.write(&json);
            out.write("\n");
            out.flush();
            "standard output".to_string()
        }
    };
    let m = ruleset.metadata();
    eprintln!(
        "fitted a cohort of {size} units for `{}` v{} from {} rows of {} → {to}",
        m.id,
        m.version,
        fitted.rows,
        data.name()
    );
    if fitted.rows > size {
        eprintln!(
            "{} rows could not be scored and are not in the cohort (`qinglian score` names them)",
            fitted.rows - size
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(
    s: &Scoring<'_>,
    id: &str,
    format: ExplainFormat,
    lang: Lang,
) -> Result<ExitCode, String> {
    let ruleset = load(s.ruleset)?;
    let data = Data::open(s.data, s.encoding, s.sheet)?;
    let mut cohorts = cohorts(s, &ruleset, &data)?;
    // The id is kept beside the grouping columns, to find the unit without checking every row.
    let mut keep = s.by.to_vec();
    keep.push(ruleset.metadata().id_field.clone());
    let reader = data.reader(&ruleset, s.chunk_rows, &keep)?;
    let mut found = None;
    // Every file row with the id: the unit explained is the first; more than one is reported.
    let mut rows_with_id = Vec::new();
    each_chunk(reader, |chunk| {
        let here: Vec<usize> = (0..chunk.len())
            .filter(|&r| chunk.kept(s.by.len(), r) == Some(id))
            .collect();
        rows_with_id.extend(here.iter().map(|&r| chunk.file_row(r)));
        let Some(&local) = here.first().filter(|_| found.is_none()) else {
            return Ok(true);
        };
        let scored = cohorts::score_chunk(&ruleset, &chunk, &mut cohorts)?;
        if let Some((_, batch, scores, pos)) = scored.row(local) {
            found = Some(
                ruleset
                    .explain(batch, scores, pos)
                    .map_err(|e| chunk.file_error(local, &e)),
            );
        }
        Ok(true)
    })?;
    if rows_with_id.len() > 1 {
        let rows: Vec<String> = rows_with_id
            .iter()
            .take(10)
            .map(|r| (r + 1).to_string())
            .collect();
        let what = format!(
            "the id `{id}` is on {} rows ({}{}) of {}",
            rows_with_id.len(),
            rows.join(", "),
            if rows_with_id.len() > 10 { ", …" } else { "" },
            data.name()
        );
        if s.strict {
            eprintln!("error[record.duplicate_id]: {what}; which unit to explain is unclear");
            return Ok(ExitCode::from(ROWS_FAILED));
        }
        eprintln!("warning[record.duplicate_id]: {what}; explaining the first");
    }
    match found {
        None => Err(format!("no record with id `{id}` in {}", data.name())),
        Some(Err(e)) => {
            eprintln!("record `{id}` could not be scored: {e}");
            Ok(ExitCode::from(ROWS_FAILED))
        }
        Some(Ok(e)) => {
            match format {
                ExplainFormat::Text => out!("{}", e.explain(lang)),
                ExplainFormat::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&e).map_err(|e| e.to_string())?
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
