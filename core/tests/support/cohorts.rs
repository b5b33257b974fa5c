//! Checks shared by the cohort tests: every way of scoring the same rows — the batch, a cohort
//! fitted at once or chunk by chunk (through its JSON), one unit against the fitted cohort, one
//! cohort per group — gives the same scores, bit for bit.

use qinglian::{Batch, Cohort, Groups, Record, Ruleset, Scores};

/// Records with ids `ids` and values of the three inputs `names` (missing where `None`).
pub fn records(
    ids: &[String],
    names: [&str; 3],
    values: &[(Option<f64>, Option<f64>, Option<f64>)],
) -> Vec<Record> {
    ids.iter()
        .zip(values)
        .map(|(id, &(x, y, z))| {
            let mut r = Record::new().with("id", id.as_str());
            for (name, v) in names.into_iter().zip([x, y, z]) {
                if let Some(v) = v {
                    r = r.with(name, v);
                }
            }
            r
        })
        .collect()
}

/// Totals, indicator scores, statuses and treatment flags agree bit for bit at rows `a` of `s`
/// and `b` of `t`.
pub fn same(s: &Scores, a: usize, t: &Scores, b: usize, what: &str) {
    assert_eq!(s.is_scored(a), t.is_scored(b), "{what}: scored");
    assert_eq!(
        s.totals()[a].to_bits(),
        t.totals()[b].to_bits(),
        "{what}: total"
    );
    let mut i = 0;
    while let (Some(x), Some(y)) = (s.indicator_scores(i), t.indicator_scores(i)) {
        assert_eq!(x[a].to_bits(), y[b].to_bits(), "{what}: indicator {i}");
        assert_eq!(
            s.indicator_statuses(i).unwrap()[a],
            t.indicator_statuses(i).unwrap()[b],
            "{what}: indicator {i}"
        );
        assert_eq!(
            s.treatment_flags(i).map(|f| f[a]),
            t.treatment_flags(i).map(|f| f[b]),
            "{what}: flags of indicator {i}"
        );
        i += 1;
    }
}

/// Fits a cohort on `records` at once and in chunks of `chunk`, scores the rows against it, every
/// `step`-th unit alone against it (scores and sentences), and the rows in groups `keys`: each
/// must equal the batch (each group, the group scored alone).
pub fn every_way_agrees(
    ruleset: &Ruleset,
    records: &[Record],
    chunk: usize,
    step: usize,
    keys: &[&str],
) {
    let batch = Batch::from_records(ruleset, records);
    let plain = ruleset.score(&batch);
    let cohort = ruleset.fit(&batch);
    let again = Cohort::from_json(&cohort.to_json()).unwrap();
    assert_eq!(&again, &cohort);
    let fitted = ruleset.score_against(&batch, &again).unwrap();
    for row in 0..records.len() {
        same(&fitted, row, &plain, row, &format!("fitted row {row}"));
    }
    let mut fitter = ruleset.fitter();
    for part in records.chunks(chunk) {
        fitter.add_values(&Batch::from_records(ruleset, part));
    }
    for part in records.chunks(chunk) {
        fitter
            .add_totals(&Batch::from_records(ruleset, part))
            .unwrap();
    }
    assert_eq!(&fitter.finish(), &cohort);
    for (row, record) in records.iter().enumerate().step_by(step) {
        let one = Batch::from_records(ruleset, std::slice::from_ref(record));
        let alone = ruleset.score_against(&one, &cohort).unwrap();
        same(&alone, 0, &plain, row, &format!("alone row {row}"));
        match (
            ruleset.evaluate_against(record, &cohort).unwrap(),
            ruleset.explain(&batch, &plain, row),
        ) {
            (Ok(e), Ok(j)) => {
                for (x, y) in e.nodes.iter().zip(&j.nodes) {
                    assert_eq!(&x.detail, &y.detail, "alone row {row}");
                }
            }
            (Err(e), Err(j)) => assert_eq!(e.code, j.code, "alone row {row}"),
            (e, j) => panic!("alone ok {} vs batch ok {}", e.is_ok(), j.is_ok()),
        }
    }
    let groups = Groups::from_keys(keys);
    let by = ruleset.score_by(&batch, &groups).unwrap();
    for key in groups.keys() {
        let members: Vec<usize> = (0..records.len()).filter(|&i| keys[i] == key).collect();
        let part: Vec<Record> = members.iter().map(|&i| records[i].clone()).collect();
        let alone = ruleset.score(&Batch::from_records(ruleset, &part));
        for (j, &i) in members.iter().enumerate() {
            same(&by, i, &alone, j, &format!("group {key} row {i}"));
        }
    }
}
