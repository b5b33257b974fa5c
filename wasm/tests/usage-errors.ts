// Type-checked: the package's entry point declares the error classes, so `instanceof` narrows.
import init, { Ruleset, RulesetError, RecordError, QinglianError } from "../pkg/web/index.js";

export async function load(text: string, record: { [field: string]: number }): Promise<string> {
  await init();
  try {
    return String(Ruleset.fromToml(text).evaluate(record).score);
  } catch (e) {
    if (e instanceof RulesetError) {
      const line: number | null = e.line;
      const column: number | null = e.column;
      return `${e.code} ${line}:${column} ${e.path ?? ""} (${e.errors.length})`;
    }
    if (e instanceof RecordError) {
      const input: string | null = e.column;
      return `${e.code} ${input ?? ""} ${e.path ?? ""} ${e.row ?? ""}`;
    }
    if (e instanceof QinglianError) return e.code;
    throw e;
  }
}
