// Drives <qinglian-calculator> in Debian's headless Chromium (playwright-core), on the example
// page (full width, and a phone) and on a host page that embeds it in a 620 px column:
// - the starting state shows no grade and no invented answers;
// - answers typed as a person would give the core's score and grade (the Node build, same
//   record), for several rulesets, in Chinese and English, with no input identifier in any
//   reason and English labels and units in English mode;
// - layout by container: no horizontal overflow at 390, 620 and 1400 px, one column in the
//   620 px column, two at full width, the score in view on a phone;
// - an invalid answer marks only its own field; axe-core finds no serious or critical
//   violation; print media shows the result with every lost point; JSON download; the shared
//   link restores the answers; `mount()` with onResult and destroy(); offline use; the place in
//   a fitted reference cohort;
// - English mode writes no Chinese anywhere in the form or the result, for every ruleset;
// - "不清楚 / 无数据" (not known) counts as answered and reaches the engine as missing;
// - the ASEM index (rules/asem/, normalised against a fitted cohort of 51 countries) scores a
//   country row of its data to the same total and rank as `qinglian score` on the whole table.
// Screenshots go to screenshots/ (looked at by people when the page changes).
//
// Needs `wasm/build.sh` to have run (it puts the package and the rulesets beside the page).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { serve, launch } from "./browser.mjs";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const site = resolve(here, "..");
const repo = resolve(site, "../..");
const screenshots = join(site, "screenshots");
const { Ruleset } = require(join(repo, "wasm/pkg/node/index.js"));
const AXE = require.resolve("axe-core/axe.min.js");

/** Same formatting as the element: at most two decimals. */
const format = (x) => String(Math.round(x * 100) / 100);
const WIDTHS = [390, 620, 1400];
/** The rulesets the layout and answer tests go through (the rest are checked more briefly). */
const RULESETS = ["village.toml", "hospital.toml", "private-enterprise.toml"];
/** Every ruleset of rules/ and rules/asem/, as paths relative to rules/. */
const ALL = [
  ...readdirSync(join(repo, "rules")).filter((f) => f.endsWith(".toml")),
  ...readdirSync(join(repo, "rules/asem")).filter((f) => f.endsWith(".toml")).map((f) => `asem/${f}`),
].sort();
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

let server;
let browser;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(join(site, "pkg/web/qinglian_bg.wasm")), "run wasm/build.sh first");
  assert.ok(existsSync(join(site, "rules/index.json")), "run wasm/build.sh first");
  server = await serve(site);
  browser = await launch();
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the full page (1400 or 390 px wide) or the host page's 620 px column. */
async function open(width, { path } = {}) {
  const page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  await page.setViewportSize({ width: width === 620 ? 1400 : width, height: width === 390 ? 844 : 900 });
  await page.goto(server.url + (path ?? (width === 620 ? "embedded.html" : "index.html")));
  await page.waitForSelector('qinglian-calculator[data-ready="true"]');
  return page;
}

/** Shows `file` in the element: by the menu on the example page, by its attribute elsewhere. */
async function show(page, file) {
  const menu = page.locator('qinglian-calculator [data-testid="ruleset-select"]');
  if (await menu.isVisible()) {
    const value = await page.evaluate((file) => document.querySelector("qinglian-calculator").shadowRoot
      .querySelector(`[data-testid="ruleset-select"] option[value$="/${file}"]`).value, file);
    await menu.selectOption(value);
  } else {
    await page.evaluate(async (file) => {
      const c = document.querySelector("qinglian-calculator");
      const done = new Promise((ok) => c.addEventListener("ready", ok, { once: true }));
      c.setAttribute("ruleset", `rules/${file}`);
      await done;
    }, file);
  }
  assert.ok((await page.evaluate(() => document.querySelector("qinglian-calculator").ruleset)).endsWith(`/${file}`));
}

