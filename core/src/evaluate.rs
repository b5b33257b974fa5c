//! Evaluations: a record or a batch scored into a table, then each row rendered with its audit
//! trail.

use crate::batch::Batch;
use crate::cohort::{Cohort, CohortError};
use crate::error::RecordError;
use crate::evaluation::Evaluation;
use crate::record::Record;
use crate::ruleset::Ruleset;
use crate::score::{Scores, Source};

impl Ruleset {
    /// Scores one record with its full audit trail. A ruleset with cohort-dependent rules
    /// (`rank` scorers, quota tiers) treats the record as a cohort of one and says so in the
    /// evaluation's `warnings`; use [`Ruleset::evaluate_against`] to place it in a cohort.
    ///
    /// ```
    /// # let ruleset = qinglian::Ruleset::from_toml(r#"
    /// # [ruleset]
    /// # id = "demo"
    /// # name = "示例"
    /// # version = "1"
    /// # scale = 10
    /// # [[input]]
    /// # name = "cases"
    /// # type = "count"
    /// # [[indicator]]
    /// # id = "discipline"
    /// # name = "纪律"
    /// # points = 10
    /// # scorer = { type = "per_occurrence", count = "cases", per = 3 }
    /// # "#).unwrap();
    /// use qinglian::Record;
    /// let evaluation = ruleset.evaluate(&Record::new().with("id", "E1").with("cases", 2.0)).unwrap();
    /// assert_eq!(evaluation.score, 4.0); // 10 − 2 × 3
    /// assert_eq!(evaluation.node("discipline").unwrap().lost, 6.0);
    /// ```
    pub fn evaluate(&self, record: &Record) -> Result<Evaluation, RecordError> {
        let batch = Batch::from_records(self, std::slice::from_ref(record));
        let scores = self.score_with(&batch, Source::Alone);
        self.one(&batch, &scores)
    }

    /// Scores one record against a fitted reference cohort: its `rank` scorers use the
    /// reference's values, and its place is its rank among the reference's units.
    pub fn evaluate_against(
        &self,
        record: &Record,
        cohort: &Cohort,
    ) -> Result<Result<Evaluation, RecordError>, CohortError> {
        let batch = Batch::from_records(self, std::slice::from_ref(record));
        let scores = self.score_against(&batch, cohort)?;
        Ok(self.one(&batch, &scores))
    }

    fn one(&self, batch: &Batch<'_>, scores: &Scores) -> Result<Evaluation, RecordError> {
        self.explain(batch, scores, 0).map_err(|mut e| {
            e.row = None;
            e
        })
    }

    /// Scores every row of a batch as one cohort and renders each row's audit trail, in order:
    /// a bad row gets its own error and never affects the others. For tables of numbers, use
    /// [`Ruleset::score`], which writes no sentences.
    pub fn evaluate_batch(&self, batch: &Batch<'_>) -> Vec<Result<Evaluation, RecordError>> {
        let scores = self.score(batch);
        (0..batch.len())
            .map(|row| self.explain(batch, &scores, row))
            .collect()
    }

    /// Checks and scores records (e.g. from [`crate::read_records`]) as one cohort.
    pub fn evaluate_records(
        &self,
        rows: &[Result<Record, RecordError>],
    ) -> Vec<Result<Evaluation, RecordError>> {
        self.evaluate_batch(&Batch::from_rows(self, rows))
    }
}
