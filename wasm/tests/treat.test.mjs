// Imputation and outlier treatment before cohort normalisation: `table.treated` flags per
// indicator, the same by group and against a fitted cohort, and the audit trail's words.
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

const ruleset = () =>
  Ruleset.fromToml(
    readFileSync(join(repo, "tests/conformance/cases/rulesets/normalise-treat.toml"), "utf8"),
  );

// COINr's example x = 1…10, 30, 100, with missing values to impute and a low outlier.
const columns = () => ({
  id: Array.from({ length: 12 }, (_, i) => `U${String(i + 1).padStart(2, "0")}`),
  x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100],
  y: [3, 5, null, 8, 2, 9, 4, null, 6, 7, 5, 5],
  z: [2, 3, 4, 5, 6, 7, 8, 9, 10, null, -80, 11],
});

test("treated flags say which values were imputed, winsorised or log-transformed", () => {
  const r = ruleset();
  const table = r.scoreColumns(columns(), { status: true });
  const bits = table.treatmentFlags;
  assert.deepStrictEqual(bits, { imputed: 1, winsorisedHigh: 2, winsorisedLow: 4, log: 8 });
  const t = table.treated;
  assert.ok(t.winsorised instanceof Uint8Array);
  const high = new Array(12).fill(0);
  high[11] = bits.winsorisedHigh;
  assert.deepStrictEqual(Array.from(t.winsorised), high);
  assert.ok(Array.from(t.logged).every((f) => f === bits.log));
  assert.deepStrictEqual(
    Array.from(t.imputed).flatMap((f, i) => (f === bits.imputed ? [i] : [])),
    [2, 7],
  );
  assert.equal(t.median[9], bits.imputed);
  assert.equal(t.median[10], bits.winsorisedLow);
  assert.equal(table.indicators.winsorised[11], 100);
  assert.ok(Math.abs(table.indicators.imputed[2] - 50) < 1e-9);
  assert.equal(r.scoreColumns(columns()).treated, null, "only with status: true");
  table.free();
});

test("by group, against a fitted cohort and one unit alone: the same treatment", () => {
  const r = ruleset();
  const cols = columns();
  const batch = r.scoreColumns(cols, { status: true });
  const cohort = r.fit(cols);
  const against = r.scoreColumns(cols, { cohort, status: true });
  const twice = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, [...v, ...v]]));
  twice.year = [...new Array(12).fill(2022), ...new Array(12).fill(2023)];
  const by = r.scoreColumns(twice, { by: "year", status: true });
  for (const path of ["winsorised", "logged", "imputed", "median"]) {
    assert.deepStrictEqual(Array.from(against.treated[path]), Array.from(batch.treated[path]));
    assert.deepStrictEqual(Array.from(against.indicators[path]), Array.from(batch.indicators[path]));
    const b = Array.from(batch.treated[path]);
    assert.deepStrictEqual(Array.from(by.treated[path]), [...b, ...b]);
  }
  const alone = r.evaluate({ id: "U12", x: 100, y: 5, z: 11 }, { cohort });
  const node = alone.nodes.find((n) => n.path === "winsorised");
  assert.equal(node.score, 100);
  assert.ok(node.detail.zh.startsWith("原值100高于上限，缩尾为30；"), node.detail.zh);
  assert.ok(node.detail.en.startsWith("100 winsorised down to 30; "), node.detail.en);
  const missing = r.evaluate({ id: "N", x: 5, z: 4 }, { cohort });
  const imputed = missing.nodes.find((n) => n.path === "imputed");
  assert.ok(imputed.detail.en.startsWith("missing; imputed with the cohort's mean, 5.4"));
});