/** What the element shows. */
function shown(page) {
  return page.evaluate(() => {
    const c = document.querySelector("qinglian-calculator");
    const root = c.shadowRoot;
    const q = (id) => root.querySelector(`[data-testid="${id}"]`);
    return {
      state: c.dataset.state,
      score: q("score")?.dataset.value ?? null,
      scoreText: q("score")?.textContent ?? null,
      grade: q("grade")?.dataset.value ?? null,
      gradeText: q("grade")?.textContent ?? null,
      progress: q("progress")?.textContent ?? null,
      reasons: [...root.querySelectorAll('[data-testid="reason"]')].map((r) => r.textContent),
      lost: root.querySelectorAll('[data-testid="lost"] li').length,
      bars: root.querySelectorAll('[data-testid="bars"] .bar-row').length,
      text: root.querySelector(".columns").innerText,
      labels: [...root.querySelectorAll(".field-label, fieldset.survey > legend")].map((l) => l.textContent),
      units: [...root.querySelectorAll(".field .unit")].map((u) => u.textContent),
      result: c.result,
    };
  });
}

function engine(file) {
  const ruleset = Ruleset.fromToml(readFileSync(join(repo, "rules", file), "utf8"));
  const shipped = JSON.parse(readFileSync(join(site, "rules/cohorts.json"), "utf8"));
  const cohort = shipped[file]
    ? ruleset.cohortFromJson(readFileSync(join(site, "rules", shipped[file]), "utf8"))
    : undefined;
  return { ruleset, cohort, inputs: ruleset.inputs(), free: () => (cohort?.free(), ruleset.free()) };
}

/** A complete answer set for `file`: a conformance record of it, any gap filled in. */
function knownAnswers(file, inputs) {
  const casesDir = join(repo, "tests/conformance/cases");
  let record = {};
  for (const name of readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort()) {
    const kase = JSON.parse(readFileSync(join(casesDir, name), "utf8"));
    if (kase.ruleset && resolve(casesDir, kase.ruleset) === join(repo, "rules", file)) {
      const i = (kase.expected ?? []).findIndex((e) => !("error" in e));
      if (i >= 0) record = kase.records[i];
      break;
    }
  }
  const answers = {};
  for (const input of inputs) {
    let v = record[input.name];
    if (v === null || v === undefined) {
      v =
        input.type === "boolean" ? true
        : input.type === "category" ? input.values[0]
        : input.type === "survey" ? Object.fromEntries(input.values.map((a, i) => [a, 10 * (i + 1)]))
        : Math.max(input.min ?? 0, 0);
    }
    answers[input.name] = v;
  }
  return answers;
}

function surveyCounts(value) {
  if (typeof value === "object") return value;
  return Object.fromEntries(String(value).split(";").filter(Boolean).map((p) => p.split(":").map((s) => s.trim())));
}

/** Types the answers into the form, as a person would. */
async function type(page, inputs, answers) {
  const field = (name, extra = "") => page.locator(`qinglian-calculator [data-input="${name}"]${extra}`);
  for (const input of inputs) {
    const v = answers[input.name];
    if (input.type === "survey") {
      const counts = surveyCounts(v);
      for (const answer of input.values) {
        await field(input.name, `[data-answer="${answer}"]`).fill(String(counts[answer] ?? ""));
      }
    } else if (input.type === "boolean") {
      await field(input.name).selectOption([true, 1, "true", "是"].includes(v) ? "true" : "false");
    } else if (input.type === "category") {
      await field(input.name).selectOption(String(v));
    } else {
      await field(input.name).fill(String(v));
    }
  }
}

