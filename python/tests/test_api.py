"""The record API: loading, evaluating one record or many, errors, conversions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import qinglian

from conftest import DATA, RULES

GOOD = {
    "id": "A",
    "name": "甲单位",
    "unit": "机关",
    "first_topic": True,
    "cases": 0,
    "rate": 95.5,
    "survey": {"满意": 10, "一般": 2},
    "assessment": 90,
    "reports": 3,
}


def test_load_and_metadata(mini: qinglian.Ruleset) -> None:
    assert mini.id == "mini"
    assert mini.name == "清廉单位（测试）"
    assert mini.name_en == "Clean unit (test)"
    assert mini.scale == 100.0
    assert mini.bonus_cap == 5.0
    assert mini.max_total == 105.0
    assert mini.id_field == "id"
    assert mini.grade_names == ["优秀", "良好", "一般"]
    assert mini.dimension_paths == ["party", "work", "publicity"]
    assert mini.indicator_paths[:3] == ["party", "party.first_topic", "party.cases"]
    assert mini.metadata["id"] == "mini"
    assert mini.warnings == []
    assert "mini" in repr(mini)


def test_all_shipped_rulesets_load() -> None:
    paths = sorted(RULES.glob("*.toml"))
    assert paths
    for path in paths:
        ruleset = qinglian.load(path)
        assert ruleset.indicator_paths, path
        assert qinglian.Ruleset.from_toml(path.read_text(encoding="utf-8")).id == ruleset.id


def test_inputs_and_tree(mini: qinglian.Ruleset) -> None:
    inputs = {i["name"]: i for i in mini.inputs}
    assert list(inputs)[:3] == ["unit", "first_topic", "cases"]
    assert inputs["unit"]["type"] == "category"
    assert inputs["unit"]["values"] == ["机关", "企业", "学校"]
    assert inputs["first_topic"]["required"] is True
    assert inputs["rate"]["min"] == 0 and inputs["rate"]["max"] == 100
    for key in ("name", "type", "label", "label_en", "unit", "min", "max", "values", "required"):
        assert key in inputs["cases"]
    tree = mini.tree()
    assert tree["path"] == ""
    assert [c["path"] for c in tree["children"]] == ["party", "work", "publicity"]
    party = tree["children"][0]
    assert party["points"] == 40 and party["aggregate"] == "sum"
    leaf = party["children"][0]
    assert leaf["scorer"] == "clause" and leaf["inputs"] == ["first_topic"]
    assert tree["children"][2]["bonus"] is True


def test_evaluate(mini: qinglian.Ruleset) -> None:
    e = mini.evaluate(GOOD)
    assert isinstance(e, qinglian.Evaluation)
    assert e.id == "A" and e.name == "甲单位" and e.ruleset == "mini"
    assert e.max_score == 105.0
    assert math.isclose(e.score, e.base_score + e.bonus_score)
    assert e.bonus_score == 3.0
    assert e.grade == "优秀" and e.grade_en == "Excellent"
    assert [n["path"] for n in e.nodes] == mini.indicator_paths
    assert e.node("party.cases")["score"] == 30.0
    assert e.node("nope") is None
    assert e.scores()["party"] == 40.0
    assert e.vetoes == [] and e.alerts == []
    assert isinstance(e.reasons, list) and all("text" in r for r in e.reasons)
    assert e.cohort is None or e.cohort["of"] == 1


def test_to_dict_is_the_json_shape(mini: qinglian.Ruleset) -> None:
    e = mini.evaluate(GOOD)
    d = e.to_dict()
    for key in (
        "id", "name", "ruleset", "score", "max_score", "base_score", "bonus_score", "grade",
        "grade_en", "nodes", "vetoes", "bonuses", "alerts", "missing", "reasons", "cohort",
    ):  # fmt: skip
        assert key in d, key
    assert d == json.loads(e.to_json())
    assert json.loads(e.to_json(indent=2)) == d
    node = d["nodes"][0]
    for key in ("path", "name", "depth", "score", "max", "lost", "status", "counted", "detail"):
        assert key in node
    assert node["detail"].keys() == {"zh", "en"}
    assert isinstance(node["depth"], int)


def test_explain(mini: qinglian.Ruleset) -> None:
    e = mini.evaluate(GOOD)
    zh = e.explain()
    assert "总分" in zh and "第一议题" in zh
    en = e.explain("en")
    assert "Total" in en
    assert str(e) == zh
    with pytest.raises(ValueError):
        e.explain("fr")


def test_veto_and_alert(mini: qinglian.Ruleset) -> None:
    e = mini.evaluate({**GOOD, "cases": 3, "rate": 40})
    assert e.score == 0.0
    assert [v["id"] for v in e.vetoes] == ["many_cases"]
    assert e.vetoes[0]["reason"]["zh"].startswith("案件三起以上")
    assert [a["id"] for a in e.alerts] == ["low_rate"]
    assert "40" in e.alerts[0]["message"]["zh"]


def test_missing_values_none_and_nan(mini: qinglian.Ruleset) -> None:
    a = mini.evaluate({**GOOD, "rate": None, "survey": None})
    b = mini.evaluate({**GOOD, "rate": float("nan"), "survey": float("nan")})
    c = mini.evaluate({k: v for k, v in GOOD.items() if k not in ("rate", "survey")})
    assert a.to_dict() == b.to_dict() == c.to_dict()
    assert "rate" in a.missing
    assert a.node("work.rate")["score"] == 0.0  # missing = "zero"


def test_numpy_scalars(mini: qinglian.Ruleset) -> None:
    plain = mini.evaluate(GOOD).to_dict()
    with_numpy = mini.evaluate(
        {
            **GOOD,
            "first_topic": np.bool_(True),
            "cases": np.int64(0),
            "rate": np.float32(95.5),
            "assessment": np.float64(90),
            "unit": np.str_("机关"),
            "survey": {"满意": np.int32(10), "一般": np.int64(2)},
        }
    )
    assert with_numpy.to_dict() == plain


def test_bool_is_not_a_number(mini: qinglian.Ruleset) -> None:
    with pytest.raises(qinglian.RecordError) as info:
        mini.evaluate({**GOOD, "cases": True})
    assert info.value.code == "record.not_a_number"
    assert info.value.column == "cases"


def test_record_error_attributes(mini: qinglian.Ruleset) -> None:
    with pytest.raises(qinglian.RecordError) as info:
        mini.evaluate({**GOOD, "rate": 120})
    e = info.value
    assert isinstance(e, qinglian.QinglianError)
    assert e.code == "record.out_of_range"
    assert e.column == "rate"
    assert e.id == "A"
    assert e.row is None
    assert "120" in e.message
    assert "record.out_of_range" in str(e) and "{" not in str(e)


def test_wrong_python_type_is_a_record_error(mini: qinglian.Ruleset) -> None:
    with pytest.raises(qinglian.RecordError) as info:
        mini.evaluate({**GOOD, "rate": [1, 2]})
    assert info.value.code == "record.wrong_type"
    assert info.value.column == "rate"
    assert "list" in info.value.message
    # A field that is not an input is not scored: an odd value there is ignored.
    assert mini.evaluate({**GOOD, "note": object()}).score == mini.evaluate(GOOD).score


def test_record_must_be_a_mapping(mini: qinglian.Ruleset) -> None:
    with pytest.raises(TypeError):
        mini.evaluate([1, 2, 3])  # type: ignore[arg-type]


def test_evaluate_many(mini: qinglian.Ruleset) -> None:
    records = [
        GOOD,
        {**GOOD, "id": "B", "cases": 1, "assessment": 80},
        {**GOOD, "id": "C", "cases": "x"},
        {**GOOD, "id": "D", "rate": {"a": 1}},
        {"id": "E", "cases": 0},
        {**GOOD, "id": "F", "survey": {"满意": "many"}},
    ]
    results = qinglian.Ruleset.evaluate_many(mini, iter(records))
    assert len(results) == len(records)
    a, b, c, d, e, f = results
    assert isinstance(a, qinglian.Evaluation) and isinstance(b, qinglian.Evaluation)
    assert (a.rank, b.rank) == (1, 2)
    assert a.cohort is not None and a.cohort["of"] == 2
    assert isinstance(c, qinglian.RecordError) and c.code == "record.not_a_number"
    assert (c.row, c.id, c.column) == (2, "C", "cases")
    assert isinstance(d, qinglian.RecordError) and d.code == "record.wrong_type"
    assert isinstance(e, qinglian.RecordError) and e.code == "record.missing_required"
    assert e.column == "first_topic"
    assert isinstance(f, qinglian.RecordError) and f.code == "record.wrong_type"
    assert f.column == "survey"
    # The same record scored alone gives the same scores (no rank scorer difference for A's tree
    # apart from the cohort of one).
    assert mini.evaluate(GOOD).node("party")["score"] == a.node("party")["score"]


def test_ruleset_error_is_structured() -> None:
    text = (DATA / "mini.toml").read_text(encoding="utf-8")
    broken = text.replace('count = "cases"', 'count = "casez"')
    with pytest.raises(qinglian.RulesetError) as info:
        qinglian.Ruleset.from_toml(broken, "mini.toml")
    e = info.value
    assert isinstance(e, qinglian.QinglianError)
    assert e.errors, "errors must be listed"
    d = e.errors[0]
    assert isinstance(d, qinglian.Diagnostic)
    assert d.severity == "error"
    assert d.code == "expr.unknown_input"
    assert d.file == "mini.toml"
    assert isinstance(d.line, int) and isinstance(d.column, int)
    assert d.path == "party.cases"
    assert d.to_dict()["code"] == d.code
    assert isinstance(e.warnings, list)
    message = str(e)
    assert message.startswith("ruleset has 1 error")
    assert "mini.toml:" in message and not message.lstrip().startswith("{")
    assert "Diagnostic(" in repr(d)


def test_ruleset_error_collects_every_error() -> None:
    with pytest.raises(qinglian.RulesetError) as info:
        qinglian.Ruleset.from_toml("[ruleset]\nid = 1\n")
    assert info.value.errors[0].line == 2


def test_load_missing_file() -> None:
    with pytest.raises(qinglian.RulesetError) as info:
        qinglian.load("/nonexistent/ruleset.toml")
    assert info.value.errors[0].code == "ruleset.io"


def test_constructor_and_from_toml_agree() -> None:
    text = (DATA / "mini.toml").read_text(encoding="utf-8")
    assert qinglian.Ruleset(text).tree() == qinglian.from_toml(text).tree()


def test_read_records(tmp_path: Path, mini: qinglian.Ruleset) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(
        "id,unit,first_topic,cases,rate,survey,assessment,reports\n"
        "A,机关,是,0,95.5,满意:10;一般:2,90,3\n"
        "B,企业,否,1,50,,80,\n",
        encoding="utf-8",
    )
    rows = qinglian.read_records(csv)
    assert len(rows) == 2 and isinstance(rows[0], dict)
    assert rows[1]["survey"] is None and rows[0]["cases"] == "0"
    results = mini.evaluate_many(rows)  # type: ignore[arg-type]
    assert all(isinstance(r, qinglian.Evaluation) for r in results)
    alone = mini.evaluate(GOOD)
    assert results[0].scores() == alone.scores()
    assert results[0].node("work.rate") == alone.node("work.rate")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(qinglian.ReadError) as info:
        qinglian.read_records(bad)
    assert isinstance(info.value, qinglian.QinglianError)
    assert info.value.line == 1
    with pytest.raises(qinglian.ReadError):
        qinglian.read_records(tmp_path / "absent.csv")


def test_ruleset_is_shareable_across_threads(mini: qinglian.Ruleset) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        scores = list(pool.map(lambda _: mini.evaluate(GOOD).score, range(16)))
    assert len(set(scores)) == 1
