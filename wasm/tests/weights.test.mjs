// Every weight case of tests/weights/ through the Node build: the golden results the Rust suite
// writes must come back bit for bit (deep equality of the parsed JSON), plus the JS faces:
// options, typed errors, `Ruleset.effectiveWeights`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Ruleset, weights } = require("../pkg/node/qinglian.js");

const here = dirname(fileURLToPath(import.meta.url));
const casesDir = resolve(here, "../../tests/weights");
const rulesDir = resolve(here, "../../rules");

/** A case's matrix: `null` is missing, "inf" / "-inf" are infinities. */
function matrixOf(rows) {
  return rows.map((row) =>
    row.map((v) => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v)),
  );
}

/** The JS options of a case (snake_case in the files, camelCase in the API). */
function optionsOf(method, options = {}) {
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    const name = { random_index: "randomIndex", drop_missing: "dropMissing" }[key] ?? key;
    out[name] = value;
  }
  return out;
}

function run(method, c) {
  try {
    if (method === "equal") return { ok: { weights: weights.equal(c.n) } };
    if (method === "effective") {
      const text = readFileSync(join(casesDir, c.ruleset), "utf8");
      return { ok: Ruleset.fromToml(text).effectiveWeights() };
    }
    return { ok: weights[method](matrixOf(c.matrix), optionsOf(method, c.options)) };
  } catch (e) {
    if (!e.code?.startsWith("weights.")) throw e;
    return { error: { code: e.code, message: e.message, row: e.row, column: e.column } };
  }
}

let count = 0;
for (const file of readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort()) {
  const method = file.replace(/\.json$/, "");
  const { cases } = JSON.parse(readFileSync(join(casesDir, file), "utf8"));
  for (const c of cases) {
    count += 1;
    test(`weights ${method}: ${c.name}`, () => {
      assert.deepStrictEqual(run(method, c), c.golden);
    });
  }
}

test("weight cases were found", () => {
  assert.ok(count > 40, `only ${count} cases`);
  console.log(`weights: ${count} case(s) agree with Rust`);
});

test("AHP from typed arrays, with a warning above CR 0.1", () => {
  const m = [new Float64Array([1, 3, 1 / 3]), new Float64Array([1 / 3, 1, 3]), new Float64Array([3, 1 / 3, 1])];
  const r = weights.ahp(m);
  assert.ok(r.cr > 0.1);
  assert.match(r.warning, /above 0\.1/);
  assert.throws(() => weights.ahp(m, { strict: true }), { code: "weights.inconsistent" });
});

test("errors name the cell and reject unknown options", () => {
  assert.throws(() => weights.ahp([[1, 2], [2, 1]]), (e) => {
    assert.equal(e.code, "weights.not_reciprocal");
    assert.equal(e.row, 0);
    assert.equal(e.column, 1);
    return e instanceof Error;
  });
  assert.throws(() => weights.critic([[1, NaN], [2, 3], [4, 5]]), {
    code: "weights.missing",
    row: 0,
    column: 1,
  });
  assert.throws(() => weights.critic([[1, "x"]]), { code: "weights.matrix" });
  assert.throws(() => weights.sd([[1, 2]], { drop: true }), { code: "options.unknown" });
  assert.throws(() => weights.ahp([[1]], { randomIndex: "saaty" }), { code: "weights.unknown_table" });
});

test("directions as numbers and words agree", () => {
  const m = [[1, 10, 3.5], [2, 10, 1.2], [3, 12, 2.8], [5, 11, 0.4], [4, 15, 2.0]];
  const a = weights.critic(m, { directions: [1, -1, 1] });
  const b = weights.critic(m, { directions: ["higher", "lower", "higher"] });
  assert.deepStrictEqual(a, b);
  assert.throws(() => weights.critic(m, { directions: [1, 0, 1] }), {
    code: "weights.directions",
    column: 1,
  });
});

test("effective weights of the city index sum to 1", () => {
  const ruleset = Ruleset.fromToml(readFileSync(join(rulesDir, "city-index.toml"), "utf8"));
  const leaves = ruleset.effectiveWeights();
  const sum = leaves.reduce((s, e) => s + e.weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
  assert.ok(leaves.every((e) => e.exact === false));
});