/** Input identifiers that must never appear in what a person reads. */
function leaks(texts, inputs, lang) {
  const found = [];
  // A ruleset written in English may name an input by a word of its own label (`Visa`).
  const labels = inputs.flatMap((i) => [i.label, i.label_en]).filter(Boolean).sort((a, b) => b.length - a.length);
  for (const raw of texts) {
    const text = labels.reduce((t, l) => t.split(l).join(" "), raw);
    for (const { name } of inputs) {
      // English sentences may use ordinary words that are also input names ("cases"): there, only
      // identifier-shaped names count.
      if (lang === "en" && !/[_\d]/.test(name)) continue;
      if (new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`).test(text)) found.push(`${name} in “${text}”`);
    }
    if (/\b(record|ruleset|expr|cohort)\.[a-z_]+\b/.test(text)) found.push(`a code in “${text}”`);
  }
  return found;
}

/** Nothing wider than the viewport, in the page and inside the element. */
function overflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const c = document.querySelector("qinglian-calculator");
    const host = c.getBoundingClientRect();
    const wide = [...c.shadowRoot.querySelectorAll("*")]
      .filter((n) => n.getClientRects().length && n.getBoundingClientRect().right > host.right + 1)
      .map((n) => `${n.tagName}.${n.className}`);
    return { page: doc.scrollWidth - doc.clientWidth, wide: wide.slice(0, 5) };
  });
}

async function snap(page, name) {
  await page.screenshot({ path: join(screenshots, name), fullPage: true });
}

test("starting state: nothing pre-filled, no grade, the items still to answer", async () => {
  const page = await open(1400);
  for (const file of RULESETS) {
    await show(page, file);
    const view = await shown(page);
    const { inputs, free } = engine(file);
    assert.equal(view.state, "partial", file);
    assert.equal(view.grade, null, `${file}: a grade before anything is answered`);
    assert.equal(view.score, null, `${file}: a total before anything is answered`);
    assert.equal(view.progress, `已填写 0 / ${inputs.length} 项`);
    assert.equal(view.result.unanswered.length, inputs.length);
    assert.ok(Object.values(view.result.record).every((v) => v === null), `${file}: a pre-filled answer`);
    assert.equal(await page.locator('qinglian-calculator [data-testid="unanswered"] li').count(), inputs.length);
    assert.deepEqual(view.result.invalid, {});
    free();
  }
  await snap(page, "start-zh-1400.png");
  await page.close();
});

for (const width of WIDTHS) {
  test(`${width} px: known answers give the core's score and grade; layout fits`, async () => {
    const page = await open(width);
    for (const file of RULESETS) {
      await show(page, file);
      const { ruleset, cohort, inputs, free } = engine(file);
      const answers = knownAnswers(file, inputs);
      const expected = ruleset.evaluate(answers, cohort ? { cohort } : undefined);
      await type(page, inputs, answers);
      const view = await shown(page);
      assert.equal(view.state, "scored", `${file}: ${view.progress} ${JSON.stringify(view.result.invalid)}`);
      assert.equal(Number(view.score), expected.score, `${file}: score`);
      assert.equal(view.scoreText, format(expected.score));
      assert.equal(view.grade, expected.grade ?? "");
      assert.equal(view.bars, ruleset.dimensionPaths().length);
      const deductions = expected.reasons.filter((r) => ["deduction", "zeroed", "missing"].includes(r.kind));
      assert.equal(view.lost, deductions.length, `${file}: one line per lost-points reason`);
      assert.deepEqual(leaks(view.reasons, inputs, "zh"), []);
      assert.deepEqual(leaks([view.text], inputs, "zh"), []);
      assert.equal(view.result.evaluation.score, expected.score, "the result event carries the evaluation");

      const o = await overflow(page);
      assert.equal(o.page, 0, `${file} at ${width}px: the page scrolls sideways`);
      assert.deepEqual(o.wide, [], `${file} at ${width}px: wider than the element`);
      const layout = await page.evaluate(() => {
        const root = document.querySelector("qinglian-calculator").shadowRoot;
        const form = root.querySelector(".form").getBoundingClientRect();
        const out = root.querySelector(".output").getBoundingClientRect();
        return { twoColumns: out.left >= form.right - 1, formWidth: form.width };
      });
      assert.equal(layout.twoColumns, width === 1400, `${file} at ${width}px: columns`);
      if (width === 390) {
        // On a phone the score stays in view while filling in the form, and opens the result.
        const bar = page.locator('qinglian-calculator [data-testid="scorebar"]');
        await page.locator(`qinglian-calculator [data-input="${inputs[Math.floor(inputs.length / 2)].name}"]`).first().scrollIntoViewIfNeeded();
        const box = await bar.boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= 844, `${file}: the score bar is out of view`);
        assert.match(await bar.textContent(), new RegExp(format(expected.score).replace(".", "\\.")));
        await page.locator('qinglian-calculator [data-testid="scorebar-open"]').click();
        const score = await page.locator('qinglian-calculator [data-testid="score"]').boundingBox();
        assert.ok(score.y >= 0 && score.y < 844, `${file}: the result is not brought into view`);
      } else {
        // The compact score bar belongs to narrow containers: the 620 px column has it too.
        assert.equal(await page.locator('qinglian-calculator [data-testid="scorebar"]').isVisible(), width < 700);
      }
      await snap(page, `${file.replace(/\.toml$/, "")}-zh-${width}.png`);

      // English: the engine's sentences and the ruleset's labels and units in English.
      await page.evaluate(() => (document.querySelector("qinglian-calculator").lang = "en"));
      const en = await shown(page);
      assert.equal(Number(en.score), expected.score, "switching language keeps the answers");
      assert.equal(en.gradeText, expected.grade ? expected.grade_en ?? expected.grade : "No grade reached");
      assert.deepEqual(en.labels.sort(), inputs.map((i) => i.label_en ?? i.label).sort());
      for (const unit of en.units) assert.doesNotMatch(unit, /[\u4e00-\u9fff]/, `${file}: unit ${unit} in English mode`);
      assert.deepEqual(leaks(en.reasons, inputs, "en"), []);
      // English throughout, but for the answers a person picked (category values such as 不适用).
      // Severity tiers (`{ name = "一般", … }`) have no English names yet: left out here.
      const toml = readFileSync(join(repo, "rules", file), "utf8");
      const tiers = [...toml.matchAll(/\{\s*name = "([^"]+)"/g)].map((m) => m[1]);
      const picked = [...inputs.flatMap((i) => i.values), ...tiers].sort((a, b) => b.length - a.length);
      for (const r of en.reasons) {
        assert.doesNotMatch(r, /`/, "no backticks");
        const rest = picked.reduce((t, v) => t.split(v).join(""), r);
        assert.doesNotMatch(rest, /[\u4e00-\u9fff]/, `${file}: Chinese in an English reason: ${r}`);
      }
      if (width === 1400) await snap(page, `${file.replace(/\.toml$/, "")}-en-${width}.png`);
      await page.evaluate(() => (document.querySelector("qinglian-calculator").lang = "zh"));
      free();
    }
    await page.close();
  });
}

test("a partial form: the finished 一级指标 count, the rest are listed; an invalid answer marks only itself", async () => {
  const page = await open(1400);
  const file = "village.toml";
  await show(page, file);
  const { ruleset, inputs, free } = engine(file);
  const answers = knownAnswers(file, inputs);
  const dims = ruleset.tree().children;
  const first = dims[0];
  const names = new Set();
  const walk = (n) => (n.inputs.forEach((i) => names.add(i)), n.children.forEach(walk));
  walk(first);
  const some = inputs.filter((i) => names.has(i.name));
  await type(page, some, answers);
  const full = ruleset.evaluate(answers);
  const view = await shown(page);
  assert.equal(view.state, "partial");
  assert.equal(view.grade, null);
  const firstNode = full.nodes.find((n) => n.path === first.path);
  assert.equal(await page.locator('qinglian-calculator [data-testid="partial-score"]').textContent(), format(firstNode.score));
  assert.equal(view.result.answered, some.length);
  assert.equal(view.result.unanswered.length, inputs.length - some.length);

  // An out-of-range answer: that field only, its message linked; the rest of the result stays.
  const ranged = inputs.find((i) => i.type !== "survey" && i.max !== null && names.has(i.name));
  await page.locator(`qinglian-calculator [data-input="${ranged.name}"]`).fill(String(ranged.max + 1));
  const state = await page.evaluate((name) => {
    const root = document.querySelector("qinglian-calculator").shadowRoot;
    const control = root.querySelector(`[data-input="${name}"]`);
    const ids = (control.getAttribute("aria-describedby") ?? "").split(" ");
    return {
      invalid: [...root.querySelectorAll('[aria-invalid="true"]')].map((n) => n.dataset.input ?? n.dataset.field),
      message: ids.map((id) => root.getElementById(id)?.textContent ?? "").join(" ").trim(),
      state: document.querySelector("qinglian-calculator").dataset.state,
      bars: root.querySelectorAll('[data-testid="bars"] .bar-row').length,
      progress: root.querySelector('[data-testid="progress"]').textContent,
    };
  }, ranged.name);
  assert.deepEqual(state.invalid, [ranged.name]);
  assert.match(state.message, new RegExp(`${ranged.max}`));
  assert.doesNotMatch(state.message, /record\.|out_of_range|`/);
  // The result is not replaced by the error: the other answers still count.
  assert.equal(state.state, "partial");
  assert.equal(state.bars, dims.length);
  assert.equal(state.progress, `已填写 ${some.length - 1} / ${inputs.length} 项`);
  await snap(page, "partial-invalid-zh-1400.png");
  free();
  await page.close();
});

test("axe-core: no serious or critical violations, empty and answered, at 390 and 1400 px", async () => {
  for (const width of [390, 1400]) {
    const page = await open(width);
    await page.addScriptTag({ path: AXE });
    const run = () =>
      page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      });
    assert.deepEqual(await run(), [], `empty form at ${width}px`);
    const file = "hospital.toml";
    await show(page, file);
    const { inputs, free } = engine(file);
    await type(page, inputs, knownAnswers(file, inputs));
    assert.deepEqual(await run(), [], `answered form at ${width}px`);
    free();
    await page.close();
  }
});

test("keyboard: every control is reachable with Tab and shows its focus", async () => {
  const page = await open(1400);
  await show(page, "village.toml");
  const seen = new Set();
  let outlined = 0;
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      const a = document.querySelector("qinglian-calculator").shadowRoot.activeElement;
      if (!a) return null;
      const s = getComputedStyle(a);
      return { key: a.dataset.input ?? a.dataset.testid ?? a.tagName, outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 };
    });
    if (!f) continue;
    seen.add(f.key);
    if (f.outline) outlined++;
  }
  const { inputs, free } = engine("village.toml");
  const reached = inputs.filter((i) => seen.has(i.name)).length;
  assert.ok(reached >= Math.min(inputs.length, 20), `only ${reached} fields reached by Tab`);
  assert.ok(outlined > 20, "focus is not visible");
  free();
  await page.close();
});

