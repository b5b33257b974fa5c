//! Errors of the two phases: loading a ruleset ([`RulesetError`], made of [`Diagnostic`]s) and
//! scoring a record ([`RecordError`]). Every error carries where it happened and a stable code.

use serde::Serialize;

/// How serious a [`Diagnostic`] is: errors stop a ruleset from loading, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The ruleset cannot be used.
    Error,
    /// The ruleset loads, but something is probably not what its author meant.
    Warning,
}

/// One problem found while loading a ruleset.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Stable code, e.g. `ruleset.unknown_input`; see `docs/errors.md`.
    pub code: &'static str,
    /// Plain message (Chinese where the ruleset's own words are quoted, English otherwise).
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
    /// The file the ruleset came from, when loaded from a path.
    pub file: Option<String>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// Indicator path (`party.first_topic`) or ruleset item (`veto[2]`), when relevant.
    pub path: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}[{}]", self.code)?;
        let file = self.file.as_deref().unwrap_or("<ruleset>");
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, " {file}:{l}:{c}")?,
            (Some(l), None) => write!(f, " {file}:{l}")?,
            _ => write!(f, " {file}")?,
        }
        if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A ruleset that failed to load: every error found, and the warnings beside them.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[non_exhaustive]
#[error("{}", summary(.errors))]
pub struct RulesetError {
    /// All errors, in file order.
    pub errors: Vec<Diagnostic>,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
}

fn summary(errors: &[Diagnostic]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "ruleset has {} error(s):\n{}",
        errors.len(),
        lines.join("\n")
    )
}

/// Why one record could not be scored. The other records of a batch are unaffected.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[non_exhaustive]
#[error("{}", self.describe())]
pub struct RecordError {
    /// Stable code, e.g. `record.out_of_range`; see `docs/errors.md`.
    pub code: &'static str,
    /// Plain message.
    pub message: String,
    /// 0-based position of the record in its batch or file (data rows, header excluded).
    pub row: Option<usize>,
    /// The record's id, when it has one.
    pub id: Option<String>,
    /// The input (column) at fault.
    pub column: Option<String>,
    /// The indicator being scored when the error happened.
    pub path: Option<String>,
}

impl RecordError {
    /// A record error with a stable code (see `docs/errors.md`) and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        RecordError {
            code,
            message: message.into(),
            row: None,
            id: None,
            column: None,
            path: None,
        }
    }

    /// An expression that failed on this record, while scoring `path`.
    pub(crate) fn eval(path: &str, fault: &crate::expr::EvalFault) -> Self {
        RecordError::new("record.eval", fault.to_string()).path(path)
    }

    /// Names the input (column) at fault.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// Names the indicator being scored.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Places the error at a row of a batch (and names the row's id if not yet named).
    pub fn at_row(mut self, row: usize, id: Option<&str>) -> Self {
        self.row = Some(row);
        if self.id.is_none() {
            self.id = id.map(str::to_string);
        }
        self
    }

    fn describe(&self) -> String {
        let mut out = format!("[{}]", self.code);
        if let Some(row) = self.row {
            out.push_str(&format!(" row {}", row + 1));
        }
        if let Some(id) = &self.id {
            out.push_str(&format!(" (id {id})"));
        }
        if let Some(column) = &self.column {
            out.push_str(&format!(" column `{column}`"));
        }
        if let Some(path) = &self.path {
            out.push_str(&format!(" indicator `{path}`"));
        }
        out.push_str(": ");
        out.push_str(&self.message);
        out
    }
}

/// Reading a record file failed as a whole (cannot open it, not CSV/JSON at all).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's bytes are not text in its encoding (or the encoding named is unknown).
    #[error("{file}:{line}: {message}")]
    Encoding {
        /// The file.
        file: String,
        /// 1-based line of the first bytes that do not decode.
        line: usize,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The workbook cannot be read, or has no sheet of the name asked for.
    #[error("{file}: {message}")]
    Workbook {
        /// The file.
        file: String,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The file is not valid CSV / JSON / JSON Lines.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// At most `max` characters of `text` for a message, with how much was left out: messages quote
/// what they are about, never a whole megabyte line.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text.get(cut..).map_or(0, |r| r.chars().count());
            format!(
                "{}… ({rest} more characters)",
                text.get(..cut).unwrap_or("")
            )
        }
    }
}

/// Where each line of a text starts, to turn byte offsets into line:column without rescanning the
/// text for every diagnostic.
pub(crate) struct LineIndex {
    /// Byte offset of the start of each line: 0, then one past every `\n`.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based (line, column in characters) of a byte offset in `text`, the text this index was
    /// built from. An offset past the end, or inside a character, counts as the end of the text.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let offset = if text.is_char_boundary(offset) {
            offset
        } else {
            text.len()
        };
        // Lines starting at or before the offset; the first always does.
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let line_start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    /// The definition: count what comes before the offset.
    fn scan(text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }

    #[test]
    fn line_col_matches_a_scan_at_every_offset() {
        for text in [
            "",
            "\n",
            "a",
            "\n\n",
            "ab\ncd\n",
            "id = \"得分\"\nwhen = \"满分 > 1\"\n\n[[indicator]]",
            "é\r\nü\n\n中文\nx",
            "no newline at the end 🙂",
        ] {
            let index = LineIndex::new(text);
            for offset in 0..text.len() + 3 {
                assert_eq!(
                    index.line_col(text, offset),
                    scan(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }
}
