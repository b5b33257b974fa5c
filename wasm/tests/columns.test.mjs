// Columnar scoring (`scoreColumns`): equal to `evaluate` / `evaluateMany` row by row, one result
// or one error per row, groups equal to scoring each group alone, typed arrays, clear errors.
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
const { Ruleset } = require("../pkg/node/qinglian.js");

const load = (file) => Ruleset.fromToml(readFileSync(join(repo, file), "utf8"));

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an exception");
}

const STATUS = ["scored", "zeroed", "missing", "not_applicable"];

/** Checks every typed array of a table against the evaluations of the same rows. */
function assertTableEquals(ruleset, table, results) {
  const grades = ruleset.gradeNames();
  const tiers = ruleset.tierNames();
  const paths = ruleset.indicatorPaths();
  assert.equal(table.length, results.length);
  let errors = 0;
  for (let row = 0; row < results.length; row++) {
    const r = results[row];
    if ("error" in r) {
      const e = table.errors[errors++];
      assert.deepStrictEqual(e, r.error, `row ${row}: the same error`);
      assert.ok(Number.isNaN(table.score[row]) && Number.isNaN(table.baseScore[row]));
      assert.equal(table.grade[row], -1);
      assert.equal(table.rank[row], 0);
      assert.ok(paths.every((p) => Number.isNaN(table.indicators[p][row])));
      assert.equal(thrown(() => table.explain(row)).code, r.error.code);
      continue;
    }
    const e = r.ok;
    assert.equal(table.score[row], e.score, `row ${row} score`);
    assert.equal(table.baseScore[row], e.base_score, `row ${row} base`);
    assert.equal(table.bonusScore[row], e.bonus_score, `row ${row} bonus`);
    assert.equal(table.grade[row] === -1 ? null : grades[table.grade[row]], e.grade, `row ${row} grade`);
    assert.equal(table.rank[row], e.cohort?.rank ?? 0, `row ${row} rank`);
    assert.equal(table.cohortSize[row], e.cohort?.of ?? 0, `row ${row} of`);
    if (e.cohort) assert.equal(table.percentile[row], e.cohort.percentile, `row ${row} percentile`);
    assert.equal(table.tier[row] === -1 ? null : tiers[table.tier[row]], e.cohort?.tier ?? null);
    assert.equal(table.vetoed[row], e.vetoes.length ? 1 : 0, `row ${row} vetoed`);
    const worst = e.alerts.map((a) => table.alertLevels.indexOf(a.level)).sort()[0] ?? -1;
    assert.equal(table.alertLevel[row], worst, `row ${row} alert level`);
    for (const node of e.nodes) {
      const x = table.indicators[node.path][row];
      if (node.status === "scored" || node.status === "zeroed") assert.equal(x, node.score, `${row} ${node.path}`);
      else assert.ok(Number.isNaN(x), `${row} ${node.path}: NaN when ${node.status}`);
      if (table.statuses) assert.equal(STATUS[table.statuses[node.path][row]], node.status);
    }
    // The trail on demand is the evaluation, without scoring again.
    assert.deepStrictEqual(table.explain(row), e, `row ${row}: explain(row)`);
  }
  assert.equal(errors, table.errors.length, "one error per failed row, no more");
}

test("scoreColumns equals evaluateMany row by row on every example data set", () => {
  const pairs = [
    ["rules/village.toml", "villages.csv"],
    ["rules/private-enterprise.toml", "private-enterprises.csv"],
    ["rules/soe.toml", "soes.csv"],
    ["rules/transport.toml", "transport-projects.csv"],
    ["rules/hospital.toml", "hospitals.csv"],
  ];
  for (const [rules, data] of pairs) {
    const ruleset = load(rules);
    const { records, columns } = exampleData(data);
    const table = ruleset.scoreColumns(columns, { status: true });
    assertTableEquals(ruleset, table, ruleset.evaluateMany(records));
    table.free();
    ruleset.free();
  }
});

