// Normalisation by the distance to a reference unit (`distance_to_reference`, COINr's
// n_dist2ref): each cohort — the table, each `by` group, a fitted cohort — measures against its
// own row of the reference unit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const { Ruleset } = require("../pkg/node/qinglian.js");

const text = readFileSync(
  join(repo, "tests/conformance/cases/rulesets/normalise-reference.toml"),
  "utf8",
);

// Five units over two years: U3 has a = 6 in 2023 and 3 in 2024.
const panel = () => ({
  id: ["U1", "U2", "U3", "U4", "U5", "U1", "U2", "U3", "U4", "U5"],
  year: [2023, 2023, 2023, 2023, 2023, 2024, 2024, 2024, 2024, 2024],
  a: [2, 4, 6, 8, 10, 1, 2, 3, 4, 5],
  b: [10, 20, 30, 40, 50, 10, 20, 30, 40, 50],
  c: [3, 5, 7, null, 9, 3, 5, 7, null, 9],
});

test("each year measures against its own reference unit", () => {
  const r = Ruleset.fromToml(text);
  assert.deepStrictEqual(r.referenceUnits(), ["U2", "U3", "U4", "X9"]);
  // Each unit once a year: with `by` no id repeats within its group, even when strict.
  const by = r.scoreColumns(panel(), { by: "year", strict: true });
  assert.deepStrictEqual(by.errors, []);
  assert.deepStrictEqual(by.warnings, []);
  // 1 − (r − x)/(r − min), capped at the leaf's 100 points: the same in both years.
  assert.deepStrictEqual(Array.from(by.indicators.capped), [0, 50, 100, 100, 100, 0, 50, 100, 100, 100]);
  by.free();
  // As one cohort the first U3 (a = 6) is the reference and the minimum is 1.
  const one = r.scoreColumns(panel());
  assert.deepStrictEqual(
    one.warnings.map((w) => [w.code, w.row]),
    [5, 6, 7, 8, 9].map((row) => ["record.duplicate_id", row]),
  );
  assert.equal(one.indicators.capped[6], 100 * (1 - (6 - 2) / (6 - 1)));
  one.free();
});

test("a fitted cohort keeps the reference unit's value", () => {
  const r = Ruleset.fromToml(text);
  const cols = panel();
  const first = Object.fromEntries(
    Object.entries(cols).filter(([k]) => k !== "year").map(([k, v]) => [k, v.slice(0, 5)]),
  );
  const cohort = r.fit(first);
  const alone = r.evaluate({ id: "N", a: 5, b: 35, c: 4 }, { cohort });
  const capped = alone.nodes.find((n) => n.path === "capped");
  assert.equal(capped.score, 75);
  assert.equal(capped.detail.en, "value 5; the cohort's worst 2, the reference unit “U3” 6: 75 points");
  const absent = alone.nodes.find((n) => n.path === "absent");
  assert.equal(absent.status, "missing");
  assert.equal(absent.detail.zh, "本组中没有参照单位“X9”或其数值缺失，无从衡量距离，按缺失处理");
  const batch = r.scoreColumns(first);
  const against = r.scoreColumns(first, { cohort });
  for (const path of ["capped", "lower", "imputed"]) {
    assert.deepStrictEqual(Array.from(against.indicators[path]), Array.from(batch.indicators[path]));
  }
});

test("a reference without a unit id is a load error with its place", () => {
  assert.throws(
    () => Ruleset.fromToml(text.replace(', reference = "U3" }', " }")),
    (e) =>
      e instanceof Error &&
      e.code === "ruleset.missing_field" &&
      e.path === "capped" &&
      typeof e.line === "number",
  );
});
