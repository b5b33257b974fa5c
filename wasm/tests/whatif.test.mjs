// What-if: a ruleset with rule parameters changed by path, validated like a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { Ruleset } = require("../pkg/node/qinglian.js");
const village = Ruleset.fromToml(readFileSync(join(here, "../../rules/village.toml"), "utf8"));

test("withChanges returns a new ruleset; the original is unchanged", () => {
  const stricter = village.withChanges({ "grade.达标.min": 80, "ruleset.version": "what-if" });
  assert.equal(stricter.metadata().version, "what-if");
  assert.notEqual(stricter.hash(), village.hash());
  assert.notEqual(village.metadata().version, "what-if");
  const back = stricter.withChanges({ "grade.达标.min": 75, "ruleset.version": village.metadata().version });
  assert.equal(back.hash(), village.hash(), "changing back gives the same rules");
});

test("a changed deduction changes the score as the edited text would", () => {
  const text = readFileSync(join(here, "../../rules/village.toml"), "utf8");
  // The first village of the example data (CSV text values are read as the core reads them).
  const [head, first] = readFileSync(join(here, "../../examples/data/villages.csv"), "utf8").split("\n");
  const cells = first.split(",");
  const record = Object.fromEntries(head.split(",").map((k, i) => [k, cells[i]]));
  record.irregular_contracts = "1";
  const edited = Ruleset.fromToml(text.replace("per = 2", "per = 4"));
  const changed = village.withChanges({ "assets.contracts.scorer.per": 4 });
  const a = changed.evaluate(record);
  const b = edited.evaluate(record);
  assert.equal(a.score, b.score);
  assert.equal(a.score, village.evaluate(record).score - 2, "one irregular contract at 2 more");
  assert.equal(a.ruleset_hash, changed.hash());
});

test("a bad path is a RulesetLoadError naming it", () => {
  assert.throws(
    () => village.withChanges({ "nowhere.points": 1 }),
    (e) => e.code === "ruleset.change" && e.path === "nowhere.points",
  );
});
