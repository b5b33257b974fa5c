//! Arrow in and out through the Arrow C data interface: a pyarrow Table or RecordBatch (or any
//! object with `__arrow_c_array__` / `__arrow_c_stream__`, e.g. a polars frame's `to_arrow()`)
//! is imported without a Python object per cell; a float64 column of one chunk without nulls is
//! scored in place. Results go back as one Arrow record batch.

use crate::frame::{Codes, ColumnIn, Inputs, Output, ALERT_LEVELS, STATUSES};
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int8Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array,
    Int8Array, RecordBatch, StringArray, UInt8Array,
};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use qinglian::{Cell, InputType, RecordError, Ruleset};
use std::sync::Arc;

/// An imported Arrow table: its record batches (chunks) and schema.
pub(crate) struct ArrowTable {
    pub batches: Vec<RecordBatch>,
    pub schema: SchemaRef,
    pub len: usize,
}

/// What kind of values a column holds, for the core.
enum Kind {
    Numbers,
    Bools,
    Texts,
    /// Answer counts of a survey: a struct of numbers per row, or a map from answer to count.
    Counts,
    Nulls,
    Other,
}

fn kind_of(dt: &DataType) -> Kind {
    match dt {
        DataType::Dictionary(_, values) => kind_of(values),
        DataType::Null => Kind::Nulls,
        DataType::Boolean => Kind::Bools,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Texts,
        DataType::Struct(_) | DataType::Map(_, _) => Kind::Counts,
        dt if dt.is_numeric() => Kind::Numbers,
        _ => Kind::Other,
    }
}

fn cast(array: &ArrayRef, to: &DataType) -> Result<ArrayRef, String> {
    arrow_cast::cast(array, to).map_err(|e| format!("cannot read an Arrow column: {e}"))
}

impl ArrowTable {
    pub fn new(batches: Vec<RecordBatch>, schema: SchemaRef) -> ArrowTable {
        let len = batches.iter().map(RecordBatch::num_rows).sum();
        ArrowTable {
            batches,
            schema,
            len,
        }
    }

    /// The chunks of a column, or `None` if the table has no such column.
    fn chunks(&self, name: &str) -> Option<Vec<&ArrayRef>> {
        let i = self.schema.index_of(name).ok()?;
        self.batches.iter().map(|b| b.columns().get(i)).collect()
    }

    /// The name of the column holding the unit id (its field in any capitals, or an alias).
    pub fn id_column(&self, ruleset: &Ruleset) -> Result<Option<String>, String> {
        let names: Vec<&String> = self.schema.fields().iter().map(|f| f.name()).collect();
        let found = qinglian::columns::match_columns(ruleset, &names)?;
        Ok(found.id.and_then(|i| names.get(i)).map(|n| n.to_string()))
    }

