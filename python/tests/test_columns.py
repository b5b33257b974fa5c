"""evaluate_frame's columnar results: every column and option (by=, cohort=, status=, to=),
fitted cohorts, Arrow in and out, and bad inputs."""

from __future__ import annotations

import json
import math
import pickle
from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pytest

import qinglian
import synth
from conftest import DATA, RULES

pa = pytest.importorskip("pyarrow")

LEVELS = ["blue", "yellow", "orange", "red"]
STATUSES = ["scored", "zeroed", "missing", "not_applicable"]


def mini_frame(n: int = 400, seed: int = 5) -> pd.DataFrame:
    ruleset = qinglian.load(DATA / "mini.toml")
    cols = synth.columns(ruleset, n, seed=seed, missing=0.05)
    df = pd.DataFrame(cols)
    df["year"] = np.where(np.arange(n) % 3 == 0, 2022, 2023)
    return df


def records_of(df: pd.DataFrame) -> List[Dict[str, Any]]:
    return synth.records({c: df[c].to_numpy() for c in df.columns})


def same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN and to None."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    b_missing = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if a_missing or b_missing:
        return a_missing and b_missing
    return bool(a == b)


def normal(frame: pd.DataFrame) -> List[List[Any]]:
    """A frame's cells as plain Python values (tuples for sequences, None for missing)."""

    def cell(v: Any) -> Any:
        if isinstance(v, (list, tuple, np.ndarray)):
            return tuple(v)
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, np.generic):
            return v.item()
        return v

    return [[cell(v) for v in row] for row in frame.astype(object).itertuples(index=False)]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return mini_frame()


# ------------------------------------------------------------------------------------ columns


