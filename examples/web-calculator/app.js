// 清廉自评计算器 — a self-assessment calculator that runs entirely in the page.
//
// The form is generated from `ruleset.inputs()`; every keystroke rescored by the qinglian
// WebAssembly engine; nothing is sent anywhere. Embed it with:
//
//   <link rel="stylesheet" href="/qinglian/style.css">
//   <div id="calc"></div>
//   <script type="module">
//     import { mount } from "/qinglian/app.js";
//     mount(document.getElementById("calc"), { rulesets: ["private-enterprise.toml"] });
//   </script>
//
// Options: `rules` (URL of the rulesets folder, default `rules/` beside this file), `rulesets`
// (file names to offer; default: the folder's `index.json`), `ruleset` (the one shown first),
// `lang` ("zh" or "en"), `cohorts` (ruleset file → URL of a fitted cohort's JSON, relative to
// `rules`; default: the folder's `cohorts.json`, if any). With a cohort, the page shows the
// unit's place among the reference units ("第N名（共M家）").

import init, { Ruleset } from "./pkg/qinglian.js";

const UI = {
  zh: {
    title: "清廉自评计算器",
    subtitle: "填写本单位情况，即时查看得分、等次和失分原因。数据只在本页面内计算，不会上传。",
    ruleset: "评价体系",
    lang: "English",
    facts: "填写情况",
    result: "评价结果",
    total: "总分",
    grade: "等次",
    noGrade: "未定等次",
    dimensions: "各一级指标得分",
    lost: "失分项",
    noLost: "没有失分项。",
    bonuses: "加分",
    vetoes: "一票否决 / 负面清单",
    alerts: "预警",
    trail: "完整评分说明",
    yes: "是",
    no: "否",
    unset: "（未填写）",
    notApplicable: "不适用",
    points: "分",
    fill: "请填写：",
    range: "超出有效范围：",
    invalid: "填写有误：",
    loadFailed: "评价体系加载失败",
    loading: "正在加载…",
    issuer: "发布单位",
    version: "版本",
    reset: "恢复默认",
    required: "必填",
    // Ranked among the reference units plus this one: of + 1 in all.
    place: (rank, of) => `在参照群体中排第${rank}名（共${of + 1}家，含本单位）`,
    tier: "名额档次",
    cohortNote: "参照群体",
    noCohort: "提示",
  },
  en: {
    title: "Integrity self-assessment calculator",
    subtitle: "Fill in your unit's facts to see its score, grade and where points were lost. Everything is computed in this page; nothing is uploaded.",
    ruleset: "Evaluation system",
    lang: "中文",
    facts: "Facts",
    result: "Result",
    total: "Total",
    grade: "Grade",
    noGrade: "No grade",
    dimensions: "Score by dimension",
    lost: "Points lost",
    noLost: "No points lost.",
    bonuses: "Bonus points",
    vetoes: "Vetoes / negative list",
    alerts: "Early warnings",
    trail: "Full audit trail",
    yes: "Yes",
    no: "No",
    unset: "(not given)",
    notApplicable: "not applicable",
    points: "pts",
    fill: "Please fill in: ",
    range: "Out of the valid range: ",
    invalid: "Invalid value: ",
    loadFailed: "The evaluation system failed to load",
    loading: "Loading…",
    issuer: "Issued by",
    version: "Version",
    reset: "Reset",
    required: "required",
    place: (rank, of) => `Rank ${rank} of ${of + 1} (the reference group and this unit)`,
    tier: "Quota tier",
    cohortNote: "Reference group",
    noCohort: "Note",
  },
};

const LEVELS = { red: "红色", orange: "橙色", yellow: "黄色", blue: "蓝色" };

