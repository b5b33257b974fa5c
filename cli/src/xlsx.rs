//! `score --format xlsx -o ranking.xlsx`: the ranking workbook (see
//! `qinglian::export::xlsx::RankingWorkbook` for its sheets), filled as rows are scored and
//! written at the end.

use crate::output::{Out, Row, Sink};
use qinglian::export::xlsx::RankingWorkbook;
use qinglian::{Lang, RecordError, Ruleset};
use std::path::PathBuf;

pub struct Xlsx<'r> {
    ruleset: &'r Ruleset,
    book: RankingWorkbook<'r>,
    path: PathBuf,
}

impl<'r> Xlsx<'r> {
    pub fn new(ruleset: &'r Ruleset, lang: Lang, by: &[String], path: PathBuf) -> Xlsx<'r> {
        Xlsx {
            ruleset,
            book: RankingWorkbook::new(ruleset, lang, by),
            path,
        }
    }
}

impl Sink for Xlsx<'_> {
    fn row(&mut self, _out: &mut Out, row: &Row<'_>) -> Option<RecordError> {
        match self.ruleset.explain(row.batch, row.scores, row.pos) {
            Ok(e) => {
                self.book.add(&e, row.group);
                None
            }
            Err(_) => {
                let e = row.error()?;
                self.book.add_failed(e.id.as_deref(), &e.to_string());
                Some(e)
            }
        }
    }

    fn finish(&mut self, _out: &mut Out) -> Result<(), String> {
        self.book
            .save(&self.path)
            .map_err(|e| format!("cannot write the workbook: {e}"))?;
        eprintln!("{} units → {}", self.book.len(), self.path.display());
        Ok(())
    }
}