def test_columns_and_types(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    out = mini.evaluate_frame(df)
    head = ["id", "score", "max_score", "base_score", "bonus_score", "grade", "rank",
            "percentile", "tier", "vetoed", "vetoes", "alerts", "alert_level"]  # fmt: skip
    assert list(out.columns) == head + mini.indicator_paths + ["error", "error_code"]
    assert list(out.index) == list(df.index)
    for name in ("score", "max_score", "base_score", "bonus_score", "percentile"):
        assert out[name].dtype == np.float64
    assert str(out["rank"].dtype) == "Int64"
    assert out["vetoed"].dtype == bool
    grade = out["grade"].dtype
    assert isinstance(grade, pd.CategoricalDtype) and grade.ordered
    assert list(grade.categories) == mini.grade_names[::-1]  # worst first
    tier = out["tier"].dtype
    assert tier.ordered and list(tier.categories) == mini.quota_names[::-1]
    level = out["alert_level"].dtype
    assert level.ordered and list(level.categories) == LEVELS


def test_values_match_evaluations(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    out = mini.evaluate_frame(df)
    expected = mini.evaluate_many(records_of(df))
    assert out["error"].notna().sum() > 0, "the sample should have a few bad rows"
    assert out["vetoed"].sum() > 0 and out["alert_level"].notna().sum() > 0
    for i, e in enumerate(expected):
        row = out.iloc[i]
        if isinstance(e, qinglian.RecordError):
            assert row["error_code"] == e.code and row["error"] == str(e)
            assert math.isnan(row["score"]) and math.isnan(row["max_score"])
            assert pd.isna(row["grade"]) and pd.isna(row["rank"]) and pd.isna(row["tier"])
            assert row["vetoed"] is False or row["vetoed"] == False  # noqa: E712
            assert row["vetoes"] == () and row["alerts"] == ()
            assert pd.isna(row["alert_level"])
            for path in mini.indicator_paths:
                assert math.isnan(row[path])
            continue
        assert row["error"] is None and row["error_code"] is None
        assert row["score"] == e.score and row["max_score"] == e.max_score
        assert row["base_score"] == e.base_score and row["bonus_score"] == e.bonus_score
        assert row["grade"] == e.grade and row["rank"] == e.rank and same(row["tier"], e.tier)
        assert row["percentile"] == e.cohort["percentile"]
        assert row["vetoes"] == tuple(v["id"] for v in e.vetoes)
        assert bool(row["vetoed"]) == bool(e.vetoes)
        assert row["alerts"] == tuple(a["id"] for a in e.alerts)
        levels = [a["level"] for a in e.alerts]
        assert same(row["alert_level"], max(levels, key=LEVELS.index) if levels else None)
        for node in e.nodes:
            if node["status"] in ("missing", "not_applicable"):
                assert math.isnan(row[node["path"]]), (i, node["path"])
            else:
                assert row[node["path"]] == node["score"], (i, node["path"])


def test_grade_comparisons_and_sorting(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    out = mini.evaluate_frame(df)
    good = out["grade"] >= "良好"
    assert good.tolist() == out["grade"].isin(["优秀", "良好"]).tolist()
    ranked = out.dropna(subset=["grade"]).sort_values("grade", ascending=False)
    assert ranked["grade"].iloc[0] == ranked["grade"].max() != ranked["grade"].min()
    assert ranked["grade"].iloc[-1] == "一般" == ranked["grade"].min()
    assert (out["alert_level"] >= "orange").sum() == out["alert_level"].notna().sum()


def test_status_columns(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    out = mini.evaluate_frame(df, status=True)
    plain = mini.evaluate_frame(df)
    paths = mini.indicator_paths
    status = [f"{p}:status" for p in paths]
    assert list(out.columns) == list(plain.columns[:-2]) + status + ["error", "error_code"]
    pd.testing.assert_frame_equal(out[list(plain.columns)], plain)
    expected = mini.evaluate_many(records_of(df))
    for i, e in enumerate(expected):
        row = out.iloc[i]
        if isinstance(e, qinglian.RecordError):
            assert all(pd.isna(row[s]) for s in status)
            continue
        for node in e.nodes:
            assert row[f"{node['path']}:status"] == node["status"]
    dtype = out[status[0]].dtype
    assert isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == STATUSES


def test_vetoes_and_alerts_are_cheap(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    out = mini.evaluate_frame(df)
    empty = [v for v in out["vetoes"] if not v]
    assert empty and all(v is empty[0] for v in empty)  # one shared empty tuple
    assert all(isinstance(v, tuple) for v in out["alerts"])


def test_keep_a_single_name_and_index(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    indexed = df.set_index("id")
    out = mini.evaluate_frame(indexed, keep="district")
    assert list(out.columns[:2]) == ["district", "score"]
    assert out.index.equals(indexed.index)
    bad = out[out["error"].notna()]
    assert all(f"(id {i})" in message for i, message in bad["error"].items())


# ------------------------------------------------------------------------------------ by=


def assert_same_results(got: pd.DataFrame, want: pd.DataFrame, messages: bool = True) -> None:
    """Equal results; without `messages`, error messages (which name the row's position in its
    batch) are not compared, their codes are."""
    assert list(got.columns) == list(want.columns)
    if not messages:
        got, want = got.drop(columns=["error"]), want.drop(columns=["error"])
    assert normal(got) == normal(want)


def test_by_equals_each_group_alone(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    out = mini.evaluate_frame(df, by="district", keep=["id", "district"])
    assert out["rank"].max() < len(df) // 2
    for _, part in df.groupby("district", sort=False):
        alone = mini.evaluate_frame(part, keep=["id", "district"])
        assert_same_results(out.loc[part.index], alone, messages=False)
    # Ranks differ from scoring the whole frame as one cohort.
    whole = mini.evaluate_frame(df, keep=["id", "district"])
    assert not whole["rank"].equals(out["rank"])


def test_by_several_columns(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    frame = df.copy()
    frame.loc[frame.index[:7], "district"] = None  # a missing key is a group of its own
    out = mini.evaluate_frame(frame, by=["year", "district"], status=True)
    groups = frame.groupby(["year", "district"], sort=False, dropna=False)
    assert groups.ngroups > 5
    for _, part in groups:
        alone = mini.evaluate_frame(part, status=True)
        assert_same_results(out.loc[part.index], alone, messages=False)


def test_by_errors(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="nope"):
        mini.evaluate_frame(df, by="nope")
    with pytest.raises(KeyError, match="nope"):
        mini.evaluate_frame(df, by=["year", "nope"])
    with pytest.raises(ValueError):
        mini.evaluate_frame(df, by=[])
    cohort = mini.fit(df)
    with pytest.raises(ValueError, match="cannot be combined"):
        mini.evaluate_frame(df, by="year", cohort=cohort)


# ---------------------------------------------------------------------------- fit and cohorts


def test_fit_then_score_the_same_rows(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    cohort = mini.fit(df)
    assert isinstance(cohort, qinglian.Cohort)
    out = mini.evaluate_frame(df)
    assert cohort.size == int(out["error"].isna().sum())
    assert cohort.ruleset_id == "mini" and cohort.ruleset_version == "1"
    assert list(cohort.totals) == sorted(out["score"].dropna())
    assert "mini" in repr(cohort) and str(cohort.size) in repr(cohort)
    against = mini.evaluate_frame(df, cohort=cohort)
    assert_same_results(against, out)


def test_cohort_scores_new_units(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    cohort = mini.fit(df)
    new = mini_frame(60, seed=99)
    out = mini.evaluate_frame(new, cohort=cohort)
    records = records_of(new)
    many = mini.evaluate_many(records, cohort=cohort)
    for i, record in enumerate(records):
        row = out.iloc[i]
        try:
            e = mini.evaluate(record, cohort=cohort)
        except qinglian.RecordError as err:
            assert row["error_code"] == err.code
            assert isinstance(many[i], qinglian.RecordError)
            continue
        assert e.warnings == []
        assert e.cohort is not None and e.cohort["of"] == cohort.size
        assert row["score"] == e.score and row["rank"] == e.rank and same(row["tier"], e.tier)
        assert row["percentile"] == e.cohort["percentile"]
        assert row["work.rank"] == e.node("work.rank")["score"] or e.node("work.rank")[
            "status"
        ] in ("missing", "not_applicable")
        assert isinstance(many[i], qinglian.Evaluation) and many[i].to_dict() == e.to_dict()
    # Scoring against the reference does not depend on the other new rows.
    one = mini.evaluate_frame(new.iloc[[5]], cohort=cohort)
    assert_same_results(one, out.iloc[[5]])


def test_cohort_json_and_pickle(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    cohort = mini.fit(df)
    text = cohort.to_json()
    assert json.loads(text)["ruleset"] == "mini"
    again = qinglian.Cohort.from_json(text)
    assert again == cohort and hash(again) == hash(cohort)
    assert pickle.loads(pickle.dumps(cohort)) == cohort
    assert_same_results(
        mini.evaluate_frame(df, cohort=again), mini.evaluate_frame(df, cohort=cohort)
    )


def test_cohort_errors(mini: qinglian.Ruleset, village: qinglian.Ruleset, df: pd.DataFrame) -> None:
    assert issubclass(qinglian.CohortError, qinglian.QinglianError)
    cohort = mini.fit(df)
    village_cohort = village.fit(pd.DataFrame(synth.columns(village, 50, seed=2)))
    with pytest.raises(qinglian.CohortError, match="village"):
        mini.evaluate_frame(df, cohort=village_cohort)
    with pytest.raises(qinglian.CohortError):
        mini.evaluate(records_of(df)[0], cohort=village_cohort)
    with pytest.raises(qinglian.CohortError):
        qinglian.score_arrow(mini, pa.Table.from_pandas(df), cohort=village_cohort)
    data = json.loads(cohort.to_json())
    damaged = [
        "",
        "{",
        "[1, 2]",
        json.dumps({**data, "format": "other/1"}),
        json.dumps({**data, "totals": data["totals"][::-1]}),
        json.dumps({**data, "size": data["size"] + 1}),
        json.dumps({**data, "rank_values": {"work.rank": [3, 2, 1]}}),
    ]
    for text in damaged:
        with pytest.raises(qinglian.CohortError):
            qinglian.Cohort.from_json(text)
    missing_rank = qinglian.Cohort.from_json(json.dumps({**data, "rank_values": {}}))
    with pytest.raises(qinglian.CohortError, match="work.rank"):
        mini.evaluate_frame(df, cohort=missing_rank)
    with pytest.raises(TypeError):
        mini.evaluate_frame(df, cohort=text)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mini.evaluate(records_of(df)[0], cohort="x")  # type: ignore[arg-type]


def test_warnings_without_a_cohort(mini: qinglian.Ruleset, village: qinglian.Ruleset) -> None:
    assert mini.cohort_dependent and not village.cohort_dependent
    record = records_of(mini_frame(3))[0]
    record.update(first_topic=True, rate=50.0, cases=0)
    e = mini.evaluate(record)
    assert e.warnings and "cohort" in e.warnings[0]["en"] and e.warnings[0]["zh"]
    assert e.to_dict()["warnings"] == e.warnings
    village_record = synth.records(synth.columns(village, 1, seed=3, missing=0.0))[0]
    assert village.evaluate(village_record).warnings == []


def test_fit_on_nothing(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    empty = mini.fit(df.iloc[:0])
    assert empty.size == 0
    out = mini.evaluate_frame(df.iloc[:20], cohort=empty)
    scored = out[out["error"].isna()]
    assert scored["rank"].isna().all() and scored["percentile"].isna().all()


# -------------------------------------------------------------------------------------- Arrow


def test_to_arrow_round_trip(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    for options in ({}, {"status": True}, {"by": "district"}, {"keep": ["district", "year"]}):
        want = mini.evaluate_frame(df, **options)
        got = mini.evaluate_frame(df, to="arrow", **options)
        assert isinstance(got, pa.Table)
        assert got.column_names == list(want.columns)
        assert normal(got.to_pandas()) == normal(want), options
    table = mini.evaluate_frame(df, to="arrow")
    assert table.schema.field("grade").type.ordered
    assert table.schema.field("score").type == pa.float64()
    assert table.schema.field("vetoes").type == pa.list_(pa.string())
    back = table.to_pandas()
    assert list(back["grade"].cat.categories) == mini.grade_names[::-1]
    assert back["grade"].cat.ordered
    # Rows in error have nulls in their number columns.
    assert table.column("score").null_count == int(df.shape[0] - mini.fit(df).size)


def test_arrow_input_equals_pandas(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    want = mini.evaluate_frame(df, keep=["id"])
    table = pa.Table.from_pandas(df, preserve_index=False)
    assert_same_results(mini.evaluate_frame(table, keep=["id"]), want)
    # Several chunks, integers, nulls and dictionary-encoded text.
    chunked = pa.concat_tables([table.slice(0, 150), table.slice(150)])
    assert chunked.column("rate").num_chunks == 2
    assert_same_results(mini.evaluate_frame(chunked, keep=["id"]), want)
    encoded = table.set_column(
        table.schema.get_field_index("unit"), "unit", table.column("unit").dictionary_encode()
    )
    assert_same_results(mini.evaluate_frame(encoded, keep=["id"]), want)
    pl = pytest.importorskip("polars")
    assert_same_results(mini.evaluate_frame(pl.from_pandas(df), keep=["id"]), want)


def test_score_arrow_batch_in_batch_out(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    batch = table.to_batches()[0]
    cohort = mini.fit(table)
    assert cohort == mini.fit(df)
    out = qinglian.score_arrow(mini, batch, cohort=cohort)
    assert isinstance(out, pa.RecordBatch) and out.num_rows == batch.num_rows
    want = mini.evaluate_frame(df, cohort=cohort, to="arrow")
    assert out.to_pandas().equals(want.to_pandas())
    # Partitions scored one by one against the cohort equal the whole.
    parts = [qinglian.score_arrow(mini, b, cohort=cohort) for b in table.slice(0, 100).to_batches()]
    parts += [qinglian.score_arrow(mini, table.slice(100).combine_chunks().to_batches()[0],
                                   cohort=cohort)]  # fmt: skip
    whole = pa.Table.from_batches(parts).to_pandas()
    assert_same_results(whole, want.to_pandas(), messages=False)
    assert isinstance(qinglian.score_arrow(mini, table), pa.Table)
    with pytest.raises(TypeError, match="Arrow"):
        qinglian.score_arrow(mini, df)


def test_arrow_odd_types(mini: qinglian.Ruleset) -> None:
    import datetime

    table = pa.table(
        {
            "id": pa.array([1, 2, 3], type=pa.int64()),
            "first_topic": pa.array([True, None, True]),
            "cases": pa.array([1.0, None, 0.0], type=pa.float32()),
            "rate": pa.array([datetime.date(2024, 1, 1), None, None]),
            "unit": pa.array(["机关", "企业", None], type=pa.large_string()),
            "survey": pa.array(["满意:3;一般:1", None, "满意:1"], type=pa.string_view()),
            "reports": pa.array([None, None, None], type=pa.null()),
        }
    )
    out = mini.evaluate_frame(table)
    assert out.loc[0, "error_code"] == "record.wrong_type"
    assert "date32" in out.loc[0, "error"].lower() and "(id 1)" in out.loc[0, "error"]
    assert out.loc[1, "error_code"] == "record.missing_required"
    assert out.loc[2, "error"] is None
    records = [
        {"id": 3, "first_topic": True, "cases": 0, "unit": None, "survey": "满意:1"},
    ]
    e = mini.evaluate_many(records)[0]
    assert out.loc[2, "score"] == e.score


# ----------------------------------------------------------------------------------- bad input


def test_bad_options(mini: qinglian.Ruleset, df: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="to="):
        mini.evaluate_frame(df, to="polars")
    with pytest.raises(TypeError):
        mini.evaluate_frame(df, by=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mini.fit(42)


def test_no_crash_on_odd_frames(mini: qinglian.Ruleset) -> None:
    # Columns that are views with strides (a Fortran-ordered block), all rows in error, empty
    # frames with every option, a single row.
    values = np.asfortranarray(np.random.default_rng(1).random((50, 3)) * 100)
    strided = pd.DataFrame(values, columns=["rate", "assessment", "cases"])
    strided["first_topic"] = True
    strided["cases"] = np.floor(strided["cases"] / 20)
    out = mini.evaluate_frame(strided)
    records = strided.to_dict("records")
    assert out["score"].tolist() == [e.score for e in mini.evaluate_many(records)]
    no_required = strided.drop(columns=["first_topic"])
    out = mini.evaluate_frame(no_required, status=True)
    assert (out["error_code"] == "record.missing_required").all()
    assert mini.fit(no_required).size == 0
    empty = mini_frame(10).iloc[:0]
    for options in ({}, {"by": "year"}, {"status": True}, {"cohort": mini.fit(mini_frame(10))}):
        assert len(mini.evaluate_frame(empty, **options)) == 0
        assert mini.evaluate_frame(empty, to="arrow", **options).num_rows == 0
    batch = pa.RecordBatch.from_pandas(empty, preserve_index=False)
    assert qinglian.score_arrow(mini, batch).num_rows == 0
    one = mini.evaluate_frame([{"first_topic": True, "assessment": 50, "cases": 0}])
    assert one.loc[0, "rank"] == 1


def test_every_shipped_ruleset(tmp_path: Any) -> None:
    for path in sorted(RULES.glob("*.toml")):
        ruleset = qinglian.load(path)
        frame = pd.DataFrame(synth.columns(ruleset, 200, seed=4))
        out = ruleset.evaluate_frame(frame, status=True)
        arrow = ruleset.evaluate_frame(frame, status=True, to="arrow")
        assert normal(arrow.to_pandas()) == normal(out), path.name
        cohort = ruleset.fit(frame)
        assert_same_results(ruleset.evaluate_frame(frame, cohort=cohort, status=True), out)
