// The Node (CommonJS) build has the same declarations, without init().
import { Ruleset, type Evaluation } from "../pkg/node/qinglian.js";

export function score(text: string, record: { [field: string]: number | boolean | string | null }): number {
  const evaluation: Evaluation = Ruleset.fromToml(text).evaluate(record);
  return evaluation.score;
}
