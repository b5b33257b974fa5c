"""What changed between two runs: score and rank shifts per unit, and the grade transition table.

The two runs are two result frames of `evaluate_frame` — the same units under a changed ruleset
(`ruleset.with_changes(...)`), or two years of the same ruleset — or one frame holding both,
told apart by a column (`by="year"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import pandas as pd


@dataclass(frozen=True)
class Comparison:
    """The result of `compare`.

    - `units`: one row per unit present in both runs, indexed by the key: `name` (when the
      frames have it), `score_before`, `score_after`, `score_change`, `rank_before`,
      `rank_after`, `rank_change` (positive = moved up), `grade_before`, `grade_after` and
      `changed` (the score or the grade differs); sorted by the largest score change first.
    - `transitions`: the grade transition table, grades in band order (best first); row = grade
      before, column = grade after, cell = number of units.
    - `only_before` / `only_after`: keys of units present in one run only.
    - `before` / `after`: what each run was (its ruleset's provenance, or its `by` value).
    """

    units: pd.DataFrame
    transitions: pd.DataFrame
    only_before: List[Any]
    only_after: List[Any]
    before: Dict[str, Any]
    after: Dict[str, Any]

    @property
    def changed(self) -> pd.DataFrame:
        """The units whose score or grade changed."""
        return self.units[self.units["changed"]]

    def summary(self) -> Dict[str, int]:
        """Counts: units compared, score changed, grade changed, up a grade, down a grade."""
        u = self.units
        order = _grade_order(u)
        rank = {g: i for i, g in enumerate(order)}  # 0 = best
        before = u["grade_before"].astype(object).map(rank).astype(float)
        after = u["grade_after"].astype(object).map(rank).astype(float)
        return {
            "units": int(len(u)),
            "score_changed": int((u["score_change"].abs() > 1e-9).sum()),
            "grade_changed": int((u["grade_before"].astype(object) != u["grade_after"].astype(object)).sum()),
            "grade_up": int((after < before).sum()),
            "grade_down": int((after > before).sum()),
        }


def _grade_order(units: pd.DataFrame) -> List[Any]:
    """Grades best first: from the ordered categoricals of the results (worst first there)."""
    for column in ("grade_after", "grade_before"):
        series = units[column]
        if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
            return list(series.cat.categories[::-1])
    values = pd.unique(pd.concat([units["grade_before"], units["grade_after"]]).dropna())
    return list(values)


def _frame_of(results: pd.DataFrame, key: str) -> pd.DataFrame:
    if key not in results.columns:
        raise KeyError(f"the results have no `{key}` column to match units by (pass key=...)")
    scored = results[results["error"].isna()] if "error" in results.columns else results
    if scored[key].duplicated().any():
        dup = scored.loc[scored[key].duplicated(), key].iloc[0]
        raise ValueError(f"`{key}` is not unique within a run (e.g. {dup!r}): pass key=... or by=...")
    return scored.set_index(key)


def _provenance(results: pd.DataFrame) -> Dict[str, Any]:
    return dict(results.attrs.get("ruleset", {}))


def compare(
    before: pd.DataFrame,
    after: Optional[pd.DataFrame] = None,
    by: Optional[str] = None,
    key: str = "id",
) -> Comparison:
    """Compares two result frames of `evaluate_frame` unit by unit (matched on `key`).

    With `by`, `before` holds both runs and `after` is not given: the column `by` (e.g. `"year"`)
    must have two distinct values; the smaller is "before". Scores, ranks and grades are taken
    as each run computed them (rank within its own cohort).
    """
    if by is not None:
        if after is not None:
            raise ValueError("give either two result frames, or one frame and by=…")
        values = sorted(before[by].dropna().unique())
        if len(values) != 2:
            raise ValueError(f"`{by}` must have exactly two values to compare, not {values!r}")
        first, second = values
        a = before[before[by] == first]
        b = before[before[by] == second]
        meta_a: Dict[str, Any] = {by: first, **_provenance(before)}
        meta_b: Dict[str, Any] = {by: second, **_provenance(before)}
    else:
        if after is None:
            raise ValueError("compare needs two result frames (or one and by=…)")
        a, b = before, after
        meta_a, meta_b = _provenance(before), _provenance(after)

    fa, fb = _frame_of(a, key), _frame_of(b, key)
    common = fa.index.intersection(fb.index, sort=False)
    units = pd.DataFrame(index=common)
    units.index.name = key
    if "name" in fb.columns:
        units["name"] = fb.loc[common, "name"]
    units["score_before"] = fa.loc[common, "score"].astype(float)
    units["score_after"] = fb.loc[common, "score"].astype(float)
    units["score_change"] = units["score_after"] - units["score_before"]
    units["rank_before"] = fa.loc[common, "rank"].astype("Int64")
    units["rank_after"] = fb.loc[common, "rank"].astype("Int64")
    units["rank_change"] = units["rank_before"] - units["rank_after"]
    units["grade_before"] = fa.loc[common, "grade"]
    units["grade_after"] = fb.loc[common, "grade"]
    grade_changed = units["grade_before"].astype(object) != units["grade_after"].astype(object)
    both_missing = units["grade_before"].isna() & units["grade_after"].isna()
    units["changed"] = (units["score_change"].abs() > 1e-9) | (grade_changed & ~both_missing)
    units = units.reindex(units["score_change"].abs().sort_values(ascending=False, kind="stable").index)

    order = _grade_order(units)
    table = pd.crosstab(
        pd.Categorical(units["grade_before"].astype(object), categories=order),
        pd.Categorical(units["grade_after"].astype(object), categories=order),
        dropna=False,
    )
    table.index = pd.Index(order, name="before")
    table.columns = pd.Index(order, name="after")

    return Comparison(
        units=units,
        transitions=table,
        only_before=[k for k in fa.index if k not in fb.index],
        only_after=[k for k in fb.index if k not in fa.index],
        before=meta_a,
        after=meta_b,
    )


__all__: Sequence[str] = ["Comparison", "compare"]
