//! Streaming record readers: a CSV or JSON Lines file read chunk by chunk straight into typed
//! columns for one ruleset, so that files of millions of rows are scored in bounded memory.
//!
//! The header is mapped to the ruleset's input slots once; number, count and boolean fields are
//! parsed from the field text into `f64` columns, other inputs go through [`Cell`]s. A chunk
//! becomes a [`Batch`] with [`Chunk::batch`] (or a [`Batch`] of some of its rows with
//! [`Chunk::batch_of`]). The values accepted, the errors and their order are exactly those of
//! [`crate::read_records`] followed by [`Batch::from_rows`]: empty cell = missing, a UTF-8 BOM is
//! skipped, booleans may be written `是`/`否`, a row that cannot be read keeps its place with one
//! error.
//!
//! Rows are numbered across chunks: [`Chunk::start`] is the file row (0-based, header excluded)
//! of the chunk's first row, and [`Chunk::file_error`] places an error of a batch row at its row
//! of the file.
//!
//! ```
//! # let ruleset = qinglian::Ruleset::from_toml(r#"
//! # [ruleset]
//! # id = "demo"
//! # name = "示例"
//! # version = "1"
//! # scale = 10
//! # [[input]]
//! # name = "cases"
//! # type = "count"
//! # [[indicator]]
//! # id = "discipline"
//! # name = "纪律"
//! # points = 10
//! # scorer = { type = "per_occurrence", count = "cases", per = 3 }
//! # "#).unwrap();
//! use qinglian::{RecordFormat, RecordReader};
//! let csv = "id,cases\nA,1\nB,x\nC,3\n";
//! let mut reader = RecordReader::new(&ruleset, csv.as_bytes(), RecordFormat::Csv, "t.csv")
//!     .unwrap()
//!     .with_chunk_rows(2);
//! let mut totals = Vec::new();
//! while let Some(chunk) = reader.next_chunk().unwrap() {
//!     let batch = chunk.batch();
//!     let scores = ruleset.score(&batch);
//!     for row in 0..batch.len() {
//!         match batch.error(row) {
//!             Some(e) => totals.push(format!("{}", chunk.file_error(row, e).row.unwrap())),
//!             None => totals.push(format!("{}", scores.totals()[row])),
//!         }
//!     }
//! }
//! assert_eq!(totals, ["7", "1", "1"]); // row 1 (B) has an error; C is scored in the second chunk
//! ```

use crate::batch::{bool_word, cell_text, Batch};
use crate::error::{ReadError, RecordError};
use crate::record::{read_json, Cell, Record};
use crate::ruleset::{InputType, Ruleset};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Rows per chunk unless set otherwise ([`RecordReader::with_chunk_rows`]).
pub const CHUNK_ROWS: usize = 65_536;

/// The layout of a record file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFormat {
    /// A header row, then one record a row.
    Csv,
    /// A JSON array of objects (read whole, then handed out in chunks).
    Json,
    /// One JSON object a line.
    JsonLines,
}

impl RecordFormat {
    /// The format [`crate::read_records`] reads a file as: `.json`, `.jsonl` / `.ndjson`, else
    /// CSV.
    pub fn of_path(path: impl AsRef<Path>) -> RecordFormat {
        let ext = path
            .as_ref()
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "json" => RecordFormat::Json,
            "jsonl" | "ndjson" => RecordFormat::JsonLines,
            _ => RecordFormat::Csv,
        }
    }
}

/// Reads a record file chunk by chunk into [`Batch`]es of one ruleset (see the module docs).
pub struct RecordReader<'r> {
    ruleset: &'r Ruleset,
    file: String,
    chunk_rows: usize,
    /// Data rows handed out so far.
    rows: usize,
    source: Source,
    /// Extra fields kept as text (e.g. the columns that group rows into cohorts).
    keep: Vec<String>,
}

enum Source {
    Csv(Box<CsvSource>),
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: String,
    },
    Rows(std::vec::IntoIter<Result<Record, RecordError>>),
}

struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    header: Vec<String>,
    /// Header position of each input slot's field (the last one when a name repeats).
    slot_at: Vec<Option<usize>>,
    id_at: Option<usize>,
    name_at: Option<usize>,
    /// Header position of each kept field.
    keep_at: Vec<Option<usize>>,
    record: csv::StringRecord,
}

impl<'r> RecordReader<'r> {
    /// Opens a file; its format follows its extension ([`RecordFormat::of_path`]).
    pub fn open(ruleset: &'r Ruleset, path: impl AsRef<Path>) -> Result<Self, ReadError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let handle = std::fs::File::open(path).map_err(|source| ReadError::Io {
            file: file.clone(),
            source,
        })?;
        RecordReader::new(ruleset, handle, RecordFormat::of_path(path), &file)
    }

    /// Reads records of `format` from any reader; `file` names it in messages.
    pub fn new(
        ruleset: &'r Ruleset,
        reader: impl Read + Send + 'static,
        format: RecordFormat,
        file: &str,
    ) -> Result<Self, ReadError> {
        let io = |source| ReadError::Io {
            file: file.to_string(),
            source,
        };
        let mut buffered: Box<dyn BufRead + Send> =
            Box::new(BufReader::with_capacity(1 << 16, reader));
        let source = match format {
            RecordFormat::Csv => {
                // A UTF-8 byte order mark is not part of the first column's name.
                if buffered
                    .fill_buf()
                    .map_err(io)?
                    .starts_with(b"\xEF\xBB\xBF")
                {
                    buffered.consume(3);
                }
                let boxed: Box<dyn Read + Send> = Box::new(buffered);
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(boxed);
                let header: Vec<String> = match reader.headers() {
                    Ok(h) => h.iter().map(|h| h.trim().to_string()).collect(),
                    Err(e) => return Err(whole_file_error(file, e, 1)),
                };
                let at = |name: &str| header.iter().rposition(|h| h == name);
                let meta = ruleset.metadata();
                Source::Csv(Box::new(CsvSource {
                    slot_at: ruleset.inputs().iter().map(|i| at(&i.name)).collect(),
                    id_at: at(&meta.id_field),
                    name_at: at(&meta.name_field),
                    keep_at: Vec::new(),
                    header,
                    reader,
                    record: csv::StringRecord::new(),
                }))
            }
            RecordFormat::JsonLines => Source::Lines {
                reader: buffered,
                line: String::new(),
            },
            RecordFormat::Json => {
                let mut text = String::new();
                buffered.read_to_string(&mut text).map_err(io)?;
                Source::Rows(read_json(&text, file)?.into_iter())
            }
        };
        Ok(RecordReader {
            ruleset,
            file: file.to_string(),
            chunk_rows: CHUNK_ROWS,
            rows: 0,
            source,
            keep: Vec::new(),
        })
    }

    /// Rows per chunk (at least 1).
    pub fn with_chunk_rows(mut self, rows: usize) -> Self {
        self.chunk_rows = rows.max(1);
        self
    }

    /// Also keeps these fields of every row as text ([`Chunk::kept`]), declared inputs or not:
    /// a year, a district to group rows by.
    pub fn keep(mut self, fields: &[String]) -> Self {
        if let Source::Csv(csv) = &mut self.source {
            csv.keep_at = fields
                .iter()
                .map(|f| csv.header.iter().rposition(|h| h == f))
                .collect();
        }
        self.keep = fields.to_vec();
        self
    }

    /// The trimmed names of the header row of a CSV file; `None` for JSON, which has none.
    pub fn columns(&self) -> Option<&[String]> {
        match &self.source {
            Source::Csv(csv) => Some(&csv.header),
            _ => None,
        }
    }

    /// The file's name as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The next chunk of at most the chunk size of rows; `None` at the end of the file. An error
    /// means the file as a whole cannot be read further (it cannot be opened, it is not UTF-8).
    pub fn next_chunk(&mut self) -> Result<Option<Chunk<'r>>, ReadError> {
        let start = self.rows;
        let mut body = match &mut self.source {
            Source::Csv(csv) => read_csv_chunk(self.ruleset, csv, self.chunk_rows, &self.file)?,
            Source::Lines { reader, line } => {
                let mut rows = Vec::new();
                while rows.len() < self.chunk_rows {
                    line.clear();
                    let n = reader.read_line(line).map_err(|source| ReadError::Io {
                        file: self.file.clone(),
                        source,
                    })?;
                    if n == 0 {
                        break;
                    }
                    if line.trim().is_empty() {
                        continue;
                    }
                    let text = line.strip_suffix('\n').unwrap_or(line);
                    let text = text.strip_suffix('\r').unwrap_or(text);
                    rows.push(Record::from_json(text).map_err(|e| e.at_row(rows.len(), None)));
                }
                Body::Records(rows)
            }
            Source::Rows(rows) => Body::Records(rows.by_ref().take(self.chunk_rows).collect()),
        };
        let len = body.len();
        if len == 0 {
            return Ok(None);
        }
        self.rows += len;
        let kept = match &mut body {
            Body::Columns { kept, .. } => std::mem::take(kept),
            Body::Records(rows) => self
                .keep
                .iter()
                .map(|f| {
                    rows.iter()
                        .map(|r| r.as_ref().ok().and_then(|r| r.get(f)).and_then(cell_text))
                        .collect()
                })
                .collect(),
        };
        Ok(Some(Chunk {
            ruleset: self.ruleset,
            start,
            len,
            body,
            kept,
        }))
    }
}

