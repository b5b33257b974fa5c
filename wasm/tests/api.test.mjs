// The JavaScript API: loading, errors, evaluate / evaluateMany / explain, introspection, the
// package entry points and the web (ES module) build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, "../pkg");
const qinglian = require("../pkg/node/qinglian.js");
const { Ruleset } = qinglian;

const demoText = readFileSync(join(here, "fixtures/demo.toml"), "utf8");
const brokenText = readFileSync(join(here, "fixtures/broken.toml"), "utf8");
const demo = Ruleset.fromToml(demoText);

const good = {
  id: "U1",
  name: "甲单位",
  first_topic: true,
  cases: 1,
  audit_level: "B",
  coverage: 90,
  satisfaction: { 满意: 8, 基本满意: 2, 不满意: 0, 不了解: 3 },
  reports: 2,
};

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an exception");
}

test("evaluate returns a plain object with the evaluation shape", () => {
  const e = demo.evaluate(good);
  assert.equal(Object.getPrototypeOf(e), Object.prototype);
  assert.equal(e.id, "U1");
  assert.equal(e.name, "甲单位");
  assert.equal(e.ruleset, "demo");
  // party: 20 + 20·(90−50)/50 = 36; control: 20 + 9 + 15·(8+1.6)/10 = 43.4; bonus min(2, 3) = 2
  assert.equal(e.base_score, 20 + 16 + 20 + 9 + 14.4);
  assert.equal(e.bonus_score, 2);
  assert.equal(e.score, e.base_score + 2);
  assert.equal(e.max_score, 103);
  assert.equal(e.grade, "良好");
  assert.equal(e.grade_en, "Good");
  assert.equal(e.cohort, null, "a single evaluation has no cohort (null, not undefined)");
  const cases = e.nodes.find((n) => n.path === "control.cases");
  assert.equal(cases.score, 20);
  assert.equal(cases.lost, 10);
  assert.equal(Object.getPrototypeOf(cases.inputs), Object.prototype, "maps are plain objects");
  assert.deepEqual(cases.inputs, { cases: 1 });
  assert.equal(typeof cases.detail.zh, "string");
  assert.ok(e.reasons.some((r) => r.kind === "deduction" && r.path === "control.cases"));
  assert.deepEqual(e.missing, []);
  // Same JSON shape as Rust: round-tripping through JSON changes nothing.
  assert.deepStrictEqual(JSON.parse(JSON.stringify(e)), e);
});

test("vetoes and alerts", () => {
  const e = demo.evaluate({ ...good, cases: 3, coverage: 55 });
  assert.deepEqual(
    e.vetoes.map((v) => v.id),
    ["serious"],
  );
  assert.equal(e.vetoes[0].effect, "cap_grade");
  assert.deepEqual(
    e.alerts.map((a) => [a.id, a.level]),
    [["low_coverage", "orange"]],
  );
  assert.match(e.alerts[0].message.zh, /55/);
});

test("a ruleset that fails to load throws an Error with code, line, column, path and all errors", () => {
  const e = thrown(() => Ruleset.fromToml(brokenText));
  assert.ok(e instanceof Error);
  assert.equal(typeof e.code, "string");
  assert.match(e.code, /^(expr|ruleset)\./);
  assert.equal(e.line, 11);
  assert.equal(typeof e.column, "number");
  assert.equal(e.path, "a");
  assert.ok(Array.isArray(e.errors) && e.errors.length >= 1);
  assert.deepEqual(Object.keys(e.errors[0]).sort(), [
    "code",
    "column",
    "file",
    "line",
    "message",
    "path",
    "severity",
  ]);
  assert.equal(e.errors[0].severity, "error");
  assert.ok(Array.isArray(e.warnings));
  assert.match(e.message, /no_such_input/);
});

test("TOML syntax errors carry a line", () => {
  const e = thrown(() => Ruleset.fromToml("[ruleset\nid = 1"));
  assert.ok(e instanceof Error);
  assert.equal(typeof e.code, "string");
  assert.equal(typeof e.line, "number");
});

