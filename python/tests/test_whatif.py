"""What-if (`Ruleset.with_changes`), comparison of two runs (`qinglian.compare`), pickling."""

from __future__ import annotations

import pathlib
import pickle

import pandas as pd
import pytest

import qinglian

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def village() -> qinglian.Ruleset:
    return qinglian.load(ROOT / "rules" / "village.toml")


@pytest.fixture(scope="module")
def villages() -> pd.DataFrame:
    return pd.read_csv(ROOT / "examples" / "data" / "villages.csv")


def test_with_changes_scores_like_the_edited_text(village: qinglian.Ruleset, villages: pd.DataFrame) -> None:
    text = (ROOT / "rules" / "village.toml").read_text(encoding="utf-8")
    edited = qinglian.from_toml(text.replace("per = 2 }", "per = 4 }", 1))
    changed = village.with_changes({"assets.contracts.scorer.per": 4})
    a = changed.evaluate_frame(villages)
    b = edited.evaluate_frame(villages)
    pd.testing.assert_series_equal(a["score"], b["score"])
    assert changed.hash != village.hash
    assert a.attrs["ruleset"]["hash"] == changed.hash
    # The original is untouched.
    assert village.evaluate_frame(villages)["score"].sum() >= a["score"].sum()


def test_bad_changes_raise_ruleset_errors_naming_the_path(village: qinglian.Ruleset) -> None:
    with pytest.raises(qinglian.RulesetError) as info:
        village.with_changes({"nowhere.points": 1})
    assert info.value.errors[0].code == "ruleset.change"
    assert info.value.errors[0].path == "nowhere.points"
    with pytest.raises(qinglian.RulesetError):
        village.with_changes({"power.list.scorer.type": "no_such_scorer"})
    with pytest.raises(TypeError):
        village.with_changes({"grade.达标.min": object()})


def test_compare_shifts_and_grade_transitions(village: qinglian.Ruleset, villages: pd.DataFrame) -> None:
    before = village.evaluate_frame(villages)
    stricter = village.with_changes({"grade.达标.min": 85})
    after = stricter.evaluate_frame(villages)
    c = qinglian.compare(before, after)
    assert len(c.units) == before["error"].isna().sum()
    assert (c.units["score_change"] == 0).all(), "grade bands do not move scores"
    expected_down = ((before["grade"] == "达标") & (before["score"] < 85)).sum()
    s = c.summary()
    assert s["grade_down"] == expected_down and s["grade_up"] == 0
    assert list(c.transitions.index) == village.grade_names, "band order, best first"
    assert c.transitions.to_numpy().sum() == len(c.units)
    assert c.transitions.loc["达标", "未达标"] == expected_down
    assert len(c.changed) == expected_down
    assert c.before["hash"] == village.hash and c.after["hash"] == stricter.hash


def test_compare_two_years_in_one_frame(village: qinglian.Ruleset, villages: pd.DataFrame) -> None:
    year1 = villages.assign(year=2024)
    year2 = villages.assign(year=2025, irregular_contracts=villages["irregular_contracts"] + 1)
    results = village.evaluate_frame(pd.concat([year1, year2], ignore_index=True), by="year", keep=["id", "name", "year"])
    c = qinglian.compare(results, by="year")
    assert c.before["year"] == 2024 and c.after["year"] == 2025
    assert (c.units["score_change"] <= 0).all()
    assert (c.units["score_change"] < 0).any()
    with pytest.raises(ValueError):
        qinglian.compare(results)


def test_a_ruleset_pickles_with_its_hash(village: qinglian.Ruleset) -> None:
    again = pickle.loads(pickle.dumps(village))
    assert again.hash == village.hash
    assert again.indicator_paths == village.indicator_paths
    changed = village.with_changes({"grade.达标.min": 80})
    assert pickle.loads(pickle.dumps(changed)).hash == changed.hash


def test_an_evaluation_pickles_with_its_ruleset(village: qinglian.Ruleset, villages: pd.DataFrame) -> None:
    results = village.evaluate_many(villages.head(5).to_dict("records"))
    again = pickle.loads(pickle.dumps(results))
    for a, b in zip(results, again):
        assert isinstance(b, qinglian.Evaluation)
        assert b.to_dict() == a.to_dict()
        assert b.to_html() == a.to_html()
    with pytest.raises(ValueError):
        qinglian._qinglian._evaluation_from_json(village, '{"id": 1}')
