// The weights API type-checks as documented (tsc --noEmit; not run).
import {
  Ruleset,
  weights,
  type AhpResult,
  type CopelandResult,
  type EffectiveWeight,
  type OutrankingResult,
  type RankUncertainty,
  type UncertaintyOptions,
  type WeightsResult,
} from "../pkg/node/qinglian.js";

export function judged(): number[] {
  const r: AhpResult = weights.ahp([[1, 5, 3], [1 / 5, 1, 1 / 3], [1 / 3, 3, 1]], {
    randomIndex: "xu1988",
    strict: false,
  });
  const cr: number = r.cr;
  const warning: string | null = r.warning;
  return warning === null && cr < 0.1 ? r.weights : [];
}

export function fromData(rows: number[][]): number[] {
  const e: WeightsResult = weights.entropy(rows, { directions: [1, -1], normalise: true });
  const c: WeightsResult = weights.critic(rows, { directions: ["higher", "lower"], dropMissing: true });
  const s: WeightsResult = weights.sd(rows);
  const p: WeightsResult = weights.pca(rows);
  const q: number[] = weights.equal(rows[0]?.length ?? 0);
  return [...e.weights, ...c.weights, ...s.weights, ...p.weights, ...q, c.rows_used, ...c.dropped_rows];
}

export function leaves(text: string): string[] {
  const all: EffectiveWeight[] = Ruleset.fromToml(text).effectiveWeights();
  return all.filter((e) => e.exact && !e.bonus && e.weight > 0).map((e) => e.path);
}

/** Ranks under noisy weights, typed as documented. */
export function uncertain(ruleset: Ruleset, columns: { [field: string]: number[] }): number[] {
  const options: UncertaintyOptions = { samples: 500, weightNoise: 0.2, seed: 7n, depths: [1] };
  const u: RankUncertainty = ruleset.uncertainty(columns, options);
  const again: RankUncertainty = ruleset.uncertainty([{ id: "A", x: 1 }], { seed: 7 });
  const rank: Uint32Array = u.rank;
  const bands: Float64Array[] = [u.rankMedian, u.rankP05, u.rankP95, again.rankMedian];
  return [u.samples, rank[0] ?? 0, bands.length];
}

/** Outranking and Copeland scores, typed as documented. */
export function outranked(ruleset: Ruleset, rows: number[][]): number[] {
  const o: OutrankingResult = weights.outranking(rows, { weights: [1, 2], directions: [1, "lower"] });
  const share: number | null = o.dominant_share;
  const c: CopelandResult = ruleset.copeland([{ id: "A", x: 1 }], { node: "g" });
  const all: CopelandResult = ruleset.copeland({ id: ["A"], x: [1] });
  const scores: Float64Array = c.copeland;
  const ranks: Uint32Array = all.rank;
  return [...o.copeland, o.dominant_pairs, share ?? 0, scores[0] ?? 0, ranks[0] ?? 0, c.dominantShare];
}