/** Formats a number for people: at most two decimals. */
export function formatScore(x) {
  if (!Number.isFinite(x)) return "—";
  const r = Math.round(x * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

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

/** A sensible starting value for each input, so the first view already shows a score. */
function defaultValue(input) {
  switch (input.type) {
    case "boolean":
      return "false";
    case "category":
      return input.values[0] ?? "";
    case "survey":
      return Object.fromEntries(input.values.map((a, i) => [a, i === 0 ? "100" : "0"]));
    default: {
      let v = 0;
      if (input.min !== null && v < input.min) v = input.min;
      if (input.max !== null && v > input.max) v = input.max;
      return String(v);
    }
  }
}

export async function mount(root, options = {}) {
  const state = {
    lang: options.lang === "en" ? "en" : "zh",
    files: [],
    loaded: new Map(), // file → { ruleset, cohort? } | { error }
    values: new Map(), // file → { input name → form value }
    current: null,
  };
  const t = (key) => UI[state.lang][key];
  const pick = (text) => (text ? text[state.lang] || text.zh : "");
  const nameOf = (x) => (state.lang === "en" && x.name_en ? x.name_en : x.name);

  root.classList.add("qinglian-calculator");
  root.replaceChildren(el("p", { class: "ql-loading", text: t("loading") }));

  await init();
  const rulesBase = new URL(options.rules ?? "rules/", new URL(".", import.meta.url));
  state.files =
    options.rulesets ??
    (await fetch(new URL("index.json", rulesBase)).then((r) => r.json()));
  // Fitted reference cohorts shipped beside the rulesets (optional).
  let cohortFiles = options.cohorts;
  if (cohortFiles === undefined) {
    cohortFiles = await fetch(new URL("cohorts.json", rulesBase))
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}));
  }
  // Fetch and compile every ruleset (and its cohort) up front: switching then works offline.
  await Promise.all(
    state.files.map(async (file) => {
      try {
        const text = await fetch(new URL(file, rulesBase)).then((r) => {
          if (!r.ok) throw new Error(`${file}: HTTP ${r.status}`);
          return r.text();
        });
        const ruleset = Ruleset.fromToml(text);
        let cohort = null;
        const cohortFile = cohortFiles?.[file];
        if (cohortFile) {
          try {
            const json = await fetch(new URL(cohortFile, rulesBase)).then((r) => {
              if (!r.ok) throw new Error(`${cohortFile}: HTTP ${r.status}`);
              return r.text();
            });
            cohort = ruleset.cohortFromJson(json);
          } catch (error) {
            // A cohort that cannot be used leaves the ruleset usable, with its warning shown.
            console.warn(`${cohortFile}: ${error.message}`);
          }
        }
        state.loaded.set(file, { ruleset, cohort });
      } catch (error) {
        state.loaded.set(file, { error });
      }
    }),
  );
  state.current =
    options.ruleset && state.files.includes(options.ruleset) ? options.ruleset : state.files[0];

  // ---------------------------------------------------------------- layout
  const title = el("h1", { class: "ql-title" });
  const subtitle = el("p", { class: "ql-subtitle" });
  const select = el("select", {
    id: "ql-ruleset",
    "data-testid": "ruleset-select",
    onchange: () => {
      state.current = select.value;
      renderAll();
    },
  });
  const selectLabel = el("label", { for: "ql-ruleset", class: "ql-select-label" });
  const langButton = el("button", {
    type: "button",
    class: "ql-lang",
    "data-testid": "lang-switch",
    onclick: () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      renderAll();
    },
  });
  const resetButton = el("button", {
    type: "button",
    class: "ql-reset",
    "data-testid": "reset",
    onclick: () => {
      state.values.delete(state.current);
      renderAll();
    },
  });
  const meta = el("p", { class: "ql-meta", "data-testid": "meta" });
  const factsTitle = el("h2");
  const form = el("form", {
    class: "ql-form",
    "data-testid": "form",
    autocomplete: "off",
    onsubmit: (e) => e.preventDefault(),
    oninput: () => {
      saveForm();
      renderResult();
    },
    onchange: () => {
      saveForm();
      renderResult();
    },
  });
  const resultTitle = el("h2");
  const result = el("section", { class: "ql-result", "data-testid": "result", "aria-live": "polite" });

  root.replaceChildren(
    el(
      "header",
      { class: "ql-header" },
      el("div", {}, title, subtitle),
      el("div", { class: "ql-controls" }, selectLabel, select, langButton),
    ),
    meta,
    el(
      "div",
      { class: "ql-columns" },
      el("section", { class: "ql-facts" }, el("div", { class: "ql-facts-head" }, factsTitle, resetButton), form),
      el("section", { class: "ql-output" }, resultTitle, result),
    ),
  );

  // ---------------------------------------------------------------- form
  function currentInputs() {
    const entry = state.loaded.get(state.current);
    return entry?.ruleset ? entry.ruleset.inputs() : [];
  }

  function valuesFor(file, inputs) {
    if (!state.values.has(file)) {
      state.values.set(file, Object.fromEntries(inputs.map((i) => [i.name, defaultValue(i)])));
    }
    return state.values.get(file);
  }

  function renderForm() {
    const entry = state.loaded.get(state.current);
    form.replaceChildren();
    if (!entry?.ruleset) return;
    const inputs = entry.ruleset.inputs();
    const values = valuesFor(state.current, inputs);
    for (const input of inputs) {
      const id = `ql-f-${input.name}`;
      const label = state.lang === "en" && input.label_en ? input.label_en : input.label || input.name;
      const value = values[input.name];
      let control;
      if (input.type === "boolean" || input.type === "category") {
        const choices =
          input.type === "boolean"
            ? [
                ["true", t("yes")],
                ["false", t("no")],
              ]
            : input.values.map((v) => [v, v]);
        if (!input.required) choices.push(["", t("unset")]);
        control = el(
          "select",
          { id, name: input.name, "data-input": input.name },
          choices.map(([v, text]) => el("option", { value: v, selected: v === value, text })),
        );
      } else if (input.type === "survey") {
        control = el(
          "div",
          { class: "ql-survey", id, "data-input": input.name },
          input.values.map((answer) =>
            el(
              "label",
              { class: "ql-survey-answer" },
              el("span", { text: answer }),
              el("input", {
                type: "number",
                min: 0,
                step: 1,
                name: `${input.name}.${answer}`,
                "data-input": input.name,
                "data-answer": answer,
                value: value?.[answer] ?? "",
              }),
            ),
          ),
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
          value,
        });
      }
      const range =
        input.min !== null && input.max !== null
          ? `${input.min}–${input.max}`
          : input.max !== null
            ? `≤ ${input.max}`
            : input.min !== null && input.min !== 0
              ? `≥ ${input.min}`
              : "";
      form.append(
        el(
          "div",
          { class: `ql-field ql-${input.type}`, "data-field": input.name },
          el(
            input.type === "survey" ? "span" : "label",
            { class: "ql-label", for: input.type === "survey" ? undefined : id, title: input.description ?? undefined },
            label,
            input.required ? el("span", { class: "ql-required", title: t("required"), text: " *" }) : null,
          ),
          el("div", { class: "ql-control" }, control, input.unit || range ? el("span", { class: "ql-unit", text: [input.unit, range && `(${range})`].filter(Boolean).join(" ") }) : null),
        ),
      );
    }
  }

  function saveForm() {
    const inputs = currentInputs();
    const values = valuesFor(state.current, inputs);
    for (const input of inputs) {
      if (input.type === "survey") {
        const counts = {};
        for (const box of form.querySelectorAll(`input[data-input="${CSS.escape(input.name)}"]`)) {
          counts[box.dataset.answer] = box.value;
        }
        values[input.name] = counts;
      } else {
        const control = form.elements.namedItem(input.name);
        if (control) values[input.name] = control.value;
      }
    }
  }

  /** The record the form describes: typed values; empty fields are missing (null). */
  function recordFromValues(inputs, values) {
    const record = {};
    for (const input of inputs) {
      const v = values[input.name];
      if (input.type === "boolean") record[input.name] = v === "" ? null : v === "true";
      else if (input.type === "category") record[input.name] = v === "" ? null : v;
      else if (input.type === "survey") {
        const entries = Object.entries(v ?? {}).filter(([, n]) => n !== "" && n !== undefined);
        record[input.name] = entries.length ? Object.fromEntries(entries.map(([a, n]) => [a, Number(n)])) : null;
      } else record[input.name] = v === "" || v === undefined ? null : Number(v);
    }
    return record;
  }

  // ---------------------------------------------------------------- result
  function describeError(error, inputs) {
    const input = inputs.find((i) => i.name === error.column);
    const label = input ? (state.lang === "en" && input.label_en ? input.label_en : input.label) : error.column;
    const code = error.code ?? "";
    let lead = "";
    if (label) {
      if (/missing|insufficient/.test(code)) lead = t("fill") + label;
      else if (/range|bounds/.test(code)) {
        const range = input ? ` (${input.min ?? ""}–${input.max ?? ""})` : "";
        lead = t("range") + label + range;
      } else lead = t("invalid") + label;
    }
    return { lead, detail: error.message ?? String(error) };
  }

  function renderResult() {
    const entry = state.loaded.get(state.current);
    result.replaceChildren();
    for (const f of form.querySelectorAll(".ql-invalid")) f.classList.remove("ql-invalid");
    if (!entry?.ruleset) {
      root.dataset.state = "error";
      const e = entry?.error ?? {};
      result.append(
        el("div", { class: "ql-error", "data-testid": "error" },
          el("strong", { text: t("loadFailed") }),
          el("pre", { text: e.message ?? String(e) })),
      );
      return;
    }
    const ruleset = entry.ruleset;
    const inputs = ruleset.inputs();
    const record = recordFromValues(inputs, valuesFor(state.current, inputs));
    const scoring = entry.cohort ? { cohort: entry.cohort } : undefined;
    let evaluation;
    try {
      evaluation = ruleset.evaluate(record, scoring);
    } catch (error) {
      root.dataset.state = "error";
      const { lead, detail } = describeError(error, inputs);
      if (error.column) {
        form.querySelector(`[data-field="${CSS.escape(error.column)}"]`)?.classList.add("ql-invalid");
      }
      result.append(
        el("div", { class: "ql-error", "data-testid": "error", "data-code": error.code ?? "" },
          lead ? el("strong", { text: lead }) : null,
          el("p", { class: "ql-error-detail", text: detail })),
      );
      return;
    }
    root.dataset.state = "scored";

    const gradeText = evaluation.grade
      ? state.lang === "en" && evaluation.grade_en ? evaluation.grade_en : evaluation.grade
      : t("noGrade");
    result.append(
      el("div", { class: "ql-headline" },
        el("div", { class: "ql-total" },
          el("span", { class: "ql-caption", text: t("total") }),
          el("span", { class: "ql-score", "data-testid": "score", "data-value": evaluation.score, text: formatScore(evaluation.score) }),
          el("span", { class: "ql-max", "data-testid": "max", text: ` / ${formatScore(evaluation.max_score)}` })),
        el("div", { class: `ql-grade${evaluation.grade ? "" : " ql-none"}` },
          el("span", { class: "ql-caption", text: t("grade") }),
          el("span", { class: "ql-grade-name", "data-testid": "grade", "data-value": evaluation.grade ?? "", text: gradeText }))),
    );

    if (evaluation.cohort) {
      const c = evaluation.cohort;
      result.append(
        el("p", { class: "ql-place", "data-testid": "place", "data-rank": c.rank, "data-of": c.of },
          t("place")(c.rank, c.of),
          c.tier ? el("span", { class: "ql-tier", text: ` · ${t("tier")}${state.lang === "zh" ? "：" : ": "}${c.tier}` }) : null),
      );
    }
    // Said in plain words, e.g. a ranking ruleset scored without a reference group.
    for (const w of evaluation.warnings ?? []) {
      result.append(
        el("p", { class: "ql-warning", "data-testid": "warning", role: "note" },
          el("strong", { text: `${t("noCohort")}${state.lang === "zh" ? "：" : ": "}` }), pick(w)),
      );
    }

    if (evaluation.vetoes.length) {
      result.append(
        el("div", { class: "ql-vetoes", "data-testid": "vetoes" },
          el("h3", { text: t("vetoes") }),
          el("ul", {}, evaluation.vetoes.map((v) => el("li", { "data-id": v.id, text: pick(v.reason) })))),
      );
    }
    if (evaluation.alerts.length) {
      result.append(
        el("div", { class: "ql-alerts", "data-testid": "alerts" },
          el("h3", { text: t("alerts") }),
          el("ul", {}, evaluation.alerts.map((a) =>
            el("li", { class: `ql-alert ql-level-${a.level}`, "data-id": a.id },
              el("span", { class: "ql-level", text: state.lang === "zh" ? LEVELS[a.level] ?? a.level : a.level }),
              " ", pick(a.message))))),
      );
    }

    // Per-dimension bars (一级指标).
    const byPath = new Map(evaluation.nodes.map((n) => [n.path, n]));
    const bars = el("div", { class: "ql-bars", "data-testid": "bars" });
    for (const path of ruleset.dimensionPaths()) {
      const node = byPath.get(path);
      if (!node) continue;
      const share = node.max > 0 ? Math.max(0, Math.min(1, node.score / node.max)) : 0;
      const na = node.status === "not_applicable";
      bars.append(
        el("div", { class: `ql-bar-row${node.bonus ? " ql-bonus" : ""}`, "data-path": path },
          el("span", { class: "ql-bar-name", text: nameOf(node) }),
          el("span", { class: "ql-bar-track" },
            el("span", { class: "ql-bar-fill", style: `width:${(share * 100).toFixed(1)}%` })),
          el("span", { class: "ql-bar-value", text: na ? t("notApplicable") : `${formatScore(node.score)} / ${formatScore(node.max)}` })),
      );
    }
    result.append(el("h3", { text: t("dimensions") }), bars);

    // Points lost, biggest first, with the reasons the engine gives.
    const lost = evaluation.reasons
      .filter((r) => ["deduction", "zeroed", "missing"].includes(r.kind))
      .sort((a, b) => (b.points ?? 0) - (a.points ?? 0));
    result.append(el("h3", { text: t("lost") }));
    result.append(
      lost.length
        ? el("ul", { class: "ql-lost", "data-testid": "lost" },
            lost.map((r) => {
              const node = r.path ? byPath.get(r.path) : null;
              return el("li", { "data-path": r.path ?? "" },
                el("span", { class: "ql-lost-points", text: r.points ? `−${formatScore(r.points)}` : "" }),
                el("span", { class: "ql-lost-text" },
                  node ? el("strong", { text: nameOf(node) }) : null,
                  node ? el("br") : null,
                  pick(r.text)));
            }))
        : el("p", { class: "ql-none", "data-testid": "lost", text: t("noLost") }),
    );
    if (evaluation.bonuses.length) {
      result.append(
        el("h3", { text: t("bonuses") }),
        el("ul", { class: "ql-bonuses" },
          evaluation.bonuses.map((b) => {
            const node = byPath.get(b.path);
            return el("li", {}, el("span", { class: "ql-bonus-points", text: `+${formatScore(b.credited)}` }), " ", node ? nameOf(node) : b.name);
          })),
      );
    }
    const trail = el("details", { class: "ql-trail" },
      el("summary", { text: t("trail") }),
      el("pre", { text: ruleset.explain(record, state.lang, scoring) }));
    result.append(trail);
  }

  function renderAll() {
    const ui = UI[state.lang];
    root.lang = state.lang === "zh" ? "zh-CN" : "en";
    title.textContent = options.title ?? ui.title;
    subtitle.textContent = ui.subtitle;
    selectLabel.textContent = ui.ruleset;
    langButton.textContent = ui.lang;
    resetButton.textContent = ui.reset;
    factsTitle.textContent = ui.facts;
    resultTitle.textContent = ui.result;
    select.replaceChildren(
      ...state.files.map((file) => {
        const entry = state.loaded.get(file);
        const m = entry?.ruleset?.metadata();
        const text = m ? (state.lang === "en" && m.name_en ? m.name_en : m.name) : `${file} ⚠`;
        return el("option", { value: file, selected: file === state.current, text });
      }),
    );
    select.value = state.current;
    const m = state.loaded.get(state.current)?.ruleset?.metadata();
    meta.textContent = m
      ? [m.issuer && `${ui.issuer}${state.lang === "zh" ? "：" : ": "}${m.issuer}`, `${ui.version} ${m.version}`, m.description]
          .filter(Boolean)
          .join(" · ")
      : "";
    renderForm();
    renderResult();
  }

  renderAll();
  root.dataset.ready = "true";
  return {
    /** The ruleset file shown. */
    get ruleset() {
      return state.current;
    },
    /** The interface language. */
    get lang() {
      return state.lang;
    },
    /** Whether the ruleset shown is scored against a fitted reference cohort. */
    get hasCohort() {
      return Boolean(state.loaded.get(state.current)?.cohort);
    },
    /** The record the form currently describes (what is scored). */
    record() {
      const inputs = currentInputs();
      return recordFromValues(inputs, valuesFor(state.current, inputs));
    },
    /** Switches to another ruleset file. */
    select(file) {
      state.current = file;
      renderAll();
    },
    /** Switches the interface language. */
    setLang(lang) {
      state.lang = lang === "en" ? "en" : "zh";
      renderAll();
    },
  };
}
