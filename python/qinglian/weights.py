"""Weights for a composite index, computed by the Rust core (formulas: docs/weights.md).

Pairwise judgements (AHP) or a data matrix — rows are units, columns indicators — in; weights
summing to 1 out. A matrix may be a list of rows, a 2-D numpy array or a pandas DataFrame (its
column names are kept in the result)::

    from qinglian import weights
    w = weights.ahp([[1, 5, 3], [1/5, 1, 1/3], [1/3, 3, 1]])
    w.weights, w.lambda_max, w.ci, w.cr        # (0.637, 0.105, 0.258), 3.039, 0.019, 0.033
    weights.entropy(df).to_series()            # 熵权法 on raw values, indexed by df's columns
    weights.entropy(df, directions=[1, -1, 1], normalise=True)
    weights.critic(df, directions=["higher", "lower", "higher"])

Every error is a `qinglian.WeightsError` with `code`, `message` and the 0-based `row` and
`column` of the cell at fault.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._qinglian import (
    WeightsError,
    weights_ahp,
    weights_equal,
    weights_of_data,
    weights_outranking,
)

__all__ = [
    "AhpResult",
    "ConsistencyWarning",
    "Outranking",
    "Weights",
    "WeightsError",
    "ahp",
    "critic",
    "entropy",
    "equal",
    "outranking",
    "pca",
    "sd",
]

Direction = Union[int, float, str]
Directions = Union[Sequence[Direction], Mapping[str, Direction]]


class ConsistencyWarning(UserWarning):
    """An AHP matrix whose consistency ratio is above the threshold (0.1 by default)."""


@dataclass(frozen=True)
class Weights:
    """Weights of a data matrix: one per column, summing to 1."""

    weights: npt.NDArray[np.float64]
    names: Optional[List[str]]
    rows_used: int
    dropped_rows: List[int]

    def to_series(self) -> Any:
        """The weights as a pandas Series indexed by column name (or position)."""
        return _series(self.weights, self.names)

    def to_dict(self) -> Dict[str, float]:
        """The weights by column name (or position, as a string)."""
        return _as_dict(self.weights, self.names)


@dataclass(frozen=True)
class AhpResult:
    """AHP weights of a pairwise comparison matrix, with its consistency."""

    weights: npt.NDArray[np.float64]
    names: Optional[List[str]]
    lambda_max: float
    ci: float
    ri: float
    cr: float
    iterations: int
    warning: Optional[str]

    @property
    def consistent(self) -> bool:
        """Whether CR is within the threshold the matrix was checked against."""
        return self.warning is None

    def to_series(self) -> Any:
        """The weights as a pandas Series indexed by criterion name (or position)."""
        return _series(self.weights, self.names)

    def to_dict(self) -> Dict[str, float]:
        """The weights by criterion name (or position, as a string)."""
        return _as_dict(self.weights, self.names)


def ahp(
    matrix: Any,
    *,
    random_index: str = "saaty1980",
    tolerance: float = 0.05,
    strict: bool = False,
    threshold: float = 0.1,
) -> AhpResult:
    """AHP weights: the principal eigenvector of a pairwise comparison matrix, λmax, CI and CR.

    `random_index` names the table for CR: "saaty1980" (default, n ≤ 10), "xu1988" or
    "alonso-lamata2006" (n ≤ 15). `tolerance` bounds |a_ij · a_ji − 1|. Above `threshold`, a
    `ConsistencyWarning` is issued, or with `strict=True` a `WeightsError` is raised.
    """
    rows, names = _matrix(matrix)
    r = weights_ahp(rows, random_index, float(tolerance), bool(strict), float(threshold))
    if r["warning"] is not None:
        warnings.warn(r["warning"], ConsistencyWarning, stacklevel=2)
    return AhpResult(
        weights=np.asarray(r["weights"], dtype=np.float64),
        names=names,
        lambda_max=r["lambda_max"],
        ci=r["ci"],
        ri=r["ri"],
        cr=r["cr"],
        iterations=r["iterations"],
        warning=r["warning"],
    )


def entropy(
    matrix: Any,
    directions: Optional[Directions] = None,
    normalise: bool = False,
    drop_missing: bool = False,
) -> Weights:
    """Entropy weights (熵权法), on raw values (≥ 0) unless `normalise` min-max scales each
    column first, mirroring the lower-is-better ones (`directions` needs `normalise`)."""
    return _data("entropy", matrix, directions, normalise, drop_missing)


def critic(
    matrix: Any, directions: Optional[Directions] = None, drop_missing: bool = False
) -> Weights:
    """CRITIC weights: contrast (sample sd after direction-aware min-max) times conflict
    (Σ 1 − Pearson r with the other columns)."""
    return _data("critic", matrix, directions, False, drop_missing)


def sd(matrix: Any, drop_missing: bool = False) -> Weights:
    """Standard-deviation weights: each column's sample sd after min-max scaling."""
    return _data("sd", matrix, None, False, drop_missing)


