//! Any text as a ruleset: loads or gives diagnostics, never panics; a ruleset that loads answers
//! every question about itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match qinglian::Ruleset::from_toml(text) {
        Ok(ruleset) => {
            let _ = ruleset.tree();
            let _ = ruleset.indicator_paths();
            let _ = ruleset.evaluate(&qinglian::Record::new());
        }
        Err(e) => {
            // Every error has a place inside the text.
            for d in &e.errors {
                assert!(d.line.is_none_or(|l| l >= 1 && l <= text.lines().count().max(1) + 1));
            }
        }
    }
});
