// Decomposition and improvement plans from JavaScript: the plans and lines Rust wrote for the
// village ruleset (core/tests/improve.rs, target/improve/village.json), from records and from
// columns; the plan in words; clear errors for bad options.
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
const file = join(root, "target/improve/village.json");

/** The rows of a CSV without quoted cells, as records of text cells. */
function csvRecords(path) {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const names = header.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [names[i], v])));
}

const ruleset = Ruleset.fromToml(readFileSync(join(root, "rules/village.toml"), "utf8"));
const records = csvRecords(join(root, "examples/data/villages.csv"));
const costs = {
  livestream: 2,
  irregular_contracts: 1,
  finance_disclosure_months: 0.5,
  substantiated_petitions: 3,
  negative_events_2y: 5,
};

/** A plan without the words added in JavaScript. */
function bare(plan) {
  const { text, headings, rows, ...rest } = plan;
  return rest;
}

test("the same plans and lines as Rust, from records and from columns", () => {
  assert.ok(existsSync(file), `${file} is written by cargo test -p qinglian --test improve`);
  const c = JSON.parse(readFileSync(file, "utf8"));
  const columns = {};
  for (const key of Object.keys(records[0])) columns[key] = records.map((r) => r[key]);
  for (const data of [records, columns]) {
    assert.deepEqual(bare(ruleset.improve(data, { id: "V003" })), c.plans.V003);
    assert.deepEqual(bare(ruleset.improve(data, { id: "V004", target: "清廉村社" })), c.plans.V004);
    assert.deepEqual(bare(ruleset.improve(data, { id: "V010", costs })), c.plans.V010);
    const units = ruleset.decompose(data);
    assert.deepEqual(units.slice(0, c.decomposition.length), c.decomposition);
  }
});

test("the lines add up to each score", () => {
  const units = ruleset.decompose(records, { k: 2 });
  assert.equal(units.length, records.length);
  for (const u of units) {
    const sum = u.lines.reduce((a, l) => a + l.contribution, 0);
    assert.ok(Math.abs(sum - u.score) <= 1e-9 * 105, `${u.id}: ${sum} vs ${u.score}`);
    assert.ok(u.strengths.length <= 2 && u.weaknesses.length <= 2);
  }
});

test("a plan in words, scored again by the engine", () => {
  const plan = ruleset.improve(records, { id: "V004", target: "Clean village", lang: "en" });
  assert.equal(plan.reachable, true);
  assert.equal(plan.grade_after, "清廉村社");
  assert.match(plan.text, /Compliant → Clean village/);
  assert.deepEqual(plan.headings, ["Indicator", "Change", "Now", "To", "Points gained", "Cost"]);
  assert.ok(plan.rows.some((r) => r[1] === "Village affairs disclosures, Q4"));
  assert.ok(!plan.text.includes("disclosures_q4"));
  const record = { ...records.find((r) => r.id === "V004") };
  for (const s of plan.steps) record[s.input] = s.to;
  const cohort = ruleset.fit(records);
  const e = ruleset.evaluate(record, { cohort });
  assert.equal(e.score, plan.score_after);
  assert.equal(e.grade, plan.grade_after);
});

test("bad options are clear errors", () => {
  const code = (f) => {
    try {
      f();
    } catch (e) {
      return [e.code, e.message];
    }
    assert.fail("no error");
  };
  assert.equal(code(() => ruleset.improve(records, {}))[0], "options.invalid");
  const [c, m] = code(() => ruleset.improve(records, { id: "NOPE" }));
  assert.equal(c, "analysis.invalid");
  assert.match(m, /NOPE/);
  assert.match(code(() => ruleset.improve(records, { id: "V004", target: "金牌" }))[1], /金牌/);
  assert.equal(code(() => ruleset.improve(records, { id: "V004", costs: [1] }))[0], "options.invalid");
  assert.equal(code(() => ruleset.improve(records, { id: "V004", costs: { x: "a" } }))[0], "options.invalid");
  assert.equal(code(() => ruleset.improve(records, { id: "V004", lang: "fr" }))[0], "lang.unknown");
  assert.equal(code(() => ruleset.improve(records, { id: "V004", nope: 1 }))[0], "options.unknown");
  assert.equal(code(() => ruleset.decompose(records, { k: -1 }))[0], "options.invalid");
});
