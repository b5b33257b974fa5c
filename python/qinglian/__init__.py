"""qinglian (清廉): evaluate integrity evaluation systems written as TOML rulesets.

Load a ruleset, score records (dicts) or whole data frames, read the audit trail::

    import qinglian
    ruleset = qinglian.load("rules/village.toml")
    evaluation = ruleset.evaluate({"id": "V001", "power_list_online": True, ...})
    print(evaluation.score, evaluation.grade)
    print(evaluation.explain())
    results = ruleset.evaluate_frame(df)   # pandas / pyarrow / polars in, pandas out
    results = ruleset.evaluate_frame(df, by="year")          # one cohort per year
    cohort = ruleset.fit(reference_df)                        # a fitted reference cohort
    ruleset.evaluate(record, cohort=cohort)                   # one unit placed against it
    batch_out = qinglian.score_arrow(ruleset, record_batch)  # Arrow in, Arrow out
    qinglian.to_excel(ruleset.evaluate_many(records), "ranking.xlsx")  # Excel out
    stricter = ruleset.with_changes({"grade.优秀.min": 92})            # what-if
    qinglian.compare(results, stricter.evaluate_frame(df)).transitions  # grade moves
    qinglian.weights.ahp(matrix).weights                      # AHP, entropy, CRITIC, … weights
    ruleset.effective_weights()                               # each leaf's weight in the total

All scoring is done by the Rust core; this package only converts data.
"""

from __future__ import annotations

import os
from typing import Union

from . import weights
from ._compare import Comparison, compare
from ._excel import to_excel
from ._frame import ImprovementPlan, Sensitivity, evaluate_frame, score_arrow
from ._qinglian import (
    Cohort,
    CohortError,
    DataWarning,
    Diagnostic,
    Evaluation,
    QinglianError,
    ReadError,
    RecordError,
    Ruleset,
    RulesetError,
    TREATED_IMPUTED,
    TREATED_LOG,
    TREATED_WINSORISED_HIGH,
    TREATED_WINSORISED_LOW,
    WeightsError,
    __version__,
    read_records,
)

__all__ = [
    "Cohort",
    "Comparison",
    "CohortError",
    "DataWarning",
    "Diagnostic",
    "Evaluation",
    "ImprovementPlan",
    "QinglianError",
    "ReadError",
    "RecordError",
    "Ruleset",
    "RulesetError",
    "Sensitivity",
    "TREATED_IMPUTED",
    "TREATED_LOG",
    "TREATED_WINSORISED_HIGH",
    "TREATED_WINSORISED_LOW",
    "WeightsError",
    "__version__",
    "compare",
    "evaluate_frame",
    "from_toml",
    "load",
    "read_records",
    "score_arrow",
    "to_excel",
    "weights",
]


def load(path: Union[str, "os.PathLike[str]"]) -> Ruleset:
    """Reads, parses and validates a ruleset file; raises `RulesetError` listing every error."""
    return Ruleset.load(path)


def from_toml(text: str, file: Union[str, None] = None) -> Ruleset:
    """Parses and validates a ruleset from TOML text (`file` names it in diagnostics)."""
    return Ruleset.from_toml(text, file)
