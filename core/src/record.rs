//! Records: the facts one unit reports, as read from CSV, JSON or JSON Lines, before they are
//! checked against a ruleset's declared inputs (see [`crate::Batch`]).

use crate::error::{ReadError, RecordError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// One raw field value. Text is interpreted according to the declared input type, so CSV cells
/// and typed JSON values go through the same checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// Absent, empty or `null`.
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number (`NaN` counts as missing).
    Number(f64),
    /// Text: a category value, or a number, boolean or survey written as text.
    Text(String),
    /// Counts of survey answers.
    Counts(BTreeMap<String, f64>),
}

/// The fields of one unit, by name. Fields that are not declared inputs (a district, a note) are
/// kept but not scored.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Record {
    /// Field name → value.
    pub fields: BTreeMap<String, Cell>,
}

/// A JSON object with a field twice is refused: which value counts is anybody's guess (JSON
/// parsers differ), as with a CSV column named twice.
impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = Record;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of field values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Record, A::Error> {
                let mut fields = BTreeMap::new();
                while let Some((name, cell)) = map.next_entry::<String, Cell>()? {
                    if fields.contains_key(&name) {
                        return Err(serde::de::Error::custom(format!(
                            "the field `{}` appears twice",
                            crate::excerpt(&name, 40)
                        )));
                    }
                    fields.insert(name, cell);
                }
                Ok(Record { fields })
            }
        }
        d.deserialize_map(Fields)
    }
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a field (builder style).
    ///
    /// ```
    /// use qinglian::{Cell, Record};
    /// let r = Record::new().with("id", "E001").with("cases", 2.0).with("audited", true);
    /// assert_eq!(r.get("cases"), Some(&Cell::Number(2.0)));
    /// ```
    pub fn with(mut self, name: &str, value: impl Into<Cell>) -> Self {
        self.fields.insert(name.to_string(), value.into());
        self
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&Cell> {
        self.fields.get(name)
    }

    /// Parses one JSON object.
    pub fn from_json(text: &str) -> Result<Record, RecordError> {
        serde_json::from_str(text).map_err(|e| {
            RecordError::new(
                "record.json",
                format!("not a JSON object of field values: {e}"),
            )
        })
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Number(v)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Number(v as f64)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

/// Bounds on the size of one record, so that a file or a list from many hands cannot make a
/// row take unbounded memory or time: a record with more fields, or a text cell (a field name, a
/// category, a survey answer) with more characters, is an error of its row
/// (`record.too_many_fields`, `record.text_too_long`), and the other rows are scored. Every
/// reader applies them (CSV, JSON, JSON Lines, workbooks: [`crate::ReadOptions::limits`]), and so
/// do the Python and JavaScript conversions of records and text columns (with the defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordLimits {
    /// Fields of one record (default 10,000).
    pub max_fields: usize,
    /// Characters of one text cell (default 65,536).
    pub max_text: usize,
}

impl Default for RecordLimits {
    fn default() -> Self {
        RecordLimits {
            max_fields: 10_000,
            max_text: 65_536,
        }
    }
}

impl RecordLimits {
    /// Other bounds than the defaults: a service that takes files from many hands may lower
    /// them, a trusted one raise them.
    pub fn new(max_fields: usize, max_text: usize) -> Self {
        RecordLimits {
            max_fields,
            max_text,
        }
    }

    /// `record.too_many_fields` when a record has more than `max_fields` fields.
    pub fn check_fields(&self, fields: usize) -> Result<(), RecordError> {
        if fields <= self.max_fields {
            return Ok(());
        }
        Err(RecordError::new(
            "record.too_many_fields",
            format!(
                "the record has {fields} fields, more than the {} a record may have; remove the \
                 columns that are not needed",
                self.max_fields
            ),
        ))
    }

    /// `record.text_too_long` when `text` has more than `max_text` characters; the message
    /// quotes its start. Counting stops at the bound: a long cell costs no more than a short one
    /// to accept.
    pub fn check_text(&self, text: &str) -> Result<(), RecordError> {
        // A character takes at least one byte: a short text needs no counting.
        if text.len() <= self.max_text || text.chars().nth(self.max_text).is_none() {
            return Ok(());
        }
        Err(RecordError::new(
            "record.text_too_long",
            format!(
                "a cell holds {} characters, more than the {} a cell may hold: `{}`",
                text.chars().count(),
                self.max_text,
                crate::excerpt(text, 40)
            ),
        ))
    }

    /// Both checks over a record: its number of fields, its field names, then its text cells
    /// (survey answers included) in field order. The error names the field.
    pub fn check(&self, record: &Record) -> Result<(), RecordError> {
        self.check_fields(record.fields.len())?;
        for name in record.fields.keys() {
            self.check_text(name)?;
        }
        for (name, cell) in &record.fields {
            self.check_cell(cell)
                .map_err(|e| e.column(crate::excerpt(name, 40)))?;
        }
        Ok(())
    }

    /// [`RecordLimits::check_text`] over a cell's text: its text, or its survey answers.
    pub fn check_cell(&self, cell: &Cell) -> Result<(), RecordError> {
        match cell {
            Cell::Text(text) => self.check_text(text),
            Cell::Counts(counts) => counts.keys().try_for_each(|answer| self.check_text(answer)),
            Cell::Missing | Cell::Bool(_) | Cell::Number(_) => Ok(()),
        }
    }

    /// A record read, or the error of its size.
    /// Without a ruleset at hand the usual `id` field (in any capitals) names the row.
    pub(crate) fn keep(&self, record: Record) -> Result<Record, RecordError> {
        match self.check(&record) {
            Ok(()) => Ok(record),
            Err(mut e) => {
                e.id = record
                    .fields
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("id"))
                    .and_then(|(_, cell)| crate::batch::cell_text(cell))
                    .map(|id| crate::excerpt(&id, 40));
                Err(e)
            }
        }
    }
}

