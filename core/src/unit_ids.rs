//! Unit ids that repeat within one batch or file. A repeated id is ranked twice and makes
//! `explain --id` ambiguous, so it is reported: a warning by default, or, when strict, an error
//! for every later row with that id (which is then neither scored nor ranked).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use crate::{Batch, Groups, RecordError};

/// Ids seen so far, by a 64-bit hash of the id (16 bytes a unit rather than a copy of every id:
/// files run to millions of rows), with the row of their first appearance. Two different ids
/// share a hash with odds of about one in 10^7 over a million units.
#[derive(Debug, Default)]
pub struct UnitIds(HashMap<u64, usize>);

impl UnitIds {
    /// No ids seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No ids seen yet, with room for `n` of them (no rehashing while a column of `n` is read).
    pub fn with_capacity(n: usize) -> Self {
        Self(HashMap::with_capacity(n))
    }

    /// Notes that `row` has `id`; returns the row where the id was first seen if that was an
    /// earlier row.
    pub fn repeat_of(&mut self, id: &str, row: usize) -> Option<usize> {
        self.repeat_in(0, id, row)
    }

    /// [`UnitIds::repeat_of`] within cohort group `group`: a panel scored by year holds each
    /// unit once a year, so an id repeats only within its group.
    pub fn repeat_in(&mut self, group: usize, id: &str, row: usize) -> Option<usize> {
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one((group, id));
        let first = *self.0.entry(hash).or_insert(row);
        (first != row).then_some(first)
    }
}

/// Every row whose id an earlier row had, with the row where that id first appeared, in row
/// order: `(row, first)`. For a whole column at once: a hash per id and one sort, which stays
/// fast on millions of rows where a hash table misses the cache on every id; ids of equal hash
/// are compared as text, so the answer is exact. `None` and empty ids are no id.
pub fn repeated_rows(ids: &[Option<&str>]) -> Vec<(usize, usize)> {
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    let mut keys: Vec<(u64, usize)> = ids
        .iter()
        .enumerate()
        .filter_map(|(row, id)| {
            id.filter(|id| !id.is_empty())
                .map(|id| (hasher.hash_one(id), row))
        })
        .collect();
    keys.sort_unstable();
    let mut found = Vec::new();
    for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        // The run's rows in order, each against the ids already met in it.
        let mut firsts: Vec<(&str, usize)> = Vec::new();
        for &(_, row) in run {
            let id = ids.get(row).copied().flatten().unwrap_or_default();
            match firsts.iter().find(|(text, _)| *text == id) {
                Some(&(_, first)) => found.push((row, first)),
                None => firsts.push((id, row)),
            }
        }
    }
    found.sort_unstable();
    found
}

/// The `record.duplicate_id` report for `row`, whose id was already on row `first` (both
/// 0-based); `strict` says whether the row is rejected or scored anyway.
pub fn repeated_id(id: &str, row: usize, first: usize, strict: bool) -> RecordError {
    RecordError::new(
        "record.duplicate_id",
        format!(
            "the id `{}` was already on row {}; {}",
            crate::excerpt(id, 40),
            first + 1,
            if strict {
                "this row is rejected (strict)"
            } else {
                "both rows are scored and ranked"
            }
        ),
    )
    .at_row(row, Some(id))
}

