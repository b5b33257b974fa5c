// Provenance: every evaluation names the ruleset (id, version, content hash) that produced it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { Ruleset } = require("../pkg/node/qinglian.js");
const demoText = readFileSync(join(here, "fixtures/demo.toml"), "utf8");
const villageText = readFileSync(join(here, "../../rules/village.toml"), "utf8");

test("evaluations carry the ruleset's id, version and hash", () => {
  const demo = Ruleset.fromToml(demoText);
  const hash = demo.hash();
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(demo.provenance(), { ruleset: "demo", version: "1", hash });
  const unit = {
    id: "U1",
    first_topic: true,
    cases: 1,
    audit_level: "B",
    coverage: 90,
    satisfaction: { 满意: 8, 基本满意: 2, 不满意: 0, 不了解: 3 },
    reports: 2,
  };
  const e = demo.evaluate(unit);
  assert.equal(e.ruleset, "demo");
  assert.equal(e.ruleset_version, "1");
  assert.equal(e.ruleset_hash, hash);
  const [many] = demo.evaluateMany([unit]);
  assert.equal(many.ok.ruleset_hash, hash);
});

test("comments and layout do not change the hash; a changed rule does", () => {
  const base = Ruleset.fromToml(villageText);
  const commented = Ruleset.fromToml(`# 修订稿\n${villageText.replaceAll("\n[[indicator]]", "\n\n# 指标\n[[indicator]]")}`);
  assert.equal(commented.hash(), base.hash());
  assert.equal(Ruleset.fromToml(base.toToml()).hash(), base.hash());
  const changed = Ruleset.fromToml(villageText.replace("min = 75", "min = 76"));
  assert.notEqual(changed.hash(), base.hash());
});
