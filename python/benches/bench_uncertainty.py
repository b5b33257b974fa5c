"""Monte Carlo uncertainty on the ASEM index (rules/asem/minmax-arithmetic.toml, the 51 real
countries): `Ruleset.uncertainty` with 1,000 samples of noisy weights (every weight drawn from
[w(1 - f), w(1 + f)], f = 0.25) against the same analysis written by hand in numpy, all samples
at once (normalise each indicator, then per aggregate a weighted mean over the children present,
every sample a column, then rank every sample and take the quantiles).

The numpy version draws the very same weights (SplitMix64, one stream per sample from the seed,
one draw per weighted node in the ruleset's order), so both must give every country the same
nominal, median, 5th and 95th percentile rank: the script checks that before printing times.

    python python/benches/bench_uncertainty.py [--samples 1000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np
import pandas as pd

import qinglian
from bench_asem import best  # the same timing: best of `repeat` calls

ROOT = Path(__file__).resolve().parent.parent.parent
ASEM = ROOT / "examples" / "data" / "asem"



def splitmix_streams(seed: int, samples: int) -> np.ndarray:
    """Each sample's SplitMix64 state, as the core derives it from the seed."""
    k = np.arange(samples, dtype=np.uint64)
    return np.uint64(seed) ^ (k * np.uint64(0xD1342543DE82EF95))


def splitmix_unit(state: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The next uniform draw in [0, 1) of every stream, and the streams' new states."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53), state


def by_hand(meta: pd.DataFrame, data: pd.DataFrame, paths: List[str], samples: int, noise: float, seed: int) -> pd.DataFrame:
    weight = dict(zip(meta["iCode"], meta["Weight"].astype(float)))
    direction = dict(zip(meta["iCode"], meta["Direction"]))
    # The weights of every sample: one draw per weighted node, in the ruleset's order.
    state = splitmix_streams(seed, samples)
    noisy: Dict[str, np.ndarray] = {}
    for path in paths:
        u, state = splitmix_unit(state)
        noisy[path] = weight[path.split(".")[-1]] * (1.0 - noise + 2.0 * noise * u)
    children: Dict[str, List[str]] = {}
    for path in paths:
        children.setdefault(path.rpartition(".")[0], []).append(path)

    def value(path: str, weights: Callable[[str], np.ndarray]) -> np.ndarray:
        """The node's scores, one row per country and one column per sample."""
        kids = children.get(path)
        if not kids:
            x = data[path.split(".")[-1]].to_numpy(dtype=float) * direction[path.split(".")[-1]]
            lo, hi = np.nanmin(x), np.nanmax(x)
            return ((x - lo) / (hi - lo) * 100.0)[:, None]
        num = np.zeros(1)
        den = np.zeros(1)
        for kid in kids:
            v = value(kid, weights)
            present = ~np.isnan(v)
            w = weights(kid)[None, :]
            num = num + np.where(present, v, 0.0) * w
            den = den + present * w
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / den, np.nan)

    def ranks(score: np.ndarray) -> np.ndarray:
        # 1 = best; ties share the better rank.
        return 1 + (score[None, :, :] > score[:, None, :]).sum(axis=1)

    scores = value("", lambda p: noisy[p])
    nominal = ranks(value("", lambda p: np.array([weight[p.split(".")[-1]]])))[:, 0]
    q = np.quantile(ranks(scores), [0.5, 0.05, 0.95], axis=1)
    return pd.DataFrame(
        {"rank": nominal, "rank_median": q[0], "rank_p05": q[1], "rank_p95": q[2]}, index=data["uCode"]
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--noise", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=10)
    a = p.parse_args()
    ruleset = qinglian.load(ROOT / "rules" / "asem" / "minmax-arithmetic.toml")
    meta = pd.read_csv(ASEM / "asem_iMeta.csv")
    data = pd.read_csv(ASEM / "asem_iData.csv")
    paths = ruleset.indicator_paths
    t_q, ours = best(lambda: ruleset.uncertainty(data, samples=a.samples, weight_noise=a.noise, seed=a.seed), a.repeat)
    t_n, theirs = best(lambda: by_hand(meta, data, paths, a.samples, a.noise, a.seed), a.repeat)
    columns = ["rank", "rank_median", "rank_p05", "rank_p95"]
    pd.testing.assert_frame_equal(
        ours.set_index("uCode")[columns].astype(float), theirs[columns].astype(float), check_names=False
    )
    print(
        f"ASEM uncertainty, {len(data)} countries, {a.samples:,} samples of noisy weights (f = {a.noise}), "
        f"best of {a.repeat}; every rank statistic agrees"
    )
    print(f"  qinglian Ruleset.uncertainty {t_q * 1e3:8.2f} ms")
    print(f"  numpy by hand                {t_n * 1e3:8.2f} ms")
    print(f"  numpy time / qinglian time = {t_n / t_q:.1f}")


if __name__ == "__main__":
    main()
