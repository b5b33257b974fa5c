//! Streaming record readers: a CSV or JSON Lines file read chunk by chunk straight into typed
//! columns for one ruleset, so that files of millions of rows are scored in bounded memory.
//!
//! The header is mapped to the ruleset's input slots once; number, count and boolean fields are
//! parsed from the field text into `f64` columns, other inputs go through [`Cell`]s. A chunk
//! becomes a [`Batch`] with [`Chunk::batch`] (or a [`Batch`] of some of its rows with
//! [`Chunk::batch_of`]). The values accepted, the errors and their order are exactly those of
//! [`crate::read_records`] followed by [`Batch::from_rows`]: empty cell = missing, booleans may be
//! written `是`/`否`, a row that cannot be read keeps its place with one error.
//!
//! Every row of the file gives exactly one row of a chunk, a record or an error. The text is
//! decoded first ([`crate::encoding`]: UTF-8 with or without a byte order mark, UTF-16, GBK/
//! GB18030). In a CSV header the `id` and `name` columns match in any capitals, and a column named
//! twice is an error; a stray quote that swallows the lines after it costs one error per line
//! ([`ReadOptions`], [`RecordReader::notes`] for the notes on the file as a whole).
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
use crate::encoding::{not_utf8, undecodable, utf8_reader};
use crate::error::{Diagnostic, ReadError, RecordError, Severity};
use crate::record::{read_json_limited, Cell, Record, RecordLimits};
use crate::ruleset::{InputType, Ruleset};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, Read};
use std::path::Path;

/// How to read a record file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The file's text encoding, as a label (`gbk`, `gb18030`, `utf-16le`, `big5`, `utf-8`);
    /// detected when not given (see [`crate::encoding`]). A byte order mark always decides.
    pub encoding: Option<String>,
    /// The sheet of a workbook to read, by name; the first sheet when not given.
    pub sheet: Option<String>,
    /// The most fields a row may have and characters a cell may hold (a row beyond them is an
    /// error of its own; see [`RecordLimits`]).
    pub limits: RecordLimits,
}

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
    /// A sheet of an Excel or OpenDocument workbook (read whole, then handed out in chunks;
    /// only with the `xlsx` feature).
    Workbook,
}

impl RecordFormat {
    /// The format [`crate::read_records`] reads a file as: `.json`, `.jsonl` / `.ndjson`,
    /// `.xlsx` / `.xlsm` / `.xlsb` / `.xls` / `.ods`, else CSV.
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
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => RecordFormat::Workbook,
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
    /// JSON: every field name seen so far (for [`Self::notes`]).
    seen: BTreeSet<String>,
    limits: RecordLimits,
    /// A workbook: its header, and the sheet row (1-based) of every data row.
    sheet: Option<(Vec<String>, usize, Vec<usize>)>,
}

enum Source {
    Csv(Box<CsvSource>),
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: String,
        /// Lines read so far (for the line of a read error).
        number: usize,
    },
    Rows(std::vec::IntoIter<Result<Record, RecordError>>),
}

struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    header: Vec<String>,
    /// Header position of each input slot's field.
    slot_at: Vec<Option<usize>>,
    id_at: Option<usize>,
    name_at: Option<usize>,
    /// Header position of each kept field.
    keep_at: Vec<Option<usize>>,
    /// A column name beyond the record limits: the error of every row.
    header_error: Option<RecordError>,
    record: csv::StringRecord,
}

impl<'r> RecordReader<'r> {
    /// Opens a file; its format follows its extension ([`RecordFormat::of_path`]).
    pub fn open(ruleset: &'r Ruleset, path: impl AsRef<Path>) -> Result<Self, ReadError> {
        RecordReader::open_with(ruleset, path, &ReadOptions::default())
    }