test("a bad record throws an Error with code, column and path", () => {
  const e = thrown(() => demo.evaluate({ ...good, first_topic: "perhaps" }));
  assert.ok(e instanceof Error);
  assert.match(e.code, /^record\./);
  assert.equal(e.column, "first_topic");
  assert.equal(e.row, null);
  assert.equal(e.id, "U1");
  assert.ok("path" in e && "line" in e);

  const range = thrown(() => demo.evaluate({ ...good, coverage: 120 }));
  assert.equal(range.code, "record.out_of_range");
  assert.equal(range.column, "coverage");

  const category = thrown(() => demo.evaluate({ ...good, audit_level: "Z" }));
  assert.match(category.code, /^record\./);
  assert.equal(category.column, "audit_level");

  const required = thrown(() => demo.evaluate({ id: "U2", cases: 0 }));
  assert.match(required.code, /^record\./);
  assert.equal(required.column, "first_topic");
});

test("a value that is not an object of fields is a record.json error", () => {
  for (const bad of [42, "text", null, [1, 2], { first_topic: true, cases: [1] }]) {
    const e = thrown(() => demo.evaluate(bad));
    assert.ok(e instanceof Error);
    assert.equal(e.code, "record.json", `for ${JSON.stringify(bad)}`);
  }
  const e = thrown(() => demo.evaluateMany({ not: "an array" }));
  assert.equal(e.code, "record.json");
});

test("evaluateMany keeps order and isolates one bad record", () => {
  const records = [
    { ...good, id: "A", cases: 0 },
    { ...good, id: "B", coverage: "lots" },
    7,
    { ...good, id: "C", cases: 2 },
  ];
  const results = demo.evaluateMany(records);
  assert.equal(results.length, 4);
  assert.equal(results[0].ok.id, "A");
  assert.deepEqual(Object.keys(results[1]), ["error"]);
  assert.equal(results[1].error.row, 1);
  assert.equal(results[1].error.id, "B");
  assert.equal(results[1].error.column, "coverage");
  assert.deepEqual(Object.keys(results[1].error).sort(), [
    "code",
    "column",
    "id",
    "message",
    "path",
    "row",
  ]);
  assert.equal(results[2].error.code, "record.json");
  assert.equal(results[2].error.row, 2);
  assert.equal(results[3].ok.id, "C");
  // Scored as one cohort of the two good records.
  assert.deepEqual(results[0].ok.cohort, { rank: 1, of: 2, percentile: 100, tier: "先进" });
  assert.equal(results[3].ok.cohort.rank, 2);
  assert.equal(results[3].ok.cohort.tier, "一般");
  // Apart from the cohort, a batch entry equals the single evaluation; alone, this ruleset (it
  // has quota tiers) says that it was scored without a cohort.
  const { warnings, ...single } = demo.evaluate(records[0]);
  assert.equal(warnings.length, 1);
  assert.ok(single.reasons.some((r) => r.kind === "cohort"));
  single.reasons = single.reasons.filter((r) => r.kind !== "cohort");
  assert.deepStrictEqual({ ...results[0].ok, cohort: null }, single);
  assert.deepEqual(demo.evaluateMany([]), []);
});

test("CSV-style text values are read like the core reads them", () => {
  const e = demo.evaluate({
    id: "T",
    first_topic: "是",
    cases: "1",
    audit_level: "B",
    coverage: "90",
    satisfaction: "满意:8;基本满意:2;不满意:0;不了解:3",
    reports: "2",
  });
  assert.equal(e.score, demo.evaluate(good).score);
});

test("missing values: null, undefined and absent fields are the same", () => {
  const { reports: _, ...rest } = good;
  const errors = [{ ...good, reports: null }, { ...good, reports: undefined }, rest].map((r) =>
    thrown(() => demo.evaluate(r)),
  );
  for (const e of errors) {
    assert.equal(e.code, "record.missing_input");
    assert.equal(e.column, "reports");
    assert.equal(e.path, "publicity");
    assert.equal(e.message, errors[0].message);
  }
  // Under a `zero` policy the same record scores.
  const zero = Ruleset.fromToml(demoText.replace('bonus = true', 'bonus = true\nmissing = "zero"'));
  const e = zero.evaluate({ ...good, reports: null });
  assert.deepEqual(e.missing, ["reports"]);
  assert.equal(e.bonus_score, 0);
});

