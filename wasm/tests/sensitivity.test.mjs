// Sensitivity to rule parameters from JavaScript: the numbers Rust wrote for the village
// ruleset (core/tests/sensitivity.rs, target/sensitivity/villages.json), to the bit, from
// records and from columns; and clear errors for bad parameters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const { Ruleset } = require("../pkg/node/qinglian.js");
const file = join(root, "target/sensitivity/villages.json");

/** The rows of a CSV without quoted cells, as records of text cells. */
function csvRecords(path) {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const names = header.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [names[i], v])));
}

test("the same numbers as Rust, from records and from columns", () => {
  assert.ok(existsSync(file), `${file} is written by cargo test -p qinglian --test sensitivity`);
  const c = JSON.parse(readFileSync(file, "utf8"));
  const ruleset = Ruleset.fromToml(readFileSync(join(root, c.ruleset), "utf8"));
  const records = csvRecords(join(root, c.data));
  const parameters = Object.fromEntries(
    c.parameters.map(([path, low, high, whole]) => [path, whole ? { low, high, whole } : [low, high]]),
  );
  const options = { samples: c.samples, seed: c.seed, indices: true, bootstrap: c.bootstrap };
  const fromRecords = ruleset.sensitivity(records, parameters, options);
  assert.equal(typeof fromRecords.units_changing_grade, "number");
  delete fromRecords.units_changing_grade;
  assert.deepEqual(fromRecords, c.result);
  const columns = {};
  for (const key of Object.keys(records[0])) columns[key] = records.map((r) => r[key]);
  const fromColumns = ruleset.sensitivity(columns, parameters, options);
  delete fromColumns.units_changing_grade;
  assert.deepEqual(fromColumns, c.result);
  ruleset.free();
});

test("bad parameters and options are errors with a code, and the instance keeps working", () => {
  const ruleset = Ruleset.fromToml(readFileSync(join(root, "rules/village.toml"), "utf8"));
  const records = csvRecords(join(root, "examples/data/villages.csv")).slice(0, 20);
  const code = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof Error);
      return [e.code, e.message];
    }
    assert.fail("no error");
  };
  const [c1, m1] = code(() => ruleset.sensitivity(records, { "no_such.scorer.per": [1, 2] }));
  assert.equal(c1, "analysis.invalid");
  assert.match(m1, /no_such/);
  assert.equal(code(() => ruleset.sensitivity(records, { "grade.达标.min": 75 }))[0], "options.invalid");
  assert.equal(code(() => ruleset.sensitivity(records, [["x", 1, 2]]))[0], "options.invalid");
  assert.equal(
    code(() => ruleset.sensitivity(records, { "grade.达标.min": [70, 80] }, { samples: -1 }))[0],
    "options.invalid",
  );
  const ok = ruleset.sensitivity(records, { "grade.达标.min": [70, 80] }, { samples: 20 });
  assert.equal(ok.runs, 20);
  assert.deepEqual(ok.indices, []);
  ruleset.free();
});

test("a choice of aggregation draws among its alternatives", () => {
  const asem = Ruleset.fromToml(readFileSync(join(root, "rules/asem/minmax-geometric.toml"), "utf8"));
  const records = csvRecords(join(root, "examples/data/asem/asem_iData.csv")).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === "" ? null : v])),
  );
  const mean = asem.withChanges({ "ruleset.aggregate": "mean" });
  const ranks = mean.evaluateMany(records).map((r) => r.ok.cohort.rank);
  const s = asem.sensitivity(records, { "ruleset.aggregate": { choices: ["mean"] } }, { samples: 10, seed: 1 });
  assert.deepEqual(s.rank_median, ranks);
  assert.throws(
    () => asem.sensitivity(records, { "ruleset.aggregate": { choices: ["bogus"] } }),
    (e) => e.code === "analysis.invalid" && /bogus/.test(e.message),
  );
  mean.free();
  asem.free();
});