fn whole_file_error(file: &str, e: csv::Error, line: usize) -> ReadError {
    let message = e.to_string();
    let line = e
        .position()
        .map_or(line, |p| usize::try_from(p.line()).unwrap_or(line));
    match e.into_kind() {
        csv::ErrorKind::Io(source) => ReadError::Io {
            file: file.to_string(),
            source,
        },
        csv::ErrorKind::Utf8 { .. } => ReadError::Io {
            file: file.to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ),
        },
        _ => ReadError::Syntax {
            file: file.to_string(),
            line,
            message,
        },
    }
}

/// The rows of a chunk before they are checked: typed columns from CSV, records from JSON.
enum Body {
    Columns {
        columns: Columns,
        kept: Vec<Vec<Option<String>>>,
    },
    Records(Vec<Result<Record, RecordError>>),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Columns { columns, .. } => columns.len,
            Body::Records(rows) => rows.len(),
        }
    }
}

struct Columns {
    len: usize,
    /// Row ids and names (`Cell::Text` or missing), empty when no row has one.
    ids: Vec<Cell>,
    names: Vec<Cell>,
    /// Rows that could not be read, with their error.
    failed: Vec<(usize, RecordError)>,
    /// Per input slot.
    slots: Vec<Raw>,
}

/// One input's field over the rows of a chunk.
enum Raw {
    /// Not in the file: missing everywhere.
    Absent,
    /// A number, count or boolean input: the values parsed (`NaN` missing; booleans 1/0), and
    /// the rows whose text is not a plain value, kept for the batch to judge.
    Numbers {
        values: Vec<f64>,
        odd: Vec<(usize, String)>,
    },
    /// A category or survey input.
    Cells(Vec<Cell>),
}