test("inputs() describes the form", () => {
  const inputs = demo.inputs();
  assert.deepEqual(
    inputs.map((i) => [i.name, i.type]),
    [
      ["first_topic", "boolean"],
      ["cases", "count"],
      ["audit_level", "category"],
      ["coverage", "number"],
      ["satisfaction", "survey"],
      ["reports", "count"],
    ],
  );
  const coverage = inputs[3];
  assert.deepEqual(coverage, {
    name: "coverage",
    type: "number",
    label: "廉洁教育覆盖率",
    label_en: "Integrity education coverage",
    unit: "%",
    unit_en: null,
    min: 0,
    max: 100,
    values: [],
    values_en: null,
    required: false,
    description: null,
    description_en: null,
  });
  assert.deepEqual(inputs[2].values, ["A", "B", "C", "不适用"]);
  assert.equal(inputs[0].required, true);
});

test("tree(), paths, grades, metadata, warnings", () => {
  const tree = demo.tree();
  assert.equal(tree.path, "");
  assert.equal(tree.points, 100);
  assert.deepEqual(
    tree.children.map((c) => c.path),
    ["party", "control", "publicity"],
  );
  assert.equal(tree.children[0].aggregate, "sum");
  assert.equal(tree.children[0].children[0].scorer, "clause");
  assert.deepEqual(tree.children[0].children[0].inputs, ["first_topic"]);
  assert.deepEqual(demo.dimensionPaths(), ["party", "control", "publicity"]);
  assert.equal(demo.indicatorPaths().length, 8);
  assert.deepEqual(demo.gradeNames(), ["优秀", "良好", "合格", "不合格"]);
  assert.equal(demo.maxTotal(), 103);
  const meta = demo.metadata();
  assert.equal(meta.id, "demo");
  assert.equal(meta.name_en, "Demo unit");
  assert.equal(meta.issuer, null);
  assert.equal(meta.bonus_cap, 3);
  assert.equal(meta.id_field, "id");
  assert.ok(Array.isArray(demo.warnings()));
});

test("explain gives the audit trail in Chinese or English", () => {
  const zh = demo.explain(good);
  assert.match(zh, /案件查处/);
  assert.equal(demo.explain(good, "zh"), zh);
  const en = demo.explain(good, "en");
  assert.notEqual(en, zh);
  assert.equal(thrown(() => demo.explain(good, "fr")).code, "lang.unknown");
  assert.match(thrown(() => demo.explain({ id: "x" })).code, /^record\./);
});

test("version()", () => {
  assert.match(qinglian.version(), /^\d+\.\d+\.\d+/);
});

test("the package entry points: require → CommonJS, import → the node build under Node", async () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "qinglian");
  assert.equal(pkg.type, undefined, "no \"type\": \"module\" above the CommonJS build");
  const viaRequire = require(pkgDir);
  assert.equal(viaRequire.Ruleset, Ruleset);
  const viaImport = await import(pkgDir + "/node/qinglian.js");
  assert.equal(typeof viaImport.Ruleset.fromToml, "function");
});

test("the web build (ES module) gives the same results", async () => {
  const web = await import(join(pkgDir, "web/qinglian.js"));
  const bytes = readFileSync(join(pkgDir, "web/qinglian_bg.wasm"));
  web.initSync({ module: bytes });
  const ruleset = web.Ruleset.fromToml(demoText);
  assert.deepStrictEqual(ruleset.evaluate(good), demo.evaluate(good));
  const e = thrown(() => web.Ruleset.fromToml(brokenText));
  assert.ok(e instanceof Error);
  assert.equal(e.line, 11);
});

test("the TypeScript declarations have no `any` in the public API", () => {
  for (const build of ["web", "node"]) {
    const dts = readFileSync(join(pkgDir, build, "qinglian.d.ts"), "utf8");
    // wasm-bindgen's own init plumbing (InitOutput) is below `export type InitInput`.
    const publicPart = dts.split("export type InitInput")[0];
    assert.doesNotMatch(publicPart, /\bany\b/, `${build}/qinglian.d.ts`);
    for (const name of ["fromToml", "evaluate", "evaluateMany", "inputs", "tree", "explain"]) {
      assert.match(publicPart, new RegExp(`\\b${name}\\(`), `${name} declared`);
    }
  }
});
