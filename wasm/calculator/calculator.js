// <qinglian-calculator>: a self-assessment calculator as a custom element. A unit fills in its
// facts and sees its score, grade and every lost point with the reason, computed in the page by
// the qinglian WebAssembly engine; nothing is sent anywhere.
//
//   <script type="module">import "qinglian/calculator";</script>
//   <qinglian-calculator ruleset="/rules/village.toml" lang="zh"></qinglian-calculator>
//
// Attributes: `ruleset` (URL of a TOML ruleset) or `rulesets` (several URLs, separated by spaces,
// offered in a menu), `lang` (`zh`, the default, or `en`), `cohorts` (URL of a JSON object
// mapping a ruleset's file name to the URL of its fitted reference cohort, relative to that
// file), `heading` (the title shown). Styled inside its shadow root; the host page sets colours
// and fonts through CSS custom properties (--ql-accent, --ql-font, … see STYLE below).
//
// Every recompute fires a `result` CustomEvent whose detail is { ruleset, record, complete,
// answered, total, unanswered, unknown, invalid, evaluation, error }: `evaluation` is the engine's
// full result once every item is answered (null before), with its codes and paths for developers.
//
// An item the ruleset can score without (not required, and every indicator reading it has a
// missing-data policy other than `error`) can be answered "不清楚 / 无数据" (not known): it counts
// as answered and goes to the engine as missing, which applies the ruleset's policy.
//
// The starting state is honest: nothing is pre-filled, and until every item is answered the
// result shows the points of the finished 一级指标 and the items still to answer, never a grade.

import init, { Ruleset } from "../web/index.js";

const UI = {
  zh: {
    title: "清廉自评计算器",
    subtitle: "填写本单位情况，即时查看得分、等次和失分原因。数据只在本页面内计算，不会上传。",
    ruleset: "评价体系",
    lang: "English",
    result: "评价结果",
    total: "总分",
    grade: "等次",
    noGrade: "未达任何等次",
    partialTitle: "尚未填完",
    partialScore: "已完成部分得分",
    partialNote: (n) => `还有${n}项未填写，填完后给出总分和等次。`,
    answered: (k, n) => `已填写 ${k} / ${n} 项`,
    unanswered: "尚未填写",
    dimensions: "各一级指标得分",
    dimAnswered: (k, n) => `已答 ${k}/${n} 项`,
    lost: "失分项",
    lostSoFar: "已确定的失分项",
    noLost: "没有失分项。",
    bonuses: "加分",
    vetoes: "一票否决 / 负面清单",
    alerts: "预警",
    details: "逐项评分",
    yes: "是",
    no: "否",
    choose: "请选择",
    notApplicable: "不适用",
    unknown: "不清楚 / 无数据",
    points: "分",
    issuer: "发布单位",
    version: "版本",
    reset: "清空重填",
    print: "打印 / 另存为PDF",
    download: "下载结果（JSON）",
    share: "复制分享链接",
    shareDone: "链接已复制。链接里带着本页填写的内容，只保存在链接中，不会上传。",
    shareManual: "请复制下面的链接（填写的内容只保存在链接中，不会上传）：",
    showResult: "查看结果",
    loading: "正在加载评价体系…",
    loadFailed: "评价体系加载失败，请稍后重试或联系发布单位。",
    others: "否决项与预警所需情况",
    place: (rank, of) => `在参照群体中排第${rank}名（共${of + 1}家，含本单位）`,
    tier: "名额档次",
    note: "提示",
    votes: "人数",
    surveyHint: "填写各选项的人数",
    printed: "打印时间",
    colon: "：",
    fieldErrors: {
      number: "请输入数字。",
      count: "请输入不小于0的整数。",
      min: (a) => `不能小于${a}。`,
      max: (b) => `不能大于${b}。`,
      range: (a, b) => `应在${a}至${b}之间。`,
      engine: "这一项的填写无法计分，请检查。",
    },
    announce: (s) => s,
  },
  en: {
    title: "Integrity self-assessment calculator",
    subtitle:
      "Fill in your unit's facts to see its score, grade and where points were lost. Everything is computed in this page; nothing is uploaded.",
    ruleset: "Evaluation system",
    lang: "中文",
    result: "Result",
    total: "Total",
    grade: "Grade",
    noGrade: "No grade reached",
    partialTitle: "Not finished yet",
    partialScore: "Points of the finished parts",
    partialNote: (n) => `${n} item${n === 1 ? "" : "s"} still to answer; the total and grade follow once all are answered.`,
    answered: (k, n) => `${k} of ${n} items answered`,
    unanswered: "Still to answer",
    dimensions: "Score by dimension",
    dimAnswered: (k, n) => `${k}/${n} answered`,
    lost: "Points lost",
    lostSoFar: "Points lost so far",
    noLost: "No points lost.",
    bonuses: "Bonus points",
    vetoes: "Vetoes / negative list",
    alerts: "Early warnings",
    details: "Item by item",
    yes: "Yes",
    no: "No",
    choose: "Choose",
    notApplicable: "not applicable",
    unknown: "Not known / no data",
    points: "pts",
    issuer: "Issued by",
    version: "Version",
    reset: "Clear the form",
    print: "Print / save as PDF",
    download: "Download the result (JSON)",
    share: "Copy a link to share",
    shareDone: "Link copied. It carries the answers in the link itself; nothing is uploaded.",
    shareManual: "Copy this link (the answers are kept in the link only, nothing is uploaded):",
    showResult: "See the result",
    loading: "Loading the evaluation system…",
    loadFailed: "The evaluation system could not be loaded. Try again later or contact its issuer.",
    others: "Facts for vetoes and warnings",
    place: (rank, of) => `Rank ${rank} of ${of + 1} (the reference group and this unit)`,
    tier: "Quota tier",
    note: "Note",
    votes: "people",
    surveyHint: "Number of people for each answer",
    printed: "Printed",
    colon: ": ",
    fieldErrors: {
      number: "Enter a number.",
      count: "Enter a whole number, 0 or more.",
      min: (a) => `Must be at least ${a}.`,
      max: (b) => `Must be at most ${b}.`,
      range: (a, b) => `Must be between ${a} and ${b}.`,
      engine: "This answer cannot be scored; please check it.",
    },
  },
};

const LEVELS = {
  zh: { red: "红色", orange: "橙色", yellow: "黄色", blue: "蓝色" },
  en: { red: "Red", orange: "Orange", yellow: "Yellow", blue: "Blue" },
};

