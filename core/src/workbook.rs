//! Records from a sheet of an Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) or OpenDocument
//! (`.ods`) workbook, read with `calamine`.
//!
//! Cells keep their types: a number is a number, a TRUE/FALSE cell a boolean, text is text (and
//! goes through the same rules as a CSV cell: `是`/`否`, `√`/`×`, `1,234`, `N/A`). A date is
//! text `YYYY-MM-DD` (with `HH:MM:SS` when it has a time of day): no input is a date, so a date
//! in a number column is an error that shows the date, not its serial number; a duration is its
//! number of days. An error cell (`#DIV/0!`, `#N/A`) is its text, so a number or boolean input
//! holding one is an error of its row that quotes it.
//!
//! The header is the first row with at least two filled cells (a title merged across the
//! columns above it is skipped); fully empty rows are skipped. Every record keeps its row
//! number of the sheet, so errors name the row the analyst sees in Excel.

use crate::error::{ReadError, RecordError};
#[cfg(feature = "xlsx")]
use crate::record::Cell;
use crate::record::Record;

/// The rows of one sheet.
pub(crate) struct Sheet {
    /// The header's cells, trimmed (empty where a column has no header).
    pub header: Vec<String>,
    /// The sheet row (1-based) of the header.
    pub header_row: usize,
    /// One record per data row that is not empty.
    pub rows: Vec<Result<Record, RecordError>>,
    /// The sheet row (1-based) of each record.
    pub numbers: Vec<usize>,
}

/// Reads sheet `sheet` (by name; the first sheet when `None`) of a workbook's bytes.
#[cfg(feature = "xlsx")]
pub(crate) fn read_sheet(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    file: &str,
    limits: &crate::record::RecordLimits,
) -> Result<Sheet, ReadError> {
    use calamine::{Data, Reader};
    let fail = |message: String| ReadError::Workbook {
        file: file.to_string(),
        message,
    };
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
            fail(format!(
                "not an Excel or OpenDocument workbook that can be read ({})",
                crate::excerpt(&e.to_string(), 200)
            ))
        })?;
    let names = book.sheet_names();
    let name = match sheet {
        None => names
            .first()
            .cloned()
            .ok_or_else(|| fail("the workbook has no sheet".into()))?,
        Some(wanted) => names
            .iter()
            .find(|n| n.trim() == wanted.trim())
            .cloned()
            .ok_or_else(|| {
                fail(format!(
                    "no sheet is named `{}`; the sheets are: {}",
                    crate::excerpt(wanted, 40),
                    crate::excerpt(&names.join(", "), 200)
                ))
            })?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        fail(format!(
            "the sheet `{name}` cannot be read ({})",
            crate::excerpt(&e.to_string(), 200)
        ))
    })?;
    // Rows of the used area, from the first filled row of the sheet.
    let top = range.start().map_or(0, |(row, _)| row as usize);
    let filled = |row: &[Data]| row.iter().filter(|c| !is_blank(c)).count();
    let rows: Vec<&[Data]> = range.rows().collect();
    let at = rows
        .iter()
        .position(|r| filled(r) >= 2)
        .or_else(|| rows.iter().position(|r| filled(r) >= 1));
    let Some(at) = at else {
        return Ok(Sheet {
            header: Vec::new(),
            header_row: top + 1,
            rows: Vec::new(),
            numbers: Vec::new(),
        });
    };
    let header: Vec<String> = rows
        .get(at)
        .map_or(&[][..], |r| *r)
        .iter()
        .map(|c| match cell(c) {
            Cell::Text(t) => t,
            Cell::Number(x) => crate::explain::num(x),
            Cell::Bool(b) => b.to_string(),
            _ => String::new(),
        })
        .collect();
    let header_row = top + at + 1;
    for (i, h) in header.iter().enumerate() {
        if let Some(j) = header.iter().take(i).position(|x| x == h && !x.is_empty()) {
            return Err(ReadError::Syntax {
                file: format!("{file} [{name}]"),
                line: header_row,
                message: format!(
                    "the column `{}` appears twice in the header (columns {} and {}); rename or \
                     remove one",
                    crate::excerpt(h, 40),
                    j + 1,
                    i + 1
                ),
            });
        }
    }
    let mut sheet = Sheet {
        header,
        header_row,
        rows: Vec::new(),
        numbers: Vec::new(),
    };
    for (k, row) in rows.iter().enumerate().skip(at + 1) {
        if filled(row) == 0 {
            continue;
        }
        let fields = sheet
            .header
            .iter()
            .zip(row.iter())
            .filter(|(h, _)| !h.is_empty())
            .map(|(h, c)| (h.clone(), cell(c)))
            .collect();
        let at = sheet.rows.len();
        sheet.rows.push(
            limits
                .keep(Record { fields })
                .map_err(|e| e.at_row(at, None)),
        );
        sheet.numbers.push(top + k + 1);
    }
    Ok(sheet)
}

/// Without the `xlsx` feature (the WebAssembly build), workbooks are not read.
#[cfg(not(feature = "xlsx"))]
pub(crate) fn read_sheet(
    _bytes: Vec<u8>,
    _sheet: Option<&str>,
    file: &str,
    _limits: &crate::record::RecordLimits,
) -> Result<Sheet, ReadError> {
    Err(ReadError::Workbook {
        file: file.to_string(),
        message: "this build does not read workbooks; save the sheet as CSV (UTF-8)".into(),
    })
}

