//! Arbitrary records against every bundled ruleset, one at a time and as a batch: a record
//! scored alone (`evaluate`) and as a batch of one agree to the bit (scores) and to the code
//! (errors); in a batch of several, the scores that do not depend on the cohort agree too; no
//! score is NaN or infinite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglian::{Batch, Cell, Record, Ruleset};
use std::sync::OnceLock;

fn rulesets() -> &'static [Ruleset] {
    static RULESETS: OnceLock<Vec<Ruleset>> = OnceLock::new();
    RULESETS.get_or_init(|| {
        [
            include_str!("../../rules/private-enterprise.toml"),
            include_str!("../../rules/hospital.toml"),
            include_str!("../../rules/school.toml"),
            include_str!("../../rules/village.toml"),
            include_str!("../../rules/soe.toml"),
            include_str!("../../rules/government-organ.toml"),
            include_str!("../../rules/transport.toml"),
            include_str!("../../rules/city-index.toml"),
            include_str!("../../rules/asem/minmax-arithmetic.toml"),
            include_str!("../../rules/asem/minmax-geometric.toml"),
            include_str!("../../rules/asem/zscore-arithmetic.toml"),
            // Ids U0…U4 below: its reference units are sometimes in the batch, sometimes not.
            include_str!("../../tests/conformance/cases/rulesets/normalise-reference.toml"),
            include_str!("../../tests/conformance/cases/rulesets/normalise-treat.toml"),
        ]
        .iter()
        .map(|t| Ruleset::from_toml(t).expect("the bundled rulesets load"))
        .collect()
    })
}

/// Reads values off the fuzzer's bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn f64(&mut self) -> f64 {
        let mut raw = [0u8; 8];
        for b in &mut raw {
            *b = self.byte();
        }
        f64::from_le_bytes(raw)
    }
}

/// A cell for an input, mostly of its kind so that scoring goes deep, sometimes anything.
fn cell(b: &mut Bytes<'_>, values: &[String]) -> Cell {
    let pick = b.byte();
    match pick % 8 {
        0 => Cell::Missing,
        1 => Cell::Bool(pick & 0x80 != 0),
        2 => Cell::Number(b.f64()),
        3 | 4 => Cell::Number(f64::from(b.byte()) / 4.0),
        5 => Cell::Text(values.get(usize::from(b.byte()) % values.len().max(1)).cloned().unwrap_or_default()),
        6 => Cell::Text(["", " ", "N/A", "—", "１２", "1,234", "inf", "NaN", "-0", "是", "1e400"][usize::from(b.byte() % 11)].into()),
        _ => Cell::Counts(values.iter().map(|v| (v.clone(), f64::from(b.byte()))).collect()),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let rulesets = rulesets();
    let ruleset = &rulesets[usize::from(b.byte()) % rulesets.len()];
    let rows = usize::from(b.byte() % 5) + 1;
    let records: Vec<Record> = (0..rows)
        .map(|i| {
            let mut r = Record::new().with("id", format!("U{i}").as_str());
            for input in ruleset.inputs() {
                r.fields.insert(input.name.clone(), cell(&mut b, &input.values));
            }
            r
        })
        .collect();
    let batch = Batch::from_records(ruleset, &records);
    let together = ruleset.evaluate_batch(&batch);
    let cohort_free = !ruleset.fitter().needs_values();
    for (record, batched) in records.iter().zip(&together) {
        let single = ruleset.evaluate(record);
        let one = ruleset.evaluate_batch(&Batch::from_records(ruleset, std::slice::from_ref(record)));
        match (&single, &one[0]) {
            (Ok(a), Ok(b)) => {
                assert!(a.score.is_finite() && b.score.is_finite());
                assert_eq!(a.base_score.to_bits(), b.base_score.to_bits());
                assert_eq!(a.grade, b.grade);
            }
            (Err(a), Err(b)) => assert_eq!(a.code, b.code),
            (a, b) => panic!("evaluate {a:?}, a batch of one {b:?}"),
        }
        match (&single, batched) {
            (Ok(a), Ok(t)) => {
                assert!(t.score.is_finite());
                if cohort_free {
                    assert_eq!(a.base_score.to_bits(), t.base_score.to_bits());
                }
            }
            (Err(a), Err(t)) => assert_eq!(a.code, t.code),
            // Alone, a record has no cohort to normalise by; among others it may have one.
            (Err(_), Ok(t)) if !cohort_free => assert!(t.score.is_finite()),
            (Ok(_), Err(_)) if !cohort_free => {}
            (a, t) => panic!("evaluate {a:?}, in a batch {t:?}"),
        }
    }
});
