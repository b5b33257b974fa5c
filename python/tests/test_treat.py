"""Imputation and outlier treatment before cohort normalisation (COINr's Impute and Treat):
the `<path>:treated` flag columns, the same in pandas, Arrow, by group and against a fitted
cohort, and the sentences of the audit trail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qinglian
from conftest import REPO

pa = pytest.importorskip("pyarrow")

RULESET = REPO / "tests" / "conformance" / "cases" / "rulesets" / "normalise-treat.toml"
PATHS = ["winsorised", "logged", "imputed", "median"]


def coinr_frame() -> pd.DataFrame:
    """COINr's example x = 1…10, 30, 100, with missing values to impute and a low outlier."""
    return pd.DataFrame(
        {
            "id": [f"U{i:02d}" for i in range(1, 13)],
            "x": [float(v) for v in range(1, 11)] + [30.0, 100.0],
            "y": [3, 5, None, 8, 2, 9, 4, None, 6, 7, 5, 5],
            "z": [2, 3, 4, 5, 6, 7, 8, 9, 10, None, -80, 11],
        }
    )


def test_the_flags_say_what_was_done_to_each_value() -> None:
    ruleset = qinglian.load(RULESET)
    out = qinglian.evaluate_frame(ruleset, coinr_frame(), status=True)
    assert (qinglian.TREATED_IMPUTED, qinglian.TREATED_WINSORISED_HIGH) == (1, 2)
    assert (qinglian.TREATED_WINSORISED_LOW, qinglian.TREATED_LOG) == (4, 8)
    for path in PATHS:
        assert out[f"{path}:treated"].dtype == np.uint8
    high = np.zeros(12, np.uint8)
    high[11] = qinglian.TREATED_WINSORISED_HIGH
    assert out["winsorised:treated"].tolist() == high.tolist()
    assert (out["logged:treated"] == qinglian.TREATED_LOG).all()
    imputed = out.index[out["imputed:treated"] == qinglian.TREATED_IMPUTED].tolist()
    assert imputed == [2, 7]
    median = out["median:treated"].tolist()
    assert median[9] == qinglian.TREATED_IMPUTED
    assert median[10] == qinglian.TREATED_WINSORISED_LOW
    # 100 winsorised down to 30 has the points of 30; imputed rows sit at the mean.
    assert out["winsorised"][11] == 100.0 == out["winsorised"][10]
    assert out["imputed"][2] == pytest.approx(50.0)
    # Without status, no flag columns (as no status columns).
    plain = qinglian.evaluate_frame(ruleset, coinr_frame())
    assert not [c for c in plain.columns if c.endswith(":treated")]


def test_arrow_groups_and_fitted_cohorts_give_the_same_flags() -> None:
    ruleset = qinglian.load(RULESET)
    df = coinr_frame()
    out = qinglian.evaluate_frame(ruleset, df, status=True)
    table = qinglian.evaluate_frame(ruleset, pa.Table.from_pandas(df), status=True, to="arrow")
    cohort = ruleset.fit(df)
    against = qinglian.evaluate_frame(ruleset, df, cohort=cohort, status=True)
    twice = pd.concat([df, df.assign(id=df["id"] + "b")], ignore_index=True)
    twice["year"] = [2022] * 12 + [2023] * 12
    by = qinglian.evaluate_frame(ruleset, twice, by="year", status=True)
    for path in PATHS:
        col = f"{path}:treated"
        assert table.column(col).to_pylist() == out[col].tolist()
        assert against[col].tolist() == out[col].tolist()
        assert by[col].tolist() == out[col].tolist() * 2
        assert np.array_equal(against[path].to_numpy(), out[path].to_numpy())
    # One unit alone against the fitted cohort: the same treatment and sentence.
    record = {"id": "U12", "x": 100.0, "y": 5.0, "z": 11.0}
    alone = ruleset.evaluate(record, cohort=cohort)
    node = alone.node("winsorised")
    assert node is not None
    assert node["score"] == 100.0
    assert node["detail"]["zh"].startswith("原值100高于上限，缩尾为30；")
    assert node["detail"]["en"].startswith("100 winsorised down to 30; ")
    missing = ruleset.evaluate({"id": "N", "x": 5.0, "z": 4.0}, cohort=cohort)
    imputed_node = missing.node("imputed")
    assert imputed_node is not None
    assert imputed_node["detail"]["zh"].startswith("数值缺失，以本组均值5.4补齐")


def test_bad_treatment_is_a_load_error_with_a_place() -> None:
    text = RULESET.read_text(encoding="utf-8").replace('impute = "median"', 'impute = "mode"')
    with pytest.raises(qinglian.RulesetError) as e:
        qinglian.from_toml(text)
    d = e.value.errors[0]
    assert d.code == "ruleset.unknown_choice"
    assert d.line is not None and d.path == "median"