#[cfg(feature = "xlsx")]
fn is_blank(c: &calamine::Data) -> bool {
    match c {
        calamine::Data::Empty => true,
        calamine::Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as a record value (see the module docs).
#[cfg(feature = "xlsx")]
fn cell(c: &calamine::Data) -> Cell {
    use calamine::Data;
    match c {
        Data::Empty => Cell::Missing,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = s.trim();
            if t.is_empty() {
                Cell::Missing
            } else {
                Cell::Text(t.to_string())
            }
        }
        // Whole numbers beyond 2^53 are refused by the batch as too large, as in CSV.
        #[allow(clippy::cast_precision_loss)]
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(x) => Cell::Number(*x),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) if d.is_duration() => Cell::Number(d.as_f64()),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                Cell::Text(format!("{y:04}-{mo:02}-{day:02}"))
            } else {
                Cell::Text(format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}"))
            }
        }
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

#[cfg(all(test, feature = "xlsx"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::record::RecordLimits;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn book() -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("自评").unwrap();
        ws.merge_range(0, 0, 0, 3, "2024年企业清廉自评表", &Format::new())
            .unwrap();
        for (c, h) in ["编号", "单位名称", "监督人员数", "备注"]
            .iter()
            .enumerate()
        {
            ws.write(1, c as u16, *h).unwrap();
        }
        ws.write(2, 0, "E01").unwrap();
        ws.write(2, 1, " 甲公司 ").unwrap();
        ws.write(2, 2, 3).unwrap();
        ws.write(2, 3, true).unwrap();
        // Row 4 of the sheet is empty.
        ws.write(4, 0, 1002).unwrap();
        ws.write_datetime_with_format(
            4,
            2,
            ExcelDateTime::from_ymd(2024, 3, 5).unwrap(),
            &Format::new().set_num_format("yyyy-mm-dd"),
        )
        .unwrap();
        ws.write_formula(4, 3, "=1/0").unwrap();
        wb.add_worksheet().set_name("说明").unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_keep_their_types_and_rows_their_sheet_numbers() {
        let sheet = read_sheet(book(), None, "t.xlsx", &RecordLimits::default()).unwrap();
        assert_eq!(sheet.header, ["编号", "单位名称", "监督人员数", "备注"]);
        assert_eq!(sheet.header_row, 2);
        assert_eq!(sheet.numbers, [3, 5]);
        let a = sheet.rows[0].as_ref().unwrap();
        assert_eq!(a.get("单位名称"), Some(&Cell::Text("甲公司".into())));
        assert_eq!(a.get("监督人员数"), Some(&Cell::Number(3.0)));
        assert_eq!(a.get("备注"), Some(&Cell::Bool(true)));
        let b = sheet.rows[1].as_ref().unwrap();
        assert_eq!(b.get("编号"), Some(&Cell::Number(1002.0)));
        assert_eq!(b.get("监督人员数"), Some(&Cell::Text("2024-03-05".into())));
        assert_eq!(b.get("单位名称"), Some(&Cell::Missing));
        // A formula never computed has no cached value: empty, or its error when it has one.
        assert!(matches!(
            b.get("备注"),
            Some(Cell::Missing | Cell::Text(_) | Cell::Number(_))
        ));
    }

    #[test]
    fn sheets_are_chosen_by_name() {
        assert_eq!(
            read_sheet(book(), Some("说明"), "t.xlsx", &RecordLimits::default())
                .unwrap()
                .rows
                .len(),
            0
        );
        let e = read_sheet(book(), Some("汇总"), "t.xlsx", &RecordLimits::default())
            .err()
            .unwrap();
        assert!(e.to_string().contains("`汇总`") && e.to_string().contains("自评, 说明"));
        let e = read_sheet(b"id,n\n".to_vec(), None, "t.xlsx", &RecordLimits::default())
            .err()
            .unwrap();
        assert!(matches!(e, ReadError::Workbook { .. }), "{e}");
    }

    #[test]
    fn rows_beyond_the_record_limits_are_errors_in_their_place() {
        // Four fields a row, cells of at most 5 characters: row 1 has `甲公司` (3), row 2 none
        // too long; with 3 fields allowed both fail, with 2 characters only the first.
        let narrow = read_sheet(book(), None, "t.xlsx", &RecordLimits::new(3, 100)).unwrap();
        let codes: Vec<_> = narrow
            .rows
            .iter()
            .map(|r| r.as_ref().err().map(|e| (e.code, e.row)))
            .collect();
        assert_eq!(
            codes,
            [
                Some(("record.too_many_fields", Some(0))),
                Some(("record.too_many_fields", Some(1)))
            ]
        );
        let short = read_sheet(book(), None, "t.xlsx", &RecordLimits::new(10, 2)).unwrap();
        let e = short.rows[0].as_ref().unwrap_err();
        assert_eq!(e.code, "record.text_too_long");
        // Field names are checked first (`监督人员数` is 5 characters), in every row.
        assert!(short.rows[1].is_err());
        assert_eq!(short.numbers, [3, 5]);
        let roomy = read_sheet(book(), None, "t.xlsx", &RecordLimits::default()).unwrap();
        assert!(roomy.rows.iter().all(Result::is_ok));
    }
}
