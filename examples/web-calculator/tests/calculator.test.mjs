// Drives the calculator in a real headless Chromium (Debian's, through playwright-core): fills the
// form with a record of a conformance case, checks the displayed score and grade against the core
// (the Node build, same record), switches language and rulesets, checks every ruleset of rules/
// renders a score, checks it keeps working offline, and saves screenshots.
//
// Needs `wasm/build.sh` to have run (it copies the web build and the rulesets beside the page).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, existsSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const site = resolve(here, "..");
const repo = resolve(site, "../..");
const screenshots = join(site, "screenshots");
const { Ruleset } = require(join(repo, "wasm/pkg/node/qinglian.js"));

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".toml": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

/** Same formatting as the page: at most two decimals. */
const format = (x) => String(Math.round(x * 100) / 100);

let server;
let baseUrl;
let context;
let userDataDir;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(join(site, "pkg/qinglian_bg.wasm")), "run wasm/build.sh first");
  assert.ok(existsSync(join(site, "rules/index.json")), "run wasm/build.sh first");
  server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(site, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(site + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  baseUrl = `http://127.0.0.1:${server.address().port}/`;
  userDataDir = mkdtempSync(join(tmpdir(), "qinglian-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await context?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

async function openPage() {
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  await page.goto(baseUrl);
  await page.waitForSelector('.qinglian-calculator[data-ready="true"]');
  return page;
}

/** The value a form control takes for a record value. */
function formValue(input, value) {
  if (value === null || value === undefined) return "";
  if (input.type === "boolean") {
    return [true, 1, "true", "1", "是", "yes"].includes(value) ? "true" : "false";
  }
  return String(value);
}

function surveyCounts(value) {
  if (value === null || value === undefined) return {};
  if (typeof value === "object") return value;
  return Object.fromEntries(
    String(value)
      .split(";")
      .filter(Boolean)
      .map((pair) => pair.split(":").map((s) => s.trim())),
  );
}

/** Fills the generated form the way a person would. */
async function fill(page, inputs, record) {
  for (const input of inputs) {
    const value = record[input.name];
    if (input.type === "survey") {
      const counts = surveyCounts(value);
      for (const answer of input.values) {
        const box = page.locator(
          `input[data-input="${input.name}"][data-answer="${answer}"]`,
        );
        await box.fill(counts[answer] === undefined ? "" : String(counts[answer]));
      }
    } else if (input.type === "boolean" || input.type === "category") {
      await page.selectOption(`select[name="${input.name}"]`, formValue(input, value));
    } else {
      await page.fill(`input[name="${input.name}"]`, formValue(input, value));
    }
  }
}

async function snap(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshots, name), fullPage: true });
}

async function shown(page) {
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    return {
      score: q("score")?.dataset.value ?? null,
      scoreText: q("score")?.textContent ?? null,
      grade: q("grade")?.dataset.value ?? null,
      gradeText: q("grade")?.textContent ?? null,
      error: q("error")?.textContent ?? null,
      bars: document.querySelectorAll('[data-testid="bars"] .ql-bar-row').length,
      record: window.qinglianCalculator.record(),
      ruleset: window.qinglianCalculator.ruleset,
    };
  });
}

/** A record of a conformance case on a ruleset of rules/ that scores without error. */
function knownCase() {
  const casesDir = join(repo, "tests/conformance/cases");
  const files = readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort();
  // Prefer the village case: a form of moderate size with a bonus and a conditional grade.
  files.sort((a, b) => (b.startsWith("village") ? 1 : 0) - (a.startsWith("village") ? 1 : 0));
  for (const file of files) {
    const kase = JSON.parse(readFileSync(join(casesDir, file), "utf8"));
    if (!kase.ruleset || !kase.records) continue;
    const rulesetPath = resolve(casesDir, kase.ruleset);
    if (dirname(rulesetPath) !== join(repo, "rules")) continue;
    const i = (kase.expected ?? []).findIndex((e) => !("error" in e));
    if (i < 0) continue;
    return { file, rulesFile: rulesetPath.slice(rulesetPath.lastIndexOf(sep) + 1), record: kase.records[i] };
  }
  return null;
}