test("print media shows the result with every lost point and hides the form", async () => {
  const page = await open(1400);
  const file = "private-enterprise.toml";
  await show(page, file);
  const { ruleset, inputs, free } = engine(file);
  const answers = knownAnswers(file, inputs);
  await type(page, inputs, answers);
  const expected = ruleset.evaluate(answers);
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => {
    const root = document.querySelector("qinglian-calculator").shadowRoot;
    const visible = (n) => Boolean(n?.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true }));
    return {
      form: visible(root.querySelector(".form")),
      actions: visible(root.querySelector(".actions")),
      score: visible(root.querySelector('[data-testid="score"]')),
      lost: [...root.querySelectorAll('[data-testid="lost"] li')].filter(visible).length,
      items: visible(root.querySelector("details.items table")),
    };
  });
  assert.equal(printed.form, false, "the form is printed");
  assert.equal(printed.actions, false, "the buttons are printed");
  assert.equal(printed.score, true);
  assert.equal(printed.items, true, "the item-by-item table is printed");
  assert.equal(printed.lost, expected.reasons.filter((r) => ["deduction", "zeroed", "missing"].includes(r.kind)).length);
  await snap(page, "print-zh.png");
  const pdf = await page.pdf({ format: "A4" });
  assert.ok(pdf.length > 10000 && pdf.subarray(0, 5).toString() === "%PDF-");
  await page.emulateMedia({ media: "screen" });
  free();
  await page.close();
});

