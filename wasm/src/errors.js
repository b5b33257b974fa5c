// The error classes the package throws, so that `instanceof` tells a ruleset that cannot load
// from a record that cannot be scored. Rust builds them through the factory functions below and
// sets their fields; the classes themselves are re-exported by the package's entry points.

/** Any error of the engine: a stable `code`, and where it happened when known. */
export class QinglianError extends Error {
  constructor(message) {
    super(message);
    this.name = "QinglianError";
    this.code = "";
    this.line = null;
    this.column = null;
    this.path = null;
  }
}

/** A ruleset that cannot be loaded: the first problem's place, and every problem. */
export class RulesetError extends QinglianError {
  constructor(message) {
    super(message);
    this.name = "RulesetError";
    this.errors = [];
    this.warnings = [];
  }
}

/** A record that cannot be scored: the input (`column`) and indicator (`path`) at fault. */
export class RecordError extends QinglianError {
  constructor(message) {
    super(message);
    this.name = "RecordError";
    this.row = null;
    this.id = null;
  }
}

export function newQinglianError(message) {
  return new QinglianError(message);
}

export function newRulesetError(message) {
  return new RulesetError(message);
}

export function newRecordError(message) {
  return new RecordError(message);
}