impl Batch<'_> {
    /// Reports every row whose id an earlier row of the batch (of its group, with `groups`)
    /// already had, in row order. When `strict`, each such row becomes that error, so it is
    /// neither scored nor ranked; rows already in error are left as they are.
    pub fn check_repeated_ids(
        &mut self,
        groups: Option<&Groups>,
        strict: bool,
    ) -> Vec<RecordError> {
        let mut ids = UnitIds::new();
        let mut found = Vec::new();
        for row in 0..self.len() {
            if self.error(row).is_some() {
                continue;
            }
            if let Some(id) = self.id(row) {
                let group = groups.map_or(0, |g| g.group_of(row));
                if let Some(first) = ids.repeat_in(group, id, row) {
                    found.push(repeated_id(id, row, first, strict));
                }
            }
        }
        if strict {
            for e in &found {
                if let Some(row) = e.row {
                    self.set_error(row, e.clone());
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{Cell, Record, Ruleset};

    fn ruleset() -> Ruleset {
        Ruleset::from_toml(
            "[ruleset]\nid = \"t\"\nname = \"T\"\nversion = \"1\"\nscale = 10\n\
             [[input]]\nname = \"n\"\ntype = \"count\"\n\
             [[indicator]]\nid = \"a\"\nname = \"A\"\npoints = 10\n\
             scorer = { type = \"per_occurrence\", count = \"n\", per = 1 }\n",
        )
        .unwrap()
    }

    fn record(id: &str) -> Result<Record, RecordError> {
        let mut r = Record::default();
        r.fields.insert("id".into(), Cell::Text(id.into()));
        r.fields.insert("n".into(), Cell::Number(1.0));
        Ok(r)
    }

    #[test]
    fn a_column_of_ids_gives_each_later_row_and_its_first() {
        let ids = [
            Some("A"),
            Some("B"),
            None,
            Some("A"),
            Some(""),
            Some(""),
            None,
            Some("B"),
            Some("A"),
            Some("C"),
        ];
        assert_eq!(repeated_rows(&ids), [(3, 0), (7, 1), (8, 0)]);
        assert!(repeated_rows(&[Some("x"), Some("y"), None, None]).is_empty());
        // The same answer as the row-by-row check.
        let mut seen = UnitIds::new();
        let by_rows: Vec<(usize, usize)> = ids
            .iter()
            .enumerate()
            .filter_map(|(row, id)| {
                let id = id.filter(|id| !id.is_empty())?;
                seen.repeat_of(id, row).map(|first| (row, first))
            })
            .collect();
        assert_eq!(repeated_rows(&ids), by_rows);
    }

    #[test]
    fn later_rows_with_an_earlier_id_are_reported_and_rejected_when_strict() {
        let rules = ruleset();
        let rows = [record("A"), record("B"), record("A"), record("A")];
        let mut batch = Batch::from_rows(&rules, &rows);
        let found = batch.check_repeated_ids(None, false);
        let places: Vec<_> = found.iter().map(|e| (e.row, e.id.as_deref())).collect();
        assert_eq!(places, [(Some(2), Some("A")), (Some(3), Some("A"))]);
        assert!(
            found[0].message.contains("already on row 1"),
            "{}",
            found[0].message
        );
        assert!(batch.error(2).is_none());
        let found = batch.check_repeated_ids(None, true);
        assert_eq!(found.len(), 2);
        assert_eq!(batch.error(3).map(|e| e.code), Some("record.duplicate_id"));
        assert!(batch.error(0).is_none() && batch.error(1).is_none());
        let scores = rules.score(&batch);
        assert_eq!(scores.ranks()[..2], [1, 1]);
        assert_eq!(scores.ranks()[2..], [0, 0]);
    }

    #[test]
    fn with_groups_an_id_repeats_only_within_its_group() {
        let rules = ruleset();
        let rows = [
            record("A"),
            record("B"),
            record("A"),
            record("B"),
            record("A"),
        ];
        let mut batch = Batch::from_rows(&rules, &rows);
        // Two years: A and B in 2023, A and B in 2024, then A again in 2024.
        let groups = Groups::from_keys(["2023", "2023", "2024", "2024", "2024"]);
        let found = batch.check_repeated_ids(Some(&groups), true);
        let places: Vec<_> = found.iter().map(|e| e.row).collect();
        assert_eq!(places, [Some(4)]);
        assert!(
            found[0].message.contains("already on row 3"),
            "{}",
            found[0].message
        );
    }
}
