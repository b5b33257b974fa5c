"""The 30-rule scorecard benchmark (benches/scorecard/): qinglian and its peers on the same data.

For each size in --sizes, on one synthetic frame of that many enterprises (benches/scorecard/
data.py), in this one process:

- qinglian   `ruleset.evaluate_frame(df)` (scores only; a pandas DataFrame out);
- numpy      the scorecard written by hand in vectorised numpy (numpy_scorecard.py);
- plain      one Python function per record, looping over dicts (plain_scorecard.py), on the
             first --sample rows;
- zen        the scorecard as a zen-engine decision graph (zen_graph.py), on the first --sample
             rows: one `decision.evaluate(record)` per record, and `evaluate_batch` over them all.

Times are the best of --repeat runs, excluding set-up (loading the ruleset, compiling the zen
graph, turning the frame into a list of dicts). Before any figure is printed, every total and
grade of every implementation is compared with numpy's on the rows it scored: qinglian and plain
Python must agree exactly; zen-engine, which computes in decimal, within 1e-9 on totals and
exactly on grades. Any disagreement stops the benchmark with the rows concerned.

    python python/benches/bench_scorecard.py [--sizes 10000,100000,1000000] [--repeat 3]
    python python/benches/bench_scorecard.py --rss [--rss-rows 1000000]

--rss measures, each in a fresh subprocess, the peak resident set size (getrusage ru_maxrss) of
building the input frame alone and of building it and scoring it with `evaluate_frame`, and
compares it with the sizes of the input and output frames (memory_usage(deep=True)).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
SCORECARD = ROOT / "benches" / "scorecard"
RULESET = SCORECARD / "scorecard.toml"
sys.path.insert(0, str(SCORECARD))

import data  # noqa: E402
import numpy_scorecard  # noqa: E402
import plain_scorecard  # noqa: E402
import zen_graph  # noqa: E402

ZEN_TOLERANCE = 1e-9


def best(fn: Callable[[], Any], repeat: int) -> Tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def records_of(df: Any) -> List[Dict[str, Any]]:
    """Rows as plain dicts: Python bool/int/float, None for a missing value."""
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in df.to_dict("records")
    ]


class Disagreement(SystemExit):
    pass


def check(name: str, ids: Sequence[Any], totals: Any, grades: Any, ref_totals: np.ndarray,
          ref_grades: np.ndarray, tolerance: float = 0.0) -> float:
    """Compares an implementation with numpy on the rows it scored; returns the largest
    difference in total. Raises `Disagreement` listing the first rows that differ."""
    n = len(totals)
    t = np.asarray(totals, dtype=np.float64)
    g = np.asarray(grades, dtype=object)
    ref_t, ref_g = ref_totals[:n], ref_grades[:n]
    diff = np.abs(t - ref_t)
    bad = np.nonzero((diff > tolerance) | np.isnan(t) | (g != ref_g))[0]
    if len(bad):
        lines = [f"{name} disagrees with numpy on {len(bad)} of {n} rows "
                 f"(tolerance {tolerance:g}); first rows:"]
        for i in bad[:10]:
            lines.append(f"  row {i} {ids[i]}: total {float(t[i])!r} vs {float(ref_t[i])!r}, "
                         f"grade {g[i]} vs {ref_g[i]}")
        raise Disagreement("\n".join(lines))
    return float(diff.max()) if n else 0.0


def bench_size(n: int, args: argparse.Namespace, ruleset: Any, zen_ok: bool) -> List[dict]:
    df = data.frame(n, args.seed)
    ids = df["id"].tolist()
    rows: List[dict] = []

    def add(name: str, count: int, seconds: float, note: str = "") -> None:
        rows.append({"size": n, "name": name, "rows": count, "seconds": seconds, "note": note})

    seconds, out = best(lambda: ruleset.evaluate_frame(df), args.repeat)
    errors = out["error"].notna()
    if errors.any():
        raise SystemExit(f"qinglian rejected {int(errors.sum())} rows, e.g.: "
                         f"{out['error'][errors].iloc[0]}")
    add("qinglian evaluate_frame", n, seconds)

    seconds, (ref_t, ref_g) = best(lambda: numpy_scorecard.score(df), args.repeat)
    add("numpy (hand-written)", n, seconds)
    check("qinglian", ids, out["score"].to_numpy(), out["grade"].to_numpy(), ref_t, ref_g)

    m = min(n, args.sample)
    records = records_of(df.iloc[:m])
    seconds, (pt, pg) = best(lambda: plain_scorecard.score(records), args.repeat)
    check("plain Python", ids, pt, pg, ref_t, ref_g)
    add("plain Python (per record)", m, seconds)

    if zen_ok:
        compiled = zen_graph.decision()
        seconds, (zt, zg) = best(lambda: zen_graph.score(records, compiled), args.repeat)
        worst = check("zen-engine", ids, zt, zg, ref_t, ref_g, ZEN_TOLERANCE)
        add("zen-engine evaluate", m, seconds, f"max |Δtotal| {worst:.1e}")
        engine = zen_graph.engine()
        seconds, (zt, zg) = best(lambda: zen_graph.score_batch(records, engine), args.repeat)
        worst = check("zen-engine evaluate_batch", ids, zt, zg, ref_t, ref_g, ZEN_TOLERANCE)
        add("zen-engine evaluate_batch", m, seconds, f"max |Δtotal| {worst:.1e}")

    grades = dict(zip(*np.unique(ref_g, return_counts=True)))
    summary = ", ".join(f"{g} {grades.get(g, 0)}" for g in numpy_scorecard.GRADES)
    print(f"  {n:,} rows: all implementations agree (grades: {summary})", flush=True)
    return rows


def print_table(rows: List[dict]) -> None:
    print()
    print(f"{'implementation':<28} {'rows':>10} {'seconds':>10} {'rows/s':>12} {'µs/row':>9}  note")
    last = None
    for r in rows:
        if last is not None and r["size"] != last:
            print()
        last = r["size"]
        rate = r["rows"] / r["seconds"]
        print(f"{r['name']:<28} {r['rows']:>10,} {r['seconds']:>10.4f} {rate:>12,.0f} "
              f"{1e6 / rate:>9.2f}  {r['note']}")


def print_ratios(rows: List[dict], sizes: Sequence[int]) -> None:
    def get(size: int, name: str) -> Optional[dict]:
        return next((r for r in rows if r["size"] == size and r["name"] == name), None)

    def per_row(r: dict) -> float:
        return r["seconds"] / r["rows"]

    print("\nratios")
    for n in sizes:
        q, npy = get(n, "qinglian evaluate_frame"), get(n, "numpy (hand-written)")
        if q is None or npy is None:
            continue
        line = f"  {n:>9,} rows: qinglian time / numpy time = {q['seconds'] / npy['seconds']:.1f}"
        for zen_name, label in (("zen-engine evaluate", "evaluate"),
                                ("zen-engine evaluate_batch", "evaluate_batch")):
            z = get(n, zen_name)
            if z is not None:
                line += (f"; qinglian rows/s / zen {label} rows/s = "
                         f"{per_row(z) / per_row(q):.1f}")
        print(line)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"  cost per row at {large:,} rows / at {small:,} rows:")
        for name in dict.fromkeys(r["name"] for r in rows):
            a, b = get(small, name), get(large, name)
            if a is not None and b is not None:
                print(f"    {name:<28} {per_row(b) / per_row(a):.2f}"
                      f"  ({a['rows']:,} → {b['rows']:,} rows scored)")


# ---------------------------------------------------------------- peak memory (--rss)

def rss_child(what: str, n: int, seed: int) -> None:
    """Run in a fresh interpreter: prints one JSON line of sizes and peak RSS (bytes)."""
    import pandas  # noqa: F401  (imported in both modes, so that they differ only in the work)

    import qinglian

    ruleset = qinglian.load(str(RULESET))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    df = data.frame(n, seed)
    report: Dict[str, Any] = {"baseline": baseline,
                              "input": int(df.memory_usage(deep=True).sum())}
    if what == "evaluate":
        # Give the generator's freed temporaries back to the system and restart the high-water
        # mark (Linux), so that `call_peak` is the peak of evaluate_frame on top of the frame,
        # whatever allocator reuses what.
        import ctypes
        import gc

        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            report["before_call"] = _status_kib("VmRSS") * 1024
        except OSError:
            pass
        out = ruleset.evaluate_frame(df)
        if "before_call" in report:
            report["call_peak"] = _status_kib("VmHWM") * 1024
        report["output"] = int(out.memory_usage(deep=True).sum())
        report["errors"] = int(out["error"].notna().sum())
    report["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(report))


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise OSError(key)


def rss(n: int, seed: int) -> None:
    def run(what: str) -> Dict[str, Any]:
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--rss-child", what, "--rss-rows", str(n),
             "--seed", str(seed)],
            check=True, capture_output=True, text=True)
        report = json.loads(done.stdout.strip().splitlines()[-1])
        report["seconds"] = time.perf_counter() - t
        return report

    mib = 1024.0 * 1024.0
    print(f"peak RSS, {n:,} rows, each in a fresh process "
          f"(after imports and loading the ruleset: baseline)")
    frame = run("frame")
    print(f"  input frame alone: input {frame['input'] / mib:,.1f} MiB, "
          f"peak RSS {frame['peak'] / mib:,.1f} MiB (baseline {frame['baseline'] / mib:,.1f} MiB), "
          f"peak / input {frame['peak'] / frame['input']:.2f}  [{frame['seconds']:.1f} s]",
          flush=True)
    full = run("evaluate")
    both = full["input"] + full["output"]
    print(f"  frame + evaluate_frame: input {full['input'] / mib:,.1f} MiB, "
          f"output {full['output'] / mib:,.1f} MiB, peak RSS {full['peak'] / mib:,.1f} MiB, "
          f"peak / (input + output) {full['peak'] / both:.2f}, "
          f"evaluate_frame's own peak (peak − frame-only peak) "
          f"{(full['peak'] - frame['peak']) / mib:,.1f} MiB  [{full['seconds']:.1f} s]")
    if "call_peak" in full:
        before, peak = full["before_call"], full["call_peak"]
        print(f"  during evaluate_frame alone (allocator trimmed, high-water mark reset after "
              f"building the frame): RSS before {before / mib:,.1f} MiB, peak {peak / mib:,.1f} "
              f"MiB; (peak − baseline) / (input + output) "
              f"{(peak - full['baseline']) / both:.2f}; peak / (baseline + input + output) "
              f"{peak / (full['baseline'] + both):.2f}")
    if full["errors"]:
        raise SystemExit(f"{full['errors']} rows were rejected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma-separated frame sizes (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default: 3)")
    parser.add_argument("--sample", type=int, default=20_000,
                        help="rows scored by the per-record peers (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rss", action="store_true", help="measure peak RSS instead")
    parser.add_argument("--rss-rows", type=int, default=1_000_000)
    parser.add_argument("--rss-child", choices=["frame", "evaluate"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.rss_child:
        rss_child(args.rss_child, args.rss_rows, args.seed)
        return
    if args.rss:
        rss(args.rss_rows, args.seed)
        return

    import pandas as pd

    import qinglian

    ruleset = qinglian.load(str(RULESET))
    try:
        import zen

        zen_ok = True
        zen_version = getattr(zen, "__version__", None) or _dist_version("zen-engine")
    except ImportError:
        zen_ok, zen_version = False, None
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"{ruleset.id}: {len(ruleset.inputs)} inputs, {len(ruleset.indicator_paths)} "
          f"indicators; qinglian {qinglian.__version__}, numpy {np.__version__}, "
          f"pandas {pd.__version__}, zen-engine {zen_version or 'not installed'}; "
          f"best of {args.repeat}")
    if not zen_ok:
        print("zen-engine is not installed (pip install zen-engine): skipped")
    rows: List[dict] = []
    for n in sizes:
        rows += bench_size(n, args, ruleset, zen_ok)
    print_table(rows)
    print_ratios(rows, sizes)


def _dist_version(name: str) -> Optional[str]:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # pragma: no cover
        return None


if __name__ == "__main__":
    main()
