// Reference cohorts: fit on records or columns, JSON round trip, scoring against a cohort with
// evaluate / evaluateMany / scoreColumns, and clear errors for damaged or foreign cohorts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { exampleData } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const { Ruleset, Cohort } = require("../pkg/node/qinglian.js");

const load = (file) => Ruleset.fromToml(readFileSync(join(repo, file), "utf8"));

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an exception");
}

test("fit on records or on columns gives the same cohort; JSON round trip", () => {
  const soe = load("rules/soe.toml");
  const { records, columns } = exampleData("soes.csv");
  const a = soe.fit(records);
  const b = soe.fit(columns);
  const scored = soe.evaluateMany(records).filter((r) => "ok" in r).length;
  assert.equal(a.size, scored);
  assert.equal(a.toJson(), b.toJson());
  assert.equal(a.rulesetId, "soe");
  assert.equal(typeof a.rulesetVersion, "string");
  assert.ok(a.totals instanceof Float64Array && a.totals.length === a.size);
  const c = Cohort.fromJson(a.toJson());
  assert.equal(c.size, a.size);
  assert.equal(c.toJson(), a.toJson());
  assert.equal(soe.cohortFromJson(a.toJson()).size, a.size);
  for (const x of [a, b, c]) x.free();
  soe.free();
});

test("scoring the reference itself against its cohort equals scoring it as one batch", () => {
  const soe = load("rules/soe.toml");
  const { records, columns } = exampleData("soes.csv");
  const cohort = soe.fit(columns);
  const against = soe.scoreColumns(columns, { cohort });
  const batch = soe.scoreColumns(columns);
  for (const f of ["score", "grade", "rank", "cohortSize", "percentile", "tier"]) {
    assert.deepStrictEqual(against[f], batch[f], f);
  }
  assert.deepStrictEqual(soe.evaluateMany(records, { cohort }), soe.evaluateMany(records));
  against.free();
  batch.free();
  cohort.free();
  soe.free();
});

test("evaluate(record, { cohort }) places one unit among the reference", () => {
  const soe = load("rules/soe.toml");
  const { records, columns } = exampleData("soes.csv");
  const cohort = soe.fit(records);
  const record = records[5];
  const alone = soe.evaluate(record);
  assert.equal(alone.cohort, null);
  assert.ok(alone.warnings?.length, "alone, a cohort-dependent ruleset warns");
  assert.ok(alone.warnings[0].zh.length && alone.warnings[0].en.length);
  assert.ok(alone.reasons.some((r) => r.kind === "cohort"));
  const placed = soe.evaluate(record, { cohort });
  assert.equal(placed.cohort.of, cohort.size);
  assert.ok(placed.cohort.rank >= 1 && placed.cohort.rank <= cohort.size);
  assert.ok(!("warnings" in placed));
  // The same through every path: a one-row table, evaluateMany, the JSON text as the option.
  const one = soe.scoreColumns(
    Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, [v[5]]])),
    { cohort },
  );
  assert.deepStrictEqual(one.explain(0), placed);
  assert.deepStrictEqual(soe.evaluateMany([record], { cohort })[0].ok, placed);
  assert.deepStrictEqual(soe.evaluate(record, { cohort: cohort.toJson() }), placed);
  assert.equal(soe.explain(record, "zh", { cohort }), soe.explain(record, "zh", { cohort: cohort.toJson() }));
  // The batch's own rank of this record is the same as against the whole batch's cohort.
  assert.equal(placed.cohort.rank, soe.evaluateMany(records)[5].ok.cohort.rank);
  one.free();
  cohort.free();
  soe.free();
});

test("a damaged cohort, a cohort of another ruleset and a freed cohort give clear Errors", () => {
  const soe = load("rules/soe.toml");
  const village = load("rules/village.toml");
  const { records } = exampleData("soes.csv");
  const cohort = soe.fit(records);
  const text = cohort.toJson();
  for (const bad of ["", "{}", text.slice(0, text.length / 2), text.replace('"qinglian.cohort/1"', '"x/9"'),
    text.replace(/"totals":\[([^,\]]+),([^,\]]+)/, '"totals":[$2,$1')]) {
    const e = thrown(() => Cohort.fromJson(bad));
    assert.ok(e instanceof Error);
    assert.equal(e.code, "cohort.invalid", bad.slice(0, 40));
    assert.ok(e.message.length > 0);
  }
  const v = exampleData("villages.csv");
  const e1 = thrown(() => village.evaluate(v.records[0], { cohort }));
  assert.equal(e1.code, "cohort.mismatch");
  assert.match(e1.message, /soe/);
  assert.equal(thrown(() => village.scoreColumns(v.columns, { cohort })).code, "cohort.mismatch");
  assert.equal(thrown(() => village.cohortFromJson(text)).code, "cohort.mismatch");
  assert.equal(thrown(() => soe.scoreColumns({}, { cohort, by: [] })).code, "options.conflict");
  assert.equal(thrown(() => soe.evaluate(records[0], { cohort: 3 })).code, "options.invalid");
  cohort.free();
  assert.equal(thrown(() => soe.evaluate(records[0], { cohort })).code, "cohort.freed");
  soe.free();
  village.free();
});
