//! `ruleset.copeland(data, options)`: Copeland scores at a node of the tree (as
//! `Ruleset::copeland` in Rust and `Ruleset.copeland` in Python), with the same numbers.

use crate::{error_with_code, option, options, set, table, to_records};
use js_sys::{Array, Float64Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

/// Copeland scores at a node (the whole tree when `node` is absent) of records (an array) or a
/// table by column, ranked as one cohort.
pub(crate) fn copeland(
    ruleset: &qinglian::Ruleset,
    data: &JsValue,
    given: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let given = options(&given.unwrap_or(JsValue::UNDEFINED), "copeland", &["node"])?;
    let node = match option(&given, "node") {
        Some(v) => Some(v.as_string().ok_or_else(|| {
            error_with_code("options.invalid", "`node` must be an indicator path")
        })?),
        None => None,
    };
    let result = if Array::is_array(data) {
        let rows = to_records(data);
        ruleset.copeland(&qinglian::Batch::from_rows(ruleset, &rows), node.as_deref())
    } else {
        let built = table::batch_of_columns(ruleset, data)?;
        ruleset.copeland(&built.batch, node.as_deref())
    }
    .map_err(|e| error_with_code("options.invalid", &e.message))?;
    let out: JsValue = Object::new().into();
    set(
        &out,
        "copeland",
        &Float64Array::from(result.scores.as_slice()).into(),
    );
    set(
        &out,
        "rank",
        &Uint32Array::from(result.ranks.as_slice()).into(),
    );
    set(
        &out,
        "dominantPairs",
        &JsValue::from(result.dominant_pairs as f64),
    );
    set(&out, "dominantShare", &JsValue::from(result.dominant_share));
    Ok(out)
}