test("fills a known case and shows the core's score and grade, in Chinese and English", async () => {
  const known = knownCase();
  assert.ok(known, "no conformance case on a ruleset of rules/");
  const ruleset = Ruleset.fromToml(readFileSync(join(repo, "rules", known.rulesFile), "utf8"));
  const inputs = ruleset.inputs();
  const expected = ruleset.evaluate(known.record);

  const page = await openPage();
  await page.selectOption('[data-testid="ruleset-select"]', known.rulesFile);
  await fill(page, inputs, known.record);
  const view = await shown(page);
  assert.equal(view.error, null, `the page shows an error: ${view.error}`);
  assert.equal(view.ruleset, known.rulesFile);
  assert.equal(Number(view.score), expected.score, `score for ${known.file}`);
  assert.equal(view.scoreText, format(expected.score));
  assert.equal(view.grade, expected.grade ?? "");
  assert.equal(view.gradeText, expected.grade ?? "未定等次");
  assert.equal(view.bars, ruleset.dimensionPaths().length);
  // The page scored exactly what the core scores for the same record.
  assert.deepStrictEqual(ruleset.evaluate(view.record).score, expected.score);
  const lost = await page.locator('[data-testid="lost"] li').count();
  const deductions = expected.reasons.filter((r) =>
    ["deduction", "zeroed", "missing"].includes(r.kind),
  ).length;
  assert.equal(lost, deductions, "one line per lost-points reason");
  await snap(page, "calculator-zh.png");

  await page.click('[data-testid="lang-switch"]');
  const en = await shown(page);
  assert.equal(Number(en.score), expected.score, "switching language keeps the facts");
  assert.equal(en.gradeText, expected.grade_en ?? expected.grade ?? "No grade");
  const firstLabel = inputs[0].label_en ?? inputs[0].label;
  assert.equal(
    (await page.locator(`label[for="ql-f-${inputs[0].name}"]`).textContent()).replace(/ \*$/, ""),
    firstLabel,
  );
  await snap(page, "calculator-en.png");

  // Recomputes as the user types: a fact that changes the score.
  await page.click('[data-testid="lang-switch"]');
  const numeric = inputs.find((i) => (i.type === "count" || i.type === "number") && i.max === null);
  if (numeric) {
    const bumped = { ...known.record, [numeric.name]: Number(known.record[numeric.name] ?? 0) + 3 };
    await page.fill(`input[name="${numeric.name}"]`, String(bumped[numeric.name]));
    const again = await shown(page);
    let want;
    try {
      want = ruleset.evaluate(bumped).score;
    } catch {
      want = null;
    }
    if (want === null) assert.ok(again.error);
    else assert.equal(Number(again.score), want);
  }

  // A missing required or error-policy fact shows a readable message, not a broken page.
  const policyInput = inputs.find((i) => i.type === "count" || i.type === "number");
  await page.fill(`input[name="${policyInput.name}"]`, "");
  const cleared = await shown(page);
  const record = { ...known.record, [policyInput.name]: null };
  let scores = true;
  try {
    ruleset.evaluate(record);
  } catch {
    scores = false;
  }
  if (scores) assert.equal(cleared.error, null);
  else assert.match(cleared.error, /请填写|超出|填写有误/);
  await page.close();
  ruleset.free();
});

test("every ruleset in rules/ renders a score with the prefilled form, and agrees with the core", async () => {
  const files = JSON.parse(readFileSync(join(site, "rules/index.json"), "utf8"));
  const expectedFiles = readdirSync(join(repo, "rules")).filter((f) => f.endsWith(".toml")).sort();
  assert.deepEqual([...files].sort(), expectedFiles, "the page offers every ruleset of rules/");
  const shipped = JSON.parse(readFileSync(join(site, "rules/cohorts.json"), "utf8"));
  const page = await openPage();
  for (const file of files) {
    await page.selectOption('[data-testid="ruleset-select"]', file);
    const view = await shown(page);
    assert.equal(view.ruleset, file);
    assert.equal(view.error, null, `${file}: ${view.error}`);
    assert.ok(view.score !== null && Number.isFinite(Number(view.score)), `${file}: no score`);
    const ruleset = Ruleset.fromToml(readFileSync(join(repo, "rules", file), "utf8"));
    // A ruleset shipped with a reference cohort is scored against it.
    const cohortFile = shipped[file];
    const cohort = cohortFile
      ? ruleset.cohortFromJson(readFileSync(join(site, "rules", cohortFile), "utf8"))
      : undefined;
    const e = ruleset.evaluate(view.record, { cohort });
    assert.equal(Number(view.score), e.score, `${file}: score`);
    assert.equal(view.grade, e.grade ?? "", `${file}: grade`);
    assert.equal(view.bars, ruleset.dimensionPaths().length, `${file}: bars`);
    await snap(page, `ruleset-${file.replace(/\.toml$/, "")}.png`);
    cohort?.free();
    ruleset.free();
  }
  await page.close();
});