/// Records read from a file: one entry per data row, in order; a row that cannot be read is an
/// error in its place and never hides the others.
pub type RecordRows = Vec<Result<Record, RecordError>>;

/// Reads records from a `.csv`, `.json` (an array of objects) or `.jsonl`/`.ndjson` file, in
/// whatever encoding it is (see [`crate::encoding`]), or from the first sheet of a workbook
/// (`.xlsx`, `.xls`, `.ods`; with the `xlsx` feature). Rows read from a sheet are its data rows
/// without the empty ones; [`crate::RecordReader`] also tells their row numbers in the sheet.
pub fn read_records(path: impl AsRef<Path>) -> Result<RecordRows, ReadError> {
    read_records_with(path, &crate::read::ReadOptions::default())
}

/// [`read_records`] with options (the file's encoding, when it is not to be detected; the sheet
/// of a workbook).
pub fn read_records_with(
    path: impl AsRef<Path>,
    options: &crate::read::ReadOptions,
) -> Result<RecordRows, ReadError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let named = match &options.encoding {
        Some(label) => Some(
            crate::encoding::encoding_for_label(label).map_err(|message| ReadError::Encoding {
                file: file.clone(),
                line: 1,
                message,
            })?,
        ),
        None => None,
    };
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        file: file.clone(),
        source,
    })?;
    let format = crate::read::RecordFormat::of_path(path);
    if format == crate::read::RecordFormat::Workbook {
        return Ok(crate::workbook::read_sheet(
            bytes,
            options.sheet.as_deref(),
            &file,
            &options.limits,
        )?
        .rows);
    }
    let text = crate::encoding::decode_all(bytes, named, &file)?;
    let limits = &options.limits;
    match format {
        crate::read::RecordFormat::Json => read_json_limited(&text, &file, limits),
        crate::read::RecordFormat::JsonLines => Ok(read_json_lines_limited(&text, limits)),
        crate::read::RecordFormat::Csv | crate::read::RecordFormat::Workbook => {
            read_csv_limited(&text, &file, limits)
        }
    }
}

