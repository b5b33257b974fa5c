// The <qinglian-calculator> custom element: `import "qinglian/calculator"` defines it.
import type { Evaluation, RecordInput } from "../web/qinglian.js";

/** The detail of the element's `result` event, fired on every recompute. */
export interface CalculatorResult {
  /** URL of the ruleset shown. */
  ruleset: string;
  /** The record the form describes: every declared input, `null` where not (validly) answered. */
  record: RecordInput;
  /** Whether every item is answered and the record scored (then `evaluation` is set). */
  complete: boolean;
  /** Items answered, and items in all. */
  answered: number;
  total: number;
  /** Input names still to answer, in form order. */
  unanswered: string[];
  /** Input names answered "不清楚 / 无数据" (not known): sent to the engine as missing. */
  unknown: string[];
  /** Input name → the plain-words problem of a field that cannot be used as typed. */
  invalid: { [input: string]: string };
  /** The engine's full result (with codes and paths), once complete; otherwise `null`. */
  evaluation: Evaluation | null;
  /** Why a complete form could not be scored (the engine's code and message), or `null`. */
  error: { code: string; message: string; column: string | null; path: string | null } | null;
}

/** `<qinglian-calculator ruleset="…" rulesets="… …" lang="zh|en" cohorts="…" heading="…">`. */
export declare class QinglianCalculator extends HTMLElement {
  /** The interface language (the `lang` attribute). */
  lang: "zh" | "en";
  /** URL of the ruleset shown. */
  readonly ruleset: string | null;
  /** The last result (the detail of the last `result` event). */
  readonly result: CalculatorResult | null;
  /** The record the form describes. */
  record(): RecordInput;
  /** Shows another offered ruleset, by URL or file name. */
  select(ruleset: string): void;
  /** Fills in the form from a record and recomputes; `null` answers "not known" where the
   * ruleset allows it (the item is not required and no indicator reading it rejects missing data). */
  fill(record: RecordInput): void;
  /** Clears every answer. */
  reset(): void;
}

/** Options of `mount`. */
export interface MountOptions {
  /** URLs of the rulesets offered (an array, or separated by spaces). */
  rulesets?: string[] | string;
  /** The ruleset shown first. */
  ruleset?: string;
  lang?: "zh" | "en";
  /** URL of a JSON object: ruleset file name → URL of its fitted cohort (relative to this file). */
  cohorts?: string;
  /** The title shown. */
  heading?: string;
  /** Called with every result. */
  onResult?: (result: CalculatorResult) => void;
}

/** What `mount` returns. */
export interface Calculator {
  element: QinglianCalculator;
  /** Resolves once the rulesets are loaded and the form is shown. */
  ready: Promise<Event>;
  record(): RecordInput;
  select(ruleset: string): void;
  setLang(lang: "zh" | "en"): void;
  /** Removes the element and the `onResult` listener. */
  destroy(): void;
}

/** Adds a calculator to `container`. */
export declare function mount(container: Element, options?: MountOptions): Calculator;

/** Where to find `qinglian_bg.wasm` when a bundler does not put it beside the package's code. */
export declare function configure(options: { wasm?: string | URL }): void;

/** Formats a number for people: at most two decimals. */
export declare function formatScore(x: number): string;

declare global {
  interface HTMLElementTagNameMap {
    "qinglian-calculator": QinglianCalculator;
  }
  interface HTMLElementEventMap {
    result: CustomEvent<CalculatorResult>;
  }
}