    /// Opens a file with options (its encoding).
    pub fn open_with(
        ruleset: &'r Ruleset,
        path: impl AsRef<Path>,
        options: &ReadOptions,
    ) -> Result<Self, ReadError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let handle = std::fs::File::open(path).map_err(|source| ReadError::Io {
            file: file.clone(),
            source,
        })?;
        RecordReader::with_options(ruleset, handle, RecordFormat::of_path(path), &file, options)
    }

    /// Reads records of `format` from any reader; `file` names it in messages.
    pub fn new(
        ruleset: &'r Ruleset,
        reader: impl Read + Send + 'static,
        format: RecordFormat,
        file: &str,
    ) -> Result<Self, ReadError> {
        RecordReader::with_options(ruleset, reader, format, file, &ReadOptions::default())
    }

    /// [`RecordReader::new`] with options (the file's encoding).
    pub fn with_options(
        ruleset: &'r Ruleset,
        reader: impl Read + Send + 'static,
        format: RecordFormat,
        file: &str,
        options: &ReadOptions,
    ) -> Result<Self, ReadError> {
        let named =
            match &options.encoding {
                Some(label) => Some(crate::encoding::encoding_for_label(label).map_err(
                    |message| ReadError::Encoding {
                        file: file.to_string(),
                        line: 1,
                        message,
                    },
                )?),
                None => None,
            };
        if format == RecordFormat::Workbook {
            let mut reader = reader;
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(|e| read_failure(file, e))?;
            let sheet = crate::workbook::read_sheet(
                bytes,
                options.sheet.as_deref(),
                file,
                &options.limits,
            )?;
            map_header(ruleset, &sheet.header, file).map_err(|e| match e {
                ReadError::Syntax { message, .. } => ReadError::Syntax {
                    file: file.to_string(),
                    line: sheet.header_row,
                    message,
                },
                e => e,
            })?;
            return Ok(RecordReader {
                ruleset,
                file: file.to_string(),
                chunk_rows: CHUNK_ROWS,
                rows: 0,
                source: Source::Rows(sheet.rows.into_iter()),
                keep: Vec::new(),
                seen: BTreeSet::new(),
                limits: options.limits,
                sheet: Some((sheet.header, sheet.header_row, sheet.numbers)),
            });
        }
        // Whatever the encoding, the readers below see UTF-8 without a byte order mark.
        let (mut text, _) = utf8_reader(reader, named, file)?;
        let mut seen = BTreeSet::new();
        let source = match format {
            RecordFormat::Csv => {
                let boxed: Box<dyn Read + Send> = Box::new(text);
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(boxed);
                let header: Vec<String> = match reader.headers() {
                    Ok(h) => h.iter().map(|h| h.trim().to_string()).collect(),
                    Err(e) => return Err(whole_file_error(file, e, 1)),
                };
                let map = map_header(ruleset, &header, file)?;
                let header_error = header
                    .iter()
                    .find_map(|h| options.limits.check_text(h).err());
                Source::Csv(Box::new(CsvSource {
                    header_error,
                    slot_at: map.slot_at,
                    id_at: map.id_at,
                    name_at: map.name_at,
                    keep_at: Vec::new(),
                    header,
                    reader,
                    record: csv::StringRecord::new(),
                }))
            }
            RecordFormat::JsonLines => Source::Lines {
                reader: text,
                line: String::new(),
                number: 0,
            },
            RecordFormat::Json | RecordFormat::Workbook => {
                let mut bytes = Vec::new();
                text.read_to_end(&mut bytes)
                    .map_err(|e| read_failure(file, e))?;
                let text = String::from_utf8(bytes).map_err(|e| ReadError::Encoding {
                    file: file.to_string(),
                    line: line_at(e.as_bytes(), e.utf8_error().valid_up_to()),
                    message: not_utf8(),
                })?;
                let rows = read_json_limited(&text, file, &options.limits)?;
                for row in rows.iter().flatten() {
                    seen.extend(row.fields.keys().cloned());
                }
                Source::Rows(rows.into_iter())
            }
        };
        Ok(RecordReader {
            ruleset,
            file: file.to_string(),
            chunk_rows: CHUNK_ROWS,
            rows: 0,
            source,
            keep: Vec::new(),
            seen,
            limits: options.limits,
            sheet: None,
        })
    }

    /// What the reader noticed about the file as a whole, once each: columns (or JSON fields)
    /// that are not inputs of the ruleset, with the nearest input when one is close (a likely
    /// misspelling); inputs the file does not have at all. For JSON Lines, call it after the
    /// last chunk: the fields are known only once every line was read.
    pub fn notes(&self) -> Vec<Diagnostic> {
        let (fields, line) = match (&self.source, &self.sheet) {
            (Source::Csv(csv), _) => (csv.header.iter().cloned().collect(), Some(1)),
            (_, Some((header, row, _))) => (header.iter().cloned().collect(), Some(*row)),
            _ => (self.seen.clone(), None),
        };
        file_notes(self.ruleset, &fields, &self.keep, &self.file, line)
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
            let meta = self.ruleset.metadata();
            csv.keep_at = fields
                .iter()
                .map(|f| {
                    // The id and name columns are found however they are capitalised.
                    if *f == meta.id_field {
                        csv.id_at
                    } else if *f == meta.name_field {
                        csv.name_at
                    } else {
                        csv.header.iter().position(|h| h == f)
                    }
                })
                .collect();
        }
        self.keep = fields.to_vec();
        self
    }

    /// The trimmed names of the header row of a CSV file or a sheet; `None` for JSON, which has
    /// none.
    pub fn columns(&self) -> Option<&[String]> {
        match (&self.source, &self.sheet) {
            (Source::Csv(csv), _) => Some(&csv.header),
            (_, Some((header, _, _))) => Some(header),
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
            Source::Csv(csv) => {
                read_csv_chunk(self.ruleset, csv, self.chunk_rows, &self.file, &self.limits)?
            }
            Source::Lines {
                reader,
                line,
                number,
            } => {
                let mut rows = Vec::new();
                while rows.len() < self.chunk_rows {
                    line.clear();
                    let n = reader.read_line(line).map_err(|e| match e.kind() {
                        std::io::ErrorKind::InvalidData
                            if undecodable(&self.file, &e).is_none() =>
                        {
                            ReadError::Encoding {
                                file: self.file.clone(),
                                line: *number + 1,
                                message: not_utf8(),
                            }
                        }
                        _ => read_failure(&self.file, e),
                    })?;
                    if n == 0 {
                        break;
                    }
                    *number += 1;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let text = line.strip_suffix('\n').unwrap_or(line);
                    let text = text.strip_suffix('\r').unwrap_or(text);
                    let row = Record::from_json(text)
                        .and_then(|r| self.limits.keep(r))
                        .map_err(|e| e.at_row(rows.len(), None));
                    if let Ok(record) = &row {
                        for key in record.fields.keys() {
                            if !self.seen.contains(key) {
                                self.seen.insert(key.clone());
                            }
                        }
                    }
                    rows.push(row);
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
            Body::Records(rows) => {
                let meta = self.ruleset.metadata();
                self.keep
                    .iter()
                    .map(|f| {
                        // The id and name fields are found however they are capitalised.
                        let aliases = if *f == meta.id_field {
                            Some(&meta.id_aliases)
                        } else if *f == meta.name_field {
                            Some(&meta.name_aliases)
                        } else {
                            None
                        };
                        rows.iter()
                            .map(|r| {
                                let r = r.as_ref().ok()?;
                                let cell = match aliases {
                                    Some(aliases) => crate::batch::label_field(r, f, aliases),
                                    None => r.get(f),
                                };
                                cell.and_then(cell_text)
                            })
                            .collect()
                    })
                    .collect()
            }
        };
        let numbers = self.sheet.as_ref().map(|(_, _, numbers)| {
            numbers
                .get(start..start + len)
                .map_or_else(Vec::new, <[usize]>::to_vec)
        });
        Ok(Some(Chunk {
            ruleset: self.ruleset,
            start,
            len,
            body,
            kept,
            numbers,
        }))
    }
}

/// An I/O error while reading, or bytes that do not decode ([`ReadError::Encoding`]).
fn read_failure(file: &str, e: std::io::Error) -> ReadError {
    undecodable(file, &e).unwrap_or(ReadError::Io {
        file: file.to_string(),
        source: e,
    })
}

/// 1-based line of a byte offset.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes
        .get(..offset)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

fn whole_file_error(file: &str, e: csv::Error, line: usize) -> ReadError {
    let message = e.to_string();
    let line = e
        .position()
        .map_or(line, |p| usize::try_from(p.line()).unwrap_or(line));
    match e.into_kind() {
        csv::ErrorKind::Io(source) => read_failure(file, source),
        csv::ErrorKind::Utf8 { .. } => ReadError::Encoding {
            file: file.to_string(),
            line,
            message: not_utf8(),
        },
        _ => ReadError::Syntax {
            file: file.to_string(),
            line,
            message,
        },
    }
}

/// The error of a row with more or fewer fields than the header.
pub(crate) fn wrong_width(record: &csv::StringRecord, width: usize) -> RecordError {
    RecordError::new(
        "record.csv",
        format!(
            "{} fields, but the header has {} (line {})",
            record.len(),
            width,
            record.position().map_or(0, |p| p.line())
        ),
    )
}

/// Where the ruleset's fields are in a CSV header.
struct HeaderMap {
    slot_at: Vec<Option<usize>>,
    id_at: Option<usize>,
    name_at: Option<usize>,
}

/// Finds the inputs, id and name in a header ([`crate::columns::match_columns`]: an input by its
/// name, label or an alias; the id and name columns however they are capitalised). A name that
/// appears twice — or two headers of one input — is an error: which of the two holds the values
/// is anybody's guess, and tools guess differently.
fn map_header(ruleset: &Ruleset, header: &[String], file: &str) -> Result<HeaderMap, ReadError> {
    let syntax = |message: String| ReadError::Syntax {
        file: file.to_string(),
        line: 1,
        message,
    };
    if let Some(h) = header.iter().find(|h| h.contains(['\n', '\r'])) {
        return Err(syntax(format!(
            "the header has a line break inside the column name `{}`; check its quotes",
            crate::excerpt(h, 40)
        )));
    }
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(&j) = first.get(h.as_str()) {
            return Err(syntax(format!(
                "the column `{}` appears twice in the header (columns {} and {}); rename or \
                 remove one",
                crate::excerpt(h, 40),
                j + 1,
                i + 1
            )));
        }
        first.insert(h, i);
    }
    let found = crate::columns::match_columns(ruleset, header).map_err(syntax)?;
    Ok(HeaderMap {
        slot_at: found.inputs,
        id_at: found.id,
        name_at: found.name,
    })
}

