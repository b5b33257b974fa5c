"""Normalisation by the distance to a reference unit (`distance_to_reference`, COINr's
n_dist2ref): each cohort — the frame, each `by` group, a fitted cohort — measures against its
own row of the reference unit, in pandas and Arrow alike."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import qinglian
from conftest import REPO

pa = pytest.importorskip("pyarrow")

RULESET = REPO / "tests" / "conformance" / "cases" / "rulesets" / "normalise-reference.toml"


def panel() -> pd.DataFrame:
    """Five units over two years: U3 has a = 6 in 2023 and 3 in 2024."""
    return pd.DataFrame(
        {
            "id": [f"U{i}" for i in range(1, 6)] * 2,
            "year": [2023] * 5 + [2024] * 5,
            "a": [2.0, 4.0, 6.0, 8.0, 10.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            "b": [10.0, 20.0, 30.0, 40.0, 50.0] * 2,
            "c": [3.0, 5.0, 7.0, None, 9.0] * 2,
        }
    )


def test_each_year_measures_against_its_own_reference_unit() -> None:
    ruleset = qinglian.load(RULESET)
    assert ruleset.reference_units == ["U2", "U3", "U4", "X9"]
    df = panel()
    # Each unit once a year: with by="year" no id repeats within its group, even when strict.
    with warnings.catch_warnings():
        warnings.simplefilter("error", qinglian.DataWarning)
        by = qinglian.evaluate_frame(ruleset, df, by="year", strict=True)
    # 1 − (r − x)/(r − min), capped at the leaf's 100 points: the same in both years.
    assert by["capped"].tolist() == [0.0, 50.0, 100.0, 100.0, 100.0] * 2
    arrow = qinglian.evaluate_frame(
        ruleset, pa.Table.from_pandas(df), by="year", to="arrow", strict=True
    )
    assert arrow.column("capped").to_pylist() == by["capped"].tolist()
    # As one cohort the second year's ids repeat the first's, and the first U3 (a = 6) is the
    # reference, the minimum 1.
    with pytest.warns(qinglian.DataWarning, match="5 row"):
        one = qinglian.evaluate_frame(ruleset, df)
    assert one["capped"][6] == 100.0 * (1.0 - (6.0 - 2.0) / (6.0 - 1.0))
    # The sentence of a 2024 row, from that year's records scored together.
    records = df.query("year == 2024").drop(columns="year").to_dict("records")
    second = ruleset.evaluate_many(records)[1]
    assert isinstance(second, qinglian.Evaluation)
    node = second.node("capped")
    assert node is not None
    assert node["detail"]["zh"] == "数值2，本组最差值1、参照单位“U3”的数值3，得50分"


def test_a_fitted_cohort_keeps_the_reference_value() -> None:
    ruleset = qinglian.load(RULESET)
    year = panel().query("year == 2023").drop(columns="year")
    cohort = ruleset.fit(year)
    against = qinglian.evaluate_frame(ruleset, year, cohort=cohort)
    plain = qinglian.evaluate_frame(ruleset, year)
    for path in ["capped", "lower", "imputed"]:
        assert against[path].tolist() == plain[path].tolist()
    # A new unit alone is measured against U3's 6 and the reference's minimum 2.
    alone = ruleset.evaluate({"id": "N", "a": 5.0, "b": 35.0, "c": 4.0}, cohort=cohort)
    node = alone.node("capped")
    assert node is not None
    assert node["score"] == 75.0
    assert node["detail"]["en"] == (
        "value 5; the cohort's worst 2, the reference unit “U3” 6: 75 points"
    )
    absent = alone.node("absent")
    assert absent is not None and absent["status"] == "missing"
    assert absent["detail"]["zh"] == "本组中没有参照单位“X9”或其数值缺失，无从衡量距离，按缺失处理"


def test_a_reference_needs_a_unit_id() -> None:
    text = RULESET.read_text(encoding="utf-8").replace(', reference = "U3" }', " }")
    with pytest.raises(qinglian.RulesetError) as e:
        qinglian.from_toml(text)
    d = e.value.errors[0]
    assert d.code == "ruleset.missing_field"
    assert d.line is not None and d.path == "capped"
