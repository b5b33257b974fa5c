//! Cohorts for streamed scoring: fitted chunk by chunk over the file (one per group with
//! `--by`), or read from a cohort file; and each chunk scored against its rows' cohorts.

use crate::data::{each_chunk, Data};
use qinglian::{Batch, Chunk, Cohort, CohortFitter, Ruleset, Scores};
use std::collections::HashMap;
use std::path::Path;

/// The cohort of every group: one cohort when rows are not grouped.
pub struct Cohorts {
    /// The columns rows are grouped by (none: one cohort).
    pub by: Vec<String>,
    /// Joined key → group.
    index: HashMap<String, usize>,
    /// Each group's values of the `by` columns, in order of first appearance.
    pub keys: Vec<Vec<String>>,
    pub cohorts: Vec<Cohort>,
}

/// What fitting saw.
pub struct Fitted {
    pub cohorts: Cohorts,
    /// Data rows read.
    pub rows: usize,
}

impl Cohorts {
    /// One cohort for every row.
    pub fn single(cohort: Cohort) -> Cohorts {
        Cohorts {
            by: Vec::new(),
            index: HashMap::new(),
            keys: vec![Vec::new()],
            cohorts: vec![cohort],
        }
    }

    /// Units in all the cohorts together.
    pub fn size(&self) -> usize {
        self.cohorts.iter().map(Cohort::size).sum()
    }
}

/// The rows of a chunk that belong to one group.
pub struct Part {
    pub group: usize,
    /// Chunk rows, in order.
    pub rows: Vec<usize>,
}

/// Splits a chunk's rows by the values of the kept `by` fields (`groups` empty: one part).
/// New keys get new groups when `grow`; otherwise an unknown key is an error.
fn split(
    chunk: &Chunk<'_>,
    by: usize,
    index: &mut HashMap<String, usize>,
    keys: &mut Vec<Vec<String>>,
    grow: bool,
) -> Result<Vec<Part>, String> {
    if by == 0 {
        return Ok(vec![Part {
            group: 0,
            rows: (0..chunk.len()).collect(),
        }]);
    }
    let mut parts: Vec<Part> = Vec::new();
    // Group → its part in this chunk.
    let mut part_of: HashMap<usize, usize> = HashMap::new();
    let mut key = String::new();
    for row in 0..chunk.len() {
        key.clear();
        for k in 0..by {
            if k > 0 {
                key.push('\u{1f}');
            }
            key.push_str(chunk.kept(k, row).unwrap_or(""));
        }
        let group = match index.get(&key) {
            Some(&g) => g,
            None if grow => {
                let g = keys.len();
                index.insert(key.clone(), g);
                keys.push(
                    (0..by)
                        .map(|k| chunk.kept(k, row).unwrap_or("").to_string())
                        .collect(),
                );
                g
            }
            None => {
                return Err(format!(
                    "row {} belongs to no fitted group (the file changed while it was read?)",
                    chunk.file_row(row) + 1
                ))
            }
        };
        let p = *part_of.entry(group).or_insert_with(|| {
            parts.push(Part {
                group,
                rows: Vec::new(),
            });
            parts.len() - 1
        });
        if let Some(part) = parts.get_mut(p) {
            part.rows.push(row);
        }
    }
    Ok(parts)
}

fn part_batch<'c>(chunk: &'c Chunk<'_>, part: &Part, whole: bool) -> Batch<'c> {
    if whole {
        chunk.batch()
    } else {
        chunk.batch_of(&part.rows)
    }
}

/// Checks that the grouping columns are in the file (a CSV header is known at once).
pub fn check_columns(data: &Data, ruleset: &Ruleset, by: &[String]) -> Result<(), String> {
    let reader = data.reader(ruleset, 1, by)?;
    if let Some(columns) = reader.columns() {
        if let Some(missing) = by.iter().find(|b| !columns.contains(b)) {
            return Err(no_column(data, missing, Some(columns)));
        }
    }
    Ok(())
}

fn no_column(data: &Data, column: &str, columns: Option<&[String]>) -> String {
    let mut message = format!(
        "cannot group by `{column}`: {} has no column `{column}`",
        data.name()
    );
    if let Some(columns) = columns {
        message.push_str(&format!(" (its columns: {})", columns.join(", ")));
    }
    message
}