test("keeps working offline once loaded", async () => {
  const page = await openPage();
  const files = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="ruleset-select"] option')].map((o) => o.value),
  );
  await context.setOffline(true);
  try {
    for (const file of files.slice().reverse()) {
      await page.selectOption('[data-testid="ruleset-select"]', file);
      const view = await shown(page);
      assert.equal(view.error, null, `${file} offline: ${view.error}`);
      assert.ok(Number.isFinite(Number(view.score)));
    }
  } finally {
    await context.setOffline(false);
  }
  await page.close();
});

test("a cohort-dependent ruleset: its place among the shipped reference cohort, or a plain warning", async () => {
  const file = "soe.toml";
  const cohorts = JSON.parse(readFileSync(join(site, "rules/cohorts.json"), "utf8"));
  assert.equal(cohorts[file], "soe.cohort.json", "build.sh fits a cohort for soe.toml");
  const ruleset = Ruleset.fromToml(readFileSync(join(repo, "rules", file), "utf8"));
  const cohortText = readFileSync(join(site, "rules", cohorts[file]), "utf8");
  const cohort = ruleset.cohortFromJson(cohortText);

  const page = await openPage();
  await page.selectOption('[data-testid="ruleset-select"]', file);
  const view = await shown(page);
  assert.equal(view.error, null, view.error);
  const want = ruleset.evaluate(view.record, { cohort });
  assert.equal(Number(view.score), want.score);
  const place = page.locator('[data-testid="place"]');
  assert.equal(Number(await place.getAttribute("data-rank")), want.cohort.rank);
  assert.equal(Number(await place.getAttribute("data-of")), cohort.size);
  assert.match(await place.textContent(), new RegExp(`第${want.cohort.rank}名（共${cohort.size + 1}家，含本单位）`));
  assert.equal(await page.locator('[data-testid="warning"]').count(), 0, "no warning with a cohort");
  await snap(page, "cohort-place-zh.png");
  await page.click('[data-testid="lang-switch"]');
  assert.match(await place.textContent(), new RegExp(`Rank ${want.cohort.rank} of ${cohort.size + 1}`));
  await page.click('[data-testid="lang-switch"]');

  // Mounted without cohorts: the engine's warning, in plain words, in either language.
  await page.evaluate(async () => {
    const div = document.createElement("div");
    div.id = "bare";
    document.body.prepend(div);
    const { mount } = await import("./app.js");
    window.bare = await mount(div, { cohorts: {}, rulesets: ["soe.toml"] });
  });
  const warning = page.locator('#bare [data-testid="warning"]');
  const alone = ruleset.evaluate(view.record);
  const zh = await warning.textContent();
  assert.ok(zh.includes(alone.warnings[0].zh), zh);
  assert.doesNotMatch(zh, /cohort|[a-z]+\.[a-z_]+/, "plain words, no codes");
  assert.equal(await page.locator('#bare [data-testid="place"]').count(), 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator("#bare").screenshot({ path: join(screenshots, "cohort-warning-zh.png") });
  await page.locator('#bare [data-testid="lang-switch"]').click();
  const en = await warning.textContent();
  assert.ok(en.includes(alone.warnings[0].en), en);
  await page.close();
  cohort.free();
  ruleset.free();
});

test("no errors on the page's console", () => {
  assert.deepEqual(pageErrors, []);
});