/// Reads CSV text with a header row; empty cells are missing. Every row of the text gives one
/// entry, a record or an error (see [`crate::RecordReader`] for the rules on quotes); a row
/// beyond the default [`RecordLimits`] is an error in its place.
pub fn read_csv(text: &str, file: &str) -> Result<RecordRows, ReadError> {
    read_csv_limited(text, file, &RecordLimits::default())
}

/// [`read_csv`] with other [`RecordLimits`] than the defaults.
pub fn read_csv_limited(
    text: &str,
    file: &str,
    limits: &RecordLimits,
) -> Result<RecordRows, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let syntax = |message: String| ReadError::Syntax {
        file: file.to_string(),
        line: 1,
        message,
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| syntax(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if let Some(j) = headers.iter().take(i).position(|x| x == h && !x.is_empty()) {
            return Err(syntax(format!(
                "the column `{}` appears twice in the header (columns {} and {}); rename or \
                 remove one",
                crate::excerpt(h, 40),
                j + 1,
                i + 1
            )));
        }
    }
    let width = headers.len();
    // Without a ruleset, the usual id column names the rows a stray quote swallowed.
    let id_at = headers.iter().position(|h| h.eq_ignore_ascii_case("id"));
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let row = rows.len();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Err(e) => rows.push(Err(RecordError::new(
                "record.csv",
                crate::excerpt(&e.to_string(), 200),
            )
            .at_row(row, None))),
            Ok(true) => {
                if let Some(errors) = crate::read::runaway(&record, width, id_at) {
                    for e in errors {
                        let id = e.id.clone();
                        let at = rows.len();
                        rows.push(Err(e.at_row(at, id.as_deref())));
                    }
                    continue;
                }
                if let Err(e) = limits.check_fields(record.len()) {
                    rows.push(Err(e.at_row(row, None)));
                    continue;
                }
                if record.len() != width {
                    rows.push(Err(
                        crate::read::wrong_width(&record, width).at_row(row, None)
                    ));
                    continue;
                }
                let fields = headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| {
                        let v = v.trim();
                        (
                            h.clone(),
                            if v.is_empty() {
                                Cell::Missing
                            } else {
                                Cell::Text(v.to_string())
                            },
                        )
                    })
                    .collect();
                rows.push(
                    limits
                        .keep(Record { fields })
                        .map_err(|e| e.at_row(row, None)),
                );
            }
        }
    }
    Ok(rows)
}

/// Reads a JSON array of objects; an element that is not an object, or one beyond the default
/// [`RecordLimits`], is an error in its place.
pub fn read_json(text: &str, file: &str) -> Result<RecordRows, ReadError> {
    read_json_limited(text, file, &RecordLimits::default())
}

/// [`read_json`] with other [`RecordLimits`] than the defaults.
pub fn read_json_limited(
    text: &str,
    file: &str,
    limits: &RecordLimits,
) -> Result<RecordRows, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Each element is parsed from its own text (not through a `Value`, which would merge a
    // field written twice).
    let items: Vec<&serde_json::value::RawValue> =
        serde_json::from_str(text).map_err(|e| ReadError::Syntax {
            file: file.to_string(),
            line: e.line(),
            message: format!("expected a JSON array of records: {e}"),
        })?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(row, item)| {
            serde_json::from_str::<Record>(item.get())
                .map_err(|e| {
                    RecordError::new("record.json", format!("not an object of field values: {e}"))
                })
                .and_then(|r| limits.keep(r))
                .map_err(|e| e.at_row(row, None))
        })
        .collect())
}

