// Node benchmark of the qinglian WebAssembly build (not run by CI):
//   1. `ruleset.evaluate(record)` with the full audit trail, µs per call (village ruleset);
//   2. `ruleset.scoreColumns(columns)` on the 30-rule scorecard (benches/scorecard/) at 10k and
//      100k rows, against a hand-written plain-JavaScript port of the scorecard in the same run,
//      after checking that both agree on every total (bit for bit) and every grade.
//
//   wasm/build.sh && node wasm/bench/bench.mjs [--sizes 10000,100000] [--repeat 5]
//                                              [--csv enterprises.csv] [--seed 7] [--pkg dir]
//
// `--csv` reads a table written by `python benches/scorecard/data.py --rows N -o file.csv`
// instead of generating one (the figures are then for that table's size). `--pkg` measures
// another build of the package (a directory like wasm/pkg), e.g. an older one for comparison.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { columns as syntheticColumns, columnsFromCsv, record } from "./scorecard-data.mjs";
import { scoreColumns as plainScoreColumns, scoreRecord } from "./plain-scorecard.mjs";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const pkg = resolve(arg("pkg", join(repo, "wasm/pkg")));
const { Ruleset, version } = require(join(pkg, "node/qinglian.js"));
const sizes = arg("sizes", "10000,100000").split(",").map(Number);
const repeat = Number(arg("repeat", "5"));
const seed = Number(arg("seed", "7"));
const csv = arg("csv", null);

const fmt = (x, digits = 1) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rate = (rows, s) => `${fmt(rows / s / 1000, 0)} k rows/s`;

/** Best of `repeat` runs of `fn`, in seconds. */
function best(fn, times = repeat) {
  let min = Infinity;
  let out;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    out = fn();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return [min, out];
}

/** Mean µs per call over ~`seconds` of calls, after a warm-up; the best of 3 such runs. */
function perCall(fn, seconds = 1) {
  for (let i = 0; i < 300; i++) fn();
  let bestUs = Infinity;
  for (let run = 0; run < 3; run++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < seconds * 1000) {
      for (let i = 0; i < 100; i++) fn();
      calls += 100;
      t = performance.now();
    }
    bestUs = Math.min(bestUs, ((t - t0) * 1000) / calls);
  }
  return bestUs;
}

console.log(`qinglian ${version()} (WebAssembly) · Node ${process.version} · ${process.arch}`);

// ------------------------------------------------------------------ 1. evaluate with full trail
{
  const village = Ruleset.fromToml(readFileSync(join(repo, "rules/village.toml"), "utf8"));
  const kase = JSON.parse(readFileSync(join(repo, "tests/conformance/cases/village-hand.json"), "utf8"));
  const rec = kase.records[0];
  const e = village.evaluate(rec);
  const size = JSON.stringify(e).length;
  const us = perCall(() => village.evaluate(rec));
  const usText = perCall(() => village.explain(rec));
  console.log(`\nevaluate(record), village ruleset (${village.inputs().length} inputs, ${village.indicatorPaths().length} indicators), full audit trail:`);
  console.log(`  evaluate        ${fmt(us)} µs per call  (${e.nodes.length} nodes, ${e.reasons.length} reasons, ${fmt(size / 1024)} KiB as JSON)`);
  console.log(`  explain (text)  ${fmt(usText)} µs per call`);
  village.free();
}

// ------------------------------------------------------------------ 2. scoreColumns vs plain JS
if (typeof Ruleset.prototype.scoreColumns !== "function") {
  console.log("\n(this build has no scoreColumns)");
  process.exit(0);
}
const scorecard = Ruleset.fromToml(readFileSync(join(repo, "benches/scorecard/scorecard.toml"), "utf8"));
const grades = scorecard.gradeNames();
const tables = csv
  ? [columnsFromCsv(readFileSync(csv, "utf8"))]
  : sizes.map((n) => syntheticColumns(n, seed));

console.log(`\nscorecard (${scorecard.inputs().length} inputs, 30 rules): scoreColumns vs plain JavaScript, best of ${repeat}`);
console.log("  rows      scoreColumns                    plain JS (per record)           plain / qinglian");
for (const columns of tables) {
  const n = columns.id.length;
  // Agreement first: every total bit for bit, every grade, no error.
  const table = scorecard.scoreColumns(columns);
  const plain = plainScoreColumns(columns, n);
  if (table.errors.length) {
    throw new Error(`scoreColumns: ${table.errors.length} rows failed, first: ${JSON.stringify(table.errors[0])}`);
  }
  let differ = 0;
  for (let i = 0; i < n; i++) {
    if (!Object.is(table.score[i], plain.total[i]) || grades[table.grade[i]] !== plain.grade[i]) {
      if (differ++ < 3) {
        console.error(`  row ${i}: qinglian ${table.score[i]} ${grades[table.grade[i]]}, plain ${plain.total[i]} ${plain.grade[i]}`);
      }
    }
  }
  if (differ) throw new Error(`${differ} of ${n} rows disagree`);
  // One row's full trail from the table equals evaluate() of the same record.
  const row = Math.floor(n / 2);
  const single = scorecard.evaluate(record(columns, row));
  if (table.explain(row).score !== single.score || scoreRecord(record(columns, row))[0] !== single.score) {
    throw new Error("table.explain disagrees with evaluate");
  }
  table.free();

  const [tq] = best(() => scorecard.scoreColumns(columns).free());
  const [tp] = best(() => plainScoreColumns(columns, n));
  console.log(
    `  ${String(n).padEnd(9)} ${`${fmt(tq * 1000)} ms  ${rate(n, tq)}`.padEnd(31)} ${`${fmt(tp * 1000)} ms  ${rate(n, tp)}`.padEnd(31)} ${fmt(tp / tq, 2)}×`,
  );
}
console.log("  (every total agrees bit for bit and every grade agrees)");
scorecard.free();