test("keeps the result: JSON download and a shared link that restores the answers", async () => {
  const page = await open(1400);
  const file = "school.toml";
  await show(page, file);
  const { ruleset, inputs, free } = engine(file);
  const answers = knownAnswers(file, inputs);
  await type(page, inputs, answers);
  const expected = ruleset.evaluate(answers);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator('qinglian-calculator [data-testid="download"]').click(),
  ]);
  const saved = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(saved.evaluation.score, expected.score);
  assert.equal(saved.ruleset.id, ruleset.metadata().id);

  await page.locator('qinglian-calculator [data-testid="share"]').click();
  const link = await page.locator('qinglian-calculator [data-testid="share-link"]').inputValue();
  assert.match(link, /#qinglian=/);
  assert.ok(!new URL(link).search, "the answers stay in the fragment, never in the query");
  const other = await browser.context.newPage();
  await other.goto(link);
  await other.waitForSelector('qinglian-calculator[data-ready="true"]');
  const view = await shown(other);
  assert.ok(view.result.ruleset.endsWith(`/${file}`));
  assert.equal(Number(view.score), expected.score);
  await other.close();
  free();
  await page.close();
});

test("every ruleset of rules/ in both languages: no grade at first, the core's result when answered", async () => {
  const offered = await (async () => {
    const page = await open(1400);
    const values = await page.evaluate(() =>
      [...document.querySelector("qinglian-calculator").shadowRoot.querySelectorAll('[data-testid="ruleset-select"] option')].map((o) => o.value),
    );
    await page.close();
    return values.map((v) => v.split("/rules/").pop()).sort();
  })();
  assert.deepEqual(offered, ALL);
  const page = await open(1400);
  await context().setOffline(true); // everything was fetched at load: switching works offline
  try {
    for (const file of offered) {
      await show(page, file);
      const { ruleset, cohort, inputs, free } = engine(file);
      for (const lang of ["zh", "en"]) {
        await page.evaluate((lang) => (document.querySelector("qinglian-calculator").lang = lang), lang);
        const empty = await shown(page);
        assert.equal(empty.grade, null, `${file} ${lang}`);
        assert.deepEqual(empty.labels.sort(), inputs.map((i) => (lang === "en" ? i.label_en ?? i.label : i.label)).sort());
      }
      const answers = knownAnswers(file, inputs);
      await page.evaluate((a) => document.querySelector("qinglian-calculator").fill(a), answers);
      const e = ruleset.evaluate(answers, cohort ? { cohort } : undefined);
      for (const lang of ["en", "zh"]) {
        await page.evaluate((lang) => (document.querySelector("qinglian-calculator").lang = lang), lang);
        const view = await shown(page);
        assert.equal(Number(view.score), e.score, `${file} ${lang}`);
        // A ruleset without grade bands (the ASEM index) shows no grade.
        assert.equal(view.grade, ruleset.gradeNames().length ? e.grade ?? "" : null, `${file} ${lang}`);
        assert.deepEqual(leaks(view.reasons, inputs, lang), [], `${file} ${lang}`);
      }
      await page.evaluate(() => document.querySelector("qinglian-calculator").reset());
      free();
    }
  } finally {
    await context().setOffline(false);
  }
  await page.close();
});