/// Fits the cohorts over the whole file, chunk by chunk: a first pass for the values of `rank`
/// scorers when the ruleset has any, then one for the totals.
pub fn fit(
    ruleset: &Ruleset,
    data: &Data,
    by: &[String],
    chunk_rows: usize,
) -> Result<Fitted, String> {
    check_columns(data, ruleset, by)?;
    let mut index = HashMap::new();
    let mut keys: Vec<Vec<String>> = if by.is_empty() {
        vec![Vec::new()]
    } else {
        Vec::new()
    };
    let mut fitters: Vec<CohortFitter<'_>> = Vec::new();
    let needs_values = ruleset.fitter().needs_values();
    // Which `by` columns ever had a value (JSON records have no header to check).
    let mut seen = vec![false; by.len()];
    let mut rows = 0;
    for values_pass in [true, false] {
        if values_pass && !needs_values {
            continue;
        }
        let reader = data.reader(ruleset, chunk_rows, by)?;
        rows = 0;
        each_chunk(reader, |chunk| {
            rows += chunk.len();
            for (k, s) in seen.iter_mut().enumerate() {
                *s |= (0..chunk.len()).any(|r| chunk.kept(k, r).is_some());
            }
            let parts = split(&chunk, by.len(), &mut index, &mut keys, true)?;
            while fitters.len() < keys.len() {
                fitters.push(ruleset.fitter());
            }
            let whole = by.is_empty();
            for part in &parts {
                let batch = part_batch(&chunk, part, whole);
                let Some(fitter) = fitters.get_mut(part.group) else {
                    continue;
                };
                if values_pass {
                    fitter.add_values(&batch);
                } else {
                    fitter.add_totals(&batch).map_err(|e| e.to_string())?;
                }
            }
            Ok(true)
        })?;
    }
    if rows > 0 {
        if let Some((column, _)) = by.iter().zip(&seen).find(|(_, s)| !**s) {
            return Err(no_column(data, column, None));
        }
    }
    while fitters.len() < keys.len() {
        fitters.push(ruleset.fitter());
    }
    Ok(Fitted {
        cohorts: Cohorts {
            by: by.to_vec(),
            index,
            keys,
            cohorts: fitters.into_iter().map(CohortFitter::finish).collect(),
        },
        rows,
    })
}

/// Reads a cohort file written by `qinglian fit` and checks that it belongs to `ruleset`.
pub fn load(path: &Path, ruleset: &Ruleset, ruleset_path: &Path) -> Result<Cohort, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the cohort file {name}: {e}"))?;
    let cohort = Cohort::from_json(&text).map_err(|e| {
        format!("{name} is not a usable cohort file ({e}); write one with `qinglian fit RULESET DATA -o {name}`")
    })?;
    let meta = ruleset.metadata();
    if cohort.ruleset_id() != meta.id {
        return Err(format!(
            "the cohort in {name} belongs to another ruleset: it was fitted with `{}`, but {} is `{}`; fit a cohort with this ruleset (`qinglian fit {} DATA -o FILE`)",
            cohort.ruleset_id(),
            ruleset_path.display(),
            meta.id,
            ruleset_path.display(),
        ));
    }
    // The ruleset's `rank` indicators must all have reference values.
    ruleset
        .score_against(&Batch::new(ruleset, 0), &cohort)
        .map_err(|e| {
            format!(
                "the cohort in {name} does not fit {}: {e}; fit it again with this ruleset",
                ruleset_path.display()
            )
        })?;
    if cohort.ruleset_version() != meta.version {
        eprintln!(
            "warning: the cohort in {name} was fitted with version {} of `{}`, this is version {}",
            cohort.ruleset_version(),
            meta.id,
            meta.version
        );
    }
    Ok(cohort)
}

/// A chunk scored: one batch and score table per group present in it.
pub struct Scored<'c> {
    pub parts: Vec<(Part, Batch<'c>, Scores)>,
    /// Chunk row → (part, row of its batch).
    pub place: Vec<(usize, usize)>,
}

impl<'c> Scored<'c> {
    /// The batch, the scores and the row within them of chunk row `row`.
    pub fn row(&self, row: usize) -> Option<(&Part, &Batch<'c>, &Scores, usize)> {
        let &(p, pos) = self.place.get(row)?;
        let (part, batch, scores) = self.parts.get(p)?;
        Some((part, batch, scores, pos))
    }
}

/// Scores a chunk's rows, each against its group's cohort.
pub fn score_chunk<'c>(
    ruleset: &Ruleset,
    chunk: &'c Chunk<'_>,
    cohorts: &mut Cohorts,
) -> Result<Scored<'c>, String> {
    let by = cohorts.by.len();
    let parts = split(chunk, by, &mut cohorts.index, &mut cohorts.keys, false)?;
    let whole = by == 0;
    let mut place = vec![(0, 0); chunk.len()];
    let mut scored = Vec::with_capacity(parts.len());
    for (p, part) in parts.into_iter().enumerate() {
        let batch = part_batch(chunk, &part, whole);
        let cohort = cohorts
            .cohorts
            .get(part.group)
            .ok_or("a group without a cohort")?;
        let scores = ruleset
            .score_against(&batch, cohort)
            .map_err(|e| e.to_string())?;
        for (pos, &row) in part.rows.iter().enumerate() {
            if let Some(slot) = place.get_mut(row) {
                *slot = (p, pos);
            }
        }
        scored.push((part, batch, scores));
    }
    Ok(Scored {
        parts: scored,
        place,
    })
}