def pca(matrix: Any, drop_missing: bool = False) -> Weights:
    """PCA weights: squared loadings of the first principal component of the correlation matrix
    (as `prcomp(x, scale. = TRUE)`), scaled to sum to 1."""
    return _data("pca", matrix, None, False, drop_missing)


def equal(n: int) -> npt.NDArray[np.float64]:
    """Equal weights for `n` indicators."""
    return np.asarray(weights_equal(n), dtype=np.float64)


@dataclass(frozen=True)
class Outranking:
    """The outranking matrix of a data matrix and its Copeland scores (`outranking`)."""

    matrix: npt.NDArray[np.float64]
    """Row i, column j: the share of the weight on which unit i beats unit j (ties half)."""
    copeland: npt.NDArray[np.float64]
    """Per unit: the units it outranks minus the units that outrank it."""
    dominant_pairs: int
    """Pairs where one unit beats the other on every column."""
    dominant_share: float
    """`dominant_pairs` over all pairs."""


def outranking(
    matrix: Any,
    weights: Optional[Sequence[float]] = None,
    directions: Optional[Directions] = None,
) -> Outranking:
    """The outranking matrix and Copeland scores of a data matrix (rows: units; None and NaN
    are missing values), as COINr's `outrankMatrix` and `a_copeland`: for units i and j, the
    share of the `weights` (one per column, scaled to sum to 1; equal by default) on which i
    beats j, ties counting half and missing values for neither, with the entry below the
    diagonal 1 − the one above. Columns whose direction is lower-is-better are compared the
    other way round. At most 5,000 units.
    """
    rows, names = _matrix(matrix)
    r = weights_outranking(
        rows,
        None if weights is None else [float(w) for w in weights],
        _directions(directions, names),
    )
    return Outranking(
        matrix=np.asarray(r["matrix"], dtype=np.float64).reshape(len(rows), len(rows)),
        copeland=np.asarray(r["copeland"], dtype=np.float64),
        dominant_pairs=int(r["dominant_pairs"]),
        dominant_share=math.nan if r["dominant_share"] is None else float(r["dominant_share"]),
    )


def _data(
    method: str,
    matrix: Any,
    directions: Optional[Directions],
    normalise: bool,
    drop_missing: bool,
) -> Weights:
    rows, names = _matrix(matrix)
    r = weights_of_data(
        method, rows, _directions(directions, names), bool(normalise), bool(drop_missing)
    )
    return Weights(
        weights=np.asarray(r["weights"], dtype=np.float64),
        names=names,
        rows_used=r["rows_used"],
        dropped_rows=list(r["dropped_rows"]),
    )


def _matrix(matrix: Any) -> Tuple[List[List[float]], Optional[List[str]]]:
    """Rows of floats (None and NaN are missing values), and column names if the input has them."""
    if hasattr(matrix, "columns") and hasattr(matrix, "to_numpy"):
        names = [str(c) for c in matrix.columns]
        values = matrix.to_numpy(dtype=np.float64, na_value=math.nan)
        return values.tolist(), names
    if isinstance(matrix, np.ndarray):
        if matrix.ndim != 2:
            raise ValueError(f"a matrix must have 2 dimensions, this array has {matrix.ndim}")
        return np.asarray(matrix, dtype=np.float64).tolist(), None
    return [[math.nan if v is None else float(v) for v in row] for row in matrix], None


def _directions(
    directions: Optional[Directions], names: Optional[List[str]]
) -> Optional[List[Direction]]:
    if directions is None:
        return None
    if isinstance(directions, Mapping):
        if names is None:
            raise TypeError("directions by column name need a DataFrame with column names")
        return [directions[name] for name in names]
    return [d if isinstance(d, str) else float(d) for d in directions]


def _series(values: npt.NDArray[np.float64], names: Optional[List[str]]) -> Any:
    import pandas as pd

    return pd.Series(values, index=names, name="weight")


def _as_dict(values: npt.NDArray[np.float64], names: Optional[List[str]]) -> Dict[str, float]:
    keys = names if names is not None else [str(i) for i in range(len(values))]
    return {k: float(v) for k, v in zip(keys, values)}
