"""The analyst's reading path: a workbook whose columns are headed by the inputs' Chinese labels,
with ticks and crosses for booleans, scores exactly like the CSV headed by the inputs' names."""

from __future__ import annotations

import csv
import pathlib

import openpyxl
import pytest

import qinglian

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "private-enterprise.toml"
DATA = ROOT / "examples" / "data" / "private-enterprises.csv"


def _workbook(ruleset: qinglian.Ruleset, path: pathlib.Path) -> None:
    """The example data as a self-assessment workbook: a title row, labels as headers, √/× for
    booleans, numbers as numbers; the data on the sheet `自评表` after an empty sheet."""
    labels = {i["name"]: i["label"] for i in ruleset.inputs}
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    book = openpyxl.Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("自评表")
    sheet.append(["民营企业清廉建设自评表"])
    sheet.append([labels.get(h, h) for h in rows[0]])
    for row in rows[1:]:
        cells: list[object] = []
        for head, value in zip(rows[0], row):
            if value in ("true", "false"):
                cells.append("√" if value == "true" else "×")
            elif value == "" or head == "id":
                cells.append(value or None)
            else:
                try:
                    cells.append(float(value))
                except ValueError:
                    cells.append(value)
        sheet.append(cells)
    book.save(path)


def _outcomes(results: list) -> list:
    return [
        (r.id, r.score, r.grade) if isinstance(r, qinglian.Evaluation) else (r.code, r.row)
        for r in results
    ]


def test_a_workbook_headed_by_labels_scores_like_the_csv(tmp_path: pathlib.Path) -> None:
    ruleset = qinglian.load(RULES)
    path = tmp_path / "自评表.xlsx"
    _workbook(ruleset, path)
    from_csv = qinglian.read_records(DATA)
    from_book = qinglian.read_records(path, sheet="自评表")
    assert len(from_book) == len(from_csv) == 400
    first = from_book[0]
    assert isinstance(first, dict)
    assert first["专兼职监督人员数"] == 3.0
    assert first["是否开展廉洁风险排查并建立风险防控档案"] in ("√", "×")
    expected = _outcomes(ruleset.evaluate_many(from_csv))
    assert _outcomes(ruleset.evaluate_many(from_book)) == expected
    # The first sheet unless one is named: here the empty notes sheet.
    assert qinglian.read_records(path) == []
    with pytest.raises(qinglian.ReadError, match="汇总"):
        qinglian.read_records(path, sheet="汇总")


def test_frames_headed_by_labels_score_like_frames_headed_by_names() -> None:
    pd = pytest.importorskip("pandas")
    ruleset = qinglian.load(RULES)
    labels = {i["name"]: i["label"] for i in ruleset.inputs}
    by_names = pd.read_csv(DATA)
    by_labels = by_names.rename(columns=labels)
    for c in by_labels.columns:
        if by_labels[c].dtype == bool:
            by_labels[c] = by_labels[c].map({True: "√", False: "×"})
    a = ruleset.evaluate_frame(by_names)
    b = ruleset.evaluate_frame(by_labels)
    assert a["score"].tolist() == b["score"].tolist()
    assert a["grade"].tolist() == b["grade"].tolist()
    # Two columns of one input: which holds it is unclear, so neither is guessed.
    both = by_labels.assign(supervision_staff=by_names["supervision_staff"])
    with pytest.raises(ValueError, match="专兼职监督人员数"):
        ruleset.evaluate_frame(both)


def test_boolean_words() -> None:
    ruleset = qinglian.from_toml(
        """
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 10
[[input]]
name = "ok"
type = "boolean"
label = "是否合格"
aliases = ["合格"]
[[indicator]]
id = "a"
name = "a"
points = 10
scorer = { type = "clause", when = "ok" }
"""
    )
    for word, score in [("√", 10), ("×", 0), ("✓", 10), ("✗", 0), ("有", 10), ("无", 0),
                        ("是", 10), ("否", 0), ("y", 10), ("N", 0)]:
        assert ruleset.evaluate({"id": "A", "合格": word}).score == score, word
    with pytest.raises(qinglian.RecordError, match="√/×"):
        ruleset.evaluate({"id": "A", "是否合格": "也许"})
    results = ruleset.evaluate_many([{"id": "A", "ok": True, "合格": "√"}])
    assert isinstance(results[0], qinglian.RecordError)
    assert results[0].code == "record.ambiguous_column"


def _with_chinese_labels(text: str) -> str:
    """The ruleset, told the headers an analyst's workbook gives the id and name columns."""
    return text.replace(
        "[ruleset]\n",
        '[ruleset]\nid_aliases = ["编号", "统一社会信用代码"]\nname_aliases = ["单位名称", "名称"]\n',
        1,
    )


def test_the_id_and_name_columns_headed_in_chinese(tmp_path: pathlib.Path) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    ruleset = qinglian.from_toml(_with_chinese_labels(RULES.read_text(encoding="utf-8")))
    assert ruleset.metadata["id_aliases"] == ["编号", "统一社会信用代码"]
    by_names = pd.read_csv(DATA)
    headed = by_names.rename(columns={"id": "统一社会信用代码", "name": "单位名称"})
    expected = ruleset.evaluate_frame(by_names)
    got = ruleset.evaluate_frame(headed)
    assert got["score"].tolist() == expected["score"].tolist()
    # The id and name columns are kept under their own headers, with the ids of the units.
    assert got["统一社会信用代码"].tolist() == by_names["id"].tolist()
    assert got["单位名称"].tolist() == by_names["name"].tolist()
    arrow = ruleset.evaluate_frame(pa.Table.from_pandas(headed))
    assert arrow["score"].tolist() == expected["score"].tolist()
    # Records (a workbook's rows, dicts) carry the id and name under the aliases too.
    book = tmp_path / "汇总.xlsx"
    headed.to_excel(book, index=False)
    results = ruleset.evaluate_many(qinglian.read_records(book))
    assert [r.id for r in results] == by_names["id"].tolist()
    assert [r.name for r in results] == by_names["name"].tolist()
    record = dict(qinglian.read_records(DATA)[0])
    record.pop("id"), record.pop("name")
    one = ruleset.evaluate({**record, "编号": "A-1", "名称": "甲公司"})
    assert (one.id, one.name) == ("A-1", "甲公司")
    # Two id columns: which one identifies the unit is unclear, so neither is guessed.
    both = headed.assign(编号=by_names["id"])
    with pytest.raises(ValueError, match="unit id column"):
        ruleset.evaluate_frame(both)
    # Without the aliases the columns are not the id: the rows have no id.
    plain = qinglian.load(RULES)
    assert plain.evaluate({**record, "编号": "A-1"}).id is None


def test_an_id_alias_that_heads_an_input_is_refused() -> None:
    text = _with_chinese_labels(RULES.read_text(encoding="utf-8"))
    label = qinglian.load(RULES).inputs[0]["label"]
    with pytest.raises(qinglian.RulesetError, match="ruleset.duplicate_alias"):
        qinglian.from_toml(text.replace('"名称"]', f'"名称", "{label}"]', 1))