const context = () => browser.context;

test("a cohort-dependent ruleset: its place among the shipped reference cohort", async () => {
  const file = "soe.toml";
  const page = await open(1400);
  await show(page, file);
  const { ruleset, cohort, inputs, free } = engine(file);
  assert.ok(cohort, "build.sh fits a cohort for soe.toml");
  const answers = knownAnswers(file, inputs);
  await page.evaluate((a) => document.querySelector("qinglian-calculator").fill(a), answers);
  const want = ruleset.evaluate(answers, { cohort });
  const place = page.locator('qinglian-calculator [data-testid="place"]');
  assert.equal(Number(await place.getAttribute("data-rank")), want.cohort.rank);
  assert.match(await place.textContent(), new RegExp(`第${want.cohort.rank}名（共${cohort.size + 1}家，含本单位）`));
  assert.equal(await page.locator('qinglian-calculator [data-testid="warning"]').count(), 0);
  await snap(page, "cohort-place-zh.png");
  free();
  await page.close();
});

test("mount(): onResult on every recompute, destroy() removes it", async () => {
  const page = await open(1400);
  const seen = await page.evaluate(async () => {
    const { mount } = await import("./pkg/calculator/calculator.js");
    const results = [];
    const div = document.createElement("div");
    document.body.append(div);
    const calc = mount(div, { rulesets: ["rules/soe.toml"], lang: "en", onResult: (r) => results.push(r) });
    await calc.ready;
    const before = results.length;
    const root = calc.element.shadowRoot;
    const box = root.querySelector('input[type="number"]');
    box.value = "1";
    box.dispatchEvent(new Event("input", { bubbles: true }));
    const after = results.length;
    const warning = root.querySelector('[data-testid="warning"]');
    calc.destroy();
    return { before, after, gone: !div.querySelector("qinglian-calculator"), last: results.at(-1), warning: warning?.textContent ?? null };
  });
  assert.ok(seen.before >= 1, "a result at start");
  assert.equal(seen.after, seen.before + 1, "one result per change");
  assert.equal(seen.gone, true);
  assert.equal(seen.last.complete, false);
  assert.equal(seen.last.answered, 1);
  await page.close();
});

