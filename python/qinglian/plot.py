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
# File names of CJK fonts, for fonts installed after matplotlib built its font cache.
_CJK_FILES = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy-zenhei", "wqy-microhei",
              "simhei", "msyh", "pingfang", "droidsansfallback")
_fonts_set = False
#: The CJK font the plots use (None when none is installed).
cjk_font: Optional[str] = None


def _find_cjk_font() -> Optional[str]:
    """The first installed CJK font by name; fonts installed after matplotlib's font cache was
    built are looked for on disk and added, so that Chinese labels do not turn into boxes."""
    from matplotlib import font_manager

    def known() -> Optional[str]:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in _CJK_FONTS if name in installed), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(key in path.lower().replace(" ", "") for key in _CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


def _pyplot() -> Any:
    """matplotlib.pyplot, with an installed CJK font chosen explicitly (a warning says so when
    there is none: Chinese labels would show as boxes)."""
    global _fonts_set, cjk_font
    import matplotlib.pyplot as plt

    if not _fonts_set:
        from matplotlib import rcParams

        cjk_font = _find_cjk_font()
        if cjk_font is not None:
            rcParams["font.family"] = "sans-serif"
            rcParams["font.sans-serif"] = [cjk_font] + list(rcParams["font.sans-serif"])
            rcParams["axes.unicode_minus"] = False
        else:
            import warnings

            warnings.warn(
                "no CJK font is installed: Chinese labels will show as boxes. Install one "
                "(e.g. Debian's fonts-noto-cjk or fonts-wqy-microhei), or plot with lang='en'.",
                RuntimeWarning,
                stacklevel=3,
            )
        _fonts_set = True
    return plt


_WORDS = {
    "score": ("总分", "total"),
    "count": ("单位数", "units"),
    "share": ("得分率（%）", "% of points"),
    "veto": ("一票否决", "veto"),
}


def _word(key: str, lang: str) -> str:
    zh, en = _WORDS.get(key, (key, key))
    return en if lang == "en" else zh


def plot_distribution(
    results: "pd.DataFrame",
    by: Optional[str] = None,
    *,
    column: str = "score",
    bins: int = 20,
    ax: Any = None,
    title: Optional[str] = None,
    lang: str = "zh",
) -> Any:
    """Distribution of scores of an `evaluate_frame` result (titles in `lang`, zh or en).

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
        ax.set_xlabel(_word(column, lang))
        ax.set_ylabel(_word("count", lang))
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
        ax.set_xlabel(_word(column, lang))
        ax.set_ylabel(by)
    n_errors = int(results[column].isna().sum())
    if lang == "en":
        default = f"{_word(column, lang)} distribution ({len(scored)} scored"
        default += f", {n_errors} not scored)" if n_errors else ")"
    else:
        default = f"{_word(column, lang)}分布（{len(scored)}个单位"
        default += f"，{n_errors}个未能评分）" if n_errors else "）"
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
    with the points earned/max as labels; a veto that fired is written under the title in red.
    Titles follow `lang` (zh or en). Returns the axes."""
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
    ax.set_xlabel(_word("share", lang))
    who = evaluation.id or evaluation.name or ""
    grade_name = (evaluation.grade_en or evaluation.grade) if lang == "en" else evaluation.grade
    grade = f" · {grade_name}" if grade_name else ""
    ax.set_title(
        title or f"{who}  {_fmt(evaluation.score)}/{_fmt(evaluation.max_score)}{grade}".strip()
    )
    if evaluation.vetoes:
        reasons = "; ".join(v["reason"]["en" if lang == "en" else "zh"] for v in evaluation.vetoes)
        ax.text(
            0.0, 1.0, f"{_word('veto', lang)}: {reasons}", transform=ax.transAxes,
            color="#c0392b", fontsize=9, va="bottom", ha="left",
        )
    return ax


def _fmt(x: float) -> str:
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
