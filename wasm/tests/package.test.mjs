// The npm package as a user gets it: `npm pack` of wasm/pkg, installed into an empty folder, then
// the README's Node snippets run from there, as an ES module and as CommonJS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkgDir, repoRoot } from "./helpers.mjs";

let dir;
let packed;
let expected;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "qinglian-pack-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: pkgDir, encoding: "utf8" });
  [packed] = JSON.parse(out);
  const app = join(dir, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  // The tarball has no dependencies: nothing is fetched.
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(dir, packed.filename)], { cwd: app, stdio: "pipe" });
  copyFileSync(join(repoRoot, "rules/village.toml"), join(app, "village.toml"));
  // A whole record of the village case (every declared input given).
  const kase = JSON.parse(readFileSync(join(repoRoot, "tests/conformance/cases/village-hand.json"), "utf8"));
  writeFileSync(join(app, "record.json"), JSON.stringify(kase.records[0]));
  expected = kase.expected[0].score;
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (file, source) => {
  writeFileSync(join(dir, "app", file), source);
  return execFileSync("node", [file], { cwd: join(dir, "app"), encoding: "utf8" });
};

test("the tarball: one .wasm, the licences, the element, types", () => {
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files.filter((f) => f.endsWith(".wasm")), ["web/qinglian_bg.wasm"]);
  for (const f of ["LICENSE-MIT", "LICENSE-APACHE", "README.md", "package.json", "calculator/calculator.js",
    "calculator/calculator.d.ts", "web/index.js", "web/qinglian.d.ts", "node/index.js", "node/index.mjs", "node/qinglian.d.ts"]) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  const wasm = packed.files.find((f) => f.path === "web/qinglian_bg.wasm").size;
  assert.ok(packed.unpackedSize < wasm + 400_000, `unpacked ${packed.unpackedSize} bytes`);
});

test("README, Node as an ES module: import init, await init(), score, typed errors", () => {
  const out = run(
    "esm.mjs",
    `import init, { Ruleset, RulesetError, RecordError, QinglianError, version } from "qinglian";
import { readFileSync } from "node:fs";
await init(); // a no-op in Node, so that browser code runs unchanged
const ruleset = Ruleset.fromToml(readFileSync("village.toml", "utf8"));
const record = JSON.parse(readFileSync("record.json", "utf8"));
const e = ruleset.evaluate(record);
let load, error;
try { Ruleset.fromToml("[ruleset]\\nid = 3\\n"); } catch (err) { load = err; }
try { ruleset.evaluate({ ...record, risk_likelihood: 9 }); } catch (err) { error = err; }
console.log(JSON.stringify({
  version: version(), score: e.score,
  load: [load instanceof RulesetError, load instanceof QinglianError, load instanceof Error, load instanceof RecordError, load.code, typeof load.line, load.name],
  record: [error instanceof RecordError, error instanceof Error, error instanceof RulesetError, error.code, error.column],
}));
`,
  );
  const r = JSON.parse(out);
  assert.ok(Math.abs(r.score - expected) < 1e-9, `score ${r.score}, expected ${expected}`);
  assert.deepEqual(r.load.slice(0, 4), [true, true, true, false]);
  assert.match(r.load[4], /^ruleset\./);
  assert.equal(r.load[5], "number");
  assert.equal(r.load[6], "RulesetError");
  assert.deepEqual(r.record, [true, true, false, "record.out_of_range", "risk_likelihood"]);
});

test("README, Node as CommonJS: require, evaluateMany, the same classes", () => {
  const out = run(
    "cjs.cjs",
    `const { Ruleset, RecordError } = require("qinglian");
const init = require("qinglian").default;
const fs = require("node:fs");
const ruleset = Ruleset.fromToml(fs.readFileSync("village.toml", "utf8"));
const record = JSON.parse(fs.readFileSync("record.json", "utf8"));
const results = ruleset.evaluateMany([record, { ...record, id: "B", risk_likelihood: 9 }]);
let thrown;
try { ruleset.evaluate({ ...record, risk_likelihood: 9 }); } catch (e) { thrown = e; }
init().then(() => console.log(JSON.stringify({
  ok: "ok" in results[0], error: results[1].error.code, classed: thrown instanceof RecordError,
})));
`,
  );
  assert.deepEqual(JSON.parse(out), { ok: true, error: "record.out_of_range", classed: true });
});

test("importing the element in Node (SSR, test runners) does not throw", () => {
  const out = run("element.mjs", `import { formatScore, mount } from "qinglian/calculator"; console.log(formatScore(1.005), typeof mount);`);
  assert.equal(out.trim(), "1 function");
});

test("the package's own README is the repository's", () => {
  assert.equal(readFileSync(join(dir, "app/node_modules/qinglian/README.md"), "utf8"), readFileSync(join(repoRoot, "wasm/README.md"), "utf8"));
});
