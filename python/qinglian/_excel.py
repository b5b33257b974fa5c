"""Excel out: the ranking workbook a director reads, written by the Rust core."""

from __future__ import annotations

import os
from typing import Iterable, Optional, Sequence, Union

from ._qinglian import Evaluation, RecordError, _to_excel


def to_excel(
    results: Union[Evaluation, Iterable[Union[Evaluation, RecordError]]],
    path: Union[str, "os.PathLike[str]"],
    lang: str = "zh",
    by: Optional[Sequence[str]] = None,
    groups: Optional[Sequence[Sequence[str]]] = None,
) -> None:
    """Writes evaluations (e.g. `ruleset.evaluate_many(records)`, record errors included) as an
    `.xlsx` workbook, the same layout as `qinglian score --format xlsx`:

    - 排名 (Ranking): rank, id, name, total, maximum, base score, bonus, grade, tier, percentile,
      each dimension (一级指标), vetoes and alerts in words; header frozen, filters on;
    - one sheet per dimension with the points of every indicator under it;
    - 失分明细 (Points lost): each deduction, zeroing, missing item and veto with its reason;
    - 未能评分 (Not scored): the records that could not be scored, when there are some;
    - 规则信息 (Ruleset): the ruleset's name, id, version and content hash.

    `lang="en"` writes English titles and words. `by` names grouping columns shown after the
    name, and `groups` gives each result's values of them (as scored with one cohort per group).
    A pandas result of `evaluate_frame` has no reasons: score the records with `evaluate_many`
    for a workbook, or write the frame with `DataFrame.to_excel` for the numbers alone.
    """
    items = [results] if isinstance(results, Evaluation) else list(results)
    _to_excel(items, os.fspath(path), lang, list(by or []), groups)