test("a single row equals evaluate() (no cohort), typed columns equal text columns", () => {
  const ruleset = load("rules/village.toml");
  const { records, columns } = exampleData("villages.csv");
  const inputs = ruleset.inputs();
  // Typed: numbers as Float64Array (NaN missing), booleans as booleans, categories as text.
  const typed = { id: columns.id, name: columns.name };
  for (const input of inputs) {
    const values = columns[input.name];
    if (input.type === "number" || input.type === "count") {
      typed[input.name] = Float64Array.from(values, (v) => (v === null ? NaN : Number(v)));
    } else if (input.type === "boolean") {
      typed[input.name] = values.map((v) => (v === null ? null : v === "true"));
    } else typed[input.name] = values;
  }
  const a = ruleset.scoreColumns(columns);
  const b = ruleset.scoreColumns(typed);
  assert.deepStrictEqual(b.score, a.score);
  assert.deepStrictEqual(b.grade, a.grade);
  assert.deepStrictEqual(b.indicators, a.indicators);
  assert.ok(b.score instanceof Float64Array && b.grade instanceof Int32Array);
  assert.ok(b.rank instanceof Uint32Array && b.tier instanceof Int32Array);
  assert.ok(b.vetoed instanceof Uint8Array && b.alertLevel instanceof Int8Array);
  assert.equal(b.score, b.score, "a getter returns the same array each time");
  for (const row of [0, 7, records.length - 1]) {
    const one = ruleset.scoreColumns(Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, v.slice(row, row + 1)])));
    const single = ruleset.evaluate(records[row]);
    assert.equal(one.score[0], single.score);
    assert.deepStrictEqual({ ...one.explain(0), cohort: null }, single);
    one.free();
  }
  a.free();
  b.free();
});

test("bad cells are errors of their rows only; every row gets a result or an error", () => {
  const demo = Ruleset.fromToml(readFileSync(join(here, "fixtures/demo.toml"), "utf8"));
  const good = {
    first_topic: true, cases: 1, audit_level: "B", coverage: 90,
    satisfaction: { 满意: 8, 基本满意: 2, 不满意: 0, 不了解: 3 }, reports: 2,
  };
  const records = [
    { id: "A", ...good },
    { id: "B", ...good, coverage: "lots" },
    { id: "C", ...good, coverage: 120 },
    { id: "D", ...good, first_topic: null },
    { id: "E", ...good, audit_level: "Z" },
    { id: "F", ...good, satisfaction: "满意:x" },
    { id: "G", ...good, cases: 2.5 },
    { id: "H", ...good, cases: 3 },
    { id: "I", ...good, reports: undefined },
    { id: "J", ...good, satisfaction: { 满意: 3, 中立: 1 } },
  ];
  const columns = {};
  for (const r of records) for (const k of Object.keys(r)) columns[k] = records.map((x) => x[k]);
  const table = demo.scoreColumns(columns);
  const results = demo.evaluateMany(records);
  assertTableEquals(demo, table, results);
  const failed = results.filter((r) => "error" in r).length;
  assert.ok(failed >= 7, `${failed} rows failed`);
  const scored = Array.from(table.score).filter((x) => !Number.isNaN(x)).length;
  assert.equal(scored + table.errors.length, records.length);
  assert.deepEqual(table.errors.map((e) => e.id), results.filter((r) => r.error).map((r) => r.error.id));
  assert.equal(table.errors[0].column, "coverage");
  assert.equal(thrown(() => table.explain(99)).code, "record.no_such_row");
  assert.match(table.explainText(0), /案件查处/);
  assert.notEqual(table.explainText(0, "en"), table.explainText(0));
  // A function or a symbol in a column is a wrong-type error of its row.
  const odd = demo.scoreColumns({ ...columns, cases: columns.cases.map((v, i) => (i === 0 ? () => 1 : v)) });
  assert.equal(odd.errors[0].row, 0);
  assert.equal(odd.errors[0].code, "record.wrong_type");
  assert.equal(odd.errors[0].column, "cases");
  odd.free();
  table.free();
});