    /// The input columns named like the ruleset's inputs, in declaration order.
    pub fn inputs(&self, ruleset: &Ruleset) -> Result<Inputs<'_>, String> {
        let mut inputs = Inputs::new(self.len);
        // Columns headed by an input's name, label or alias.
        let names: Vec<&String> = self.schema.fields().iter().map(|f| f.name()).collect();
        let found = qinglian::columns::match_columns(ruleset, &names)?;
        let id_column = found.id.and_then(|i| names.get(i));
        for (input, at) in ruleset.inputs().iter().zip(found.inputs) {
            let Some(column) = at.and_then(|i| names.get(i)) else {
                continue;
            };
            let Some(chunks) = self.chunks(column) else {
                continue;
            };
            let Some(first) = self.schema.field_with_name(column).ok() else {
                continue;
            };
            let column =
                match kind_of(first.data_type()) {
                    Kind::Nulls => continue,
                    Kind::Numbers => {
                        let single = match chunks.as_slice() {
                            [one] if one.null_count() == 0 => {
                                one.as_primitive_opt::<Float64Type>().map(|a| a.values())
                            }
                            _ => None,
                        };
                        match single {
                            Some(values) => ColumnIn::Borrowed(values),
                            None => ColumnIn::Numbers(numbers(&chunks)?),
                        }
                    }
                    Kind::Bools => {
                        let values = chunks
                            .iter()
                            .filter_map(|a| a.as_boolean_opt())
                            .flat_map(BooleanArray::iter);
                        if input.kind == InputType::Boolean {
                            ColumnIn::Numbers(
                                values
                                    .map(|b| b.map_or(f64::NAN, |b| f64::from(u8::from(b))))
                                    .collect(),
                            )
                        } else {
                            ColumnIn::Cells(
                                values
                                    .map(|b| b.map_or(Cell::Missing, Cell::Bool))
                                    .collect(),
                            )
                        }
                    }
                    Kind::Texts => {
                        let mut cells = Vec::with_capacity(self.len);
                        for a in &chunks {
                            let utf8 = cast(a, &DataType::Utf8)?;
                            if let Some(s) = utf8.as_string_opt::<i32>() {
                                cells.extend(s.iter().map(|v| {
                                    v.map_or(Cell::Missing, |t| Cell::Text(t.to_string()))
                                }));
                            }
                        }
                        ColumnIn::Cells(cells)
                    }
                    Kind::Counts => {
                        let mut cells = Vec::with_capacity(self.len);
                        let mut row = 0;
                        for a in &chunks {
                            for i in 0..a.len() {
                                match counts(a, i) {
                                    Ok(cell) => cells.push(cell),
                                    Err(message) => {
                                        cells.push(Cell::Missing);
                                        let message = format!(
                                            "{message} is not a valid {} value",
                                            input.kind.name()
                                        );
                                        inputs.bad.push((
                                            row + i,
                                            RecordError::new("record.wrong_type", message)
                                                .column(&input.name),
                                        ));
                                    }
                                }
                            }
                            row += a.len();
                        }
                        ColumnIn::Cells(cells)
                    }
                    Kind::Other => {
                        let mut row = 0;
                        for a in &chunks {
                            for i in 0..a.len() {
                                if a.is_valid(i) {
                                    let message = format!(
                                        "a value of Arrow type `{}` is not a valid {} value",
                                        a.data_type(),
                                        input.kind.name()
                                    );
                                    inputs.bad.push((
                                        row + i,
                                        RecordError::new("record.wrong_type", message)
                                            .column(&input.name),
                                    ));
                                }
                            }
                            row += a.len();
                        }
                        ColumnIn::Cells(vec![Cell::Missing; self.len])
                    }
                };
            inputs.push(&input.name, column)?;
        }
        inputs.bad.sort_by_key(|(row, _)| *row);
        if let Some(id_column) = id_column {
            inputs.units = self.reference_rows(ruleset, id_column);
        }
        Ok(inputs)
    }

    /// The rows whose id (in column `name`) is one of the ruleset's reference units.
    fn reference_rows(&self, ruleset: &Ruleset, name: &str) -> Vec<(usize, String)> {
        let units = ruleset.reference_units();
        if units.is_empty() {
            return Vec::new();
        }
        let is_unit = |id: &str| units.contains(&id);
        let chunks: Vec<ArrayRef> = self
            .chunks(name)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect();
        // Text ids compared in place; other ids (numbers) as the core writes them, row by row.
        if let Ok(decoded) = decode_text(&chunks) {
            if let Ok(ids) = texts(&decoded) {
                return ids
                    .iter()
                    .enumerate()
                    .filter_map(|(row, id)| {
                        id.filter(|id| is_unit(id)).map(|id| (row, id.to_string()))
                    })
                    .collect();
            }
        }
        (0..self.len)
            .filter_map(|row| {
                self.label(name, row)
                    .filter(|id| is_unit(id))
                    .map(|id| (row, id))
            })
            .collect()
    }

    /// The label of a row in column `name` (for the rows in error), as the core writes ids.
    pub fn label(&self, name: &str, row: usize) -> Option<String> {
        let chunks = self.chunks(name)?;
        let mut at = row;
        for a in chunks {
            if at < a.len() {
                if !a.is_valid(at) {
                    return None;
                }
                let one = a.slice(at, 1);
                return match kind_of(a.data_type()) {
                    Kind::Numbers => cast(&one, &DataType::Float64)
                        .ok()?
                        .as_primitive_opt::<Float64Type>()
                        .and_then(|f| f.values().first().copied())
                        .map(qinglian::format_number),
                    Kind::Bools => one.as_boolean_opt().map(|b| b.value(0).to_string()),
                    _ => cast(&one, &DataType::Utf8)
                        .ok()?
                        .as_string_opt::<i32>()
                        .filter(|s| !s.is_empty())
                        .map(|s| s.value(0).to_string()),
                };
            }
            at -= a.len();
        }
        None
    }
}

/// A number of one row of an array (of any numeric type), `None` if null or not numeric.
fn number_at(array: &ArrayRef, row: usize) -> Result<Option<f64>, String> {
    if !array.is_valid(row) {
        return Ok(None);
    }
    if !array.data_type().is_numeric() {
        return Err(format!("a count of Arrow type `{}`", array.data_type()));
    }
    let one = cast(&array.slice(row, 1), &DataType::Float64)?;
    Ok(one
        .as_primitive_opt::<Float64Type>()
        .and_then(|f| f.values().first().copied()))
}

