//! Results for people: Excel workbooks, the 评分细则 rule table and printable per-unit reports.
//! Each is a *view* built after scoring, from [`crate::Evaluation`]s and the compiled ruleset;
//! nothing here takes part in computing a score.
//!
//! Words shown to people come in Chinese or English ([`Lang`]); input names, expressions and
//! error codes are never shown.

pub mod report;
pub mod table;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use crate::{Lang, Ruleset};

/// A name in the chosen language (English when asked and given, else Chinese).
pub(crate) fn named<'a>(lang: Lang, zh: &'a str, en: Option<&'a str>) -> &'a str {
    match (lang, en) {
        (Lang::En, Some(en)) => en,
        _ => zh,
    }
}

/// One of two wordings, by language.
pub(crate) fn say(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The ruleset's display name in the chosen language.
pub(crate) fn ruleset_name(ruleset: &Ruleset, lang: Lang) -> &str {
    let m = ruleset.metadata();
    named(lang, &m.name, m.name_en.as_deref())
}

#[cfg(feature = "xlsx")]
/// "name（10分）": an indicator's title with its maximum points.
pub(crate) fn points_title(lang: Lang, name: &str, points: f64) -> String {
    let p = crate::format_number(points);
    match lang {
        Lang::Zh => format!("{name}（{p}分）"),
        Lang::En => format!("{name} ({p} pts)"),
    }
}

/// An alert level in words.
pub(crate) fn level_word(lang: Lang, level: &str) -> &'static str {
    match (lang, level) {
        (Lang::Zh, "red") => "红色预警",
        (Lang::Zh, "orange") => "橙色预警",
        (Lang::Zh, "yellow") => "黄色预警",
        (Lang::Zh, _) => "蓝色预警",
        (Lang::En, "red") => "Red alert",
        (Lang::En, "orange") => "Orange alert",
        (Lang::En, "yellow") => "Yellow alert",
        (Lang::En, _) => "Blue alert",
    }
}