test("no errors on the pages' consoles", () => {
  assert.deepEqual(pageErrors, []);
});

/** Every piece of text the element shows (text nodes and accessible names), but the button that
 * switches to Chinese, which is written in Chinese on purpose. */
function allText(page) {
  return page.evaluate(() => {
    const root = document.querySelector("qinglian-calculator").shadowRoot;
    const lang = root.querySelector('[data-testid="lang-switch"]');
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest("style") || lang.contains(parent)) continue;
      if (n.textContent.trim()) out.push(n.textContent.trim());
    }
    for (const e of root.querySelectorAll("[aria-label], [title], input[value]")) {
      for (const a of ["aria-label", "title"]) if (e.getAttribute(a)) out.push(e.getAttribute(a));
    }
    return out;
  });
}

test("English mode: no Chinese character in the form or the result, for every ruleset", async () => {
  const page = await open(1400);
  await page.evaluate(() => (document.querySelector("qinglian-calculator").lang = "en"));
  for (const file of ALL) {
    await show(page, file);
    const { inputs, free } = engine(file);
    const empty = (await allText(page)).filter((t) => CJK.test(t));
    assert.deepEqual(empty, [], `${file}, nothing answered`);
    await page.evaluate((a) => document.querySelector("qinglian-calculator").fill(a), knownAnswers(file, inputs));
    const view = await shown(page);
    assert.equal(view.state, "scored", `${file}: ${view.progress}`);
    const answered = (await allText(page)).filter((t) => CJK.test(t));
    assert.deepEqual(answered, [], `${file}, answered`);
    if (file === "soe.toml") {
      const place = await page.locator('qinglian-calculator [data-testid="place"]').textContent();
      assert.match(place, /^Rank \d+ of \d+ .*Quota tier: (Leading|Exemplary|Improving)$/);
    }
    await page.evaluate(() => document.querySelector("qinglian-calculator").reset());
    free();
  }
  await snap(page, "hospital-en-empty-1400.png");
  await page.close();
});

test("不清楚 / 无数据: counts as answered, reaches the engine as missing; not offered where the ruleset needs the item", async () => {
  const page = await open(1400);
  const file = "transport.toml";
  await show(page, file);
  const { ruleset, inputs, free } = engine(file);
  const answers = knownAnswers(file, inputs);
  const offered = await page.evaluate(() =>
    [...document.querySelector("qinglian-calculator").shadowRoot.querySelectorAll('[data-testid="unknown"]')].map((b) => b.dataset.unknown),
  );
  const name = "warning_disposal_rate";
  assert.ok(offered.includes(name), `offered for ${offered}`);
  const strict = [];
  const walk = (n) => (n.children.length ? n.children.forEach(walk) : n.missing === "error" && strict.push(...n.inputs));
  walk(ruleset.tree());
  for (const n of strict) assert.ok(!offered.includes(n), `"not known" offered for ${n}, which the ruleset needs`);

  // Only the "not known" box: one item answered, none invented.
  const box = page.locator(`qinglian-calculator [data-unknown="${name}"]`);
  await box.check();
  let view = await shown(page);
  assert.equal(view.state, "partial");
  assert.equal(view.result.answered, 1);
  assert.deepEqual(view.result.unknown, [name]);
  assert.equal(view.result.record[name], null);
  assert.ok(!view.result.unanswered.includes(name));
  assert.equal(await page.locator(`qinglian-calculator [data-input="${name}"]`).isDisabled(), true);
  await snap(page, "unknown-partial-zh-1400.png");

  // Everything else answered: the engine's result for the record without the item.
  await type(page, inputs.filter((i) => i.name !== name), answers);
  view = await shown(page);
  const want = ruleset.evaluate({ ...answers, [name]: null });
  assert.equal(view.state, "scored", view.progress);
  assert.equal(Number(view.score), want.score);
  assert.ok(want.missing.includes(name));
  assert.equal(view.progress, `已填写 ${inputs.length} / ${inputs.length} 项`);

  // Unticked: unanswered again.
  await box.uncheck();
  view = await shown(page);
  assert.equal(view.state, "partial");
  assert.deepEqual(view.result.unanswered, [name]);
  free();
  await page.close();
});

