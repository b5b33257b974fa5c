"""Plot helpers (matplotlib, imported lazily): the score distribution of a batch and the
per-dimension profile of one unit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._qinglian import Evaluation

__all__ = ["plot_distribution", "plot_profile"]

_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
_fonts_set = False


def _pyplot() -> Any:
    """matplotlib.pyplot, with a CJK font first in line when one is installed."""
    global _fonts_set
    import matplotlib.pyplot as plt

    if not _fonts_set:
        from matplotlib import font_manager, rcParams

        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = [name for name in _CJK_FONTS if name in installed]
        if found:
            rcParams["font.sans-serif"] = found + list(rcParams["font.sans-serif"])
            rcParams["axes.unicode_minus"] = False
        _fonts_set = True
    return plt


def plot_distribution(
    results: "pd.DataFrame",
    by: Optional[str] = None,
    *,
    column: str = "score",
    bins: int = 20,
    ax: Any = None,
    title: Optional[str] = None,
) -> Any:
    """Distribution of scores of an `evaluate_frame` result.

    Without `by`: a histogram of `column` (rows that could not be scored are left out). With
    `by` (a column of `results`, e.g. a district carried with `keep=["district"]` or joined from
    the input): one box per group, sorted by median, with the points over it. Returns the axes.
    """
    plt = _pyplot()
    if column not in results.columns:
        raise KeyError(f"`{column}` is not a column of the results")
    scored = results[results[column].notna()]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    if by is None:
        ax.hist(scored[column].astype(float), bins=bins, color="#2f8f5b", edgecolor="white")
        ax.set_xlabel(column)
        ax.set_ylabel("count")
    else:
        if by not in results.columns:
            raise KeyError(
                f"`{by}` is not a column of the results: pass keep=[{by!r}] to evaluate_frame "
                "or join it from the input"
            )
        groups = {
            str(name): group[column].astype(float).to_numpy()
            for name, group in scored.groupby(by, sort=False)
        }
        order = sorted(groups, key=lambda name: float(_median(groups[name])))
        data = [groups[name] for name in order]
        try:  # matplotlib >= 3.10
            ax.boxplot(data, orientation="horizontal", showfliers=False)
        except TypeError:
            ax.boxplot(data, vert=False, showfliers=False)
        ax.set_yticks(range(1, len(order) + 1))
        ax.set_yticklabels(order)
        for i, values in enumerate(data, start=1):
            jitter = [i + 0.15 * ((k * 7919) % 11 - 5) / 5 for k in range(len(values))]
            ax.scatter(values, jitter, s=6, alpha=0.35, color="#2f8f5b")
        ax.set_xlabel(column)
        ax.set_ylabel(by)
    n_errors = int(results[column].isna().sum())
    default = f"{column} distribution ({len(scored)} scored"
    default += f", {n_errors} not scored)" if n_errors else ")"
    ax.set_title(title or default)
    return ax


def _median(values: Any) -> float:
    import numpy as np

    return float(np.median(values)) if len(values) else float("nan")


def plot_profile(
    evaluation: "Evaluation",
    *,
    ax: Any = None,
    lang: str = "zh",
    title: Optional[str] = None,
) -> Any:
    """Per-dimension profile of one unit: the share of points earned on each 一级指标 (bars),
    with the points earned/max as labels. Returns the axes."""
    plt = _pyplot()
    dims = [n for n in evaluation.nodes if n["depth"] == 1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * max(len(dims), 2) + 1.2))
    names = [
        (n["name_en"] or n["name"]) if lang == "en" else n["name"] for n in reversed(dims)
    ]
    shares = [
        (100.0 * n["score"] / n["max"] if n["max"] and n["counted"] else 0.0)
        for n in reversed(dims)
    ]
    colours = ["#c9a227" if n["bonus"] else "#2f8f5b" for n in reversed(dims)]
    bars = ax.barh(names, shares, color=colours)
    for bar, n in zip(bars, reversed(dims)):
        label = f"{_fmt(n['score'])}/{_fmt(n['max'])}"
        if not n["counted"]:
            label += " (n/a)"
        ax.text(
            bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, label, va="center", fontsize=8
        )
    ax.set_xlim(0, 115)
    ax.set_xlabel("% of points")
    who = evaluation.id or evaluation.name or ""
    grade = f" · {evaluation.grade}" if evaluation.grade else ""
    ax.set_title(
        title or f"{who}  {_fmt(evaluation.score)}/{_fmt(evaluation.max_score)}{grade}".strip()
    )
    return ax


def _fmt(x: float) -> str:
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