test("by: one cohort per group equals scoring each group alone", () => {
  const soe = load("rules/soe.toml");
  assert.ok(soe.cohortDependent(), "soe has a rank scorer and quotas");
  const { records, columns } = exampleData("soes.csv");
  const keys = records.map((_, i) => ["2023", "2024", "2025"][i % 3]);
  const byKeys = soe.scoreColumns(columns, { by: keys });
  const byColumn = soe.scoreColumns({ ...columns, year: keys }, { by: "year" });
  assert.deepStrictEqual(byColumn.score, byKeys.score);
  assert.deepStrictEqual(byColumn.rank, byKeys.rank);
  const whole = soe.scoreColumns(columns);
  assert.notDeepStrictEqual(byKeys.rank, whole.rank, "groups change the ranks");
  for (const key of ["2023", "2024", "2025"]) {
    const rows = keys.flatMap((k, i) => (k === key ? [i] : []));
    const part = Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, rows.map((i) => v[i])]));
    const alone = soe.scoreColumns(part);
    rows.forEach((row, j) => {
      for (const f of ["score", "grade", "rank", "cohortSize", "percentile", "tier"]) {
        assert.ok(Object.is(byKeys[f][row], alone[f][j]), `${key} row ${row} ${f}`);
      }
      for (const p of soe.indicatorPaths()) assert.ok(Object.is(byKeys.indicators[p][row], alone.indicators[p][j]));
      assert.deepStrictEqual(byKeys.explain(row), alone.explain(j));
    });
    alone.free();
  }
  // evaluateMany by a field of the records, or by one key per record, equals the same.
  const many = soe.evaluateMany(records.map((r, i) => ({ ...r, year: keys[i] })), { by: "year" });
  assertTableEquals(soe, byKeys, many);
  assert.deepStrictEqual(soe.evaluateMany(records, { by: keys }), many);
  for (const t of [byKeys, byColumn, whole]) t.free();
  soe.free();
});

test("columns of the wrong shape, and bad options, throw clear Errors", () => {
  const village = load("rules/village.toml");
  const e1 = thrown(() => village.scoreColumns({ risk_likelihood: [1, 2, 3], risk_severity: [1, 2] }));
  assert.ok(e1 instanceof Error);
  assert.equal(e1.code, "columns.length");
  assert.equal(e1.column, "risk_severity");
  assert.match(e1.message, /2 rows/);
  const e2 = thrown(() => village.scoreColumns({ risk_likelihood: 3 }));
  assert.equal(e2.code, "columns.not_an_array");
  assert.equal(e2.column, "risk_likelihood");
  for (const bad of [null, 7, "x", [[1]]]) {
    assert.equal(thrown(() => village.scoreColumns(bad)).code, "columns.invalid", String(bad));
  }
  assert.equal(thrown(() => village.scoreColumns({ a: [1] }, { cohrt: 1 })).code, "options.unknown");
  assert.equal(thrown(() => village.scoreColumns({ a: [1] }, { by: ["x", "y"] })).code, "options.by");
  assert.equal(thrown(() => village.scoreColumns({ a: [1] }, { by: "year" })).code, "options.by");
  assert.equal(thrown(() => village.scoreColumns({ a: [1] }, { status: "yes" })).code, "options.invalid");
  assert.equal(thrown(() => village.scoreColumns({ a: [1] }, { cohort: {} })).code, "options.invalid");
  assert.equal(thrown(() => village.scoreColumns({ a: [1] }, "fast")).code, "options.invalid");
  const big = thrown(() => village.scoreColumns({ a: new BigInt64Array([1n]), b: [1, 2] }));
  assert.equal(big.code, "columns.length");
  // Empty tables are fine.
  const empty = village.scoreColumns({});
  assert.equal(empty.length, 0);
  assert.deepEqual(empty.errors, []);
  empty.free();
  // Columns that are not inputs are kept but not scored; a missing input column is missing.
  const t = village.scoreColumns({ note: ["x"] });
  assert.equal(t.length, 1);
  assert.equal(t.errors.length, 1);
  t.free();
  village.free();
});