/// The answer counts of one row of a struct (one field per answer) or map column, as a survey
/// cell; a null row is missing.
fn counts(array: &ArrayRef, row: usize) -> Result<Cell, String> {
    if !array.is_valid(row) {
        return Ok(Cell::Missing);
    }
    let mut out = std::collections::BTreeMap::new();
    if let Some(s) = array.as_struct_opt() {
        for (name, column) in s.column_names().into_iter().zip(s.columns()) {
            if let Some(x) = number_at(column, row)? {
                out.insert(name.to_string(), x);
            }
        }
    } else if let Some(m) = array.as_map_opt() {
        let entries = m.value(row);
        let keys = cast(entries.column(0), &DataType::Utf8)?;
        let keys = keys
            .as_string_opt::<i32>()
            .ok_or("answers that are not text")?;
        for (i, key) in keys.iter().enumerate() {
            if let (Some(key), Some(x)) = (key, number_at(entries.column(1), i)?) {
                out.insert(key.to_string(), x);
            }
        }
    }
    Ok(Cell::Counts(out))
}

/// Numbers of the chunks of a column, nulls as `NaN`.
fn numbers(chunks: &[&ArrayRef]) -> Result<Vec<f64>, String> {
    let mut out = Vec::with_capacity(chunks.iter().map(|a| a.len()).sum());
    for a in chunks {
        let f = cast(a, &DataType::Float64)?;
        let Some(f) = f.as_primitive_opt::<Float64Type>() else {
            continue;
        };
        match f.nulls() {
            None => out.extend_from_slice(f.values()),
            Some(nulls) => {
                out.extend(
                    f.values()
                        .iter()
                        .zip(nulls.iter())
                        .map(|(&v, ok)| if ok { v } else { f64::NAN }),
                )
            }
        }
    }
    Ok(out)
}

fn floats(values: Vec<f64>, nulls: Option<NullBuffer>) -> ArrayRef {
    Arc::new(Float64Array::new(ScalarBuffer::from(values), nulls))
}

/// Nulls where the value is `NaN` (none if there is none).
fn nan_nulls(values: &[f64]) -> Option<NullBuffer> {
    values
        .iter()
        .any(|x| x.is_nan())
        .then(|| NullBuffer::from(values.iter().map(|x| !x.is_nan()).collect::<Vec<bool>>()))
}

fn categorical(codes: &Codes, len: usize, categories: &[&str]) -> Result<ArrayRef, String> {
    let values: ArrayRef = Arc::new(StringArray::from(categories.to_vec()));
    let valid: Vec<bool> = (0..len).map(|r| codes.get(r).is_some()).collect();
    let nulls = valid.iter().any(|v| !v).then(|| NullBuffer::from(valid));
    let wrap = |e: arrow_schema::ArrowError| e.to_string();
    Ok(match codes {
        Codes::I8(v) => {
            let keys = Int8Array::new(v.iter().map(|&c| c.max(0)).collect(), nulls);
            Arc::new(DictionaryArray::<Int8Type>::try_new(keys, values).map_err(wrap)?)
        }
        Codes::I32(v) => {
            let keys = Int32Array::new(v.iter().map(|&c| c.max(0)).collect(), nulls);
            Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).map_err(wrap)?)
        }
    })
}