/// The most columns named one by one in a note; the others are counted.
const LISTED: usize = 12;

/// Notes on a file's fields as a whole (see [`RecordReader::notes`]): fields that are not inputs
/// (one note each when an input is close to it, else one note for all), and inputs no field has.
pub(crate) fn file_notes(
    ruleset: &Ruleset,
    fields: &BTreeSet<String>,
    keep: &[String],
    file: &str,
    line: Option<usize>,
) -> Vec<Diagnostic> {
    let fields: Vec<&String> = fields.iter().collect();
    let mut notes = field_notes(ruleset, &fields, keep, Among::File);
    for note in &mut notes {
        note.file = Some(file.to_string());
        note.line = line;
        note.column = None;
    }
    notes
}

/// Where the fields of [`field_notes`] come from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Among {
    /// A file's header or fields: every unused column is worth one note.
    File,
    /// A data frame's or table's columns, or a list of records' fields: columns the ruleset does
    /// not use are common and deliberate there (a district, a year), so only the near misses
    /// of an input are noted.
    Columns,
}

/// The notes of [`file_notes`] and [`Ruleset::column_notes`], with no file or line; a near miss
/// has the 1-based position of its field in `fields` as its column.
pub(crate) fn field_notes<S: AsRef<str>, K: AsRef<str>>(
    ruleset: &Ruleset,
    fields: &[S],
    keep: &[K],
    among: Among,
) -> Vec<Diagnostic> {
    let meta = ruleset.metadata();
    let note = |code: &'static str, message: String, column: Option<usize>| Diagnostic {
        code,
        message,
        severity: Severity::Warning,
        file: None,
        line: None,
        column,
        path: None,
    };
    let inputs = ruleset.inputs();
    // Names, labels and aliases: a near miss of any of them is worth a "did you mean".
    let names: Vec<String> = inputs
        .iter()
        .flat_map(|i| {
            std::iter::once(&i.name)
                .chain(std::iter::once(&i.label))
                .chain(&i.aliases)
                .cloned()
        })
        .collect();
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    // An ambiguous header stopped the file (or the table) already; nothing more to say.
    let Ok(found) = crate::columns::match_columns(ruleset, fields) else {
        return Vec::new();
    };
    let is_label = |f: &str| {
        let f = crate::columns::fold_header(f);
        crate::columns::is_label_header(&meta.id_field, &meta.id_aliases, &f)
            || crate::columns::is_label_header(&meta.name_field, &meta.name_aliases, &f)
            || meta
                .other_fields
                .iter()
                .any(|o| crate::columns::fold_header(o).eq_ignore_ascii_case(&f))
    };
    let mut notes = Vec::new();
    let mut unused = Vec::new();
    for (at, field) in fields.iter().enumerate() {
        let field = field.as_ref();
        if field.is_empty()
            || is_label(field)
            || Some(at) == found.id
            || Some(at) == found.name
            || found.input_at(at).is_some()
            || keep.iter().any(|k| k.as_ref() == field)
        {
            continue;
        }
        let near = crate::expr::closest(&field.to_lowercase(), &lower)
            .and_then(|l| lower.iter().position(|n| *n == l))
            .and_then(|i| names.get(i));
        match near {
            Some(input) => notes.push(note(
                "record.unknown_column",
                format!(
                    "the column `{}` is not an input of the ruleset; did you mean `{input}`?",
                    crate::excerpt(field, 40)
                ),
                Some(at + 1),
            )),
            None => unused.push(format!("`{}`", crate::excerpt(field, 40))),
        }
    }
    if !unused.is_empty() && among == Among::File {
        let more = unused.len().saturating_sub(LISTED);
        unused.truncate(LISTED);
        let mut list = unused.join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        notes.push(note(
            "record.unknown_column",
            format!("columns the ruleset does not use (ignored): {list}"),
            None,
        ));
    }
    let absent: Vec<String> = inputs
        .iter()
        .enumerate()
        .filter(|(slot, _)| found.inputs.get(*slot).is_none_or(Option::is_none))
        .map(|(_, i)| format!("`{}` ({})", i.name, i.label))
        .collect();
    if !absent.is_empty() {
        let more = absent.len().saturating_sub(LISTED);
        let mut list = absent
            .iter()
            .take(LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        let place = match among {
            Among::File => "in the file",
            Among::Columns => "among the columns",
        };
        notes.push(note(
            "record.absent_input",
            format!(
                "{} input(s) of the ruleset are not {place} and are missing on every row: {list}",
                absent.len()
            ),
            None,
        ));
    }
    notes
}

