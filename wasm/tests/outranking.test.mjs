// Outranking and Copeland scores through the Node build: the worked example of the Rust and
// Python tests, and at three nodes of the ASEM index the numbers Rust's core wrote into
// tests/outranking/ (bit for bit), from records and from columns.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Ruleset, weights } = require("../pkg/node/qinglian.js");

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../../tests/outranking");
const fixture = JSON.parse(readFileSync(join(dir, "asem-copeland.json"), "utf8"));
const ruleset = Ruleset.fromToml(readFileSync(join(dir, fixture.ruleset), "utf8"));

test("a worked example: pairs won by the weight, ties half", () => {
  const o = weights.outranking([[3, 2], [1, 1], [2, 5]], { weights: [1, 3] });
  assert.deepEqual(o.matrix, [[0, 1, 0.25], [0, 0, 0], [0.75, 1, 0]]);
  assert.deepEqual(o.copeland, [0, -2, 2]);
  assert.equal(o.dominant_pairs, 2);
  const lower = weights.outranking([[1, 2], [2, 1]], { directions: [1, "lower"] });
  assert.deepEqual(lower.copeland, [-1, 1]);
});

test("bad matrices and options throw typed errors", () => {
  assert.throws(() => weights.outranking([[1, 2], [1]]), { code: "weights.ragged", row: 1 });
  assert.throws(() => weights.outranking([[1, 2]], { weights: [1, -1] }), {
    code: "weights.bad_weights",
    column: 1,
  });
  assert.throws(() => weights.outranking([[1, 2]], { colour: 1 }), { code: "options.unknown" });
  assert.throws(() => ruleset.copeland(fixture.records, { node: "Conn.Physical.LPI" }), {
    code: "options.invalid",
  });
  // The instance keeps working after an error.
  assert.equal(ruleset.copeland(fixture.records).rank.length, fixture.records.length);
});

function check(c, expected) {
  assert.ok(c.copeland instanceof Float64Array);
  assert.ok(c.rank instanceof Uint32Array);
  assert.deepEqual(Array.from(c.copeland), expected.copeland);
  assert.deepEqual(Array.from(c.rank), expected.rank);
  assert.equal(c.dominantPairs, expected.dominant_pairs);
  assert.equal(c.dominantShare, expected.dominant_share);
}

test("records and columns give Rust's Copeland scores at every node", () => {
  const fields = Object.keys(fixture.records[0]);
  const columns = Object.fromEntries(
    fields.map((f) => [f, fixture.records.map((r) => r[f] ?? null)]),
  );
  for (const node of fixture.nodes) {
    const options = node ? { node } : undefined;
    check(ruleset.copeland(fixture.records, options), fixture.expected[node]);
    check(ruleset.copeland(columns, options), fixture.expected[node]);
  }
});
