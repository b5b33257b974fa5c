//! `qinglian report RULES DATA --id ID -o report.html`: the printable 评价报告 of one unit, or,
//! without `--id`, of every unit into a folder (one `<id>.html` each). Units are placed in the
//! same cohort as `score` places them (the file, its `--by` groups, or a `--cohort` file).

use crate::data::{each_chunk, Data};
use crate::{cohorts, Scoring};
use qinglian::Lang;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Where reports go.
pub enum Target<'a> {
    /// One unit: to a file, or standard output.
    One { id: &'a str, to: Option<&'a Path> },
    /// Every unit, into a folder.
    All { folder: &'a Path },
}

pub fn run(s: &Scoring<'_>, target: Target<'_>, lang: Lang) -> Result<Option<String>, String> {
    let ruleset = crate::load(s.ruleset)?;
    let data = Data::open(s.data, s.encoding, s.sheet)?;
    let mut cohorts = crate::cohorts(s, &ruleset, &data)?;
    let mut keep = s.by.to_vec();
    keep.push(ruleset.metadata().id_field.clone());
    let reader = data.reader(&ruleset, s.chunk_rows, &keep)?;
    match target {
        Target::One { id, to } => {
            let mut found = None;
            each_chunk(reader, |chunk| {
                let Some(local) = (0..chunk.len()).find(|&r| chunk.kept(s.by.len(), r) == Some(id))
                else {
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
                Ok(false)
            })?;
            let evaluation = match found {
                None => return Err(format!("no record with id `{id}` in {}", data.name())),
                Some(Err(e)) => return Err(format!("record `{id}` could not be scored: {e}")),
                Some(Ok(e)) => e,
            };
            let html = ruleset.report_html(&evaluation, lang);
            match to {
                None => Ok(Some(html)),
                Some(path) => {
                    std::fs::write(path, html)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("{id} → {}", path.display());
                    Ok(None)
                }
            }
        }
        Target::All { folder } => {
            std::fs::create_dir_all(folder)
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            let mut written = 0usize;
            let mut names = HashSet::new();
            each_chunk(reader, |chunk| {
                let scored = cohorts::score_chunk(&ruleset, &chunk, &mut cohorts)?;
                for local in 0..chunk.len() {
                    let Some((_, batch, scores, pos)) = scored.row(local) else {
                        continue;
                    };
                    match ruleset.explain(batch, scores, pos) {
                        Ok(e) => {
                            let stem = file_stem(e.id.as_deref(), chunk.file_row(local));
                            let path = unique(folder, &stem, &mut names);
                            std::fs::write(&path, ruleset.report_html(&e, lang))
                                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                            written += 1;
                        }
                        Err(e) => eprintln!("{}", chunk.file_error(local, &e)),
                    }
                }
                Ok(true)
            })?;
            eprintln!("{written} reports → {}", folder.display());
            Ok(None)
        }
    }
}

/// A file name from a unit's id: characters that file systems refuse become `_`.
fn file_stem(id: Option<&str>, row: usize) -> String {
    let stem: String = id
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = stem.trim().trim_start_matches('.').to_string();
    if stem.is_empty() {
        format!("row-{}", row + 1)
    } else {
        stem
    }
}

/// `folder/stem.html`, or `stem-2.html`, … when two ids give the same name.
fn unique(folder: &Path, stem: &str, names: &mut HashSet<String>) -> PathBuf {
    let mut name = format!("{stem}.html");
    let mut n = 2;
    while !names.insert(name.to_lowercase()) {
        name = format!("{stem}-{n}.html");
        n += 1;
    }
    folder.join(name)
}