impl Ruleset {
    /// What is worth telling about the columns of a data frame or table (or the fields of a list
    /// of records, all of them together) before scoring it: a column that is not an input but
    /// is close to one (a likely misspelling: "did you mean"), with its 1-based position in
    /// `columns` as the note's `column`; and the inputs no column holds, which are missing on
    /// every row. Columns in `keep` (kept or grouped by on purpose) and the id and name columns
    /// are never noted, nor — unlike a file's notes ([`RecordReader::notes`]) — columns far
    /// from every input: analysts' frames carry many on purpose. Warnings, in column order.
    pub fn column_notes(&self, columns: &[&str], keep: &[&str]) -> Vec<Diagnostic> {
        field_notes(self, columns, keep, Among::Columns)
    }
}

/// A CSV record that spans lines because of a quote that does not close where it should — a
/// stray `"` at the start of a cell swallows the lines after it, to the next quote or the end of
/// the file. A record over several lines is taken as such when it has the wrong number of
/// fields, or when a line it swallowed looks like a row of its own (it holds as many field
/// separators as a row has); a note that runs over lines in a quoted cell is not. The answer is
/// one error per line it covers, so that no row of the file disappears; the error of each
/// swallowed line names the id it seems to start with.
pub(crate) fn runaway(
    record: &csv::StringRecord,
    width: usize,
    id_at: Option<usize>,
) -> Option<Vec<RecordError>> {
    if !record.as_slice().contains('\n') {
        return None;
    }
    let text = record.iter().collect::<Vec<_>>().join(",");
    let mut lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    // A quote that ran to the end of the file took the last line break with it.
    while lines.len() > 1 && lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let looks_like_row = lines
        .iter()
        .skip(1)
        .any(|l| l.matches(',').count() + 1 >= width.max(2));
    if record.len() == width && !looks_like_row {
        return None;
    }
    let start = record.position().map_or(0, |p| p.line()) as usize;
    let end = start + lines.len() - 1;
    let mut errors = vec![RecordError::new(
        "record.csv_quote",
        format!(
            "a quoted cell opened on line {start} runs to line {end}, over {} line(s) that \
             look like rows of their own; they could not be read — check the quotes on line \
             {start}",
            lines.len() - 1
        ),
    )];
    for (k, line) in lines.iter().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut e = RecordError::new(
            "record.csv_quote",
            format!(
                "line {} lies inside a quoted cell opened on line {start} and could not be read",
                start + k
            ),
        );
        let id = id_at
            .and_then(|i| line.split(',').nth(i))
            .map(str::trim)
            .filter(|id| !id.is_empty() && !id.contains('"'));
        e.id = id.map(|id| crate::excerpt(id, 40));
        errors.push(e);
    }
    Some(errors)
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
    limits: &RecordLimits,
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
            Ok(true) if csv.record.as_slice().contains('\n') => {
                if let Some(errors) = runaway(&csv.record, width, csv.id_at) {
                    for e in errors {
                        for keep in kept.iter_mut() {
                            keep.push(None);
                        }
                        for labels in [&mut ids, &mut names] {
                            if !labels.is_empty() {
                                labels.push(Cell::Missing);
                            }
                        }
                        for raw in slots.iter_mut() {
                            match raw {
                                Raw::Absent => {}
                                Raw::Numbers { values, .. } => values.push(f64::NAN),
                                Raw::Cells(cells) => cells.push(Cell::Missing),
                            }
                        }
                        failed.push((len, e));
                        len += 1;
                    }
                    continue;
                }
                (csv.record.len() != width).then(|| wrong_width(&csv.record, width))
            }
            Ok(true) if csv.record.len() == width => None,
            Ok(true) => Some(wrong_width(&csv.record, width)),
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
        // The record limits, in the order `read_csv` checks them: the number of fields before
        // the width, the names and the cells after it.
        let error = match limits.check_fields(csv.record.len()) {
            Err(e) => Some(e),
            Ok(()) => error.or_else(|| {
                let mut e = csv
                    .header_error
                    .clone()
                    .or_else(|| text_error(&csv.record, &csv.header, limits))?;
                // The id of a row too large to read still names it.
                e.id = csv
                    .id_at
                    .and_then(|i| csv.record.get(i))
                    .map(|id| crate::excerpt(trim(id), 40))
                    .filter(|id| !id.is_empty());
                Some(e)
            }),
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

/// The first cell of a CSV row with more characters than the limits allow, as its error. The
/// row's bytes are looked at only when they exceed the bound, so short rows cost one comparison.
fn text_error(
    record: &csv::StringRecord,
    header: &[String],
    limits: &RecordLimits,
) -> Option<RecordError> {
    if record.as_slice().len() <= limits.max_text {
        return None;
    }
    record.iter().zip(header).find_map(|(text, name)| {
        limits
            .check_text(trim(text))
            .err()
            .map(|e| e.column(crate::excerpt(name, 40)))
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
            // `+ 0.0`: -0 is read as 0.
            return Some(if negative { -x } else { x } + 0.0);
        }
    }
    // Anything else by the documented rule; a value it rejects is judged again by the batch,
    // which writes the error.
    match crate::number::parse_text(text) {
        Ok(x) => Some(x.unwrap_or(f64::NAN)),
        Err(_) => None,
    }
}

/// Some rows of a file, read but not yet checked; see [`RecordReader::next_chunk`].
pub struct Chunk<'r> {
    ruleset: &'r Ruleset,
    start: usize,
    len: usize,
    body: Body,
    kept: Vec<Vec<Option<String>>>,
    /// A sheet's rows: the sheet row (1-based) of each row of the chunk.
    numbers: Option<Vec<usize>>,
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

    /// Where row `row` of the chunk is in the file, as an error's `row` says it (0-based; shown
    /// 1-based): the data row of a CSV or JSON file (header excluded), the sheet row less one of
    /// a workbook, so that "row 7" is row 7 of the sheet as Excel numbers it.
    pub fn file_row(&self, row: usize) -> usize {
        match &self.numbers {
            Some(numbers) => numbers
                .get(row)
                .map_or(self.start + row, |n| n.saturating_sub(1)),
            None => self.start + row,
        }
    }

    /// The error of row `row` of a batch of this chunk, placed at its row of the file
    /// ([`Chunk::file_row`]).
    pub fn file_error(&self, row: usize, error: &RecordError) -> RecordError {
        let mut e = error.clone();
        e.row = Some(self.file_row(row));
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
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;
    use crate::record::read_csv;

    fn ruleset() -> Ruleset {
        Ruleset::from_toml(ruleset_text()).unwrap()
    }

    fn ruleset_text() -> &'static str {
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
"#
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
            let expected = crate::number::parse_text(text)
                .ok()
                .map(|x| x.unwrap_or(f64::NAN));
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
            let expected = text.parse::<f64>().ok().map(|x| x + 0.0);
            assert_eq!(
                parse_number(&text).map(f64::to_bits),
                expected.map(f64::to_bits),
                "{text}"
            );
        }
        assert_eq!(trim(" a "), "a");
        assert_eq!(trim("\u{3000}甲"), "甲");
    }

    /// Every row of a file through the chunked reader, as outcomes.
    fn read_all(bytes: Vec<u8>, format: RecordFormat, options: &ReadOptions) -> Vec<String> {
        let ruleset = ruleset();
        let mut reader =
            RecordReader::with_options(&ruleset, std::io::Cursor::new(bytes), format, "t", options)
                .unwrap()
                .with_chunk_rows(2);
        let mut got = Vec::new();
        while let Some(chunk) = reader.next_chunk().unwrap() {
            got.extend(outcomes(&ruleset, &chunk.batch(), chunk.start()));
        }
        got
    }

    #[test]
    fn bytes_that_are_not_utf8_name_their_line() {
        let ruleset = ruleset();
        // Seen while detecting the encoding: the file cannot be opened.
        let bytes: &'static [u8] = b"id,n,must\nA,1,1\nB,\xff,1\n";
        match RecordReader::new(&ruleset, bytes, RecordFormat::Csv, "t.csv") {
            Err(ReadError::Encoding { line, .. }) => assert_eq!(line, 3),
            other => panic!("{:?}", other.map(|r| r.file().to_string())),
        }
        // Past the first 64 KiB, read as UTF-8: the chunk that holds it fails.
        let mut big = b"id,n,must\n".to_vec();
        for _ in 0..20_000 {
            big.extend(b"A,1,1\n");
        }
        big.extend(b"B,\xff,1\n");
        let mut reader = RecordReader::new(
            &ruleset,
            std::io::Cursor::new(big),
            RecordFormat::Csv,
            "t.csv",
        )
        .unwrap();
        match reader.next_chunk() {
            Err(ReadError::Encoding { line, .. }) => assert_eq!(line, 20_002),
            other => panic!("{:?}", other.map(|c| c.map(|c| c.len()))),
        }
    }

    #[test]
    fn gbk_utf16_and_byte_order_marks_read_like_utf8() {
        let text = "id,name,n,must\nA,甲村,2,1\nB,乙村,x,1\n";
        let expected = read_all(text.into(), RecordFormat::Csv, &ReadOptions::default());
        assert_eq!(expected.len(), 2);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        for bytes in [gbk.to_vec(), utf16] {
            assert_eq!(
                read_all(bytes, RecordFormat::Csv, &ReadOptions::default()),
                expected
            );
        }
        let named = ReadOptions {
            encoding: Some("gb18030".into()),
            ..ReadOptions::default()
        };
        assert_eq!(read_all(gbk.to_vec(), RecordFormat::Csv, &named), expected);
        // JSON and JSON Lines with a UTF-8 byte order mark: every row is read.
        let json = "\u{feff}[{\"id\": \"A\", \"n\": 2, \"must\": 1}, {\"id\": \"B\", \"must\": 1}]";
        assert_eq!(
            read_all(json.into(), RecordFormat::Json, &ReadOptions::default()).len(),
            2
        );
        let lines = "\u{feff}{\"id\": \"A\", \"must\": 1}\n{\"id\": \"B\", \"must\": 1}\n";
        let got = read_all(
            lines.into(),
            RecordFormat::JsonLines,
            &ReadOptions::default(),
        );
        assert_eq!(got, ["Some(\"A\") 0", "Some(\"B\") 0"]);
    }

    #[test]
    fn a_stray_quote_costs_one_error_per_line_and_no_row_is_lost() {
        let text = "id,name,n,must\nA,甲,1,1\nB,\"乙,1,1\nC,丙,2,1\nD,丁,3,1\n";
        for got in [
            read_all(text.into(), RecordFormat::Csv, &ReadOptions::default()),
            outcomes(
                &ruleset(),
                &Batch::from_rows(&ruleset(), &read_csv(text, "t").unwrap()),
                0,
            ),
        ] {
            assert_eq!(got.len(), 4, "{got:?}");
            assert!(got[0].starts_with("Some(\"A\")"));
            assert!(got[1].starts_with("record.csv_quote"), "{got:?}");
            assert!(got[3].starts_with("record.csv_quote") && got[3].contains("Some(3)"));
        }
        // A note over two lines in a quoted cell of an unused column is one row.
        let note = "id,n,must,note\nA,1,1,\"第一行\n第二行\"\nB,2,1,x\n";
        let got = read_all(note.into(), RecordFormat::Csv, &ReadOptions::default());
        assert_eq!(got, ["Some(\"A\") 4", "Some(\"B\") 3"]);
    }

    #[test]
    fn headers_are_matched_and_reported_once() {
        let ruleset = ruleset();
        let open = |text: &'static str| {
            RecordReader::new(&ruleset, text.as_bytes(), RecordFormat::Csv, "t.csv")
        };
        // Capitals in the id and name columns.
        let mut reader = open("ID,Name,nn,must,district\nA,甲,1,1,x\n").unwrap();
        let chunk = reader.next_chunk().unwrap().unwrap();
        assert_eq!(chunk.batch().id(0), Some("A"));
        let notes: Vec<String> = reader.notes().iter().map(ToString::to_string).collect();
        assert!(
            notes[0].contains("`nn`") && notes[0].contains("did you mean `n`"),
            "{notes:?}"
        );
        assert!(notes[1].contains("`district`"), "{notes:?}");
        assert!(notes[2].contains("record.absent_input") && notes[2].contains("`ok`"));
        assert!(notes[2].contains("`n`") && notes[2].contains("`vote`"));
        // A name twice is an error naming it.
        for (text, columns) in [
            ("id,n,n\n", "columns 2 and 3"),
            ("id,ID,n\n", "columns 1 and 2"),
        ] {
            match open(text) {
                Err(ReadError::Syntax {
                    line: 1, message, ..
                }) => {
                    assert!(message.contains(columns), "{message}")
                }
                other => panic!("{text}: {:?}", other.map(|r| r.file().to_string())),
            }
        }
        assert!(read_csv("id,n,n\n", "t").is_err());
    }

    #[cfg(feature = "xlsx")]
    #[test]
    fn a_sheet_headed_by_labels_reads_like_the_csv_headed_by_names() {
        let ruleset = Ruleset::from_toml(
            r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "staff"
type = "count"
label = "监督人员数"
[[input]]
name = "file"
type = "boolean"
label = "是否建立廉洁风险档案"
aliases = ["风险档案"]
[[indicator]]
id = "a"
name = "a"
points = 5
scorer = { type = "per_occurrence", count = "staff", per = 1 }
[[indicator]]
id = "b"
name = "b"
points = 5
scorer = { type = "clause", when = "file" }
"#,
        )
        .unwrap();
        let csv = "id,staff,file\nA,1,是\nB,2,否\nC,x,1\nD,0,maybe\n";
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let rows: [[&str; 3]; 5] = [
            ["ID", "监督人员数", "风险档案"],
            ["A", "1", "√"],
            ["B", "2", "×"],
            ["C", "x", "✓"],
            ["D", "0", "maybe"],
        ];
        for (r, row) in rows.iter().enumerate() {
            // A blank row between B and C: the sheet's row numbers go on counting.
            let at = if r >= 3 { r + 1 } else { r } as u32;
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(x) if r > 0 => ws.write(at, c as u16, x),
                    _ => ws.write(at, c as u16, *v),
                }
                .unwrap();
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        let read = |bytes: Vec<u8>, format| {
            let mut reader = RecordReader::new(&ruleset, std::io::Cursor::new(bytes), format, "t")
                .unwrap()
                .with_chunk_rows(3);
            let mut got = Vec::new();
            while let Some(chunk) = reader.next_chunk().unwrap() {
                let batch = chunk.batch();
                let scores = ruleset.score(&batch);
                for row in 0..batch.len() {
                    got.push(match batch.error(row) {
                        Some(e) => {
                            let e = chunk.file_error(row, e);
                            format!("{} {:?} row {}", e.code, e.id, e.row.unwrap() + 1)
                        }
                        None => format!("{:?} {}", batch.id(row), scores.totals()[row]),
                    });
                }
            }
            (got, reader.notes().len())
        };
        let (from_csv, csv_notes) = read(csv.as_bytes().to_vec(), RecordFormat::Csv);
        let (from_sheet, sheet_notes) = read(bytes, RecordFormat::Workbook);
        assert_eq!(
            from_csv,
            [
                "Some(\"A\") 9",
                "Some(\"B\") 3",
                "record.not_a_number Some(\"C\") row 3",
                "record.not_a_boolean Some(\"D\") row 4"
            ]
        );
        assert_eq!((csv_notes, sheet_notes), (0, 0));
        // The same outcomes, at the rows Excel shows (header on row 1, row 4 blank).
        let expected: Vec<String> = from_csv
            .iter()
            .map(|o| o.replace("row 3", "row 5").replace("row 4", "row 6"))
            .collect();
        assert_eq!(from_sheet, expected);
        // Two headers of one input: the file is refused, naming both.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["id", "staff", "监督人员数"].iter().enumerate() {
            ws.write(0, c as u16, *h).unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        match RecordReader::new(
            &ruleset,
            std::io::Cursor::new(bytes),
            RecordFormat::Workbook,
            "t",
        ) {
            Err(ReadError::Syntax { line, message, .. }) => {
                assert_eq!(line, 1);
                assert!(message.contains("columns 2 and 3"), "{message}");
            }
            other => panic!("{:?}", other.map(|r| r.file().to_string())),
        }
    }

    #[test]
    fn rows_beyond_the_record_limits_are_errors_and_the_others_score() {
        let ruleset = ruleset();
        let long = "长".repeat(100_000);
        let csv = format!("id,n,must,note\nA,1,1,x\nB,2,1,{long}\nC,3,1,\n");
        let jsonl = format!(
            "{{\"id\":\"A\",\"n\":1,\"must\":1}}\n{{\"id\":\"B\",\"n\":2,\"must\":1,\"note\":\"{long}\"}}\n\
             {{\"id\":\"C\",\"n\":3,\"must\":1}}\n"
        );
        let json = format!(
            "[{{\"id\":\"A\",\"n\":1,\"must\":1}},{{\"id\":\"B\",\"n\":2,\"must\":1,\"note\":\"{long}\"}},\
             {{\"id\":\"C\",\"n\":3,\"must\":1}}]"
        );
        for (text, format) in [
            (csv, RecordFormat::Csv),
            (jsonl, RecordFormat::JsonLines),
            (json, RecordFormat::Json),
        ] {
            let got = read_all(text.into_bytes(), format, &ReadOptions::default());
            assert_eq!(
                got,
                [
                    "Some(\"A\") 4",
                    "record.text_too_long Some(\"note\") Some(1) Some(\"B\")",
                    "Some(\"C\") 2"
                ],
                "{format:?}"
            );
        }
        // The message quotes a bounded excerpt and says how long the cell is.
        let rows = read_csv(&format!("id,note\nB,{long}\n"), "t.csv").unwrap();
        let e = rows[0].as_ref().unwrap_err();
        assert!(
            e.message.contains("100000 characters")
                && e.message.contains("65536")
                && e.message.len() < 300,
            "{}",
            e.message
        );
        // Lower limits: four fields are too many, as in `read_csv_limited`; a service may also
        // allow longer cells.
        let options = ReadOptions {
            limits: RecordLimits::new(3, 200_000),
            ..ReadOptions::default()
        };
        let text = format!("id,n,must,note\nA,1,1,x\nB,2,1,{long}\n");
        let got = read_all(text.clone().into_bytes(), RecordFormat::Csv, &options);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|o| o.starts_with("record.too_many_fields")));
        let whole = crate::record::read_csv_limited(&text, "t", &options.limits).unwrap();
        assert_eq!(
            outcomes(&ruleset, &Batch::from_rows(&ruleset, &whole), 0),
            got
        );
        let options = ReadOptions {
            limits: RecordLimits::new(10, 200_000),
            ..ReadOptions::default()
        };
        let got = read_all(text.into_bytes(), RecordFormat::Csv, &options);
        assert_eq!(got, ["Some(\"A\") 4", "Some(\"B\") 3"]);
        // Too many fields in a JSON record, and a long column name in a CSV header (every row).
        let options = ReadOptions {
            limits: RecordLimits::new(2, 5),
            ..ReadOptions::default()
        };
        let got = read_all(
            b"{\"id\":\"A\",\"n\":1}\n{\"id\":\"B\",\"n\":1,\"must\":1}\n".to_vec(),
            RecordFormat::JsonLines,
            &options,
        );
        assert!(got[0].starts_with("record.missing_required"), "{got:?}");
        assert!(got[1].starts_with("record.too_many_fields"), "{got:?}");
        let got = read_all(
            b"id,n,remarks\nA,1,x\n".to_vec(),
            RecordFormat::Csv,
            &ReadOptions {
                limits: RecordLimits::new(10, 5),
                ..ReadOptions::default()
            },
        );
        assert!(got[0].starts_with("record.text_too_long"), "{got:?}");
    }

    #[test]
    fn column_notes_name_near_misses_and_absent_inputs_but_not_kept_columns() {
        let ruleset = ruleset();
        let notes =
            ruleset.column_notes(&["ID", "nn", "must", "district", "yr", "levels"], &["yr"]);
        let text: Vec<String> = notes.iter().map(|n| n.message.clone()).collect();
        assert_eq!(notes.len(), 3, "{text:?}");
        assert!(text[0].contains("`nn`") && text[0].contains("did you mean `n`"));
        assert_eq!(notes[0].column, Some(2));
        assert!(text[1].contains("`levels`") && text[1].contains("`level`"));
        assert_eq!(notes[1].column, Some(6));
        // `district` is far from every input: deliberate in a frame, not noted.
        assert!(text.iter().all(|t| !t.contains("district")));
        assert_eq!(notes[2].code, "record.absent_input");
        assert!(
            text[2].contains("4 input(s)") && text[2].contains("among the columns"),
            "{}",
            text[2]
        );
        // A near miss kept on purpose is not noted; nothing to say about a full frame.
        let kept = ruleset.column_notes(&["nn", "n", "ok", "level", "vote", "must"], &["nn"]);
        assert!(kept.is_empty(), "{kept:?}");
        // Columns that collide are the table's error, not a note.
        assert!(ruleset.column_notes(&["n", "n"], &[]).is_empty());
    }

    #[test]
    fn other_fields_declared_by_the_ruleset_are_not_noted() {
        let text = ruleset_text().replace(
            "scale = 10\n",
            "scale = 10\nother_fields = [\"levels\", \"Region\"]\n",
        );
        let declared = Ruleset::from_toml(&text).unwrap();
        assert_eq!(declared.metadata().other_fields, ["levels", "Region"]);
        let fields = [
            "n", "ok", "level", "vote", "must", "levels", "region", "Year",
        ];
        let frame = declared.column_notes(&fields, &[] as &[&str]);
        assert!(frame.is_empty(), "{frame:?}");
        let header: BTreeSet<String> = fields.iter().map(|f| f.to_string()).collect();
        let file = file_notes(&declared, &header, &[], "d.csv", Some(1));
        // Only the undeclared column is left to mention.
        assert_eq!(file.len(), 1, "{file:?}");
        assert!(file[0].message.contains("`Year`") && !file[0].message.contains("levels"));
        // Without the declaration `levels` is a near miss of `level`.
        let plain = ruleset().column_notes(&fields, &[] as &[&str]);
        assert!(
            plain.iter().any(|n| n.message.contains("`levels`")),
            "{plain:?}"
        );
    }
}