/** Formats a number for people: at most two decimals. */
export function formatScore(x) {
  if (!Number.isFinite(x)) return "—";
  const r = Math.round(x * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

const STYLE = `
:host {
  --ql-accent: #9b1b1b;
  --ql-accent-text: #ffffff;
  --ql-text: #1f2328;
  --ql-muted: #57606a;
  --ql-bg: #ffffff;
  --ql-panel: #f6f7f9;
  --ql-border: #d0d7de;
  --ql-good: #1a7f37;
  --ql-bad: #b42318;
  --ql-focus: #0b57d0;
  --ql-font: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
  --ql-radius: 6px;
  display: block;
  container-type: inline-size;
  container-name: qinglian;
  color: var(--ql-text);
  background: var(--ql-bg);
  font-family: var(--ql-font);
  font-size: 16px;
  line-height: 1.5;
  overflow-wrap: anywhere;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
:focus-visible { outline: 3px solid var(--ql-focus); outline-offset: 2px; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; color: var(--ql-accent); }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
p { margin: .25rem 0; }
button, select, input { font: inherit; color: inherit; }
button {
  border: 1px solid var(--ql-border); background: var(--ql-bg); border-radius: var(--ql-radius);
  padding: .35rem .75rem; cursor: pointer; min-height: 2.5rem;
}
button:hover { border-color: var(--ql-accent); }
button.primary { background: var(--ql-accent); border-color: var(--ql-accent); color: var(--ql-accent-text); }
.header { border-bottom: 3px solid var(--ql-accent); padding-bottom: .75rem; margin-bottom: .75rem; }
.subtitle, .meta { color: var(--ql-muted); font-size: .9rem; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-top: .5rem; }
.controls label { display: flex; flex-direction: column; gap: .15rem; font-size: .9rem; min-width: 0; flex: 1 1 14rem; }
.controls select { width: 100%; }
select, input[type="number"] {
  border: 1px solid #6e7781; border-radius: var(--ql-radius); padding: .35rem .5rem; min-height: 2.5rem;
  background: var(--ql-bg); max-width: 100%;
}
.columns { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
.scorebar {
  position: sticky; top: 0; z-index: 2; display: flex; align-items: center; gap: .75rem;
  justify-content: space-between; background: var(--ql-accent); color: var(--ql-accent-text);
  padding: .4rem .75rem; border-radius: var(--ql-radius); margin-bottom: .75rem;
}
.scorebar button { background: var(--ql-bg); color: var(--ql-accent); border-color: var(--ql-bg); min-height: 2.25rem; }
.scorebar-text { font-weight: 600; }
@container qinglian (min-width: 700px) {
  .columns { grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); align-items: start; }
  .output { position: sticky; top: .5rem; max-height: calc(100vh - 1rem); overflow-y: auto; }
  .scorebar { display: none; }
}
section.group { border: 1px solid var(--ql-border); border-radius: var(--ql-radius); margin-bottom: .75rem; background: var(--ql-bg); }
section.group > details > summary {
  display: flex; justify-content: space-between; gap: .5rem; padding: .6rem .75rem; cursor: pointer;
  background: var(--ql-panel); font-weight: 600; border-radius: var(--ql-radius);
}
.group-points { font-weight: 400; color: var(--ql-muted); white-space: nowrap; }
.fields { padding: .5rem .75rem .75rem; display: grid; gap: .75rem; }
.field { display: grid; gap: .25rem; min-width: 0; scroll-margin-top: 4rem; }
input, select { scroll-margin-top: 4.5rem; }
.field-label { font-weight: 500; }
.field-help { color: var(--ql-muted); font-size: .85rem; }
.control { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.control select { min-width: 8rem; }
.control input[type="number"] { width: 10rem; }
.unit { color: var(--ql-muted); font-size: .9rem; }
label.unknown { display: inline-flex; gap: .35rem; align-items: center; font-size: .9rem; color: var(--ql-muted); }
label.unknown input { width: 1.1rem; height: 1.1rem; margin: 0; }
input:disabled { background: var(--ql-panel); }
.field-error { color: var(--ql-bad); font-size: .9rem; }
[aria-invalid="true"] { border-color: var(--ql-bad); border-width: 2px; }
fieldset.survey { border: 1px solid var(--ql-border); border-radius: var(--ql-radius); padding: .5rem .75rem; margin: 0; min-width: 0; }
fieldset.survey legend { font-weight: 500; padding: 0 .25rem; }
.survey-answers { display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
.survey-answers label { display: flex; gap: .4rem; align-items: center; }
.survey-answers input { width: 6.5rem; }
.output { background: var(--ql-panel); border-radius: var(--ql-radius); padding: .75rem 1rem; min-width: 0; }
.headline { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: baseline; }
.caption { display: block; color: var(--ql-muted); font-size: .85rem; }
.score { font-size: 2.5rem; font-weight: 700; color: var(--ql-accent); line-height: 1.1; }
.max { color: var(--ql-muted); }
.grade-name { font-size: 1.6rem; font-weight: 700; }
.partial .score { color: var(--ql-text); font-size: 2rem; }
.progress { color: var(--ql-muted); }
.bars { display: grid; gap: .35rem; }
.bar-row { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .1rem .75rem; align-items: center; }
.bar-track { grid-column: 1 / -1; height: .5rem; background: #e1e4e8; border-radius: 999px; overflow: hidden; }
.bar-fill { display: block; height: 100%; background: var(--ql-accent); }
.bar-value { white-space: nowrap; color: var(--ql-muted); font-size: .9rem; }
ul { padding-left: 1.2rem; margin: .25rem 0; }
ul.lost { list-style: none; padding: 0; }
ul.lost li { display: grid; grid-template-columns: minmax(3.5rem, max-content) minmax(0, 1fr); gap: .5rem; padding: .35rem 0; border-bottom: 1px solid var(--ql-border); }
.lost-points { color: var(--ql-bad); font-weight: 700; text-align: right; white-space: nowrap; }
.alert-level { font-weight: 700; }
.level-red .alert-level { color: #b42318; }
.level-orange .alert-level { color: #9a3412; }
.level-yellow .alert-level { color: #7a5b00; }
.level-blue .alert-level { color: #0b57d0; }
.warning, .place { background: var(--ql-bg); border-left: 4px solid var(--ql-accent); padding: .4rem .6rem; margin: .5rem 0; }
.todo button { border: none; background: none; padding: 0; min-height: 0; color: var(--ql-focus); text-decoration: underline; text-align: left; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
.share-link { width: 100%; margin-top: .5rem; }
.error { color: var(--ql-bad); }
details.items summary { cursor: pointer; margin-top: 1rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { text-align: left; padding: .25rem .35rem; border-bottom: 1px solid var(--ql-border); vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.print-only { display: none; }
@media print {
  @page { size: A4; margin: 15mm; }
  :host { font-size: 11pt; }
  .form, .controls, .actions, .scorebar, .todo button, .lang { display: none !important; }
  .columns { display: block; }
  .output { position: static; max-height: none; overflow: visible; background: none; padding: 0; }
  /* The item-by-item table is printed even when its section is closed on screen. */
  details.items::details-content { content-visibility: visible; display: block; }
  details.items > summary { list-style: none; }
  .print-only { display: block; }
  ul.lost li, tr { break-inside: avoid; }
}
`;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) {
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
  }
  return node;
}

