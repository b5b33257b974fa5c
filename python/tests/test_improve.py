"""Decomposition and improvement plans from Python: the same plans and lines as Rust (the file
core/tests/improve.rs writes), a plan's changes scored by the engine giving the plan's score,
lines adding up to each total, and clear errors for bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import qinglian

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "target" / "improve" / "village.json"


@pytest.fixture(scope="module")
def villages() -> tuple[qinglian.Ruleset, pd.DataFrame]:
    ruleset = qinglian.load(ROOT / "rules" / "village.toml")
    return ruleset, pd.read_csv(ROOT / "examples" / "data" / "villages.csv")


COSTS = {
    "livestream": 2.0,
    "irregular_contracts": 1.0,
    "finance_disclosure_months": 0.5,
    "substantiated_petitions": 3.0,
    "negative_events_2y": 5.0,
}


def test_the_same_plans_and_lines_as_rust(
    villages: tuple[qinglian.Ruleset, pd.DataFrame],
) -> None:
    assert CASE.exists(), f"{CASE} is written by `cargo test -p qinglian --test improve`"
    case = json.loads(CASE.read_text(encoding="utf-8"))
    ruleset, data = villages
    assert ruleset.improve(data, id="V003").plan == case["plans"]["V003"]
    assert ruleset.improve(data, id="V004", target="清廉村社").plan == case["plans"]["V004"]
    assert ruleset.improve(data, id="V010", costs=COSTS).plan == case["plans"]["V010"]
    frame = ruleset.decompose(data)
    for unit in case["decomposition"]:
        mine = frame[frame["id"] == unit["id"]]
        assert list(mine["path"]) == [line["path"] for line in unit["lines"]]
        assert list(mine["contribution"]) == [line["contribution"] for line in unit["lines"]]
        assert sorted(mine.loc[mine["strength"], "path"]) == sorted(unit["strengths"])
        assert sorted(mine.loc[mine["weakness"], "path"]) == sorted(unit["weaknesses"])


def test_lines_add_up_to_each_total(villages: tuple[qinglian.Ruleset, pd.DataFrame]) -> None:
    ruleset, data = villages
    frame = ruleset.decompose(data, k=2)
    scores = ruleset.evaluate_frame(data).set_index("id")["score"]
    sums = frame.groupby("id")["contribution"].sum()
    assert len(sums) == len(data)
    assert ((sums - scores.loc[sums.index]).abs() <= 1e-9 * 105).all()
    per_unit = frame.groupby("id")[["strength", "weakness"]].sum()
    assert (per_unit["strength"] <= 2).all() and (per_unit["weakness"] <= 2).all()
    weak = frame[frame["weakness"]]
    assert (weak["score"] < weak["max"]).all()
    assert frame["rank"].dtype == "Int64"


def test_a_plan_is_what_the_engine_scores(
    villages: tuple[qinglian.Ruleset, pd.DataFrame],
) -> None:
    ruleset, data = villages
    plan = ruleset.improve(data, id="V004", target="Clean village")
    assert plan.reachable and plan.grade_after == "清廉村社" and plan.target == "清廉村社"
    steps = plan.steps
    assert list(steps.columns) == ["indicator", "input", "from", "to", "points", "cost"]
    assert steps["points"].sum() == pytest.approx(plan.score_after - plan.score_before)
    # Plain words: labels, never input identifiers.
    assert "第四季度村务公开次数" in set(steps["input"])
    assert "Village affairs disclosures, Q4" in set(plan.table("en")["input"])
    record = data[data["id"] == "V004"].iloc[0].to_dict()
    record.update(plan.changes)
    e = ruleset.evaluate(record, cohort=ruleset.fit(data))
    assert e.score == plan.score_after and e.grade == plan.grade_after
    assert "V004" in plan.text("zh") and "Clean village" in plan.text("en")
    assert "<table>" in plan._repr_html_()


def test_bad_arguments_are_clear_errors(
    villages: tuple[qinglian.Ruleset, pd.DataFrame],
) -> None:
    ruleset, data = villages
    with pytest.raises(qinglian.QinglianError, match="NOPE"):
        ruleset.improve(data, id="NOPE")
    with pytest.raises(qinglian.QinglianError, match="金牌"):
        ruleset.improve(data, id="V004", target="金牌")
    with pytest.raises(qinglian.QinglianError, match="nothing"):
        ruleset.improve(data, id="V004", costs={"nothing": 1})
    with pytest.raises(TypeError):
        ruleset.improve(data, id="V004", costs={"livestream": "cheap"})
    with pytest.raises(TypeError):
        ruleset.improve(data, id=None)
    with pytest.raises(ValueError, match="≥ 0"):
        ruleset.decompose(data, k=-1)
    with pytest.raises(ValueError):
        ruleset.improve(data, id="V004").text("fr")
