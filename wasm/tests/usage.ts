// Type-checked with `tsc --noEmit -p wasm/tests/tsconfig.json`: the declarations of the web build
// cover everything a page uses, with no `any`.
import init, {
  Cohort,
  Ruleset,
  ScoreTable,
  version,
  type Columns,
  type DecompositionLine,
  type ImprovementPlan,
  type ImprovementStep,
  type UnitDecomposition,
  type TableRowError,
  type TableWarning,
  type QinglianError,
  type AlertHit,
  type Diagnostic,
  type Evaluation,
  type EvaluationResult,
  type IndicatorInfo,
  type Input,
  type Metadata,
  type NodeResult,
  type Reason,
  type RecordErrorInfo,
  type RecordEvaluationError,
  type RecordInput,
  type RulesetLoadError,
} from "../pkg/web/qinglian.js";

export async function demo(text: string): Promise<string> {
  await init();
  const v: string = version();

  let ruleset: Ruleset;
  try {
    ruleset = Ruleset.fromToml(text);
  } catch (e) {
    const err = e as RulesetLoadError;
    const where: string = `${err.code} ${err.line ?? "?"}:${err.column ?? "?"} ${err.path ?? ""}`;
    const all: Diagnostic[] = err.errors;
    return where + all.map((d) => d.message).join("\n");
  }

  const meta: Metadata = ruleset.metadata();
  const inputs: Input[] = ruleset.inputs();
  const record: RecordInput = { id: "E001", name: meta.name };
  for (const input of inputs) {
    switch (input.type) {
      case "boolean":
        record[input.name] = true;
        break;
      case "number":
      case "count":
        record[input.name] = input.min ?? 0;
        break;
      case "category":
        record[input.name] = input.values[0] ?? null;
        break;
      case "survey":
        record[input.name] = Object.fromEntries(input.values.map((a) => [a, 1]));
        break;
    }
  }

  let evaluation: Evaluation;
  try {
    evaluation = ruleset.evaluate(record);
  } catch (e) {
    const err = e as RecordEvaluationError;
    return `${err.code} ${err.column ?? ""} ${err.path ?? ""} ${err.row ?? ""}`;
  }
  const total: number = evaluation.score;
  const grade: string | null = evaluation.grade;
  const nodes: NodeResult[] = evaluation.nodes;
  const lost: Reason[] = evaluation.reasons.filter((r) => r.kind === "deduction");
  const alerts: AlertHit[] = evaluation.alerts;
  const rank: number | undefined = evaluation.cohort?.rank;

  const results: EvaluationResult[] = ruleset.evaluateMany([record, { id: "E002" }]);
  for (const r of results) {
    if ("ok" in r) {
      const e: Evaluation = r.ok;
      void e.score;
    } else {
      const err: RecordErrorInfo = r.error;
      void err.code;
    }
  }

  // Columnar scoring, cohorts.
  const columns: Columns = {
    id: ["E001", "E002"],
    cases: new Float64Array([1, NaN]),
    audited: [true, null],
    level: ["A", "B"],
  };
  const table: ScoreTable = ruleset.scoreColumns(columns, { status: true });
  const totals: Float64Array = table.score;
  const gradeIndex: Int32Array = table.grade;
  const ranks: Uint32Array = table.rank;
  const tiers: Int32Array = table.tier;
  const vetoed: Uint8Array = table.vetoed;
  const levels: Int8Array = table.alertLevel;
  const byPath: Float64Array | undefined = table.indicators[paths0(ruleset)];
  const statuses: { [path: string]: Uint8Array } | null = table.statuses;
  const rowErrors: TableRowError[] = table.errors;
  const notes: TableWarning[] = table.warnings;
  const misspelt: (string | null)[] = notes.map((w) => (w.row === null ? w.column : w.id));
  const one: Evaluation = table.explain(0);
  const rowText: string = table.explainText(0, "en");
  table.free();
  const cohort: Cohort = ruleset.fit(columns);
  const again: Cohort = Cohort.fromJson(cohort.toJson());
  const size: number = again.size;
  const placed: Evaluation = ruleset.evaluate(record, { cohort });
  const grouped = ruleset.scoreColumns(columns, { by: "level" });
  const manyBy: EvaluationResult[] = ruleset.evaluateMany([record], { by: ["2023"], cohort: undefined });
  try {
    ruleset.scoreColumns({ a: [1], b: [1, 2] });
  } catch (e) {
    const err = e as QinglianError;
    void `${err.code} ${err.column ?? ""}`;
  }
  void [totals, gradeIndex, ranks, tiers, vetoed, levels, byPath, statuses, rowErrors, one, rowText,
    size, placed.cohort?.of, grouped.length, manyBy.length, ruleset.cohortDependent(),
    ruleset.tierNames(), ruleset.vetoIds(), placed.warnings?.[0]?.zh];
  grouped.free();
  again.free();
  cohort.free();

  const tree: IndicatorInfo = ruleset.tree();
  const dims: string[] = ruleset.dimensionPaths();
  const grades: string[] = ruleset.gradeNames();
  const paths: string[] = ruleset.indicatorPaths();
  const warnings: Diagnostic[] = ruleset.warnings();
  const max: number = ruleset.maxTotal();
  const trail: string = ruleset.explain(record, "en") + ruleset.explain(record);
  ruleset.free();

  return [v, total, grade, nodes.length, lost.length, alerts.length, rank, tree.name, dims, grades,
    paths.length, warnings.length, max, trail].join(" ");
}

function paths0(ruleset: Ruleset): string {
  return ruleset.indicatorPaths()[0] ?? "";
}

/** An improvement plan and a decomposition, typed. */
export function improvement(ruleset: Ruleset, records: RecordInput[]): string {
  const plan: ImprovementPlan = ruleset.improve(records, {
    id: "V004",
    target: "清廉村社",
    costs: { livestream: 2 },
    lang: "en",
  });
  const steps: ImprovementStep[] = plan.steps;
  const gained: number = steps.reduce((a, s) => a + s.points, 0);
  const units: UnitDecomposition[] = ruleset.decompose(records, { k: 2 });
  const lines: DecompositionLine[] = units[0]?.lines ?? [];
  return [plan.text, plan.reachable, plan.search, gained, lines.length].join(" ");
}
