"""Sensitivity to rule parameters from Python: the same numbers as Rust to the bit (the case
Rust's core/tests/sensitivity.rs writes), a grade's minimum moving exactly the villages the
ruleset says, and clear errors for bad parameters."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import qinglian

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "target" / "sensitivity" / "villages.json"


@pytest.fixture(scope="module")
def villages() -> tuple[qinglian.Ruleset, pd.DataFrame]:
    ruleset = qinglian.load(ROOT / "rules" / "village.toml")
    return ruleset, pd.read_csv(ROOT / "examples" / "data" / "villages.csv")


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_the_same_numbers_as_rust(villages: tuple[qinglian.Ruleset, pd.DataFrame]) -> None:
    assert CASE.exists(), f"{CASE} is written by `cargo test -p qinglian --test sensitivity`"
    case = json.loads(CASE.read_text(encoding="utf-8"))
    ruleset, data = villages
    parameters = {
        path: (range(int(lo), int(hi) + 1) if whole else (lo, hi))
        for path, lo, hi, whole in case["parameters"]
    }
    s = ruleset.sensitivity(
        data,
        parameters,
        samples=case["samples"],
        seed=case["seed"],
        indices=True,
        bootstrap=case["bootstrap"],
    )
    want = case["result"]
    assert s.runs == want["runs"]
    for column, key in [
        ("rank_median", "rank_median"),
        ("rank_p05", "rank_p05"),
        ("rank_p95", "rank_p95"),
        ("score_p05", "score_p05"),
        ("score_p95", "score_p95"),
        ("grade_change", "grade_change"),
    ]:
        got = s.units[column].tolist()
        expected = [math.nan if v is None else v for v in want[key]]
        assert all(same(a, b) for a, b in zip(got, expected)), column
    for row, i in zip(s.indices.itertuples(), want["indices"]):
        assert row.parameter == i["path"]
        assert (row.first, row.total) == (i["first"], i["total"])
        assert (row.total_low, row.total_high) == tuple(i["total_interval"])


def test_a_grade_minimum_moves_grades_not_ranks(
    villages: tuple[qinglian.Ruleset, pd.DataFrame],
) -> None:
    ruleset, data = villages
    s = ruleset.sensitivity(data, {"grade.清廉村社.min": (85, 95)}, samples=100, seed=1)
    units = s.units
    assert list(units.columns[:2]) == ["id", "name"]
    ranked = units["rank"].notna()
    assert (units.loc[ranked, "rank_p05"] == units.loc[ranked, "rank"].astype(float)).all()
    assert (units.loc[ranked, "rank_p95"] == units.loc[ranked, "rank"].astype(float)).all()
    # The villages that can change grade: their grade differs between the range's ends.
    lo = ruleset.with_changes({"grade.清廉村社.min": 85}).evaluate_frame(data)["grade"]
    hi = ruleset.with_changes({"grade.清廉村社.min": 95}).evaluate_frame(data)["grade"]
    movable = (lo.astype(str) != hi.astype(str)).to_numpy()
    assert s.units_changing_grade == int((units["grade_change"] > 0).sum())
    assert ((units["grade_change"] > 0).to_numpy() <= movable).all()
    assert s.units_changing_grade > 0
    shares = units[list(ruleset.grade_names)].sum(axis=1)
    assert ((shares[ranked] - 1.0).abs() < 1e-9).all()
    assert s.indices.empty


def test_bad_parameters(villages: tuple[qinglian.Ruleset, pd.DataFrame]) -> None:
    ruleset, data = villages
    with pytest.raises(qinglian.QinglianError, match="no_such"):
        ruleset.sensitivity(data, {"no_such.scorer.per": (1, 2)}, samples=5)
    with pytest.raises(qinglian.QinglianError, match="cannot vary"):
        ruleset.sensitivity(data, {"input.risk_severity.max": (1, 9)}, samples=5)
    with pytest.raises(TypeError, match="low, high"):
        ruleset.sensitivity(data, {"grade.达标.min": 75}, samples=5)
    with pytest.raises(TypeError, match="dict of path"):
        ruleset.sensitivity(data, [], samples=5)


def test_plots_of_rank_intervals_and_indices(
    villages: tuple[qinglian.Ruleset, pd.DataFrame],
) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from qinglian.plot import plot_rank_intervals, plot_sensitivity

    ruleset, data = villages
    s = ruleset.sensitivity(
        data,
        {"assets.contracts.scorer.per": (0.5, 4.0), "grade.达标.min": (70, 80)},
        samples=16,
        seed=2,
        indices=True,
        bootstrap=10,
    )
    ax = plot_rank_intervals(s.units, label="name", top=12)
    assert len(ax.get_yticklabels()) == 12
    best = s.units.sort_values("rank").iloc[0]["name"]
    assert ax.get_yticklabels()[-1].get_text() == best  # best on top
    assert "12个单位" in ax.get_title()
    assert plot_rank_intervals(s.units, lang="en").get_xlabel() == "rank"
    ax = plot_sensitivity(s.indices)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(s.indices["parameter"])
    # Two bars a parameter: first-order and total.
    assert len(ax.patches) == 2 * len(s.indices)
    with pytest.raises(ValueError, match="indices=True"):
        plot_sensitivity(s.indices.iloc[0:0])
    with pytest.raises(KeyError):
        plot_rank_intervals(data)


def test_a_choice_of_aggregation() -> None:
    asem = qinglian.load(ROOT / "rules" / "asem" / "minmax-geometric.toml")
    data = pd.read_csv(ROOT / "examples" / "data" / "asem" / "asem_iData.csv")
    mean = asem.with_changes({"ruleset.aggregate": "mean"}).evaluate_frame(data)
    s = asem.sensitivity(data, {"ruleset.aggregate": ["mean"]}, samples=10, seed=1)
    assert (s.units["rank_median"] == mean["rank"].astype(float)).all()
    both = asem.sensitivity(data, {"ruleset.aggregate": ["mean", "geomean"]}, samples=20, seed=9)
    low = np.minimum(mean["rank"].astype(float), both.units["rank"].astype(float))
    high = np.maximum(mean["rank"].astype(float), both.units["rank"].astype(float))
    assert (both.units["rank_p05"] == low).all() and (both.units["rank_p95"] == high).all()
    with pytest.raises(qinglian.QinglianError, match="bogus"):
        asem.sensitivity(data, {"ruleset.aggregate": ["bogus"]}, samples=5)
    with pytest.raises(ValueError, match="at least one"):
        asem.sensitivity(data, {"ruleset.aggregate": []}, samples=5)
