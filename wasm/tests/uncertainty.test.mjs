// `ruleset.uncertainty`: ranks under noisy weights through the Node build must equal the numbers
// Rust's core wrote into tests/uncertainty/ (bit for bit), from records and from columns; and
// options that describe no analysis are refused with a typed error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Ruleset } = require("../pkg/node/qinglian.js");

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../../tests/uncertainty");
const fixture = JSON.parse(readFileSync(join(dir, "power-mean.json"), "utf8"));
const ruleset = Ruleset.fromToml(readFileSync(join(dir, fixture.ruleset), "utf8"));
const options = {
  samples: fixture.samples,
  weightNoise: fixture.weight_noise,
  seed: fixture.seed,
};

function check(u) {
  assert.equal(u.samples, fixture.samples);
  assert.ok(u.rank instanceof Uint32Array);
  assert.ok(u.rankMedian instanceof Float64Array);
  assert.deepEqual(Array.from(u.rank), fixture.expected.rank);
  assert.deepEqual(Array.from(u.rankMedian), fixture.expected.rank_median);
  assert.deepEqual(Array.from(u.rankP05), fixture.expected.rank_p05);
  assert.deepEqual(Array.from(u.rankP95), fixture.expected.rank_p95);
}

test("records give Rust's numbers for the same seed", () => {
  check(ruleset.uncertainty(fixture.records, options));
});

test("columns give the same numbers, and a bigint seed is the same seed", () => {
  const fields = Object.keys(fixture.records[0]);
  const columns = Object.fromEntries(
    fields.map((f) => [f, fixture.records.map((r) => r[f] ?? null)]),
  );
  check(ruleset.uncertainty(columns, { ...options, seed: BigInt(fixture.seed) }));
});

test("without noise every rank stays where it is; depths choose the weights", () => {
  const u = ruleset.uncertainty(fixture.records, { samples: 5, weightNoise: 0 });
  assert.deepEqual(Array.from(u.rankMedian), Array.from(u.rank, Number));
  assert.deepEqual(Array.from(u.rankP95), Array.from(u.rank, Number));
  const top = ruleset.uncertainty(fixture.records, { ...options, depths: [1] });
  assert.equal(top.rank.length, fixture.records.length);
});

test("a row that cannot be scored is unranked", () => {
  const records = fixture.records.map((r, i) => (i === 2 ? { ...r, a: "abc" } : r));
  const u = ruleset.uncertainty(records, { samples: 10 });
  assert.equal(u.rank[2], 0);
  assert.ok(Number.isNaN(u.rankMedian[2]));
  assert.ok(u.rank[3] > 0);
});

test("options that describe no analysis are refused", () => {
  for (const bad of [
    { samples: 0 },
    { samples: 1.5 },
    { weightNoise: 1 },
    { weightNoise: "much" },
    { seed: -1 },
    { depths: [9] },
    { depths: "1" },
    { colour: "red" },
  ]) {
    assert.throws(
      () => ruleset.uncertainty(fixture.records, bad),
      (e) => e instanceof Error && ["options.invalid", "options.unknown"].includes(e.code),
      JSON.stringify(bad),
    );
  }
  assert.throws(() => ruleset.uncertainty(42), (e) => e.code === "columns.invalid");
});
