//! Any bytes as a record file — CSV, JSON or JSON Lines, in any encoding, detected or named —
//! read chunk by chunk against a bundled ruleset and scored: never panics, and every row read
//! gets exactly one outcome (a total or an error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglian::{ReadOptions, RecordFormat, RecordReader, Ruleset};
use std::sync::OnceLock;

fn ruleset() -> &'static Ruleset {
    static RULESET: OnceLock<Ruleset> = OnceLock::new();
    RULESET.get_or_init(|| {
        Ruleset::from_toml(include_str!("../../rules/village.toml")).expect("the bundled ruleset loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let format = [RecordFormat::Csv, RecordFormat::Json, RecordFormat::JsonLines][usize::from(pick % 3)];
    let encoding = [None, Some("gb18030"), Some("utf-16le"), Some("utf-8")][usize::from(pick / 3 % 4)];
    let options = ReadOptions { encoding: encoding.map(String::from), ..ReadOptions::default() };
    let ruleset = ruleset();
    let Ok(mut reader) =
        RecordReader::with_options(ruleset, std::io::Cursor::new(bytes.to_vec()), format, "f", &options)
    else {
        return;
    };
    let mut reader_rows = 0;
    while let Ok(Some(chunk)) = reader.next_chunk() {
        assert_eq!(chunk.start(), reader_rows);
        reader_rows += chunk.len();
        let batch = chunk.batch();
        let scores = ruleset.score(&batch);
        assert_eq!(batch.len(), chunk.len());
        for row in 0..batch.len() {
            match scores.error(row) {
                Some(_) => {}
                None => assert!(scores.totals()[row].is_finite()),
            }
        }
    }
    let _ = reader.notes();
});