test("evaluate keeps the evaluation shape through the JSON crossing", () => {
  const village = load("rules/village.toml");
  const kase = JSON.parse(readFileSync(join(repo, "tests/conformance/cases/village-hand.json"), "utf8"));
  const e = village.evaluate(kase.records[0]);
  assert.equal(Object.getPrototypeOf(e), Object.prototype);
  assert.equal(e.cohort, null);
  assert.ok(!("warnings" in e), "no warnings key for a cohort-free ruleset");
  assert.deepStrictEqual(JSON.parse(JSON.stringify(e)), e);
  assert.equal(e.score, kase.expected[0].score);
  // Records with values JSON cannot hold: undefined and NaN are missing, BigInt is a record error.
  const rec = { ...kase.records[0], extra: undefined, note: NaN };
  assert.deepStrictEqual(village.evaluate(rec), e);
  assert.equal(thrown(() => village.evaluate({ ...kase.records[0], risk_severity: 1n })).code, "record.json");
  const many = village.evaluateMany([kase.records[0], { bad: 1n }, null]);
  assert.equal(many[1].error.code, "record.json");
  assert.equal(many[2].error.code, "record.json");
  assert.equal(many[2].error.row, 2);
  village.free();
});

test("columns headed by labels or aliases, and booleans ticked or crossed, read like names", () => {
  const ruleset = Ruleset.fromToml(`
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "ok"
type = "boolean"
label = "是否合格"
aliases = ["合格"]
[[input]]
name = "staff"
type = "count"
label = "监督人员数"
[[indicator]]
id = "a"
name = "a"
points = 6
scorer = { type = "clause", when = "ok" }
[[indicator]]
id = "b"
name = "b"
points = 4
scorer = { type = "per_occurrence", count = "staff", per = 1 }
`);
  const words = ["√", "×", "✓", "✗", "有", "无", "是", "否", "Y", "n"];
  const byNames = ruleset.scoreColumns({
    id: words.map((_, i) => `U${i}`),
    ok: words.map((_, i) => i % 2 === 0),
    staff: words.map(() => 1),
  });
  const byLabels = ruleset.scoreColumns({
    id: words.map((_, i) => `U${i}`),
    "是否合格": words,
    "　监督人员数 ": words.map(() => 1),
  });
  assert.deepStrictEqual(Array.from(byLabels.score), Array.from(byNames.score));
  assert.deepStrictEqual(Array.from(byNames.score).slice(0, 2), [9, 3]);
  assert.equal(ruleset.evaluate({ id: "A", "合格": "✓", staff: 0 }).score, 10);
  const e = thrown(() => ruleset.scoreColumns({ ok: [true], "合格": ["√"] }));
  assert.equal(e.code, "columns.ambiguous");
  assert.match(e.message, /是否合格/);
});

test("the id and name columns headed in Chinese, by the ruleset's id_aliases and name_aliases", () => {
  const ruleset = Ruleset.fromToml(`
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
id_aliases = ["编号", "统一社会信用代码"]
name_aliases = ["单位名称", "名称"]
[[input]]
name = "ok"
type = "boolean"
label = "是否合格"
[[indicator]]
id = "a"
name = "a"
points = 10
scorer = { type = "clause", when = "ok" }
`);
  assert.deepStrictEqual(ruleset.metadata().id_aliases, ["编号", "统一社会信用代码"]);
  const out = ruleset.scoreColumns({
    "统一社会信用代码": ["A1", "B2", "C3"],
    "单位名称": ["甲", "乙", "丙"],
    "是否合格": ["√", "也许", "×"],
  });
  assert.deepStrictEqual(Array.from(out.score).map((x) => (Number.isNaN(x) ? null : x)), [10, null, 0]);
  // The row's error names the unit by the id found under its alias.
  assert.equal(out.errors[0].id, "B2");
  const one = ruleset.evaluate({ "编号": "C3", "名称": "丙", ok: true });
  assert.equal(one.id, "C3");
  assert.equal(one.name, "丙");
  const e = thrown(() => ruleset.scoreColumns({ "编号": ["A"], "统一社会信用代码": ["A"], ok: [true] }));
  assert.equal(e.code, "columns.ambiguous");
  assert.match(e.message, /unit id column/);
  const bad = thrown(() => Ruleset.fromToml(`
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
id_aliases = ["是否合格"]
[[input]]
name = "ok"
type = "boolean"
label = "是否合格"
[[indicator]]
id = "a"
name = "a"
points = 10
scorer = { type = "clause", when = "ok" }
`));
  assert.match(bad.message, /duplicate_alias|also a header of the input/);
});
