//! How a value becomes a number, the same way from a CSV cell, a JSON value, Python or
//! JavaScript. The rule (also in `docs/ruleset-reference.md`, "Numbers in records"):
//!
//! | written | read as |
//! |---|---|
//! | empty text, only spaces | missing |
//! | `N/A`, `NA`, `null` (any case), a dash alone (`-`, `--`, `—`, `——`, `–`, `－`) | missing |
//! | a float NaN (pandas, numpy and JavaScript's mark of a missing number) | missing |
//! | the text `NaN`, `inf`, `infinity` (any sign), a float ±infinity | error `record.not_finite` |
//! | a number beyond ±9,007,199,254,740,991 (2^53 − 1), `1e308`, `1e309` | error `record.too_large` |
//! | `-0`, `-0.0` | 0 |
//! | full-width digits, sign and point (`１２３．５`, `－３`) | as their ASCII forms |
//! | thousands separators in groups of three (`1,234`, `12,345.5`, `1，234`) | without them |
//! | a comma anywhere else (`1,23`, `1,2345`) | error `record.not_a_number` |
//! | `1e3`, `+5`, `.5`, `5.` | as Rust's `f64` parsing reads them |
//!
//! Beyond 2^53 consecutive integers are no longer all representable, so a count or an amount that
//! large could not be scored exactly; no indicator of this kind needs it.

/// The largest magnitude a number in a record may have: 2^53 − 1.
pub const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

/// Why a value is not a number that can be scored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NotANumber {
    /// `record.not_a_number`, `record.not_finite` or `record.too_large`.
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// Whether a text stands for "no value" (see the module docs).
pub(crate) fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.eq_ignore_ascii_case("n/a")
        || t.eq_ignore_ascii_case("na")
        || t.eq_ignore_ascii_case("null")
        || t.chars().all(|c| matches!(c, '-' | '—' | '–' | '－'))
}

/// A float as a record value: `Ok(None)` when missing (NaN), an error when it cannot be scored.
pub(crate) fn check_float(x: f64) -> Result<Option<f64>, NotANumber> {
    if x.is_nan() {
        return Ok(None);
    }
    if x.is_infinite() {
        return Err(NotANumber {
            code: "record.not_finite",
            message: format!(
                "{}infinity is not a number that can be scored",
                if x < 0.0 { "minus " } else { "" }
            ),
        });
    }
    if x.abs() > MAX_EXACT {
        return Err(too_large(&crate::explain::num(x)));
    }
    // -0 is 0: a score is never written "-0".
    Ok(Some(x + 0.0))
}

fn too_large(written: &str) -> NotANumber {
    NotANumber {
        code: "record.too_large",
        message: format!(
            "{written} is beyond ±9007199254740991 (2^53 − 1), the largest numbers scored exactly"
        ),
    }
}

/// A text as a number: `Ok(None)` when it is a placeholder for a missing value.
pub(crate) fn parse_text(text: &str) -> Result<Option<f64>, NotANumber> {
    let t = text.trim();
    if is_placeholder(t) {
        return Ok(None);
    }
    let shown = || crate::excerpt(t, 40);
    let not_a_number = |why: &str| NotANumber {
        code: "record.not_a_number",
        message: format!("`{}` is not a number{why}", shown()),
    };
    // Full-width forms, as typed with a Chinese input method, and the minus sign.
    let ascii: String = t
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            '，' => ',',
            'ｅ' => 'e',
            'Ｅ' => 'E',
            c => c,
        })
        .collect();
    let plain = if ascii.contains(',') {
        match without_thousands(&ascii) {
            Some(p) => p,
            None => {
                return Err(not_a_number(
                    " (a comma is read only between groups of three digits, as in 1,234)",
                ))
            }
        }
    } else {
        ascii
    };
    match plain.parse::<f64>() {
        Ok(x) if x.is_nan() || x.is_infinite() && plain.to_ascii_lowercase().contains("inf") => {
            Err(NotANumber {
                code: "record.not_finite",
                message: format!(
                    "`{}` is not a finite number; leave the cell empty for a missing value",
                    shown()
                ),
            })
        }
        // Digits beyond what a float holds (`1e309`).
        Ok(x) if x.is_infinite() => Err(too_large(&shown())),
        Ok(x) if x.abs() > MAX_EXACT => Err(too_large(&shown())),
        Ok(x) => Ok(Some(x + 0.0)),
        Err(_) => Err(not_a_number("")),
    }
}

/// `1,234,567.5` → `1234567.5`; `None` unless every comma separates groups of three digits.
fn without_thousands(text: &str) -> Option<String> {
    let (sign, rest) = match text.strip_prefix(['-', '+']) {
        Some(r) => (text.get(..1).unwrap_or(""), r),
        None => ("", text),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    let mut out = format!("{sign}{first}");
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        out.push_str(g);
    }
    if let Some(f) = fraction {
        if !digits(f) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(text: &str) -> Result<Option<f64>, &'static str> {
        parse_text(text).map_err(|e| e.code)
    }

    #[test]
    fn the_documented_rule() {
        for missing in [
            "", "  ", "\u{3000}", "N/A", "n/a", "NA", "null", "-", "--", "—", "——", "–", "－",
        ] {
            assert_eq!(read(missing), Ok(None), "{missing:?}");
        }
        for (text, x) in [
            ("12", 12.0),
            (" 3.25 ", 3.25),
            ("1e3", 1000.0),
            ("+5", 5.0),
            (".5", 0.5),
            ("１２３", 123.0),
            ("－３．５", -3.5),
            ("1,234", 1234.0),
            ("-12,345,678.25", -12_345_678.25),
            ("1，234", 1234.0),
            ("9007199254740991", MAX_EXACT),
            ("-9007199254740991", -MAX_EXACT),
        ] {
            assert_eq!(read(text), Ok(Some(x)), "{text}");
        }
        assert_eq!(
            read("-0").map(|x| x.map(f64::to_bits)),
            Ok(Some(0.0f64.to_bits()))
        );
        for (text, code) in [
            ("NaN", "record.not_finite"),
            ("nan", "record.not_finite"),
            ("inf", "record.not_finite"),
            ("-Infinity", "record.not_finite"),
            ("1e309", "record.too_large"),
            ("1e308", "record.too_large"),
            ("9007199254740992", "record.too_large"),
            ("12345678901234567890", "record.too_large"),
            ("1,23", "record.not_a_number"),
            ("1,2345", "record.not_a_number"),
            (",123", "record.not_a_number"),
            ("1 234", "record.not_a_number"),
            ("abc", "record.not_a_number"),
            ("1.2.3", "record.not_a_number"),
        ] {
            assert_eq!(read(text), Err(code), "{text}");
        }
        assert_eq!(check_float(f64::NAN), Ok(None));
        assert_eq!(
            check_float(-0.0).map(|x| x.map(f64::to_bits)),
            Ok(Some(0.0f64.to_bits()))
        );
        assert_eq!(
            check_float(f64::INFINITY).map_err(|e| e.code),
            Err("record.not_finite")
        );
        assert_eq!(
            check_float(1e300).map_err(|e| e.code),
            Err("record.too_large")
        );
        assert_eq!(
            check_float(2f64.powi(53)).map_err(|e| e.code),
            Err("record.too_large")
        );
        let long = "9".repeat(100_000);
        let e = parse_text(&format!("x{long}")).unwrap_err();
        assert!(e.message.len() < 200, "messages quote a bounded excerpt");
    }
}
