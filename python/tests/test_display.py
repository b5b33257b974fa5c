"""Notebook display (_repr_html_) and the matplotlib plot helpers."""

from __future__ import annotations

import pandas as pd
import pytest

import qinglian

from test_api import GOOD


def test_ruleset_html(mini: qinglian.Ruleset) -> None:
    html = mini._repr_html_()
    assert "清廉单位（测试）" in html and "<table>" in html
    assert "第一议题" in html and "party.first_topic" in html
    assert "附加分" in html


def test_evaluation_html_highlights_vetoes_and_alerts(mini: qinglian.Ruleset) -> None:
    html = mini.evaluate({**GOOD, "cases": 3, "rate": 40})._repr_html_()
    assert "class='veto'" in html and "案件三起以上" in html
    assert "class='alert'" in html and "整改完成率仅40%" in html
    assert "class='bar'" in html and "class='grade'" in html
    ok = mini.evaluate(GOOD)._repr_html_()
    assert "class='veto'" not in ok
    assert "<script" not in ok


def test_html_escapes_text(mini: qinglian.Ruleset) -> None:
    html = mini.evaluate({**GOOD, "id": "<b>x</b>"})._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_plots(mini: qinglian.Ruleset) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from qinglian.plot import plot_distribution, plot_profile

    rows = [
        {**GOOD, "id": f"U{i}", "assessment": i, "cases": i % 3, "district": "东西南北"[i % 4]}
        for i in range(40)
    ]
    results = mini.evaluate_frame(pd.DataFrame(rows), keep=["district"])
    ax = plot_distribution(results)
    assert ax.get_xlabel() == "score"
    ax = plot_distribution(results, by="district")
    assert ax.get_ylabel() == "district"
    with pytest.raises(KeyError):
        plot_distribution(results, by="nope")
    ax = plot_profile(mini.evaluate(GOOD))
    assert len(ax.patches) == len(mini.dimension_paths)
    assert "A" in ax.get_title()
