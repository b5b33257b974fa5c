// Runs every conformance case of tests/conformance/ through the Node build and requires exact
// agreement with the golden results the Rust suite writes (deep equality, numbers bit for bit),
// plus the hand-worked `expected` keys within 1e-9.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Ruleset } = require("../pkg/node/qinglian.js");

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../tests/conformance");
const casesDir = join(root, "cases");
const goldenDir = join(root, "golden");

const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const anyGolden =
  existsSync(goldenDir) && readdirSync(goldenDir).some((f) => f.endsWith(".json"));

function close(actual, want, what) {
  const ok = Math.abs(actual - want) <= 1e-9 * Math.max(Math.abs(want), 1);
  assert.ok(ok, `${what}: ${actual} != expected ${want}`);
}

/** Checks the hand-worked keys present in one `expected` entry. */
function checkExpected(result, want, where) {
  if ("error" in want) {
    assert.ok(result.error, `${where}: expected error ${want.error}, got a score`);
    assert.equal(result.error.code, want.error, `${where}: error code`);
    return;
  }
  assert.ok(result.ok, `${where}: unexpected error ${JSON.stringify(result.error)}`);
  const e = result.ok;
  for (const key of ["score", "base_score", "bonus_score", "max_score"]) {
    if (key in want) close(e[key], want[key], `${where} ${key}`);
  }
  if ("id" in want) assert.equal(e.id, want.id, `${where} id`);
  if ("grade" in want) assert.equal(e.grade, want.grade, `${where} grade`);
  if ("rank" in want) close(e.cohort?.rank, want.rank, `${where} rank`);
  if ("tier" in want) assert.equal(e.cohort?.tier ?? null, want.tier, `${where} tier`);
  for (const key of ["vetoes", "alerts"]) {
    if (key in want) {
      assert.deepEqual(
        e[key].map((x) => x.id),
        want[key],
        `${where} ${key}`,
      );
    }
  }
  for (const [path, score] of Object.entries(want.nodes ?? {})) {
    const node = e.nodes.find((n) => n.path === path);
    assert.ok(node, `${where}: node ${path} not found`);
    close(node.score, score, `${where} node ${path}`);
  }
}

let checked = 0;
test("conformance cases exist", () => {
  assert.ok(cases.length > 0, `no cases in ${casesDir}`);
});

for (const file of cases) {
  const name = basename(file, ".json");
  test(`conformance: ${name}`, () => {
    const casePath = join(casesDir, file);
    const kase = JSON.parse(readFileSync(casePath, "utf8"));
    const text = readFileSync(resolve(dirname(casePath), kase.ruleset), "utf8");
    const goldenPath = join(goldenDir, `${name}.json`);
    const golden = existsSync(goldenPath)
      ? JSON.parse(readFileSync(goldenPath, "utf8"))
      : null;
    if (anyGolden) {
      assert.ok(golden, `no golden file for ${name} (the Rust suite writes golden/${name}.json)`);
    }

    if (kase.load_errors || golden?.load_errors) {
      let error;
      assert.throws(
        () => Ruleset.fromToml(text),
        (e) => {
          error = e;
          return e instanceof Error;
        },
      );
      assert.ok(Array.isArray(error.errors) && error.errors.length > 0, "errors[]");
      const first = error.errors[0];
      assert.equal(error.code, first.code);
      assert.equal(error.line, first.line);
      assert.equal(error.column, first.column);
      assert.equal(error.path, first.path);
      for (const want of kase.load_errors ?? []) {
        const found = error.errors.some((d) =>
          Object.entries(want).every(([k, v]) => d[k] === v),
        );
        assert.ok(found, `expected load error ${JSON.stringify(want)} not among ${error.message}`);
      }
      if (golden) {
        const got = error.errors.map((d) => ({
          code: d.code,
          line: d.line,
          column: d.column,
          path: d.path,
        }));
        assert.deepStrictEqual(got, golden.load_errors);
      }
      checked++;
      return;
    }

    const ruleset = Ruleset.fromToml(text);
    const results = ruleset.evaluateMany(kase.records);
    assert.equal(results.length, kase.records.length);
    if (golden) {
      // Bit for bit: the core uses Rust's own libm, so WebAssembly and native agree exactly.
      assert.deepStrictEqual(results, golden.results);
    }
    (kase.expected ?? []).forEach((want, i) =>
      checkExpected(results[i], want, `${name} record ${i + 1}`),
    );
    ruleset.free();
    checked++;
  });
}

after(() => {
  console.log(`# conformance: ${checked} of ${cases.length} cases agree with Rust, bit for bit`);
});
