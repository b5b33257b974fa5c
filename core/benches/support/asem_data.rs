//! The synthetic countries of the ASEM benchmark, shared by `benches/asem.rs` and
//! `examples/asem_profile.rs`: each value is a real country's value of that indicator (missing
//! where it is missing), picked by a seeded generator, so every run scores the same rows.

use qinglian::Ruleset;
use std::path::Path;

/// A seeded xorshift.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The ASEM ruleset `rules/asem/minmax-arithmetic.toml`.
pub fn ruleset() -> Ruleset {
    Ruleset::load(root().join("rules/asem/minmax-arithmetic.toml")).unwrap()
}

/// The repository's root.
pub fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `n` synthetic countries: one column per input of `ruleset`, by input name.
pub fn synthetic(ruleset: &Ruleset, n: usize) -> Vec<(String, Vec<f64>)> {
    let mut reader =
        csv::Reader::from_path(root().join("examples/data/asem/asem_iData.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let column = |name: &str| -> Vec<f64> {
        let k = headers.iter().position(|h| h == name).unwrap();
        rows.iter()
            .map(|r| r[k].parse().unwrap_or(f64::NAN))
            .collect()
    };
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    ruleset
        .inputs()
        .iter()
        .map(|input| {
            let real = column(&input.name);
            let values = (0..n).map(|_| real[rng.below(real.len())]).collect();
            (input.name.clone(), values)
        })
        .collect()
}
