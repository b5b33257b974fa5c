// Fits the reference cohorts the web calculator ships beside its rulesets: for every ruleset of
// rules/ and rules/asem/ that has cohort-dependent rules (rank scoring, normalisation against the
// cohort, quota tiers) and example data in examples/data/, writes <out>/<ruleset>.cohort.json
// (asem/<ruleset>.cohort.json for those of rules/asem/), and <out>/cohorts.json mapping ruleset
// paths relative to rules/ to cohort files relative to <out>. Run by build.sh after the Node
// build:
//
//   node wasm/fit-cohorts.mjs <out-dir>
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { Ruleset } = require(join(repo, "wasm/pkg/node/qinglian.js"));
const out = resolve(process.argv[2] ?? join(repo, "examples/web-calculator/rules"));

/** The example data set of each ruleset (examples/generate_data.py writes them). */
const DATA = {
  "city-index.toml": "city-districts.csv",
  "government-organ.toml": "government-organs.csv",
  "hospital.toml": "hospitals.csv",
  "private-enterprise.toml": "private-enterprises.csv",
  "school.toml": "schools.csv",
  "soe.toml": "soes.csv",
  "transport.toml": "transport-projects.csv",
  "village.toml": "villages.csv",
  // The 51 countries of the published ASEM index: its reference population.
  "asem/minmax-arithmetic.toml": "asem/asem_iData.csv",
  "asem/minmax-geometric.toml": "asem/asem_iData.csv",
  "asem/zscore-arithmetic.toml": "asem/asem_iData.csv",
};

/** A CSV of the example data (no quoted cells) as columns of text; empty cells are missing. */
function columnsOf(text) {
  const [head, ...rows] = text.trim().split(/\r?\n/);
  const names = head.split(",");
  const columns = Object.fromEntries(names.map((n) => [n, []]));
  for (const row of rows) {
    const cells = row.split(",");
    names.forEach((n, i) => columns[n].push(cells[i] === "" || cells[i] === undefined ? null : cells[i]));
  }
  return columns;
}

const manifest = {};
const files = [
  ...readdirSync(join(repo, "rules")).filter((f) => f.endsWith(".toml")),
  ...readdirSync(join(repo, "rules/asem")).filter((f) => f.endsWith(".toml")).map((f) => `asem/${f}`),
].sort();
for (const file of files) {
  const ruleset = Ruleset.fromToml(readFileSync(join(repo, "rules", file), "utf8"));
  const data = DATA[file];
  if (ruleset.cohortDependent() && data) {
    const cohort = ruleset.fit(columnsOf(readFileSync(join(repo, "examples/data", data), "utf8")));
    const name = file.replace(/\.toml$/, ".cohort.json");
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), cohort.toJson() + "\n");
    manifest[file] = name;
    console.log(`fitted ${name}: ${cohort.size} units of examples/data/${data}`);
    cohort.free();
  }
  ruleset.free();
}
writeFileSync(join(out, "cohorts.json"), JSON.stringify(manifest, null, 2) + "\n");