/// Reads JSON Lines: one object a line; blank lines are skipped. A record beyond the default
/// [`RecordLimits`] is an error in its place.
pub fn read_json_lines(text: &str) -> RecordRows {
    read_json_lines_limited(text, &RecordLimits::default())
}

/// [`read_json_lines`] with other [`RecordLimits`] than the defaults.
pub fn read_json_lines_limited(text: &str, limits: &RecordLimits) -> RecordRows {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(row, line)| {
            Record::from_json(line)
                .and_then(|r| limits.keep(r))
                .map_err(|e| e.at_row(row, None))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn record_limits_count_fields_and_characters() {
        let limits = RecordLimits::default();
        assert_eq!((limits.max_fields, limits.max_text), (10_000, 65_536));
        // Characters, not bytes: 65,536 Chinese characters (196,608 bytes) are allowed.
        assert!(limits.check_text(&"长".repeat(65_536)).is_ok());
        let e = limits.check_text(&"长".repeat(65_537)).unwrap_err();
        assert_eq!(e.code, "record.text_too_long");
        assert!(e.message.contains("65537 characters") && e.message.len() < 300);
        let tight = RecordLimits::new(2, 3);
        let ok = Record::new().with("a", "abc").with("b", 12345.0);
        assert!(tight.check(&ok).is_ok());
        let e = tight.check(&ok.clone().with("c", true)).unwrap_err();
        assert_eq!(e.code, "record.too_many_fields");
        assert!(e.message.contains("3 fields"), "{}", e.message);
        let e = tight.check(&Record::new().with("a", "abcd")).unwrap_err();
        assert_eq!(
            (e.code, e.column.as_deref()),
            ("record.text_too_long", Some("a"))
        );
        // Survey answers and field names are text too.
        let counts = Cell::Counts([("满意满意满意满意".to_string(), 1.0)].into());
        let e = tight.check(&Record::new().with("v", counts)).unwrap_err();
        assert_eq!(e.code, "record.text_too_long");
        let e = tight.check(&Record::new().with("name", 1.0)).unwrap_err();
        assert_eq!((e.code, e.column), ("record.text_too_long", None));
    }

    #[test]
    fn csv_rows_keep_their_place_and_empty_cells_are_missing() {
        let rows = read_csv("id,cases,note\nA,2,\nB,1,x,extra\nC,,ok\n", "t.csv").unwrap();
        assert_eq!(rows.len(), 3);
        let a = rows[0].as_ref().unwrap();
        assert_eq!(a.get("cases"), Some(&Cell::Text("2".into())));
        assert_eq!(a.get("note"), Some(&Cell::Missing));
        let b = rows[1].as_ref().unwrap_err();
        assert_eq!((b.code, b.row), ("record.csv", Some(1)));
        assert_eq!(rows[2].as_ref().unwrap().get("cases"), Some(&Cell::Missing));
    }

    #[test]
    fn json_arrays_and_lines_give_one_result_per_record() {
        let rows = read_json(
            r#"[{"id": "A", "ok": true, "s": {"满意": 3}}, 5, {"id": "C", "n": null}]"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].as_ref().unwrap().get("s"),
            Some(&Cell::Counts([("满意".to_string(), 3.0)].into()))
        );
        assert_eq!(rows[1].as_ref().unwrap_err().row, Some(1));
        assert_eq!(rows[2].as_ref().unwrap().get("n"), Some(&Cell::Missing));
        assert!(matches!(
            read_json("{not json", "t.json"),
            Err(ReadError::Syntax { .. })
        ));

        let twice = read_json(r#"[{"id": "A", "n": 1, "n": 2}]"#, "t.json").unwrap();
        assert!(twice[0]
            .as_ref()
            .unwrap_err()
            .message
            .contains("`n` appears twice"));

        let lines = read_json_lines("{\"id\": \"A\"}\n\nnot json\n{\"id\": \"C\"}\n");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].as_ref().unwrap_err().row, Some(1));
        assert!(lines[2].is_ok());
    }
}