let wasmUrl;
let engine;
/**
 * Where the element finds `qinglian_bg.wasm` when a bundler does not copy it beside the
 * package's JavaScript (esbuild: `import wasm from "qinglian/qinglian_bg.wasm"` with
 * `--loader:.wasm=file`, then `configure({ wasm })`). Call before the first element connects.
 */
export function configure(options = {}) {
  if (options.wasm !== undefined) wasmUrl = options.wasm;
}
function ready() {
  engine ??= init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
  return engine;
}

/** The file name of a ruleset URL: the key of a shared link (and of the cohorts map). */
const fileOf = (url) => decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
/** The English text, else the original when it is written without Chinese (rulesets written in
 * English, such as the ASEM index, give no `*_en`), else nothing. */
const english = (en, text) => en ?? (text && !/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(text) ? text : null);
/** The value of a select or the state of a check box that answers "not known". */
const UNKNOWN = "\u0000unknown";

/** A ruleset compiled with what the form needs: inputs grouped by 一级指标, leaves by input. */
function prepare(ruleset) {
  const inputs = ruleset.inputs();
  const tree = ruleset.tree();
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const groups = [];
  const placed = new Set();
  const leaves = [];
  const collect = (node, dim) => {
    if (node.children.length === 0) leaves.push({ node, dim, inputs: node.inputs.filter((n) => byName.has(n)) });
    for (const n of node.inputs) {
      if (byName.has(n) && !placed.has(n)) {
        placed.add(n);
        dim.inputs.push(byName.get(n));
      }
    }
    for (const c of node.children) collect(c, dim);
  };
  for (const d of tree.children) {
    const dim = { node: d, inputs: [] };
    collect(d, dim);
    groups.push(dim);
  }
  // Inputs only vetoes and early warnings read: a group of their own, last.
  const rest = inputs.filter((i) => !placed.has(i.name));
  if (rest.length) groups.push({ node: null, inputs: rest });
  // Inputs that may be answered "not known": the engine then applies the missing-data policy of
  // every indicator reading them, none of which rejects the record (narrowed by `probeUnknown`).
  const strict = new Set();
  for (const leaf of leaves) if (leaf.node.missing === "error") leaf.inputs.forEach((n) => strict.add(n));
  const unknownOk = new Set(inputs.filter((i) => !i.required && !strict.has(i.name)).map((i) => i.name));
  return {
    ruleset,
    inputs,
    byName,
    groups: groups.filter((g) => g.inputs.length || g.node),
    leaves,
    unknownOk,
    graded: ruleset.gradeNames().length > 0,
    meta: ruleset.metadata(),
  };
}

/**
 * Keeps "not known" only where the engine scores the record without the item: a `zero_when`
 * condition or an equivalence may read it too. Each candidate is left out of an otherwise
 * complete stand-in record in turn; if even the full stand-in record cannot be scored, the
 * tree's policies alone decide.
 */
function probeUnknown(model, cohort) {
  const options = cohort ? { cohort } : undefined;
  const base = Object.fromEntries(model.inputs.map((i) => [i.name, standIn(i)]));
  try {
    model.ruleset.evaluate(base, options);
  } catch {
    return;
  }
  for (const name of [...model.unknownOk]) {
    try {
      model.ruleset.evaluate({ ...base, [name]: null }, options);
    } catch {
      model.unknownOk.delete(name);
    }
  }
}

/** A stand-in for an unanswered input, used only to score the answered parts of the form. */
function standIn(input) {
  switch (input.type) {
    case "boolean":
      return false;
    case "category":
      return input.values[0] ?? null;
    case "survey":
      return input.values.length ? { [input.values[0]]: 1 } : null;
    default: {
      let v = 0;
      if (input.min !== null && v < input.min) v = input.min;
      if (input.max !== null && v > input.max) v = input.max;
      return v;
    }
  }
}

const Base = globalThis.HTMLElement ?? class {};

export class QinglianCalculator extends Base {
  static observedAttributes = ["ruleset", "rulesets", "lang", "cohorts", "heading"];

  #shadow;
  #loaded = new Map(); // url → Promise<{ model, cohort } | { error }>
  #current = null; // url
  #values = new Map(); // url → { input name → text | { answer → text } }
  #last = null; // the last result detail
  #announceTimer = 0;
  #loadToken = 0;
  #connected = false;
  #dom = {};

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    if (this.#connected) return;
    this.#connected = true;
    this.#build();
    this.#load();
  }

