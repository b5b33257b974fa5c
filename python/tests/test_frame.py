"""evaluate_frame: pandas, pyarrow and polars in; one pandas row out per input row, in order."""

from __future__ import annotations

import math
from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pytest

import qinglian
import synth

ROWS: List[Dict[str, Any]] = [
    {
        "id": "A", "unit": "机关", "first_topic": True, "cases": 0, "rate": 95.5,
        "survey": "满意:10;一般:2", "assessment": 90, "reports": 3, "district": "海曙",
    },
    {
        "id": "B", "unit": "企业", "first_topic": False, "cases": 1, "rate": 50.0,
        "survey": None, "assessment": 80, "reports": 0, "district": "江北",
    },
    {
        "id": "C", "unit": "学校", "first_topic": True, "cases": 2, "rate": None,
        "survey": "满意:3", "assessment": 70, "reports": 1, "district": "海曙",
    },
    {
        "id": "D", "unit": None, "first_topic": True, "cases": 0, "rate": 99.0,
        "survey": None, "assessment": 60, "reports": 5, "district": "鄞州",
    },
]  # fmt: skip


def frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS)


def summary(results: pd.DataFrame) -> List[Any]:
    return [
        (
            row.score,
            None if pd.isna(row.grade) else row.grade,
            None if pd.isna(row.rank) else int(row.rank),
            row.error_code,
        )
        for row in results.itertuples()
    ]


def test_pandas(mini: qinglian.Ruleset) -> None:
    df = frame()
    results = mini.evaluate_frame(df)
    assert isinstance(results, pd.DataFrame)
    assert len(results) == len(df)
    assert list(results.index) == list(df.index)
    for column in ("id", "score", "max_score", "grade", "rank", "percentile", "tier", "error"):
        assert column in results.columns, column
    for path in mini.indicator_paths:
        assert path in results.columns and results[path].dtype == np.float64
    assert results["score"].dtype == np.float64
    assert str(results["rank"].dtype) == "Int64"
    assert results["error"].isna().all()
    expected = mini.evaluate_many(ROWS)
    for (_, row), e in zip(results.iterrows(), expected):
        assert isinstance(e, qinglian.Evaluation)
        assert row["score"] == e.score
        assert row["grade"] == e.grade
        assert row["rank"] == e.rank
        assert row["tier"] == e.tier
        assert row["id"] == e.id
        for node in e.nodes:
            if node["status"] in ("missing", "not_applicable"):
                assert math.isnan(row[node["path"]])
            else:
                assert row[node["path"]] == node["score"]


def test_index_is_kept_and_used_as_id(mini: qinglian.Ruleset) -> None:
    df = frame().drop(columns=["id"])
    df.index = pd.Index(["w", "x", "y", "z"], name="code")
    results = mini.evaluate_frame(df.iloc[::-1])
    assert list(results.index) == ["z", "y", "x", "w"]
    bad = df.copy()
    bad.loc["x", "rate"] = 200.0
    out = mini.evaluate_frame(bad)
    assert out.loc["x", "error_code"] == "record.out_of_range"
    assert "(id x)" in out.loc["x", "error"]


def test_keep_columns(mini: qinglian.Ruleset) -> None:
    results = mini.evaluate_frame(frame(), keep=["district"])
    assert list(results.columns[:2]) == ["district", "score"]
    assert list(results["district"]) == [r["district"] for r in ROWS]
    assert "id" not in results.columns
    with pytest.raises(KeyError):
        mini.evaluate_frame(frame(), keep=["nope"])


def test_string_in_numeric_column(mini: qinglian.Ruleset) -> None:
    df = frame()
    df["cases"] = pd.Series([0, "two", 2, 0], dtype=object)
    results = mini.evaluate_frame(df)
    assert results.loc[1, "error_code"] == "record.not_a_number"
    assert "two" in results.loc[1, "error"]
    assert math.isnan(results.loc[1, "score"]) and pd.isna(results.loc[1, "grade"])
    assert results.drop(index=1)["error"].isna().all()
    # Others are scored as a cohort without the bad row.
    assert sorted(results.drop(index=1)["rank"].tolist()) == [1, 2, 3]


def test_missing_values(mini: qinglian.Ruleset) -> None:
    df = frame()
    df["rate"] = [np.nan, None, 50.0, pd.NA]
    df["cases"] = pd.array([0, None, 1, 0], dtype="Int64")
    df["first_topic"] = pd.array([True, False, None, True], dtype="boolean")
    results = mini.evaluate_frame(df)
    records = [
        {k: (None if (v is pd.NA or (isinstance(v, float) and math.isnan(v))) else v)
         for k, v in row.items()}
        for row in df.astype(object).to_dict("records")
    ]  # fmt: skip
    expected = mini.evaluate_many(records)
    assert summary(results) == [
        (
            (e.score, e.grade, e.rank, None)
            if isinstance(e, qinglian.Evaluation)
            else (pytest.approx(float("nan"), nan_ok=True), None, None, e.code)
        )
        for e in expected
    ]
    assert results.loc[2, "error_code"] == "record.missing_required"


