"""Timing of `Ruleset.evaluate(record)`: one dict in, one `Evaluation` with its full audit trail
out (every node's sentence in Chinese and English, the reasons), on every record of an example
data set. Prints µs per call (best of --repeat passes over the records), and the same with the
trail read back into Python (`to_dict()`) and against a fitted cohort.

    python python/benches/bench_evaluate.py [--ruleset rules/village.toml]
                                            [--data examples/data/villages.csv] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Callable, List

import qinglian

ROOT = Path(__file__).resolve().parent.parent.parent


def per_call(fn: Callable[[Any], Any], records: List[Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for record in records:
            fn(record)
        best = min(best, time.perf_counter() - t)
    return best / len(records) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ruleset", default=str(ROOT / "rules" / "village.toml"))
    parser.add_argument("--data", default=str(ROOT / "examples" / "data" / "villages.csv"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ruleset = qinglian.load(args.ruleset)
    records = [r for r in qinglian.read_records(args.data) if isinstance(r, dict)]
    scored = []
    for r in records:
        try:
            ruleset.evaluate(r)
            scored.append(r)
        except qinglian.RecordError:
            pass
    cohort = ruleset.fit(scored)
    print(f"{ruleset.id}: {len(ruleset.inputs)} inputs, {len(ruleset.indicator_paths)} "
          f"indicators; {len(scored)} records; best of {args.repeat}")
    print(f"  evaluate(record)                  {per_call(ruleset.evaluate, scored, args.repeat):7.1f} µs")
    print(f"  evaluate(record).to_dict()        "
          f"{per_call(lambda r: ruleset.evaluate(r).to_dict(), scored, args.repeat):7.1f} µs")
    print(f"  evaluate(record, cohort=cohort)   "
          f"{per_call(lambda r: ruleset.evaluate(r, cohort=cohort), scored, args.repeat):7.1f} µs")


if __name__ == "__main__":
    main()
