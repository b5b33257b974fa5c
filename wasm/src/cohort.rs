//! `Cohort`: a fitted reference cohort, shared by handle with the calls that score against it.

use crate::error_with_code;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// Live cohorts by handle. An options object carries the JS `Cohort`; the scoring call reads
    /// its handle and borrows the cohort from here, so passing a cohort never consumes it.
    static LIVE: RefCell<HashMap<u32, Rc<qinglian::Cohort>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u32> = const { Cell::new(1) };
}

/// A reference cohort (参照群体) fitted with `ruleset.fit(…)`: the sorted totals and the values
/// of each `rank` scorer of its units. Score other units against it with
/// `evaluate(record, { cohort })` or `scoreColumns(columns, { cohort })`; ship it as JSON with
/// `toJson()` and `Cohort.fromJson(text)`.
#[wasm_bindgen]
pub struct Cohort {
    handle: u32,
    inner: Rc<qinglian::Cohort>,
}

impl Drop for Cohort {
    fn drop(&mut self) {
        let handle = self.handle;
        LIVE.with(|live| live.borrow_mut().remove(&handle));
    }
}

impl Cohort {
    pub(crate) fn new(cohort: qinglian::Cohort) -> Cohort {
        let inner = Rc::new(cohort);
        let handle = NEXT.with(|n| {
            let h = n.get();
            n.set(h.wrapping_add(1).max(1));
            h
        });
        LIVE.with(|live| live.borrow_mut().insert(handle, Rc::clone(&inner)));
        Cohort { handle, inner }
    }

    pub(crate) fn inner(&self) -> &qinglian::Cohort {
        &self.inner
    }
}

#[wasm_bindgen]
impl Cohort {
    /// Reads a cohort from its JSON text. Throws an `Error` with code `cohort.invalid` when the
    /// text is not a whole qinglian cohort (damaged, truncated, edited out of order).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Cohort, JsValue> {
        qinglian::Cohort::from_json(text)
            .map(Cohort::new)
            .map_err(|e| cohort_error("cohort.invalid", &e))
    }

    /// The JSON text, to store or to ship to a browser with the ruleset.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Number of reference units (those that could be scored).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.size()
    }

    /// Id of the ruleset it was fitted with.
    #[wasm_bindgen(getter, js_name = rulesetId)]
    pub fn ruleset_id(&self) -> String {
        self.inner.ruleset_id().to_string()
    }

    /// Version of that ruleset.
    #[wasm_bindgen(getter, js_name = rulesetVersion)]
    pub fn ruleset_version(&self) -> String {
        self.inner.ruleset_version().to_string()
    }

    /// The reference totals, ascending.
    #[wasm_bindgen(getter)]
    pub fn totals(&self) -> js_sys::Float64Array {
        js_sys::Float64Array::from(self.inner.totals())
    }

    /// Internal: the handle scoring calls use to find this cohort.
    #[wasm_bindgen(getter, js_name = __handle, skip_typescript)]
    pub fn handle(&self) -> u32 {
        self.handle
    }
}

/// A core cohort error → `Error` with a code.
pub(crate) fn cohort_error(code: &str, error: &qinglian::CohortError) -> JsValue {
    error_with_code(code, &error.message)
}

/// The cohort of a `cohort` option: a live `Cohort`, or its JSON text.
pub(crate) fn from_option(
    value: &JsValue,
    ruleset: &qinglian::Ruleset,
) -> Result<Rc<qinglian::Cohort>, JsValue> {
    let cohort = if let Some(text) = value.as_string() {
        qinglian::Cohort::from_json(&text)
            .map(Rc::new)
            .map_err(|e| cohort_error("cohort.invalid", &e))?
    } else {
        // Reading the handle of a freed cohort throws; anything else has no handle.
        let handle = value
            .is_object()
            .then(|| js_sys::Reflect::get(value, &JsValue::from_str("__handle")))
            .transpose()
            .map_err(|_| {
                error_with_code(
                    "cohort.freed",
                    "the cohort was freed (cohort.free()) before it was used",
                )
            })?
            .and_then(|h| h.as_f64());
        let found = handle.and_then(|h| LIVE.with(|live| live.borrow().get(&(h as u32)).cloned()));
        match found {
            Some(c) => c,
            None if handle.is_some() => {
                return Err(error_with_code(
                    "cohort.freed",
                    "the cohort was freed (cohort.free()) before it was used",
                ))
            }
            None => {
                return Err(error_with_code(
                    "options.invalid",
                    "the `cohort` option must be a Cohort (from ruleset.fit or Cohort.fromJson) or its JSON text",
                ));
            }
        }
    };
    check_ruleset(&cohort, ruleset)?;
    Ok(cohort)
}

/// Whether a cohort belongs to the ruleset (same id), before anything is scored.
pub(crate) fn check_ruleset(
    cohort: &qinglian::Cohort,
    ruleset: &qinglian::Ruleset,
) -> Result<(), JsValue> {
    let id = &ruleset.metadata().id;
    if cohort.ruleset_id() != id {
        return Err(error_with_code(
            "cohort.mismatch",
            &format!(
                "this cohort was fitted with ruleset `{}`, not `{id}`",
                cohort.ruleset_id()
            ),
        ));
    }
    Ok(())
}
