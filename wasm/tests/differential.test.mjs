// The differential test across languages, JavaScript's half: the random rulesets and records
// that Rust drew from a fixed seed and scored (core/tests/differential.rs, written to
// target/differential/cases.json), scored here: every score equal to the bit, every grade,
// error code and column equal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { Ruleset } = require("../pkg/node/qinglian.js");
const file = join(here, "../../target/differential/cases.json");

function outcome(result) {
  if (result.error) return { error: result.error.code, column: result.error.column ?? null };
  const e = result.ok;
  return {
    score: e.score,
    base_score: e.base_score,
    bonus_score: e.bonus_score,
    grade: e.grade ?? null,
    nodes: e.nodes.map((n) => [n.path, n.score]),
  };
}

test("JavaScript agrees with Rust on random rulesets and records", () => {
  assert.ok(existsSync(file), `${file} is written by \`cargo test -p qinglian --test differential\``);
  const { cases } = JSON.parse(readFileSync(file, "utf8"));
  assert.ok(cases.length >= 40);
  let records = 0;
  cases.forEach((c, number) => {
    if (c.load_errors) {
      let error;
      try {
        Ruleset.fromToml(c.ruleset);
      } catch (e) {
        error = e;
      }
      assert.ok(error, `case ${number}: Rust refused this ruleset, JavaScript loaded it`);
      assert.deepStrictEqual(error.errors.map((d) => d.code), c.load_errors, `case ${number}`);
      return;
    }
    const ruleset = Ruleset.fromToml(c.ruleset);
    const got = ruleset.evaluateMany(c.records).map(outcome);
    assert.deepStrictEqual(got, c.expected, `case ${number}`);
    records += got.length;
    ruleset.free();
  });
  console.log(`differential: ${cases.length} cases, ${records} records agree with Rust`);
});