  disconnectedCallback() {
    this.#connected = false;
    clearTimeout(this.#announceTimer);
  }

  attributeChangedCallback(name, before, after) {
    if (!this.#connected || before === after) return;
    if (name === "lang" || name === "heading") this.#renderAll();
    else this.#load();
  }

  /** The interface language, "zh" or "en". */
  get lang() {
    return this.getAttribute("lang") === "en" ? "en" : "zh";
  }
  set lang(value) {
    this.setAttribute("lang", value === "en" ? "en" : "zh");
  }
  /** The URL of the ruleset shown. */
  get ruleset() {
    return this.#current;
  }
  /** The last result (the detail of the last `result` event). */
  get result() {
    return this.#last;
  }
  /** The record the form describes: answered inputs with their values, the others null. */
  record() {
    return this.#last?.record ?? {};
  }
  /** Shows another of the offered rulesets (a URL as given in `rulesets`, or its file name). */
  select(ruleset) {
    const url = this.#urls().find((u) => u === ruleset || fileOf(u) === ruleset);
    if (!url) return;
    this.#current = url;
    this.#renderAll();
  }
  /** Fills the form with a record's values (as a person would type them) and recomputes; `null`
   * answers "not known" where the ruleset allows it, and clears the item elsewhere. */
  fill(record) {
    const model = this.#model();
    if (!model) return;
    const values = this.#valuesOf(this.#current);
    for (const input of model.inputs) {
      if (!(input.name in record)) continue;
      const v = record[input.name];
      if (v === null && model.unknownOk.has(input.name)) values[input.name] = null;
      else if (input.type === "survey") {
        values[input.name] = Object.fromEntries(Object.entries(v ?? {}).map(([a, n]) => [a, String(n)]));
      } else values[input.name] = v === null || v === undefined ? "" : String(v);
    }
    this.#renderAll();
  }
  /** Clears every answer. */
  reset() {
    this.#values.delete(this.#current);
    this.#renderAll();
  }

  #t(key) {
    return UI[this.lang][key];
  }
  #pick(text) {
    return text ? text[this.lang] || text.zh : "";
  }
  #name(x) {
    return this.lang === "en" && x.name_en ? x.name_en : x.name;
  }
  #label(input) {
    return this.lang === "en" && input.label_en ? input.label_en : input.label || input.name;
  }
  #unit(input) {
    return this.lang === "en" && input.unit_en ? input.unit_en : input.unit;
  }
  /** A category value or survey answer as shown: its English name in English, where given. */
  #value(input, value) {
    if (this.lang !== "en" || !input.values_en) return value;
    return input.values_en[input.values.indexOf(value)] ?? value;
  }
  #urls() {
    const list = (this.getAttribute("rulesets") ?? "").split(/\s+/).filter(Boolean);
    const one = this.getAttribute("ruleset");
    if (one && !list.includes(one)) list.unshift(one);
    return list.map((u) => new URL(u, document.baseURI).href);
  }
  #entry() {
    return this.#settled.get(this.#current);
  }
  #model() {
    return this.#entry()?.model ?? null;
  }
  #valuesOf(url) {
    if (!this.#values.has(url)) this.#values.set(url, {});
    return this.#values.get(url);
  }
  #settled = new Map();

  #build() {
    const d = this.#dom;
    d.style = el("style", { text: STYLE });
    d.title = el("h1", { part: "title" });
    d.subtitle = el("p", { class: "subtitle" });
    d.meta = el("p", { class: "meta", "data-testid": "meta" });
    d.select = el("select", {
      "data-testid": "ruleset-select",
      onchange: () => {
        this.#current = d.select.value;
        this.#renderAll();
      },
    });
    d.selectText = el("span");
    d.selectLabel = el("label", {}, d.selectText, d.select);
    d.langButton = el("button", {
      type: "button",
      class: "lang",
      "data-testid": "lang-switch",
      onclick: () => (this.lang = this.lang === "zh" ? "en" : "zh"),
    });
    d.resetButton = el("button", { type: "button", "data-testid": "reset", onclick: () => this.reset() });
    d.scorebarText = el("span", { class: "scorebar-text", "data-testid": "scorebar-text" });
    d.scorebarButton = el("button", {
      type: "button",
      "data-testid": "scorebar-open",
      onclick: () => {
        d.output.scrollIntoView({ block: "start" });
        d.resultHeading.focus();
      },
    });
    d.scorebar = el("div", { class: "scorebar", "data-testid": "scorebar" }, d.scorebarText, d.scorebarButton);
    d.form = el("form", {
      class: "form",
      "data-testid": "form",
      autocomplete: "off",
      novalidate: true,
      onsubmit: (e) => e.preventDefault(),
      oninput: (e) => this.#changed(e),
      onchange: (e) => this.#changed(e),
    });
    d.resultHeading = el("h2", { tabindex: "-1" });
    d.result = el("div", { "data-testid": "result" });
    d.output = el("section", { class: "output", "aria-labelledby": "ql-result-heading" }, d.resultHeading, d.result);
    d.resultHeading.id = "ql-result-heading";
    // Announces the result once typing pauses, not at every keystroke.
    d.live = el("div", { class: "visually-hidden", role: "status", "aria-live": "polite", "data-testid": "live" });
    d.header = el(
      "header",
      { class: "header" },
      d.title,
      d.subtitle,
      d.meta,
      el("div", { class: "controls" }, d.selectLabel, d.langButton, d.resetButton),
    );
    this.#shadow.replaceChildren(
      d.style,
      d.header,
      d.scorebar,
      el("div", { class: "columns" }, d.form, d.output),
      d.live,
    );
    d.result.append(el("p", { text: this.#t("loading") }));
  }

  async #load() {
    const token = ++this.#loadToken;
    const urls = this.#urls();
    this.dataset.ready = "false";
    // Let the script that defined the element finish first: it may call configure().
    await Promise.resolve();
    try {
      await ready();
    } catch (error) {
      // The engine itself could not load (e.g. the .wasm file is not served): say so in words.
      console.warn(`qinglian-calculator: ${error.message}`);
      engine = undefined;
      for (const url of urls) this.#settled.set(url, { error });
      this.#current = urls[0] ?? null;
      this.#renderAll();
      this.dataset.ready = "true";
      return;
    }
    const cohortsAttr = this.getAttribute("cohorts");
    const cohortsUrl = cohortsAttr ? new URL(cohortsAttr, document.baseURI) : null;
    const cohortMap = cohortsUrl
      ? await fetch(cohortsUrl).then((r) => (r.ok ? r.json() : {})).catch(() => ({}))
      : {};
    // Every ruleset (and its cohort) is fetched up front, so switching works offline.
    await Promise.all(
      urls.map(async (url) => {
        if (this.#settled.has(url)) return;
        try {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const model = prepare(Ruleset.fromToml(await response.text()));
          let cohort = null;
          // Keyed by the ruleset's path relative to the map (`asem/minmax-arithmetic.toml`), or
          // by its file name.
          const base = cohortsUrl ? new URL(".", cohortsUrl).href : "";
          const relative = base && url.startsWith(base) ? decodeURIComponent(url.slice(base.length)) : null;
          const cohortFile = (relative && cohortMap[relative]) ?? cohortMap[fileOf(url)];
          if (cohortFile) {
            try {
              const r = await fetch(new URL(cohortFile, cohortsUrl));
              if (!r.ok) throw new Error(`HTTP ${r.status}`);
              cohort = model.ruleset.cohortFromJson(await r.text());
            } catch (error) {
              // The ruleset stays usable without its cohort; the engine's warning says so.
              console.warn(`qinglian-calculator: reference cohort ${cohortFile}: ${error.message}`);
            }
          }
          probeUnknown(model, cohort);
          this.#settled.set(url, { model, cohort });
        } catch (error) {
          console.warn(`qinglian-calculator: ${url}: ${error.message}`);
          this.#settled.set(url, { error });
        }
      }),
    );
    if (token !== this.#loadToken) return;
    const shared = this.#readFragment(urls);
    this.#current = shared ?? (urls.includes(this.#current) ? this.#current : urls[0] ?? null);
    this.#renderAll();
    this.dataset.ready = "true";
    this.dispatchEvent(new CustomEvent("ready", { bubbles: true, composed: true }));
  }

  // ------------------------------------------------------------ shareable link (URL fragment)

  /** Restores answers from a link made by "copy a link" (`#qinglian=…`); returns its ruleset. */
  #readFragment(urls) {
    const m = /(?:^#|&)qinglian=([^&]*)/.exec(location.hash);
    if (!m) return null;
    try {
      const bytes = Uint8Array.from(atob(m[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const { r, v } = JSON.parse(new TextDecoder().decode(bytes));
      const url = urls.find((u) => fileOf(u) === r);
      if (!url || typeof v !== "object" || v === null) return null;
      this.#values.set(url, v);
      return url;
    } catch {
      return null;
    }
  }

  #link() {
    const text = JSON.stringify({ r: fileOf(this.#current), v: this.#valuesOf(this.#current) });
    const bytes = new TextEncoder().encode(text);
    const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const url = new URL(location.href);
    url.hash = `qinglian=${b64}`;
    return url.href;
  }

  // ------------------------------------------------------------ form

  #changed(event) {
    const target = event.target;
    const values = this.#valuesOf(this.#current);
    const unknownOf = target?.dataset?.unknown;
    if (unknownOf) {
      // The "not known" box of a number or survey item: the item's boxes are cleared and
      // disabled while it is ticked.
      if (event.type !== "change") return;
      values[unknownOf] = target.checked ? null : "";
      const field = target.closest("[data-field]");
      for (const c of field?.querySelectorAll("[data-input]") ?? []) {
        c.disabled = target.checked;
        c.value = "";
      }
      this.#renderResult();
      return;
    }
    const name = target?.dataset?.input;
    if (!name) return;
    if (!target.dataset.answer && target.value === UNKNOWN) {
      if (values[name] === null) return;
      values[name] = null;
      this.#renderResult();
      return;
    }
    const answer = target.dataset.answer;
    const before = answer ? values[name]?.[answer] : values[name];
    // A text box fires `change` when it loses focus, after its `input` events were handled:
    // re-rendering then would replace the button being clicked.
    if ((before ?? "") === target.value) return;
    if (answer) values[name] = { ...(values[name] ?? {}), [answer]: target.value };
    else values[name] = target.value;
    this.#renderResult();
  }

  /** Checks one field as typed; returns the plain-words problem, or null. */
  #check(input, value) {
    const e = this.#t("fieldErrors");
    const number = (text) => {
      const x = Number(text);
      if (text.trim() === "" || !Number.isFinite(x)) return e.number;
      if (input.type === "count" && (!Number.isInteger(x) || x < 0)) return e.count;
      if (input.min !== null && input.max !== null && (x < input.min || x > input.max)) {
        return e.range(input.min, input.max);
      }
      if (input.min !== null && x < input.min) return e.min(input.min);
      if (input.max !== null && x > input.max) return e.max(input.max);
      return null;
    };
    if (value === null) return null;
    if (input.type === "survey") {
      for (const n of Object.values(value ?? {})) {
        if (n === "" || n === undefined) continue;
        const x = Number(n);
        if (!Number.isInteger(x) || x < 0) return e.count;
      }
      return null;
    }
    if (input.type === "number" || input.type === "count") return value ? number(value) : null;
    return null;
  }

  #answered(input, value) {
    if (value === null) return true;
    if (input.type === "survey") return Object.values(value ?? {}).some((n) => n !== "" && n !== undefined);
    return value !== undefined && value !== "";
  }

  #typed(input, value) {
    switch (input.type) {
      case "boolean":
        return value === "true";
      case "category":
        return value;
      case "survey":
        return Object.fromEntries(
          Object.entries(value).filter(([, n]) => n !== "" && n !== undefined).map(([a, n]) => [a, Number(n)]),
        );
      default:
        return Number(value);
    }
  }

  #renderForm() {
    const model = this.#model();
    const form = this.#dom.form;
    form.replaceChildren();
    if (!model) return;
    const values = this.#valuesOf(this.#current);
    model.groups.forEach((group, g) => {
      const title = group.node ? this.#name(group.node) : this.#t("others");
      const points = el("span", { class: "group-points", "data-testid": "group-points" });
      const fields = el("div", { class: "fields" });
      for (const input of group.inputs) fields.append(this.#field(input, values[input.name]));
      form.append(
        el(
          "section",
          { class: "group", "data-group": group.node?.path ?? "", "aria-label": title },
          el("details", { open: true }, el("summary", {}, el("span", { text: title }), points), fields),
        ),
      );
      group.pointsEl = points;
      group.index = g;
    });
  }

  #field(input, value) {
    const id = `f-${input.name}`;
    const label = this.#label(input);
    const unit = this.#unit(input);
    // A description shows in the language of the interface, or not at all.
    const helpText = this.lang === "en" ? english(input.description_en, input.description) : input.description;
    const help = helpText ? el("p", { class: "field-help", id: `${id}-help`, text: helpText }) : null;
    const unknown = value === null && this.#model()?.unknownOk.has(input.name);
    // Number and survey items the ruleset can score without: a "not known" box.
    const unknownBox =
      this.#model()?.unknownOk.has(input.name) && (input.type !== "boolean" && input.type !== "category")
        ? el(
            "label",
            { class: "unknown" },
            el("input", { type: "checkbox", "data-unknown": input.name, "data-testid": "unknown", checked: unknown }),
            el("span", { text: this.#t("unknown") }),
          )
        : null;
    const errorId = `${id}-error`;
    const error = el("p", { class: "field-error", id: errorId, "data-testid": "field-error", hidden: true });
    const describedBy = help ? `${id}-help` : undefined;
    let control;
    if (input.type === "survey") {
      return el(
        "fieldset",
        { class: "survey field", "data-field": input.name, "aria-describedby": describedBy },
        el("legend", { text: label }),
        help,
        el("p", { class: "field-help", text: this.#t("surveyHint") }),
        el(
          "div",
          { class: "survey-answers" },
          input.values.map((answer) =>
            el(
              "label",
              {},
              el("span", { text: this.#value(input, answer) }),
              el("input", {
                type: "number",
                min: 0,
                step: 1,
                inputmode: "numeric",
                "data-input": input.name,
                "data-answer": answer,
                "aria-describedby": errorId,
                disabled: unknown,
                value: value?.[answer] ?? "",
              }),
              el("span", { class: "unit", text: this.#t("votes") }),
            ),
          ),
        ),
        unknownBox,
        error,
      );
    }
    if (input.type === "boolean" || input.type === "category") {
      const choices =
        input.type === "boolean"
          ? [
              ["true", this.#t("yes")],
              ["false", this.#t("no")],
            ]
          : input.values.map((v) => [v, this.#value(input, v)]);
      if (this.#model()?.unknownOk.has(input.name)) choices.push([UNKNOWN, this.#t("unknown")]);
      const chosen = unknown ? UNKNOWN : value;
      control = el(
        "select",
        { id, name: input.name, "data-input": input.name, "aria-describedby": describedBy },
        el("option", { value: "", text: `— ${this.#t("choose")} —`, selected: !chosen }),
        choices.map(([v, text]) => el("option", { value: v, selected: v === chosen, text })),
      );
    } else {
      control = el("input", {
        id,
        type: "number",
        name: input.name,
        "data-input": input.name,
        inputmode: input.type === "count" ? "numeric" : "decimal",
        min: input.min ?? (input.type === "count" ? 0 : undefined),
        max: input.max ?? undefined,
        step: input.type === "count" ? 1 : "any",
        "aria-describedby": [describedBy, errorId].filter(Boolean).join(" "),
        disabled: unknown,
        value: value ?? "",
      });
    }
    // The range goes in the unit text only when the label does not already state it.
    const range =
      input.type === "number" || input.type === "count"
        ? input.min !== null && input.max !== null
          ? `${input.min}–${input.max}`
          : input.max !== null
            ? `≤ ${input.max}`
            : input.min !== null && input.min !== 0
              ? `≥ ${input.min}`
              : ""
        : "";
    const shownRange =
      range && !label.includes(range) && !label.includes(range.replace("–", "-"))
        ? this.lang === "en"
          ? `(${range})`
          : `（${range}）`
        : "";
    const unitText = [unit, shownRange].filter(Boolean).join(" ");
    return el(
      "div",
      { class: `field field-${input.type}`, "data-field": input.name },
      el("label", { class: "field-label", for: id, text: label }),
      help,
      el("div", { class: "control" }, control, unitText ? el("span", { class: "unit", text: unitText }) : null, unknownBox),
      error,
    );
  }

  #markField(name, message) {
    const field = this.#dom.form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!field) return;
    const error = field.querySelector(".field-error");
    const controls = field.querySelectorAll("[data-input]");
    for (const c of controls) {
      if (message) c.setAttribute("aria-invalid", "true");
      else c.removeAttribute("aria-invalid");
    }
    if (field.tagName === "FIELDSET") {
      if (message) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
    error.textContent = message ?? "";
    error.hidden = !message;
  }

  // ------------------------------------------------------------ result

  /** Scores what the form says: the full evaluation once complete, else the finished parts. */
  #compute() {
    const entry = this.#entry();
    const model = entry.model;
    const values = this.#valuesOf(this.#current);
    const record = {};
    const invalid = {};
    const answered = new Set();
    const unknown = [];
    for (const input of model.inputs) {
      if (values[input.name] === null && model.unknownOk.has(input.name)) {
        answered.add(input.name);
        unknown.push(input.name);
        record[input.name] = null;
        continue;
      }
      // "Not known" where the ruleset needs the item (a link made for another version): unanswered.
      const v = values[input.name] ?? undefined;
      const problem = this.#check(input, v);
      if (problem) invalid[input.name] = problem;
      if (!problem && this.#answered(input, v)) {
        answered.add(input.name);
        record[input.name] = this.#typed(input, v);
      } else record[input.name] = null;
    }
    const options = entry.cohort ? { cohort: entry.cohort } : undefined;
    let evaluation = null;
    let error = null;
    const complete = answered.size === model.inputs.length;
    if (complete) {
      try {
        evaluation = model.ruleset.evaluate(record, options);
      } catch (e) {
        error = { code: e.code, message: e.message, column: e.column ?? null, path: e.path ?? null };
        if (e.column && model.byName.has(e.column)) {
          invalid[e.column] = this.#t("fieldErrors").engine;
          answered.delete(e.column);
        }
      }
    }
    // The finished parts: score the form with stand-ins for what is not answered, and keep only
    // the 一级指标 and items whose every input is answered.
    let partial = null;
    if (!evaluation) {
      const filled = { ...record };
      for (const input of model.inputs) if (!answered.has(input.name)) filled[input.name] = standIn(input);
      try {
        partial = model.ruleset.evaluate(filled, options);
      } catch {
        partial = null;
      }
    }
    return {
      ruleset: this.#current,
      record,
      complete: Boolean(evaluation),
      answered: answered.size,
      total: model.inputs.length,
      unanswered: model.inputs.filter((i) => !answered.has(i.name)).map((i) => i.name),
      unknown,
      invalid,
      evaluation,
      error,
      partial,
      answeredSet: answered,
    };
  }

  #renderResult() {
    const d = this.#dom;
    const entry = this.#entry();
    const t = (k) => this.#t(k);
    const colon = t("colon");
    d.result.replaceChildren();
    d.resultHeading.textContent = t("result");
    if (!entry?.model) {
      this.dataset.state = "error";
      d.result.append(el("p", { class: "error", role: "alert", "data-testid": "error", text: t("loadFailed") }));
      d.scorebarText.textContent = t("loadFailed");
      return;
    }
    const model = entry.model;
    const r = this.#compute();
    for (const input of model.inputs) this.#markField(input.name, r.invalid[input.name] ?? null);
    const e = r.evaluation;
    const view = e ?? r.partial;
    const byPath = new Map((view?.nodes ?? []).map((n) => [n.path, n]));
    const leafDone = (leaf) => leaf.inputs.every((n) => r.answeredSet.has(n));
    const doneLeaves = new Set(model.leaves.filter(leafDone).map((l) => l.node.path));
    const dimDone = (g) => g.inputs.every((i) => r.answeredSet.has(i.name));
    this.dataset.state = e ? "scored" : "partial";

    // Headline.
    let summary;
    if (e) {
      const gradeText = e.grade ? (this.lang === "en" && e.grade_en ? e.grade_en : e.grade) : t("noGrade");
      d.result.append(
        el(
          "div",
          { class: "headline" },
          el(
            "div",
            {},
            el("span", { class: "caption", text: t("total") }),
            el("span", { class: "score", "data-testid": "score", "data-value": e.score, text: formatScore(e.score) }),
            el("span", { class: "max", text: ` / ${formatScore(e.max_score)}` }),
          ),
          // A ruleset without grade bands (a composite index) shows no grade at all.
          model.graded
            ? el(
                "div",
                {},
                el("span", { class: "caption", text: t("grade") }),
                el("span", { class: "grade-name", "data-testid": "grade", "data-value": e.grade ?? "", text: gradeText }),
              )
            : null,
        ),
      );
      summary = `${t("total")} ${formatScore(e.score)} / ${formatScore(e.max_score)}`;
      if (model.graded) summary += `，${t("grade")}${colon}${gradeText}`;
      if (this.lang === "en") summary = summary.replace("，", ", ");
    } else {
      let got = 0;
      let of = 0;
      for (const g of model.groups) {
        if (!g.node || !dimDone(g)) continue;
        const n = byPath.get(g.node.path);
        if (n && !n.bonus) {
          got += n.score;
          of += n.max;
        }
      }
      const left = r.total - r.answered;
      d.result.append(
        el(
          "div",
          { class: "headline partial", "data-testid": "partial" },
          of > 0
            ? el(
                "div",
                {},
                el("span", { class: "caption", text: t("partialScore") }),
                el("span", { class: "score", "data-testid": "partial-score", text: formatScore(got) }),
                el("span", { class: "max", text: ` / ${formatScore(of)}` }),
              )
            : el("strong", { class: "partial-title", text: t("partialTitle") }),
          el("p", { class: "progress", text: t("partialNote")(left) }),
        ),
      );
      summary = t("answered")(r.answered, r.total);
    }
    d.result.append(el("p", { class: "progress", "data-testid": "progress", text: t("answered")(r.answered, r.total) }));
    d.scorebarText.textContent = summary;
    d.scorebarButton.textContent = t("showResult");

    if (e?.cohort) {
      const c = e.cohort;
      d.result.append(
        el(
          "p",
          { class: "place", "data-testid": "place", "data-rank": c.rank, "data-of": c.of },
          t("place")(c.rank, c.of),
          c.tier ? ` · ${t("tier")}${colon}${this.lang === "en" && c.tier_en ? c.tier_en : c.tier}` : null,
        ),
      );
    }
    for (const w of e?.warnings ?? []) {
      d.result.append(
        el("p", { class: "warning", "data-testid": "warning" }, el("strong", { text: `${t("note")}${colon}` }), this.#pick(w)),
      );
    }
    if (r.error && !Object.keys(r.invalid).length) {
      d.result.append(el("p", { class: "error", "data-testid": "error", title: r.error.code, text: t("fieldErrors").engine }));
    }

    // Vetoes and warnings: once complete, or when every fact they read is answered.
    const known = (facts) => Object.keys(facts ?? {}).every((n) => r.answeredSet.has(n));
    const vetoes = (view?.vetoes ?? []).filter((v) => e || known(v.facts));
    if (vetoes.length) {
      d.result.append(
        el(
          "div",
          { "data-testid": "vetoes" },
          el("h3", { text: t("vetoes") }),
          el("ul", {}, vetoes.map((v) => el("li", { text: this.#pick(v.reason) }))),
        ),
      );
    }
    const alerts = (view?.alerts ?? []).filter((a) => e || known(a.facts));
    if (alerts.length) {
      d.result.append(
        el(
          "div",
          { "data-testid": "alerts" },
          el("h3", { text: t("alerts") }),
          el(
            "ul",
            {},
            alerts.map((a) =>
              el(
                "li",
                { class: `level-${a.level}` },
                el("span", { class: "alert-level", text: LEVELS[this.lang][a.level] ?? a.level }),
                " ",
                this.#pick(a.message),
              ),
            ),
          ),
        ),
      );
    }

    // One bar per 一级指标, with its running points; the form's section headings show the same.
    const bars = el("div", { class: "bars", "data-testid": "bars" });
    for (const g of model.groups) {
      if (!g.node) continue;
      const n = byPath.get(g.node.path);
      const done = dimDone(g);
      const k = g.inputs.filter((i) => r.answeredSet.has(i.name)).length;
      const na = n?.status === "not_applicable";
      const text = !done
        ? t("dimAnswered")(k, g.inputs.length)
        : na
          ? t("notApplicable")
          : `${formatScore(n?.score)} / ${formatScore(n?.max)} ${t("points")}`;
      if (g.pointsEl) g.pointsEl.textContent = text;
      const share = done && n && n.max > 0 ? Math.max(0, Math.min(1, n.score / n.max)) : 0;
      bars.append(
        el(
          "div",
          { class: "bar-row", "data-path": g.node.path, "data-done": done },
          el("span", { text: this.#name(g.node) }),
          el("span", { class: "bar-value", text }),
          el(
            "span",
            { class: "bar-track", role: "presentation" },
            el("span", { class: "bar-fill", style: `width:${(share * 100).toFixed(1)}%` }),
          ),
        ),
      );
    }
    d.result.append(el("h3", { text: t("dimensions") }), bars);

    // Points lost, biggest first: complete, or those of the answered items.
    const lost = (view?.reasons ?? [])
      .filter((x) => ["deduction", "zeroed", "missing"].includes(x.kind))
      .filter((x) => e || (x.path && doneLeaves.has(x.path)))
      .sort((a, b) => (b.points ?? 0) - (a.points ?? 0));
    d.result.append(el("h3", { text: e ? t("lost") : t("lostSoFar") }));
    d.result.append(
      lost.length
        ? el(
            "ul",
            { class: "lost", "data-testid": "lost" },
            lost.map((x) => {
              const node = x.path ? byPath.get(x.path) : null;
              return el(
                "li",
                { "data-path": x.path ?? "" },
                el("span", { class: "lost-points", text: x.points ? `−${formatScore(x.points)}` : "" }),
                el(
                  "span",
                  { class: "reason", "data-testid": "reason" },
                  node ? el("strong", { text: this.#name(node) }) : null,
                  node ? el("br") : null,
                  node ? this.#pick(node.detail) : this.#pick(x.text),
                ),
              );
            }),
          )
        : el("p", { "data-testid": "lost", text: t("noLost") }),
    );
    if (e?.bonuses.length) {
      d.result.append(
        el("h3", { text: t("bonuses") }),
        el(
          "ul",
          {},
          e.bonuses.map((b) => {
            const node = byPath.get(b.path);
            return el("li", {}, `+${formatScore(b.credited)} `, node ? this.#name(node) : b.name);
          }),
        ),
      );
    }

    // What is still to answer, each a way to its field.
    if (r.unanswered.length) {
      d.result.append(
        el("h3", { text: t("unanswered") }),
        el(
          "ul",
          { class: "todo", "data-testid": "unanswered" },
          r.unanswered.map((name) => {
            const input = model.byName.get(name);
            return el(
              "li",
              {},
              el("button", {
                type: "button",
                text: this.#label(input) + (r.invalid[name] ? ` — ${r.invalid[name]}` : ""),
                onclick: () => this.#focusField(name),
              }),
            );
          }),
        ),
      );
    }

    // Item by item (printed in full): every scored indicator with its plain-words detail.
    if (e) {
      const rows = e.nodes.map((n) =>
        el(
          "tr",
          {},
          el("td", { style: `padding-left:${0.35 + (n.depth - 1) * 1}rem` }, n.depth === 1 ? el("strong", { text: this.#name(n) }) : this.#name(n)),
          el("td", { class: "num", text: n.status === "not_applicable" ? t("notApplicable") : `${formatScore(n.score)} / ${formatScore(n.max)}` }),
          el("td", { text: n.depth === 1 ? "" : this.#pick(n.detail) }),
        ),
      );
      d.result.append(el("details", { class: "items" }, el("summary", { text: t("details") }), el("table", {}, el("tbody", {}, rows))));
    }

    d.result.append(
      el("p", { class: "print-only meta", text: `${t("printed")}${colon}${new Date().toLocaleString(this.lang === "en" ? "en" : "zh-CN")}` }),
      el(
        "div",
        { class: "actions" },
        el("button", { type: "button", class: "primary", "data-testid": "print", text: t("print"), onclick: () => window.print() }),
        el("button", { type: "button", "data-testid": "download", text: t("download"), onclick: () => this.#download() }),
        el("button", { type: "button", "data-testid": "share", text: t("share"), onclick: () => this.#share() }),
      ),
    );

    const { partial, answeredSet, ...detail } = r;
    void partial;
    void answeredSet;
    this.#last = detail;
    this.#announce(summary);
    this.dispatchEvent(new CustomEvent("result", { detail, bubbles: true, composed: true }));
  }

  #announce(text) {
    clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => {
      this.#dom.live.textContent = text;
    }, 1200);
  }

  #focusField(name) {
    const control = this.#dom.form.querySelector(`[data-input="${CSS.escape(name)}"]`);
    control?.closest("details")?.setAttribute("open", "");
    control?.focus();
  }

  #download() {
    const m = this.#model();
    const { ruleset: url, ...result } = this.#last;
    const data = {
      ruleset: { id: m.meta.id, name: m.meta.name, version: m.meta.version, url },
      saved: new Date().toISOString(),
      ...result,
    };
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const a = el("a", { href: URL.createObjectURL(blob), download: `${m.meta.id}-self-assessment.json` });
    this.#shadow.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  async #share() {
    const link = this.#link();
    const actions = this.#shadow.querySelector(".actions");
    actions.querySelector(".share-note")?.remove();
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      copied = false;
    }
    const note = el("p", { class: "share-note", role: "status", "data-testid": "share-note", text: copied ? this.#t("shareDone") : this.#t("shareManual") });
    const box = el("input", { class: "share-link", readonly: true, value: link, "aria-label": this.#t("share"), "data-testid": "share-link" });
    actions.append(el("div", { class: "share-note", style: "flex-basis:100%" }, note, box));
    if (!copied) box.select();
  }

  #renderAll() {
    if (!this.#dom.title) return;
    const d = this.#dom;
    const ui = UI[this.lang];
    this.#shadow.host.setAttribute("lang", this.lang);
    d.title.textContent = this.getAttribute("heading") ?? ui.title;
    d.subtitle.textContent = ui.subtitle;
    d.selectText.textContent = ui.ruleset;
    d.langButton.textContent = ui.lang;
    d.langButton.setAttribute("lang", this.lang === "zh" ? "en" : "zh");
    d.resetButton.textContent = ui.reset;
    const urls = this.#urls();
    d.select.replaceChildren(
      ...urls.map((url) => {
        const m = this.#settled.get(url)?.model?.meta;
        const text = m ? this.#name(m) : `${fileOf(url)} ⚠`;
        return el("option", { value: url, selected: url === this.#current, text });
      }),
    );
    d.selectLabel.hidden = urls.length < 2;
    const m = this.#model()?.meta;
    // Issuer and description in the interface's language; left out where not given in it.
    const en = this.lang === "en";
    const issuer = en ? english(m?.issuer_en, m?.issuer) : m?.issuer;
    const description = en ? english(m?.description_en, m?.description) : m?.description;
    d.meta.textContent = m
      ? [issuer ? `${ui.issuer}${ui.colon}${issuer}` : null, `${ui.version} ${m.version}`, description]
          .filter(Boolean)
          .join(" · ")
      : "";
    this.#renderForm();
    this.#renderResult();
  }
}

if (globalThis.customElements && !customElements.get("qinglian-calculator")) {
  customElements.define("qinglian-calculator", QinglianCalculator);
}

/**
 * Adds a calculator to `container` (the element, with attributes from `options`). Options:
 * `rulesets` (URLs), `ruleset`, `lang`, `cohorts`, `heading`, `onResult(detail)`. Returns a
 * controller; `destroy()` removes the element and its listener.
 */
export function mount(container, options = {}) {
  const element = document.createElement("qinglian-calculator");
  const set = (name, value) => value !== undefined && value !== null && element.setAttribute(name, value);
  set("rulesets", Array.isArray(options.rulesets) ? options.rulesets.join(" ") : options.rulesets);
  set("ruleset", options.ruleset);
  set("lang", options.lang);
  set("cohorts", options.cohorts);
  set("heading", options.heading);
  const onResult = options.onResult ? (event) => options.onResult(event.detail) : null;
  if (onResult) element.addEventListener("result", onResult);
  const whenReady = new Promise((resolve) => element.addEventListener("ready", resolve, { once: true }));
  container.append(element);
  return {
    element,
    ready: whenReady,
    record: () => element.record(),
    select: (ruleset) => element.select(ruleset),
    setLang: (lang) => (element.lang = lang),
    destroy() {
      if (onResult) element.removeEventListener("result", onResult);
      element.remove();
    },
  };
}
