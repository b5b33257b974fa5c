"""Column-wise scoring of data frames: pandas, pyarrow and polars in, pandas out.

This module only moves data: it extracts one column per declared input (float64 buffers for
numeric columns, lists of values for the others), hands them to the Rust core through
`Ruleset._evaluate_columns` (which releases the GIL while it checks and scores), and assembles
the result columns into a pandas DataFrame. No scoring happens here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._qinglian import Ruleset

__all__ = ["evaluate_frame", "prepare", "assemble", "Prepared"]

#: Result columns, in order, before the indicator columns.
SUMMARY_COLUMNS = (
    "score",
    "max_score",
    "base_score",
    "bonus_score",
    "grade",
    "rank",
    "percentile",
    "tier",
)


@dataclass
class Prepared:
    """The columns of a frame, ready for the core."""

    length: int
    numbers: Dict[str, bytes] = field(default_factory=dict)
    cells: Dict[str, List[Any]] = field(default_factory=dict)
    ids: Optional[List[Any]] = None
    names: Optional[List[Any]] = None
    index: Any = None
    kept: Dict[str, Any] = field(default_factory=dict)


class _Columns:
    """Uniform access to the columns of a pandas, pyarrow or polars frame."""

    def __init__(self, data: Any) -> None:
        self.kind = _kind_of(data)
        if self.kind == "records":
            import pandas as pd

            data = pd.DataFrame(list(data))
            self.kind = "pandas"
        elif self.kind == "mapping":
            import pandas as pd

            data = pd.DataFrame(dict(data))
            self.kind = "pandas"
        self.data = data
        if self.kind == "pandas":
            self.names = [str(c) for c in data.columns]
            self.by_name = {str(c): c for c in data.columns}
            self.length = len(data)
        elif self.kind == "pyarrow":
            self.names = list(data.schema.names)
            self.by_name = {n: n for n in self.names}
            self.length = data.num_rows
        else:  # polars
            self.names = list(data.columns)
            self.by_name = {n: n for n in self.names}
            self.length = data.height

    def has(self, name: str) -> bool:
        return name in self.by_name

    def index(self) -> Any:
        import pandas as pd

        if self.kind == "pandas":
            return self.data.index
        return pd.RangeIndex(self.length)

    def values(self, name: str) -> Any:
        """The column as a numpy array (numeric/bool, NaN for missing) or a list of values."""
        key = self.by_name[name]
        if self.kind == "pandas":
            return _pandas_values(self.data[key], name)
        if self.kind == "pyarrow":
            return _arrow_values(self.data.column(key))
        return _polars_values(self.data.get_column(key))

    def pandas_column(self, name: str) -> Any:
        key = self.by_name[name]
        if self.kind == "pandas":
            return self.data[key].to_numpy()
        values = self.values(name)
        return values if isinstance(values, np.ndarray) else np.array(values, dtype=object)


def _kind_of(data: Any) -> str:
    module = type(data).__module__ or ""
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return "pandas"
    if module.startswith("pyarrow") and hasattr(data, "schema") and hasattr(data, "num_rows"):
        return "pyarrow"
    if module.startswith("polars") and hasattr(data, "get_column"):
        return "polars"
    if isinstance(data, dict):
        return "mapping"
    if isinstance(data, (list, tuple)) and all(isinstance(r, dict) for r in data):
        return "records"
    raise TypeError(
        "evaluate_frame expects a pandas DataFrame, a pyarrow Table or RecordBatch, a polars "
        f"DataFrame, a dict of columns or a list of dicts, not {type(data).__name__}"
    )


def _pandas_values(series: Any, name: str) -> Any:
    import pandas as pd
    from pandas.api import types

    if isinstance(series, pd.DataFrame):
        raise ValueError(f"column `{name}` appears more than once")
    dtype = series.dtype
    if types.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return series.to_numpy()
        return series.to_numpy(dtype="float64", na_value=np.nan)  # nullable boolean
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return series.astype(object).tolist()


def _arrow_values(column: Any) -> Any:
    import pyarrow as pa

    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        if pa.types.is_decimal(kind):
            column = column.cast(pa.float64())
        return np.asarray(_arrow_numpy(column), dtype=np.float64)
    if pa.types.is_boolean(kind) and column.null_count == 0:
        return np.asarray(_arrow_numpy(column), dtype=bool)
    if pa.types.is_boolean(kind):
        return np.asarray(_arrow_numpy(column.cast(pa.float64())), dtype=np.float64)
    return column.to_pylist()


def _arrow_numpy(column: Any) -> Any:
    try:
        return column.to_numpy(zero_copy_only=False)
    except TypeError:  # ChunkedArray of older pyarrow versions
        return column.to_numpy()


def _polars_values(series: Any) -> Any:
    dtype = series.dtype
    if dtype.is_numeric():
        return np.asarray(series.cast(_polars_float64()).to_numpy(), dtype=np.float64)
    if str(dtype) == "Boolean":
        if series.null_count() == 0:
            return np.asarray(series.to_numpy(), dtype=bool)
        return np.asarray(series.cast(_polars_float64()).to_numpy(), dtype=np.float64)
    return series.to_list()


def _polars_float64() -> Any:
    import polars as pl

    return pl.Float64


def prepare(ruleset: "Ruleset", data: Any, keep: Optional[Sequence[str]] = None) -> Prepared:
    """Extracts the inputs of `ruleset` from `data`, one column each."""
    columns = _Columns(data)
    prepared = Prepared(length=columns.length, index=columns.index())
    for spec in ruleset.inputs:
        name = spec["name"]
        if not columns.has(name):
            continue
        values = columns.values(name)
        if isinstance(values, np.ndarray) and values.dtype == bool:
            if spec["type"] == "boolean":
                prepared.numbers[name] = values.astype(np.float64).tobytes()
            else:
                prepared.cells[name] = values.tolist()
        elif isinstance(values, np.ndarray):
            prepared.numbers[name] = np.ascontiguousarray(values, dtype=np.float64).tobytes()
        else:
            prepared.cells[name] = list(values)
    id_field, name_field = ruleset.id_field, ruleset.name_field
    if columns.has(id_field):
        prepared.ids = _labels(columns.values(id_field))
    elif columns.kind == "pandas" and not _is_default_index(prepared.index):
        prepared.ids = list(prepared.index)
    if columns.has(name_field):
        prepared.names = _labels(columns.values(name_field))
    if keep is None:
        keep = [c for c in (id_field, name_field) if columns.has(c)]
    for name in keep:
        if not columns.has(name):
            raise KeyError(f"column `{name}` (in keep=) is not in the data")
        prepared.kept[name] = columns.pandas_column(name)
    return prepared


def _labels(values: Any) -> List[Any]:
    if isinstance(values, np.ndarray):
        return list(values.tolist())
    return list(values)


def _is_default_index(index: Any) -> bool:
    import pandas as pd

    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


def assemble(ruleset: "Ruleset", prepared: Prepared, raw: Dict[str, Any]) -> "pd.DataFrame":
    """The pandas DataFrame of result columns."""
    import pandas as pd

    def floats(buffer: bytes) -> np.ndarray:
        return np.frombuffer(buffer, dtype=np.float64)

    out: Dict[str, Any] = dict(prepared.kept)
    out["score"] = floats(raw["score"])
    out["max_score"] = floats(raw["max_score"])
    out["base_score"] = floats(raw["base_score"])
    out["bonus_score"] = floats(raw["bonus_score"])
    def texts(values: List[Any]) -> Any:
        return pd.Series(values, dtype=object, index=prepared.index)

    out["grade"] = texts(raw["grade"])
    out["rank"] = pd.array(floats(raw["rank"]), dtype="Int64")
    out["percentile"] = floats(raw["percentile"])
    out["tier"] = texts(raw["tier"])
    for path, buffer in raw["indicators"].items():
        out[path] = floats(buffer)
    out["error"] = texts(raw["error"])
    out["error_code"] = texts(raw["error_code"])
    return pd.DataFrame(out, index=prepared.index)


def evaluate_frame(
    ruleset: "Ruleset",
    data: Any,
    keep: Optional[Sequence[str]] = None,
) -> "pd.DataFrame":
    """Scores every row of `data` as one cohort; returns a pandas DataFrame in the same order.

    `data` is a pandas DataFrame, a pyarrow Table or RecordBatch, a polars DataFrame, a dict of
    columns or a list of dicts; columns named like the ruleset's inputs are read, others ignored.
    The result has the input's index and the columns: the `keep` columns of the input (default:
    the ruleset's id and name fields when present), score, max_score, base_score, bonus_score,
    grade, rank, percentile, tier, one column per indicator (named by its path), error (a
    readable message for a row that could not be scored, else None) and error_code.
    """
    prepared = prepare(ruleset, data, keep)
    raw = ruleset._evaluate_columns(
        prepared.length, prepared.numbers, prepared.cells, prepared.ids, prepared.names
    )
    return assemble(ruleset, prepared, raw)

