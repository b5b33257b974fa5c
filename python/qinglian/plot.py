"""Plot helpers (matplotlib, imported lazily): the score distribution of a batch, the
per-dimension profile of one unit, rank intervals under uncertainty and sensitivity indices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._qinglian import Evaluation

__all__ = ["plot_distribution", "plot_profile", "plot_rank_intervals", "plot_sensitivity"]

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
    "rank": ("排名", "rank"),
    "nominal": ("名义排名", "nominal rank"),
    "median": ("排名中位数", "median rank"),
    "band": ("5%–95%分位区间", "5th–95th percentile"),
    "first": ("一阶指数", "first-order"),
    "total": ("总效应指数", "total effect"),
    "index": ("敏感性指数", "sensitivity index"),
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


def plot_rank_intervals(
    uncertainty: "pd.DataFrame",
    *,
    label: Optional[str] = None,
    top: Optional[int] = None,
    ax: Any = None,
    title: Optional[str] = None,
    lang: str = "zh",
) -> Any:
    """Each unit's rank band under uncertainty — the result of `Ruleset.uncertainty` or the
    `units` of `Ruleset.sensitivity`: a line from the 5th to the 95th percentile rank, the
    median (a dot) and the nominal rank (a cross), units in nominal rank order, best on top.
    `label` is the column naming each unit (default: the first kept column); `top` shows only
    the best `top` units. Returns the axes."""
    plt = _pyplot()
    for column in ("rank", "rank_median", "rank_p05", "rank_p95"):
        if column not in uncertainty.columns:
            raise KeyError(
                f"`{column}` is not a column: pass the result of Ruleset.uncertainty "
                "or Sensitivity.units"
            )
    ranked = uncertainty[uncertainty["rank"].notna()].sort_values("rank")
    if top is not None:
        ranked = ranked.head(int(top))
    if label is None:
        label = next(iter(uncertainty.columns))
    names = [str(v) for v in ranked[label]][::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.28 * max(len(names), 4) + 1.2))
    y = list(range(len(names)))
    rows = ranked.iloc[::-1]
    ax.hlines(y, rows["rank_p05"].astype(float), rows["rank_p95"].astype(float),
              color="#2f8f5b", linewidth=2.5, label=_word("band", lang))
    ax.scatter(rows["rank_median"].astype(float), y, color="#1d5c3a", s=18, zorder=3,
               label=_word("median", lang))
    ax.scatter(rows["rank"].astype(float), y, color="#c0392b", marker="x", s=22, zorder=4,
               label=_word("nominal", lang))
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_xaxis()
    ax.set_xlabel(_word("rank", lang))
    # The best units sit top right (the axis runs from the last rank to the first): the top left
    # corner is free.
    ax.legend(loc="upper left", fontsize=8)
    default = (
        f"Rank intervals ({len(names)} units)" if lang == "en" else f"排名区间（{len(names)}个单位）"
    )
    ax.set_title(title or default)
    return ax


def plot_sensitivity(
    indices: "pd.DataFrame",
    *,
    ax: Any = None,
    title: Optional[str] = None,
    lang: str = "zh",
) -> Any:
    """First-order and total sensitivity index of each parameter (`Sensitivity.indices`), with
    their 95% bootstrap intervals as error bars. Returns the axes."""
    import numpy as np

    plt = _pyplot()
    for column in ("parameter", "first", "total"):
        if column not in indices.columns:
            raise KeyError(f"`{column}` is not a column: pass Sensitivity.indices")
    if indices.empty:
        raise ValueError("no index to plot: run Ruleset.sensitivity with indices=True")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.6 * len(indices) + 1.5))
    y = np.arange(len(indices))
    height = 0.38

    def errors(value: str) -> Any:
        low, high = indices.get(f"{value}_low"), indices.get(f"{value}_high")
        if low is None or high is None or low.isna().all():
            return None
        centre = indices[value].to_numpy(dtype=float)
        return np.vstack([centre - low.to_numpy(dtype=float), high.to_numpy(dtype=float) - centre]).clip(0)

    ax.barh(y - height / 2, indices["first"].astype(float), height, xerr=errors("first"),
            color="#2f8f5b", label=_word("first", lang))
    ax.barh(y + height / 2, indices["total"].astype(float), height, xerr=errors("total"),
            color="#c9a227", label=_word("total", lang))
    ax.set_yticks(y)
    ax.set_yticklabels([str(p) for p in indices["parameter"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(_word("index", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    default = "Sensitivity of the ranking" if lang == "en" else "排名对各参数的敏感性"
    ax.set_title(title or default)
    return ax