/** The rows of a CSV without quoted cells, as records (empty cells null, numbers as numbers). */
function rowsOf(text) {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const names = head.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(
      names.map((n, i) => [n, cells[i] === "" || cells[i] === undefined ? null : Number.isNaN(Number(cells[i])) ? cells[i] : Number(cells[i])]),
    );
  });
}

test("ASEM: a country normalised against the fitted reference cohort gets the total and rank of `qinglian score`", async () => {
  const data = readFileSync(join(repo, "examples/data/asem/asem_iData.csv"), "utf8");
  const rows = rowsOf(data);
  const cli = ["release", "debug"].map((p) => join(repo, "target", p, "qinglian")).find((p) => existsSync(p));
  const page = await open(1400);
  for (const file of ALL.filter((f) => f.startsWith("asem/"))) {
    await show(page, file);
    const { ruleset, cohort, inputs, free } = engine(file);
    assert.ok(cohort, `build.sh fits a cohort for ${file}`);
    // The whole table scored as one cohort, by the same engine as the command line.
    // A country with gaps in its row: those items are answered "not known".
    const unit = rows.find((r) => inputs.some((i) => r[i.name] === null));
    const batch = ruleset.evaluateMany(rows).map((r) => r.ok).find((e) => e?.id === unit.uCode);
    assert.ok(batch, `${file}: ${unit.uCode} scored in the batch`);
    if (cli) {
      const csv = execFileSync(cli, ["score", join(repo, "rules", file), join(repo, "examples/data/asem/asem_iData.csv"), "--format", "csv"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
      const [head, ...lines] = csv.trim().split("\n");
      const cols = head.split(",");
      const aut = lines.map((l) => l.split(",")).find((c) => c[cols.indexOf("id")] === unit.uCode);
      assert.equal(Number(aut[cols.indexOf("score")]), batch.score, `${file}: qinglian score and evaluateMany`);
      assert.equal(Number(aut[cols.indexOf("rank")]), batch.cohort.rank);
    }
    const record = Object.fromEntries(inputs.map((i) => [i.name, unit[i.name] ?? null]));
    assert.ok(Object.values(record).some((v) => v === null), "the row has gaps, answered as not known");
    await page.evaluate((a) => document.querySelector("qinglian-calculator").fill(a), record);
    const view = await shown(page);
    assert.equal(view.state, "scored", `${file}: ${view.progress}`);
    assert.ok(Math.abs(Number(view.score) - batch.score) < 1e-9, `${file}: ${view.score} vs ${batch.score}`);
    assert.deepEqual(view.result.unknown.sort(), inputs.filter((i) => unit[i.name] === null).map((i) => i.name).sort());
    const place = page.locator('qinglian-calculator [data-testid="place"]');
    assert.equal(Number(await place.getAttribute("data-rank")), batch.cohort.rank, `${file}: rank`);
    if (file === "asem/minmax-arithmetic.toml") await snap(page, "asem-zh-1400.png");
    await page.evaluate(() => document.querySelector("qinglian-calculator").reset());
    free();
  }
  await page.close();
});