def test_bool_column_for_a_number_input(mini: qinglian.Ruleset) -> None:
    df = frame()
    df["cases"] = [False, True, False, False]
    results = mini.evaluate_frame(df)
    assert (results["error_code"] == "record.not_a_number").all()


def test_pyarrow_table_and_batch(mini: qinglian.Ruleset) -> None:
    pa = pytest.importorskip("pyarrow")
    df = frame()
    expected = mini.evaluate_frame(df)
    table = pa.Table.from_pandas(df, preserve_index=False)
    from_table = mini.evaluate_frame(table)
    pd.testing.assert_frame_equal(from_table, expected)
    batch = table.to_batches()[0]
    pd.testing.assert_frame_equal(mini.evaluate_frame(batch), expected)
    # Nullable integers and booleans, decimals.
    nulls = pa.table(
        {
            "id": ["A", "B"],
            "first_topic": pa.array([True, None], type=pa.bool_()),
            "cases": pa.array([1, None], type=pa.int32()),
            "rate": pa.array([50, 60], type=pa.decimal128(5, 1)),
        }
    )
    out = mini.evaluate_frame(nulls)
    assert out.loc[0, "error"] is None and out.loc[1, "error_code"] == "record.missing_required"


def test_polars(mini: qinglian.Ruleset) -> None:
    pl = pytest.importorskip("polars")
    df = frame()
    expected = mini.evaluate_frame(df)
    got = mini.evaluate_frame(pl.DataFrame(ROWS))
    pd.testing.assert_frame_equal(got, expected)
    bad = pl.DataFrame({"id": ["A", "B"], "first_topic": [True, True], "cases": ["1", "x"]})
    out = mini.evaluate_frame(bad)
    assert out.loc[0, "error"] is None
    assert out.loc[1, "error_code"] == "record.not_a_number"


def test_dict_of_columns_and_list_of_dicts(mini: qinglian.Ruleset) -> None:
    expected = mini.evaluate_frame(frame())
    pd.testing.assert_frame_equal(mini.evaluate_frame(ROWS), expected)
    columns = {k: [r[k] for r in ROWS] for k in ROWS[0]}
    pd.testing.assert_frame_equal(qinglian.evaluate_frame(mini, columns), expected)


def test_wrong_input_type(mini: qinglian.Ruleset) -> None:
    with pytest.raises(TypeError):
        mini.evaluate_frame(42)


def test_empty_frame(mini: qinglian.Ruleset) -> None:
    out = mini.evaluate_frame(frame().iloc[:0])
    assert len(out) == 0 and "score" in out.columns


def test_unconvertible_object_in_a_column(mini: qinglian.Ruleset) -> None:
    df = frame()
    df["rate"] = pd.Series([95.5, [1], 3.0, 4.0], dtype=object)
    out = mini.evaluate_frame(df)
    assert out.loc[1, "error_code"] == "record.wrong_type"
    assert "list" in out.loc[1, "error"]
    assert out["error"].isna().sum() == 3


def test_100k_rows_match_evaluate(village: qinglian.Ruleset) -> None:
    n = 100_000
    cols = synth.columns(village, n, seed=11)
    # A few rows with values the core rejects, and a string among numbers.
    count_inputs = [i["name"] for i in village.inputs if i["type"] == "count"]
    cols[count_inputs[0]][[5, 500, 50_000]] = -1.0
    df = pd.DataFrame(cols)
    results = village.evaluate_frame(df)
    assert len(results) == n
    assert list(results["id"]) == list(df["id"])
    records = synth.records(cols)
    many = village.evaluate_many(records)
    assert len(many) == n
    scores = np.array([e.score if isinstance(e, qinglian.Evaluation) else np.nan for e in many])
    np.testing.assert_array_equal(results["score"].to_numpy(), scores)
    codes = [None if isinstance(e, qinglian.Evaluation) else e.code for e in many]
    assert results["error_code"].tolist() == codes
    assert codes.count("record.not_a_count") == 3
    grades = [e.grade if isinstance(e, qinglian.Evaluation) else None for e in many]
    assert [None if pd.isna(g) else g for g in results["grade"]] == grades
    ranks = [e.rank if isinstance(e, qinglian.Evaluation) else None for e in many]
    assert [None if pd.isna(r) else int(r) for r in results["rank"]] == ranks
    # Row by row against evaluate() on a sample (village has no rank scorer, so the tree is the
    # same alone or in a cohort).
    rng = np.random.default_rng(3)
    for i in sorted(rng.choice(n, size=300, replace=False).tolist()) + [5, 500, 50_000]:
        try:
            e = village.evaluate(records[i])
        except qinglian.RecordError as err:
            assert results.iloc[i]["error_code"] == err.code
            continue
        row = results.iloc[i]
        assert row["score"] == e.score and row["grade"] == e.grade
        for node in e.nodes:
            if node["status"] in ("missing", "not_applicable"):
                assert math.isnan(row[node["path"]]), (i, node["path"])
            else:
                assert row[node["path"]] == node["score"], (i, node["path"])