fn read_csv_chunk(
    ruleset: &Ruleset,
    csv: &mut CsvSource,
    rows: usize,
    file: &str,
) -> Result<Body, ReadError> {
    let inputs = ruleset.inputs();
    let cap = rows.min(CHUNK_ROWS);
    let mut slots: Vec<Raw> = inputs
        .iter()
        .zip(&csv.slot_at)
        .map(|(input, at)| match (at, input.kind) {
            (None, _) => Raw::Absent,
            (Some(_), InputType::Number | InputType::Count | InputType::Boolean) => Raw::Numbers {
                values: Vec::with_capacity(cap),
                odd: Vec::new(),
            },
            (Some(_), _) => Raw::Cells(Vec::with_capacity(cap)),
        })
        .collect();
    let mut ids = Vec::new();
    let mut names = Vec::new();
    let mut kept: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(cap); csv.keep_at.len()];
    let mut failed = Vec::new();
    let mut len = 0;
    let width = csv.header.len();
    while len < rows {
        let error = match csv.reader.read_record(&mut csv.record) {
            Ok(false) => break,
            Ok(true) if csv.record.len() == width => None,
            Ok(true) => Some(RecordError::new(
                "record.csv",
                format!(
                    "{} fields, but the header has {} (line {})",
                    csv.record.len(),
                    width,
                    csv.record.position().map_or(0, |p| p.line())
                ),
            )),
            Err(e)
                if matches!(
                    e.kind(),
                    csv::ErrorKind::Io(_) | csv::ErrorKind::Utf8 { .. }
                ) =>
            {
                return Err(whole_file_error(file, e, 0));
            }
            Err(e) => {
                csv.record.clear();
                Some(RecordError::new("record.csv", e.to_string()))
            }
        };
        let record = &csv.record;
        let field =
            |at: Option<usize>| -> &str { trim(at.and_then(|i| record.get(i)).unwrap_or("")) };
        for (keep, &at) in kept.iter_mut().zip(&csv.keep_at) {
            let v = field(at);
            keep.push((!v.is_empty()).then(|| v.to_string()));
        }
        let good = error.is_none();
        if let Some(e) = error {
            failed.push((len, e));
        }
        let label = |at: Option<usize>| {
            let v = field(at);
            (good && !v.is_empty()).then(|| v.to_string())
        };
        for (labels, at) in [(&mut ids, csv.id_at), (&mut names, csv.name_at)] {
            match label(at) {
                Some(text) => {
                    if labels.is_empty() {
                        *labels = vec![Cell::Missing; len];
                    }
                    labels.push(Cell::Text(text));
                }
                None if !labels.is_empty() => labels.push(Cell::Missing),
                None => {}
            }
        }
        for ((raw, &at), input) in slots.iter_mut().zip(&csv.slot_at).zip(inputs) {
            let text = if good { field(at) } else { "" };
            match raw {
                Raw::Absent => {}
                Raw::Numbers { values, odd } => {
                    let plain = if text.is_empty() {
                        Some(f64::NAN)
                    } else if input.kind == InputType::Boolean {
                        bool_word(text).map(|b| f64::from(u8::from(b)))
                    } else {
                        parse_number(text)
                    };
                    match plain {
                        Some(x) => values.push(x),
                        None => {
                            values.push(f64::NAN);
                            odd.push((len, text.to_string()));
                        }
                    }
                }
                Raw::Cells(cells) => cells.push(if text.is_empty() {
                    Cell::Missing
                } else {
                    Cell::Text(text.to_string())
                }),
            }
        }
        len += 1;
    }
    Ok(Body::Columns {
        columns: Columns {
            len,
            ids,
            names,
            failed,
            slots,
        },
        kept,
    })
}

/// `str::trim`, without decoding characters when the ends are plain ASCII.
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Powers of ten exactly representable as `f64`.
const TENS: [f64; 16] = [
    1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A finite number as `str::parse::<f64>` reads it. Plain decimals of at most 15 digits (`12`,
/// `-3.25`) are read directly: an integer below 2^53 divided by an exact power of ten is
/// correctly rounded, so the result is the same bits; anything else goes to `parse`.
fn parse_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut decimals = None;
    let mut plain = !digits.is_empty() && digits.len() <= 16;
    if plain {
        for (i, &b) in digits.iter().enumerate() {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    count += 1;
                }
                b'.' if decimals.is_none() => decimals = Some(i),
                _ => {
                    plain = false;
                    break;
                }
            }
        }
    }
    if plain && count > 0 && count <= 15 {
        let k = decimals.map_or(0, |i| digits.len() - i - 1);
        if let Some(&scale) = TENS.get(k) {
            let x = mantissa as f64 / scale;
            return Some(if negative { -x } else { x });
        }
    }
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Some rows of a file, read but not yet checked; see [`RecordReader::next_chunk`].
pub struct Chunk<'r> {
    ruleset: &'r Ruleset,
    start: usize,
    len: usize,
    body: Body,
    kept: Vec<Vec<Option<String>>>,
}