fn hits(len: usize, hits: &[(usize, Vec<usize>)], ids: &[&str]) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    let mut next = hits.iter().peekable();
    for row in 0..len {
        if let Some((_, items)) = next.next_if(|(r, _)| *r == row) {
            for &i in items {
                if let Some(id) = ids.get(i) {
                    b.values().append_value(id);
                }
            }
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

/// The result columns as one Arrow record batch. Rows that could not be scored have nulls in
/// their number columns; an indicator not applicable or missing is null.
pub(crate) fn to_arrow(ruleset: &Ruleset, out: Output) -> Result<RecordBatch, String> {
    let len = out.len;
    let mut fields: Vec<Field> = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    let mut add = |name: &str, array: ArrayRef, ordered: bool| {
        let field = Field::new(name, array.data_type().clone(), true);
        fields.push(if ordered {
            field.with_dict_is_ordered(true)
        } else {
            field
        });
        columns.push(array);
    };
    let scored = (!out.scored.iter().all(|&s| s)).then(|| NullBuffer::from(out.scored.clone()));
    let grades: Vec<&str> = ruleset.grade_names().into_iter().rev().collect();
    let tiers: Vec<&str> = ruleset.quota_names().into_iter().rev().collect();
    let veto_ids = ruleset.veto_ids();
    let alert_ids: Vec<&str> = ruleset.alert_ids().into_iter().map(|(id, _)| id).collect();

    add("score", floats(out.score, scored.clone()), false);
    add("max_score", floats(out.max_score, scored.clone()), false);
    add("base_score", floats(out.base_score, scored.clone()), false);
    add(
        "bonus_score",
        floats(out.bonus_score, scored.clone()),
        false,
    );
    add("grade", categorical(&out.grade, len, &grades)?, true);
    let rank_nulls = out
        .rank
        .contains(&0)
        .then(|| NullBuffer::from(out.rank.iter().map(|&r| r != 0).collect::<Vec<bool>>()));
    add(
        "rank",
        Arc::new(Int64Array::new(ScalarBuffer::from(out.rank), rank_nulls)),
        false,
    );
    let pct_nulls = nan_nulls(&out.percentile);
    add("percentile", floats(out.percentile, pct_nulls), false);
    add("tier", categorical(&out.tier, len, &tiers)?, true);
    add("vetoed", Arc::new(BooleanArray::from(out.vetoed)), false);
    add("vetoes", hits(len, &out.vetoes, &veto_ids), false);
    add("alerts", hits(len, &out.alerts, &alert_ids), false);
    add(
        "alert_level",
        categorical(&out.alert_level, len, &ALERT_LEVELS)?,
        true,
    );
    let paths = ruleset.indicator_paths();
    for (path, values) in paths.iter().zip(out.indicators) {
        let nulls = nan_nulls(&values);
        add(path, floats(values, nulls), false);
    }
    if let Some(statuses) = out.statuses {
        for (path, codes) in paths.iter().zip(statuses) {
            let codes = Codes::I8(codes);
            add(
                &format!("{path}:status"),
                categorical(&codes, len, &STATUSES)?,
                false,
            );
        }
    }
    for (path, flags) in out.treated.unwrap_or_default() {
        add(
            &format!("{path}:treated"),
            Arc::new(UInt8Array::from(flags)),
            false,
        );
    }
    let mut error = StringBuilder::new();
    let mut code = StringBuilder::new();
    let mut next = out.errors.iter().peekable();
    for row in 0..len {
        match next.next_if(|(r, _)| *r == row) {
            Some((_, e)) => {
                error.append_value(e.to_string());
                code.append_value(e.code);
            }
            None => {
                error.append_null();
                code.append_null();
            }
        }
    }
    add("error", Arc::new(error.finish()), false);
    add("error_code", Arc::new(code.finish()), false);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| e.to_string())
}

/// The chunks of an id column with dictionaries decoded, so that every chunk's strings can be
/// borrowed ([`texts`]).
fn decode_text(chunks: &[ArrayRef]) -> Result<Vec<ArrayRef>, String> {
    chunks
        .iter()
        .map(|chunk| match chunk.data_type() {
            DataType::Dictionary(..) => cast(chunk, &DataType::Utf8),
            _ => Ok(chunk.clone()),
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

/// Each row's id of a decoded text column (`None` for a null); `Err` when it is not text.
fn texts(decoded: &[ArrayRef]) -> Result<Vec<Option<&str>>, String> {
    let mut ids: Vec<Option<&str>> = Vec::with_capacity(decoded.iter().map(|c| c.len()).sum());
    for chunk in decoded {
        match chunk.data_type() {
            DataType::Utf8 => ids.extend(chunk.as_string::<i32>().iter()),
            DataType::LargeUtf8 => ids.extend(chunk.as_string::<i64>().iter()),
            DataType::Utf8View => ids.extend(chunk.as_string_view().iter()),
            other => return Err(format!("ids of type {other} are not text")),
        }
    }
    Ok(ids)
}

/// (row, first row, id) for each row whose unit id an earlier row had, over the chunks of an id
/// column of text (any Arrow string type, or a dictionary of strings). Nulls and empty strings
/// are no id. `Err` for other types: the caller checks those another way.
pub(crate) fn repeated_ids(chunks: &[ArrayRef]) -> Result<Vec<(usize, usize, String)>, String> {
    let decoded = decode_text(chunks)?;
    let ids = texts(&decoded)?;
    Ok(qinglian::repeated_rows(&ids)
        .into_iter()
        .map(|(row, first)| {
            let id = ids.get(row).copied().flatten().unwrap_or_default();
            (row, first, id.to_string())
        })
        .collect())
}
