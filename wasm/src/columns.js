// Column encoding for `Ruleset.scoreColumns` and `Ruleset.fit`: one pass in JavaScript per
// column, so that the engine copies a column in one piece instead of asking for every cell.
//
//   typed arrays, and arrays of numbers (null / undefined / NaN = missing)
//       → { numbers: Float64Array }            NaN = missing
//   any other array (text, booleans, survey objects, mixtures)
//       → { codes: Int32Array, values: [...] } each row's index into the distinct values;
//                                               survey objects are passed as JSON text
//   anything else → null
export function encodeColumn(column) {
  if (ArrayBuffer.isView(column) && !(column instanceof DataView)) {
    if (column instanceof Float64Array) return { numbers: column };
    if (column instanceof BigInt64Array || column instanceof BigUint64Array) {
      return { numbers: Float64Array.from(column, Number) };
    }
    return { numbers: Float64Array.from(column) };
  }
  if (!Array.isArray(column)) return null;
  const n = column.length;
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const v = column[i];
    if (typeof v !== "number" && v !== null && v !== undefined) {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    const numbers = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = column[i];
      numbers[i] = v === null || v === undefined ? NaN : v;
    }
    return { numbers };
  }
  const codes = new Int32Array(n);
  const values = [];
  const index = new Map();
  for (let i = 0; i < n; i++) {
    let v = column[i];
    if (v === undefined) v = null;
    if (v !== null && typeof v === "object") {
      // Survey answer counts (or a value of the wrong type): one entry each, as JSON text.
      let text;
      try {
        text = JSON.stringify(v);
      } catch {
        text = null;
      }
      codes[i] = values.push({ json: text ?? "{}" }) - 1;
      continue;
    }
    if (typeof v === "bigint") v = Number(v);
    let code = index.get(v);
    if (code === undefined) {
      code = values.push(v) - 1;
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { codes, values };
}