impl Chunk<'_> {
    /// The file row (0-based, header excluded) of the chunk's first row.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the chunk has no rows (chunks handed out never are empty).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text of kept field `field` (an index into the fields given to [`RecordReader::keep`])
    /// at a row of the chunk; `None` when empty or absent.
    pub fn kept(&self, field: usize, row: usize) -> Option<&str> {
        self.kept
            .get(field)
            .and_then(|f| f.get(row))
            .and_then(|v| v.as_deref())
    }

    /// The error of row `row` of a batch of this chunk, placed at its row of the file.
    pub fn file_error(&self, row: usize, error: &RecordError) -> RecordError {
        let mut e = error.clone();
        e.row = Some(self.start + row);
        e
    }

    /// The whole chunk checked into a batch (rows in order; errors name the batch row, see
    /// [`Chunk::file_error`]).
    pub fn batch(&self) -> Batch<'_> {
        self.build(None)
    }

    /// The chunk's rows `rows` (in that order) checked into a batch: row `i` of the batch is row
    /// `rows[i]` of the chunk. Rows out of range are skipped.
    pub fn batch_of(&self, rows: &[usize]) -> Batch<'_> {
        let rows: Vec<usize> = rows.iter().copied().filter(|&r| r < self.len).collect();
        self.build(Some(&rows))
    }

    fn build(&self, rows: Option<&[usize]>) -> Batch<'_> {
        let ruleset = self.ruleset;
        let columns = match &self.body {
            Body::Records(records) => {
                return match rows {
                    None => Batch::from_rows(ruleset, records),
                    Some(rows) => {
                        let picked: Vec<Result<Record, RecordError>> = rows
                            .iter()
                            .filter_map(|&r| records.get(r).cloned())
                            .collect();
                        Batch::from_rows(ruleset, &picked)
                    }
                }
            }
            Body::Columns { columns, .. } => columns,
        };
        let len = rows.map_or(self.len, <[usize]>::len);
        // Chunk row → batch row.
        let place: Option<HashMap<usize, usize>> =
            rows.map(|rows| rows.iter().enumerate().map(|(i, &r)| (r, i)).collect());
        let to_batch = |r: usize| match &place {
            None => Some(r),
            Some(p) => p.get(&r).copied(),
        };
        let pick = |r: usize| match rows {
            None => r,
            Some(rows) => rows.get(r).copied().unwrap_or(usize::MAX),
        };
        let mut batch = Batch::new(ruleset, len);
        if !columns.ids.is_empty() || !columns.names.is_empty() {
            for row in 0..len {
                let source = pick(row);
                batch.set_label(row, columns.ids.get(source), columns.names.get(source));
            }
        }
        for (r, e) in &columns.failed {
            if let Some(row) = to_batch(*r) {
                batch.set_error(row, e.clone());
            }
        }
        let mut values = Vec::new();
        let mut cells = Vec::new();
        for (raw, input) in columns.slots.iter().zip(ruleset.inputs()) {
            // The names are the ruleset's own inputs, so setting a column cannot fail.
            let _ = match raw {
                Raw::Absent => Ok(()),
                Raw::Numbers { values: all, odd } => {
                    let odd: Vec<(usize, &String)> = odd
                        .iter()
                        .filter_map(|(r, t)| Some((to_batch(*r)?, t)))
                        .collect();
                    let number = matches!(input.kind, InputType::Number | InputType::Count);
                    if odd.is_empty() && number && rows.is_none() {
                        // The chunk's own column, checked in place.
                        batch.borrow_numbers(ruleset, &input.name, all)
                    } else {
                        values.clear();
                        match rows {
                            None => values.extend_from_slice(all),
                            Some(rows) => values.extend(
                                rows.iter()
                                    .map(|&r| all.get(r).copied().unwrap_or(f64::NAN)),
                            ),
                        }
                        if odd.is_empty() {
                            batch.set_numbers(ruleset, &input.name, &values)
                        } else {
                            // Text the fast path does not read: the batch judges every cell.
                            cells.clear();
                            cells.extend(values.iter().map(|&x| {
                                if x.is_nan() {
                                    Cell::Missing
                                } else if input.kind == InputType::Boolean {
                                    Cell::Bool(x == 1.0)
                                } else {
                                    Cell::Number(x)
                                }
                            }));
                            for (row, text) in odd {
                                if let Some(c) = cells.get_mut(row) {
                                    *c = Cell::Text(text.clone());
                                }
                            }
                            batch.set_cells(ruleset, &input.name, &cells)
                        }
                    }
                }
                Raw::Cells(all) => match rows {
                    None => batch.set_cells(ruleset, &input.name, all),
                    Some(rows) => {
                        cells.clear();
                        cells.extend(
                            rows.iter()
                                .map(|&r| all.get(r).cloned().unwrap_or(Cell::Missing)),
                        );
                        batch.set_cells(ruleset, &input.name, &cells)
                    }
                },
            };
        }
        batch.check_required(ruleset);
        batch
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::record::read_csv;

    fn ruleset() -> Ruleset {
        Ruleset::from_toml(
            r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "n"
type = "count"
max = 5
[[input]]
name = "ok"
type = "boolean"
[[input]]
name = "level"
type = "category"
values = ["A", "B"]
[[input]]
name = "vote"
type = "survey"
values = ["满意", "不满意"]
[[input]]
name = "must"
type = "number"
required = true
[[indicator]]
id = "a"
name = "a"
points = 5
missing = "zero"
scorer = { type = "per_occurrence", count = "n", per = 1 }
[[indicator]]
id = "b"
name = "b"
points = 5
missing = "zero"
scorer = { type = "clause", when = "ok" }
"#,
        )
        .unwrap()
    }

    const CSV: &str = "\u{feff}id , name,n,ok,level,vote,must,year\n\
        A,甲,2,是,B,满意:3;不满意:1,1,2021\n\
        B,乙,9,yes,A,,1,2021\n\
        C,丙,x,Y,,,1,2022\n\
        D,丁,1,maybe,A,,1,2022\n\
        E,戊,1,1,C,,,2021\n\
        F,己,1,0,A,满意,1,2022\n\
        G,庚,1,否,A\n\
        H,辛, 3 ,FALSE,A,,2.5,2021\n\
        I,壬,inf,1,A,,1,2022\n\
        J,癸,,,,,1,2023\n";

    /// Every row's result as text: the error code, column and row, or the total.
    fn outcomes(ruleset: &Ruleset, batch: &Batch<'_>, start: usize) -> Vec<String> {
        let scores = ruleset.score(batch);
        (0..batch.len())
            .map(|row| match batch.error(row) {
                Some(e) => format!(
                    "{} {:?} {:?} {:?}",
                    e.code,
                    e.column,
                    e.row.map(|r| r + start),
                    e.id
                ),
                None => format!("{:?} {}", batch.id(row), scores.totals()[row]),
            })
            .collect()
    }

    #[test]
    fn chunks_check_like_whole_files_at_any_chunk_size() {
        let ruleset = ruleset();
        let whole = Batch::from_rows(&ruleset, &read_csv(CSV, "t.csv").unwrap());
        let expected = outcomes(&ruleset, &whole, 0);
        assert!(expected
            .iter()
            .any(|o| o.starts_with("record.not_a_boolean")));
        for size in [1, 3, 4, 100] {
            let mut reader = RecordReader::new(&ruleset, CSV.as_bytes(), RecordFormat::Csv, "t")
                .unwrap()
                .with_chunk_rows(size);
            let mut got = Vec::new();
            while let Some(chunk) = reader.next_chunk().unwrap() {
                got.extend(outcomes(&ruleset, &chunk.batch(), chunk.start()));
            }
            assert_eq!(got, expected, "chunks of {size}");
        }
    }

    #[test]
    fn a_subset_of_rows_checks_like_those_rows_alone() {
        let ruleset = ruleset();
        let rows = read_csv(CSV, "t.csv").unwrap();
        let mut reader = RecordReader::new(&ruleset, CSV.as_bytes(), RecordFormat::Csv, "t")
            .unwrap()
            .keep(&["year".to_string(), "nope".to_string()]);
        let chunk = reader.next_chunk().unwrap().unwrap();
        assert!(reader.next_chunk().unwrap().is_none());
        let pick = [7, 2, 3, 6];
        let picked: Vec<_> = pick.iter().map(|&r| rows[r].clone()).collect();
        let alone = outcomes(&ruleset, &Batch::from_rows(&ruleset, &picked), 0);
        let sub = outcomes(&ruleset, &chunk.batch_of(&pick), 0);
        assert_eq!(sub, alone);
        assert_eq!(chunk.kept(0, 0), Some("2021"));
        assert_eq!(chunk.kept(0, 9), Some("2023"));
        assert_eq!(chunk.kept(1, 0), None);
        assert_eq!(
            reader.columns().unwrap().first().map(String::as_str),
            Some("id")
        );
    }

    #[test]
    fn json_lines_are_read_in_chunks_with_file_rows() {
        let ruleset = ruleset();
        let text = "{\"id\": \"A\", \"n\": 1, \"must\": 1, \"year\": 2021}\n\n\
            not json\n{\"id\": \"C\", \"n\": 2, \"must\": 1}\r\n";
        let mut reader = RecordReader::new(&ruleset, text.as_bytes(), RecordFormat::JsonLines, "t")
            .unwrap()
            .with_chunk_rows(2)
            .keep(&["year".to_string()]);
        let first = reader.next_chunk().unwrap().unwrap();
        assert_eq!(first.kept(0, 0), Some("2021"));
        let batch = first.batch();
        let e = first.file_error(1, batch.error(1).unwrap());
        assert_eq!((e.code, e.row), ("record.json", Some(1)));
        let second = reader.next_chunk().unwrap().unwrap();
        assert_eq!((second.start(), second.len()), (2, 1));
        assert_eq!(second.batch().id(0), Some("C"));
        assert!(reader.next_chunk().unwrap().is_none());
    }

    #[test]
    fn numbers_are_read_to_the_same_bits_as_parse() {
        for text in [
            "0",
            "-0",
            "12",
            "+7",
            "3.25",
            "-0.1",
            "92.1",
            ".5",
            "5.",
            "1e3",
            "0.30000000000000004",
            "123456789012345",
            "1234567890123456",
            "99999999999999999",
            "1.000000000000001",
            "0.000000000000001",
            "inf",
            "NaN",
            "1_0",
            "",
            ".",
            "-",
            "1.2.3",
        ] {
            let expected = text.parse::<f64>().ok().filter(|x| x.is_finite());
            let got = parse_number(text);
            assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "{text}");
        }
        // Decimals of every length and scale, as data files write them.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let digits = (seed >> 60) as usize + 1;
            let mantissa = (seed >> 4) % 10u64.pow(digits.min(15) as u32);
            let text = format!("{mantissa}");
            let point = (seed >> 20) as usize % (text.len() + 1);
            let (a, b) = text.split_at(point);
            let sign = if seed & 1 == 1 { "-" } else { "" };
            let text = format!("{sign}{a}.{b}");
            let expected = text.parse::<f64>().ok();
            assert_eq!(
                parse_number(&text).map(f64::to_bits),
                expected.map(f64::to_bits),
                "{text}"
            );
        }
        assert_eq!(trim(" a "), "a");
        assert_eq!(trim("\u{3000}甲"), "甲");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_an_error() {
        let ruleset = ruleset();
        let bytes: &'static [u8] = b"id,n\nA,\xff\n";
        let mut reader = RecordReader::new(&ruleset, bytes, RecordFormat::Csv, "t.csv").unwrap();
        assert!(matches!(reader.next_chunk(), Err(ReadError::Io { .. })));
    }
}
