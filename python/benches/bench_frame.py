"""Benchmark of `Ruleset.evaluate_frame` on synthetic data (default: 100,000 rows of the village
ruleset). Reports rows/s for the whole call and separately for its phases:

- extract: reading the input columns of the DataFrame in Python (numpy buffers / lists);
- score:   `_score_columns` in Rust (building the column-wise batch, checking and scoring, GIL
           released) and building the result columns (numpy arrays owning the Rust buffers);
- assemble: the pandas result DataFrame (categoricals, no copy of the arrays);

and, for comparison, `evaluate_many` on the same rows as a list of dicts.

    python python/benches/bench_frame.py [--rows N] [--ruleset rules/village.toml] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

import qinglian
from qinglian import _frame

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
import synth  # noqa: E402


def best(fn, repeat):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--ruleset", default=str(HERE.parent.parent / "rules" / "village.toml"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ruleset = qinglian.load(args.ruleset)
    n = args.rows
    df = pd.DataFrame(synth.columns(ruleset, n, seed=1, missing=0.002))
    print(f"{ruleset.id}: {len(ruleset.inputs)} inputs, {len(ruleset.indicator_paths)} indicators,"
          f" {n} rows")

    total, out = best(lambda: ruleset.evaluate_frame(df), args.repeat)
    assert len(out) == n
    extract, prepared = best(lambda: _frame.prepare(ruleset, df), args.repeat)
    score, raw = best(
        lambda: ruleset._score_columns(prepared.length, prepared.columns, prepared.ids),
        args.repeat,
    )
    kept = {"id": df["id"].array}
    assemble, _ = best(lambda: _frame.assemble(ruleset, raw, df.index, kept), args.repeat)
    records = synth.records(synth.columns(ruleset, n, seed=1, missing=0.002))
    many, _ = best(lambda: ruleset.evaluate_many(records), 1)

    def line(name: str, seconds: float) -> None:
        print(f"  {name:<28} {seconds * 1000:9.1f} ms  {n / seconds:12,.0f} rows/s")

    line("evaluate_frame (total)", total)
    line("  extract columns (Python)", extract)
    line("  check + score (Rust)", score)
    line("  assemble DataFrame", assemble)
    line("evaluate_many (list of dicts)", many)
    print(f"  not scored: {int(out['error'].notna().sum())}")


if __name__ == "__main__":
    main()
