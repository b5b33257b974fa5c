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
    assert ax.get_xlabel() == "总分" and "40个单位" in ax.get_title()
    assert plot_distribution(results, lang="en").get_xlabel() == "total"
    ax = plot_distribution(results, by="district")
    assert ax.get_ylabel() == "district"
    with pytest.raises(KeyError):
        plot_distribution(results, by="nope")
    ax = plot_profile(mini.evaluate(GOOD))
    assert len(ax.patches) == len(mini.dimension_paths)
    assert "A" in ax.get_title()
    vetoed = mini.evaluate({**GOOD, "cases": 3, "rate": 40})
    assert vetoed.vetoes
    texts = [t.get_text() for t in plot_profile(vetoed).texts]
    assert any(t.startswith("一票否决") and "案件三起以上" in t for t in texts)
    texts = [t.get_text() for t in plot_profile(vetoed, lang="en").texts]
    assert any(t.startswith("veto") for t in texts)


def test_plots_choose_a_cjk_font_or_say_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from qinglian import plot

    monkeypatch.setattr(plot, "_fonts_set", False)
    monkeypatch.setattr(plot, "_find_cjk_font", lambda: None)
    with pytest.warns(RuntimeWarning, match="no CJK font"):
        plot._pyplot()
    monkeypatch.setattr(plot, "_fonts_set", False)
    monkeypatch.setattr(plot, "_find_cjk_font", lambda: "Noto Sans CJK SC")
    import matplotlib

    plot._pyplot()
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert plot.cjk_font == "Noto Sans CJK SC"


# The notebook front-ends' own table rules our views must outrank (JupyterLab's
# @jupyterlab/rendermime `.jp-RenderedHTMLCommon`, classic Notebook's `.rendered_html`).
_FRONT_END_RULES = {
    ".jp-RenderedHTMLCommon td": "text-align",
    ".jp-RenderedHTMLCommon th": "text-align",
    ".jp-RenderedHTMLCommon tbody tr:nth-child(odd)": "background",
    ".jp-RenderedHTMLCommon table": "margin-left",
    ".rendered_html td": "text-align",
    ".rendered_html th": "text-align",
}


def _specificity(selector: str) -> tuple[int, int, int]:
    """(ids, classes and pseudo-classes, elements) of a simple CSS selector."""
    import re

    ids = len(re.findall(r"#[\w-]+", selector))
    classes = len(re.findall(r"\.[\w-]+", selector)) + len(re.findall(r":(?!:)[\w-]+", selector))
    elements = len(re.findall(r"(?:^|[\s>+~])([a-z][\w-]*)", selector))
    return ids, classes, elements


def _rules(css: str) -> list[tuple[str, str]]:
    import re

    out = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for sel in selectors.split(","):
            out.append((sel.strip(), body))
    return out


def test_our_table_rules_outrank_the_notebook_front_ends() -> None:
    from qinglian._display import _STYLE

    css = _STYLE.replace("<style>", "").replace("</style>", "")
    rules = _rules(css)
    for theirs, prop in _FRONT_END_RULES.items():
        element = theirs.split()[-1].split(":")[0]
        ours = [
            sel
            for sel, body in rules
            if sel.split()[-1].split(":")[0] == element
            and any(f"{p}:" in body for p in (prop, prop.split("-")[0]))  # or its shorthand
        ]
        assert ours, f"no rule of ours sets {prop} on {element}"
        assert max(_specificity(s) for s in ours) > _specificity(theirs), (theirs, ours)
