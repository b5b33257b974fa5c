//! `qinglian table RULES`: the 评分细则 table for reviewers, as Markdown (default), HTML, or an
//! Excel workbook with `-o rules.xlsx` (the file's extension picks the format).

use qinglian::export::xlsx::rule_table_workbook;
use qinglian::{Lang, Ruleset};
use std::path::Path;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TableFormat {
    Markdown,
    Html,
    Xlsx,
}

/// The format asked for, or the one `-o`'s extension names.
fn pick(format: Option<TableFormat>, output: Option<&Path>) -> Result<TableFormat, String> {
    if let Some(f) = format {
        return Ok(f);
    }
    let ext = output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        None | Some("md") | Some("markdown") | Some("txt") => Ok(TableFormat::Markdown),
        Some("html") | Some("htm") => Ok(TableFormat::Html),
        Some("xlsx") => Ok(TableFormat::Xlsx),
        Some(other) => Err(format!(
            "cannot tell the format from `.{other}`: use .md, .html or .xlsx, or --format"
        )),
    }
}

pub fn run(
    ruleset: &Ruleset,
    format: Option<TableFormat>,
    output: Option<&Path>,
    lang: Lang,
) -> Result<Option<String>, String> {
    let table = ruleset.rule_table(lang);
    let bytes = match pick(format, output)? {
        TableFormat::Markdown => table.to_markdown().into_bytes(),
        TableFormat::Html => table.to_html().into_bytes(),
        TableFormat::Xlsx => {
            if output.is_none() {
                return Err(
                    "an Excel rule table is written to a file: name it with -o rules.xlsx".into(),
                );
            }
            rule_table_workbook(&table)?
        }
    };
    match output {
        Some(path) => {
            std::fs::write(path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("{} → {}", table.title, path.display());
            Ok(None)
        }
        None => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
    }
}
