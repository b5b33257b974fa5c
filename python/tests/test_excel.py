"""Excel out: `qinglian.to_excel` writes the ranking workbook; read back with openpyxl."""

from __future__ import annotations

import pathlib

import openpyxl
import pytest

import qinglian

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _results(rules: str, data: str) -> tuple[qinglian.Ruleset, list]:
    ruleset = qinglian.load(ROOT / "rules" / rules)
    records = qinglian.read_records(ROOT / "examples" / "data" / data)
    return ruleset, ruleset.evaluate_many([r for r in records if isinstance(r, dict)])


def test_the_workbook_holds_the_scores_ranked(tmp_path: pathlib.Path) -> None:
    ruleset, results = _results("private-enterprise.toml", "private-enterprises.csv")
    path = tmp_path / "ranking.xlsx"
    qinglian.to_excel(results, path)
    book = openpyxl.load_workbook(path)
    dims = ruleset.dimension_paths
    assert book.sheetnames[0] == "排名"
    assert len(book.sheetnames) == len(dims) + 3
    ranking = book["排名"]
    assert ranking.freeze_panes == "D2"
    head = [c.value for c in ranking[1]]
    assert head[:4] == ["名次", "编号", "名称", "总分"]
    by_id = {e.id: e for e in results if isinstance(e, qinglian.Evaluation)}
    rows = list(ranking.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(by_id)
    ranks = [row[0] for row in rows]
    assert ranks == sorted(ranks)
    for row in rows:
        e = by_id[row[1]]
        assert row[0] == e.rank
        assert row[3] == e.score
        assert row[7] == (e.grade or None)
    assert ranking.cell(row=2, column=4).number_format == "0.00"
    info = [c.value for row in book["规则信息"].iter_rows() for c in row]
    assert ruleset.hash in info


def test_errors_get_their_own_sheet_and_english_titles(tmp_path: pathlib.Path) -> None:
    ruleset = qinglian.load(ROOT / "rules" / "village.toml")
    records = [r for r in qinglian.read_records(ROOT / "examples/data/villages.csv") if isinstance(r, dict)]
    bad = dict(records[1], disclosures_q1="many")
    results = ruleset.evaluate_many([records[0], bad, records[2]])
    assert isinstance(results[1], qinglian.RecordError)
    path = tmp_path / "villages.xlsx"
    qinglian.to_excel(results, path, lang="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Ranking"
    assert "Not scored" in book.sheetnames
    failed = list(book["Not scored"].iter_rows(min_row=2, values_only=True))
    assert len(failed) == 1 and failed[0][0] == bad["id"]
    assert book["Ranking"].max_row == 3


def test_results_of_two_rulesets_are_refused(tmp_path: pathlib.Path) -> None:
    _, a = _results("village.toml", "villages.csv")
    _, b = _results("school.toml", "schools.csv")
    with pytest.raises(ValueError, match="different rulesets"):
        qinglian.to_excel(a[:1] + b[:1], tmp_path / "mixed.xlsx")
    with pytest.raises(ValueError, match="no evaluation"):
        qinglian.to_excel([], tmp_path / "empty.xlsx")


def test_an_evaluation_renders_its_printable_report() -> None:
    ruleset, results = _results("village.toml", "villages.csv")
    e = next(r for r in results if isinstance(r, qinglian.Evaluation) and r.score < r.max_score)
    html = e.to_html()
    assert html.startswith("<!DOCTYPE html>")
    assert e.name in html and ruleset.hash in html
    assert "失分明细" in html and "<svg" in html
    assert "Points lost" in e.to_html(lang="en")
    with pytest.raises(ValueError):
        e.to_html(lang="fr")
