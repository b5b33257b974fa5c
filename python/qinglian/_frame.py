"""Column-wise scoring of data frames: pandas, pyarrow and polars in; pandas or Arrow out.

This module only moves data. It picks one column per declared input and hands the columns to
the Rust core, which checks and scores them without the GIL and returns the result columns:

- pandas, a dict of columns, a list of dicts: float64 and bool numpy arrays are passed as they
  are and scored in place (no copy, no Python object per cell); integer columns become float64
  arrays; other columns (text, objects) are passed as sequences of values;
- pyarrow Tables and RecordBatches, polars frames (through `to_arrow()`) and any object with
  `__arrow_c_stream__` / `__arrow_c_array__`: read by the core through the Arrow C data
  interface, with no Python object per cell.

The result columns come back as numpy arrays that own the core's buffers (or as one Arrow
record batch) and are put into a pandas DataFrame without copying. No scoring happens here.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._qinglian import Cohort, Ruleset

__all__ = [
    "ALERT_LEVELS",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "decompose",
    "evaluate_frame",
    "fit",
    "improve",
    "ImprovementPlan",
    "score_arrow",
    "prepare",
    "assemble",
    "Prepared",
]

#: Result columns, in order, after the kept columns and before the indicator columns.
SUMMARY_COLUMNS = (
    "score",
    "max_score",
    "base_score",
    "bonus_score",
    "grade",
    "rank",
    "percentile",
    "tier",
    "vetoed",
    "vetoes",
    "alerts",
    "alert_level",
)

#: The categories of `alert_level`, lowest first (an ordered Categorical).
ALERT_LEVELS = ("blue", "yellow", "orange", "red")

#: The categories of the `<path>:status` columns.
STATUSES = ("scored", "zeroed", "missing", "not_applicable")

_TO = ("pandas", "arrow")


@dataclass
class Prepared:
    """The columns of a frame, ready for the core."""

    length: int
    #: Input name → float64 or bool numpy array, or a list of values.
    columns: Dict[str, Any] = field(default_factory=dict)
    #: Labels by position (for the messages of rows in error), or None.
    ids: Any = None


class _Source:
    """A frame as either pandas (numpy columns) or Arrow (read by the core)."""

    def __init__(self, data: Any) -> None:
        kind = _kind_of(data)
        self.pandas: Any = None
        self.arrow: Any = None
        self.arrow_is_batch = False
        if kind == "records":
            import pandas as pd

            self.pandas = pd.DataFrame(list(data))
        elif kind == "mapping":
            import pandas as pd

            self.pandas = pd.DataFrame(dict(data))
        elif kind == "pandas":
            self.pandas = data
        elif kind == "polars":
            self.arrow = data.to_arrow()
        elif kind == "pyarrow":
            import pyarrow as pa

            self.arrow = data
            self.arrow_is_batch = isinstance(data, pa.RecordBatch)
        else:  # any other Arrow producer
            import pyarrow as pa

            if hasattr(data, "__arrow_c_stream__"):
                self.arrow = pa.table(data)
            else:
                self.arrow = pa.record_batch(data)
                self.arrow_is_batch = True
        if self.pandas is not None:
            self.names = [str(c) for c in self.pandas.columns]
            self.by_name = {str(c): c for c in self.pandas.columns}
            self.length = len(self.pandas)
        else:
            self.names = list(self.arrow.schema.names)
            self.by_name = {n: n for n in self.names}
            self.length = self.arrow.num_rows

    def has(self, name: str) -> bool:
        return name in self.by_name

    def index(self) -> Any:
        import pandas as pd

        if self.pandas is not None:
            return self.pandas.index
        return pd.RangeIndex(self.length)

    def pandas_column(self, name: str) -> Any:
        """A column for a pandas result: the input's own array (no copy)."""
        if self.pandas is not None:
            column = self.pandas[self.by_name[name]]
            if not hasattr(column, "array"):
                raise ValueError(f"column `{name}` appears more than once")
            return column.array
        return _arrow_column(self.arrow, name).to_pandas().array

    def arrow_column(self, name: str) -> Any:
        """A column for an Arrow result."""
        import pyarrow as pa

        if self.arrow is not None:
            return _arrow_column(self.arrow, name)
        return pa.array(self.pandas[self.by_name[name]], from_pandas=True)

    def select_pandas(self, names: Sequence[str]) -> "pd.DataFrame":
        """Some columns as a pandas DataFrame (for grouping)."""
        if self.pandas is not None:
            return self.pandas[[self.by_name[n] for n in names]]
        return self.arrow.select(list(names)).to_pandas()


def _arrow_column(data: Any, name: str) -> Any:
    return data.column(data.schema.get_field_index(name))


def _kind_of(data: Any) -> str:
    module = type(data).__module__ or ""
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return "pandas"
    if module.startswith("pyarrow") and hasattr(data, "schema") and hasattr(data, "num_rows"):
        return "pyarrow"
    if module.startswith("polars") and hasattr(data, "to_arrow"):
        return "polars"
    if isinstance(data, dict):
        return "mapping"
    if isinstance(data, (list, tuple)) and all(isinstance(r, dict) for r in data):
        return "records"
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return "arrow"
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
            return np.ascontiguousarray(series.to_numpy())
        return series.to_numpy(dtype="float64", na_value=np.nan)  # nullable boolean
    if isinstance(dtype, np.dtype) and dtype == np.int64:
        # Passed as it is: the core converts it just before scoring and frees it right after.
        return np.ascontiguousarray(series.to_numpy())
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        # A view of a float64 column (the core reads it in place); a converted copy otherwise.
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return series.astype(object).tolist()


def _is_default_index(index: Any) -> bool:
    import pandas as pd

    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


def prepare(ruleset: "Ruleset", source: Union[_Source, Any]) -> Prepared:
    """The columns of a pandas-like frame that hold the inputs of `ruleset`."""
    if not isinstance(source, _Source):
        source = _Source(source)
    if source.pandas is None:
        raise TypeError("prepare() reads pandas frames; Arrow data goes to the core directly")
    df = source.pandas
    prepared = Prepared(length=source.length)
    # Columns headed by an input's name, label or alias (matched by the core, as in files).
    found = ruleset._match_columns(source.names)
    # By label where labels are unique and flat: half the time of positional `iloc`, which
    # counts for a small frame scored many times (uncertainty, sensitivity).
    labels = df.columns if df.columns.is_unique and df.columns.nlevels == 1 else None
    for spec, at in zip(ruleset.inputs, found):
        if at is not None:
            name = spec["name"]
            column = df.iloc[:, at] if labels is None else df[labels[at]]
            prepared.columns[name] = _pandas_values(column, name)
    id_column, _ = _label_names(ruleset, source)
    if id_column is not None:
        prepared.ids = source.pandas_column(id_column)
    elif not _is_default_index(df.index):
        prepared.ids = df.index
    if prepared.ids is not None and ruleset.reference_units:
        # `distance_to_reference` indicators find their reference unit's rows by id.
        prepared.columns.setdefault(ruleset.id_field, prepared.ids)
    return prepared


def _label_names(ruleset: "Ruleset", source: _Source) -> Tuple[Optional[str], Optional[str]]:
    """The columns of the unit id and name: `id_field`/`name_field` in any capitals, or one of
    their aliases (`编号`, `单位名称`), matched by the core as the headers of a file."""
    at_id, at_name = ruleset._label_columns(source.names)
    return (
        None if at_id is None else source.names[at_id],
        None if at_name is None else source.names[at_name],
    )


def _keep(ruleset: "Ruleset", source: _Source, keep: Optional[Sequence[str]]) -> List[str]:
    if keep is None:
        return [c for c in _label_names(ruleset, source) if c is not None]
    if isinstance(keep, str):
        keep = [keep]
    names = list(keep)
    for name in names:
        if not source.has(name):
            raise KeyError(f"column `{name}` (in keep=) is not in the data")
    return names


def _groups(source: _Source, by: Union[None, str, Sequence[str]]) -> Optional[np.ndarray]:
    """One int64 code per row: rows with equal values in the `by` columns share a code (a
    missing value is a value of its own)."""
    if by is None:
        return None
    names = [by] if isinstance(by, str) else list(by)
    if not names:
        raise ValueError("by= names no column")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"by= takes column names, not {type(name).__name__}")
        if not source.has(name):
            raise KeyError(f"column `{name}` (in by=) is not in the data")
    keys = source.select_pandas(names)
    codes = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup()
    return np.ascontiguousarray(codes.to_numpy(), dtype=np.int64)


def _by_names(by: Union[None, str, Sequence[str]]) -> List[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else [n for n in by if isinstance(n, str)]


def _warn_notes(ruleset: "Ruleset", source: _Source, keep: Sequence[str], stacklevel: int) -> None:
    """One `DataWarning` per call with the notes on the columns: a column that is not an input
    but is close to one (a likely misspelling), and inputs no column holds. Columns far from
    every input are not noted (analysts' frames carry them on purpose), nor those kept or
    grouped by."""
    message = ruleset._column_notes(source.names, list(keep))
    if message is not None:
        from ._qinglian import DataWarning

        warnings.warn(message, DataWarning, stacklevel=stacklevel + 1)


def _check(by: Any, cohort: Any, to: str) -> None:
    from ._qinglian import Cohort

    if to not in _TO:
        raise ValueError(f"to= must be \"pandas\" or \"arrow\", not {to!r}")
    if by is not None and cohort is not None:
        raise ValueError(
            "by= and cohort= cannot be combined: rows are ranked either within their group or "
            "against the fitted cohort"
        )
    if cohort is not None and not isinstance(cohort, Cohort):
        raise TypeError(
            f"cohort= takes a qinglian.Cohort (from Ruleset.fit), not {type(cohort).__name__}"
        )


def _repeated_ids(
    ruleset: "Ruleset", source: _Source, groups: Optional[np.ndarray] = None
) -> List[Tuple[int, int, str]]:
    """(row, first row, id) for each row whose unit id an earlier row already had — an earlier
    row of its group, with `groups` (a panel scored by year holds each unit once a year)."""
    import pandas as pd

    id_column, _ = _label_names(ruleset, source)
    if id_column is None:
        return []
    if groups is not None:
        return _repeated_in_groups(pd.Series(source.pandas_column(id_column), copy=False), groups)
    # Text ids (Arrow strings: pandas' own `str` columns, Arrow and polars frames) are hashed by
    # the core without the GIL, several times faster than a pandas hash table of them. An Arrow
    # frame's are read as they are, not made a pandas column first.
    if source.arrow is not None:
        found = _repeated_text_ids(source, id_column)
        if found is not None:
            return found
    ids = pd.Series(source.pandas_column(id_column), copy=False)
    # Ids in strictly increasing order (a frame sorted by its id, as most are) cannot repeat:
    # one pass of comparisons instead of hashing every id.
    if _strictly_increasing(ids):
        return []
    if source.arrow is None:
        found = _repeated_text_ids(source, id_column)
        if found is not None:
            return found
    # One hash pass (the whole cost on a large frame); the rest only when some id repeats.
    codes, uniques = pd.factorize(ids)
    present = codes >= 0
    if len(uniques) == int(present.sum()):
        return []
    # The first row of each code (missing ids are code −1, which sorts first).
    _, first_of_code = np.unique(codes, return_index=True)
    if not present.all():
        first_of_code = first_of_code[1:]
    first = first_of_code[np.where(present, codes, 0)]
    later = np.flatnonzero(present & (first != np.arange(len(codes))))
    return [(int(r), int(first[r]), _id_text(ids.iloc[r])) for r in later]


def _repeated_in_groups(ids: "pd.Series", groups: np.ndarray) -> List[Tuple[int, int, str]]:
    """`_repeated_ids` of (group, id) pairs."""
    import pandas as pd

    codes, uniques = pd.factorize(ids)
    present = codes >= 0
    # One key per (group, id) pair; missing ids are no id.
    keys = np.where(present, groups.astype(np.int64) * (len(uniques) + 1) + codes, -1)
    _, first_of_key, inverse = np.unique(keys, return_index=True, return_inverse=True)
    first = first_of_key[inverse.ravel()]
    later = np.flatnonzero(present & (first != np.arange(len(codes))))
    return [(int(r), int(first[r]), _id_text(ids.iloc[r])) for r in later]


def _repeated_text_ids(source: _Source, name: str) -> Optional[List[Tuple[int, int, str]]]:
    """`_repeated_ids` through the core for a column of text; `None` for any other column."""
    if source.arrow is not None:
        column = _arrow_column(source.arrow, name)
    else:
        array = source.pandas_column(name)
        # Only columns already held as Arrow strings: converting objects would cost more than it
        # saves.
        if not hasattr(array, "__arrow_array__") or "str" not in str(array.dtype):
            return None
        try:
            import pyarrow as pa
        except ImportError:
            return None
        column = pa.array(array)
    from ._qinglian import _repeated_ids as repeated_in_core

    return repeated_in_core(column)


def _strictly_increasing(ids: "pd.Series") -> bool:
    """Whether every id is present and greater than the one before (numbers in a numpy
    column, texts in an Arrow-backed one); `False` when that cannot be told cheaply."""
    dtype = ids.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind not in "iuf":
            return False
        values = ids.to_numpy()
        # (A missing id, NaN, compares false.)
        return bool(np.all(values[1:] > values[:-1]))
    to_arrow = getattr(ids.array, "__arrow_array__", None)
    if to_arrow is None:
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = to_arrow()
    except (TypeError, ValueError, pa.ArrowException):
        return False
    if values.null_count:
        return False
    if len(values) < 2:
        return True
    try:
        ordered = pc.all(pc.less(values.slice(0, len(values) - 1), values.slice(1)))
    except (TypeError, pa.ArrowException):
        return False
    return bool(ordered.as_py())


def _id_text(value: Any) -> str:
    """An id as the core writes it: whole numbers without a trailing `.0`."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _score(
    ruleset: "Ruleset",
    source: _Source,
    by: Any,
    cohort: Optional["Cohort"],
    status: bool,
    arrow: bool,
    strict: bool = False,
    keep: Sequence[str] = (),
) -> Any:
    groups = _groups(source, by)
    repeated = _repeated_ids(ruleset, source, groups)
    _warn_notes(ruleset, source, list(keep) + _by_names(by), stacklevel=3)
    if source.arrow is not None:
        return ruleset._score_arrow(
            source.arrow, groups, cohort, status, arrow, repeated=repeated, strict=strict
        )
    prepared = prepare(ruleset, source)
    return ruleset._score_columns(
        prepared.length,
        prepared.columns,
        prepared.ids,
        groups,
        cohort,
        status,
        arrow,
        repeated=repeated,
        strict=strict,
    )


def assemble(
    ruleset: "Ruleset",
    raw: Dict[str, Any],
    index: Any,
    kept: Dict[str, Any],
    status: bool = False,
) -> "pd.DataFrame":
    """The pandas DataFrame of result columns (every array is used as it is, not copied)."""
    import pandas as pd

    n = len(raw["score"])

    def categorical(codes: np.ndarray, categories: Sequence[str], ordered: bool) -> Any:
        return pd.Categorical.from_codes(codes, categories=list(categories), ordered=ordered)

    def objects(values: np.ndarray) -> Any:
        return pd.Series(values, index=index, dtype=object, copy=False)

    out: Dict[str, Any] = dict(kept)
    for name in ("score", "max_score", "base_score", "bonus_score"):
        out[name] = raw[name]
    out["grade"] = categorical(raw["grade"], ruleset.grade_names[::-1], True)
    out["rank"] = pd.arrays.IntegerArray(raw["rank"], raw["rank_missing"])
    out["percentile"] = raw["percentile"]
    out["tier"] = categorical(raw["tier"], ruleset.quota_names[::-1], True)
    out["vetoed"] = raw["vetoed"]
    out["vetoes"] = objects(raw["vetoes"])
    out["alerts"] = objects(raw["alerts"])
    out["alert_level"] = categorical(raw["alert_level"], ALERT_LEVELS, True)
    out.update(raw["indicators"])
    if status:
        for path, codes in raw["statuses"].items():
            out[f"{path}:status"] = categorical(codes, STATUSES, False)
        for path, flags in raw.get("treated", {}).items():
            out[f"{path}:treated"] = flags
    error = np.full(n, None, dtype=object)
    error_code = np.full(n, None, dtype=object)
    rows = raw["error_rows"]
    if len(rows):
        error[rows] = raw["error_messages"]
        error_code[rows] = raw["error_codes"]
    out["error"] = objects(error)
    out["error_code"] = objects(error_code)
    frame = pd.DataFrame(out, index=index, copy=False)
    # Provenance: the rules that made these numbers travel with the frame.
    frame.attrs["ruleset"] = ruleset.provenance
    return frame


def _arrow_metadata(ruleset: "Ruleset") -> Dict[bytes, bytes]:
    """Provenance as Arrow schema metadata (written to Parquet and Feather files as well)."""
    p = ruleset.provenance
    return {
        b"qinglian.ruleset": p["id"].encode(),
        b"qinglian.ruleset_version": p["version"].encode(),
        b"qinglian.ruleset_hash": p["hash"].encode(),
    }


def _arrow_out(
    ruleset: "Ruleset", source: _Source, keep: List[str], batch: Any, as_batch: bool
) -> Any:
    import pyarrow as pa

    arrays = [source.arrow_column(name) for name in keep] + list(batch.columns)
    names = keep + list(batch.schema.names)
    metadata = _arrow_metadata(ruleset)
    if as_batch:
        return pa.RecordBatch.from_arrays(arrays, names=names, metadata=metadata)
    return pa.Table.from_arrays(arrays, names=names, metadata=metadata)


def evaluate_frame(
    ruleset: "Ruleset",
    data: Any,
    keep: Optional[Sequence[str]] = None,
    by: Union[None, str, Sequence[str]] = None,
    cohort: Optional["Cohort"] = None,
    status: bool = False,
    to: str = "pandas",
    strict: bool = False,
) -> Any:
    """Scores every row of `data`; returns a pandas DataFrame (or, with `to="arrow"`, a pyarrow
    Table) with one row per input row, in the same order.

    `data` is a pandas DataFrame, a pyarrow Table or RecordBatch, a polars DataFrame, a dict of
    columns or a list of dicts; columns named like the ruleset's inputs are read, others
    ignored. The rows are one cohort (rank, percentile, tier, `rank` scorers); with `by` (a
    column name or a list of them) one cohort per distinct key; with `cohort` (from
    `Ruleset.fit`) each row is scored and placed against that fitted reference.

    Columns of the result: the `keep` columns of the input (default: the ruleset's id and name
    fields when present), score, max_score, base_score, bonus_score, grade (an ordered
    Categorical, worst band first, so `results.grade >= "良好"` means 良好 or better), rank
    (nullable Int64), percentile, tier (an ordered Categorical, worst first), vetoed (bool),
    vetoes and alerts (tuples of the ids that fired; empty where none did), alert_level (the
    highest level raised: an ordered Categorical blue < yellow < orange < red, NaN if none), one
    float column per indicator (its points; NaN where it was not applicable, its data missing,
    or the row not scored), with `status=True` a `<path>:status` Categorical per indicator
    (scored, zeroed, missing, not_applicable) and, for each `normalise` indicator that imputes
    or treats outliers, a `<path>:treated` uint8 column of bit flags (`TREATED_IMPUTED` 1,
    `TREATED_WINSORISED_HIGH` 2, `TREATED_WINSORISED_LOW` 4, `TREATED_LOG` 8; 0 where nothing
    was done), error (a readable message for a row that could
    not be scored, else None) and error_code. A pandas result has the input's index.

    A unit id repeated on a later row is reported with a `qinglian.DataWarning` (both rows are
    scored and ranked); with `strict=True` each later row is an error row instead
    (`record.duplicate_id`), neither scored nor ranked.
    """
    _check(by, cohort, to)
    source = _Source(data)
    kept = _keep(ruleset, source, keep)
    arrow = to == "arrow"
    raw = _score(ruleset, source, by, cohort, bool(status), arrow, bool(strict), kept)
    if arrow:
        return _arrow_out(ruleset, source, kept, raw, as_batch=False)
    columns = {name: source.pandas_column(name) for name in kept}
    return assemble(ruleset, raw, source.index(), columns, bool(status))


def score_arrow(
    ruleset: "Ruleset",
    data: Any,
    cohort: Optional["Cohort"] = None,
    by: Union[None, str, Sequence[str]] = None,
    keep: Optional[Sequence[str]] = None,
    status: bool = False,
    strict: bool = False,
) -> Any:
    """Arrow in, Arrow out: scores a pyarrow RecordBatch (or Table, or any object with
    `__arrow_c_array__` / `__arrow_c_stream__`) and returns a RecordBatch (a Table for a Table)
    with the columns of `evaluate_frame`. Inputs are read through the Arrow C data interface,
    with no Python object per cell; a cluster engine calls it once per partition, with a
    `cohort` fitted beforehand so that every partition is ranked against the same reference.
    Numbers of rows that could not be scored, and indicators not applicable or missing, are
    null.
    """
    _check(by, cohort, "arrow")
    source = _Source(data)
    if source.arrow is None:
        raise TypeError(
            f"score_arrow takes Arrow data (a pyarrow RecordBatch or Table), not "
            f"{type(data).__name__}: use evaluate_frame for pandas"
        )
    kept = _keep(ruleset, source, keep)
    batch = _score(ruleset, source, by, cohort, bool(status), True, bool(strict), kept)
    return _arrow_out(ruleset, source, kept, batch, as_batch=source.arrow_is_batch)


def fit(ruleset: "Ruleset", data: Any) -> "Cohort":
    """Fits a reference cohort on `data` (the inputs `evaluate_frame` takes)."""
    source = _Source(data)
    _warn_notes(ruleset, source, [], stacklevel=2)
    if source.arrow is not None:
        return ruleset._fit_arrow(source.arrow)
    prepared = prepare(ruleset, source)
    return ruleset._fit_columns(prepared.length, prepared.columns)


def uncertainty(
    ruleset: "Ruleset",
    data: Any,
    samples: int = 1000,
    weight_noise: float = 0.25,
    seed: int = 42,
    depths: Optional[Sequence[int]] = None,
    keep: Optional[Sequence[str]] = None,
) -> "pd.DataFrame":
    """How far each unit's rank depends on the weights: Monte Carlo over noisy weights (the
    OECD/JRC Handbook's uncertainty analysis; COINr's `get_noisy_weights`). Each of `samples`
    samples draws every weight of a node weighted by its parent (or only those at `depths`, 1 =
    the 一级指标) uniformly from [w(1 − f), w(1 + f)] with f = `weight_noise`, and ranks the rows
    of `data` as one cohort. Deterministic under `seed`, whatever the number of cores.

    Returns a pandas DataFrame in the rows' order: the `keep` columns (default: the id and name
    fields), `rank` (with the ruleset's own weights; nullable, missing for a row that could not
    be scored), `rank_median`, `rank_p05` and `rank_p95` (percentiles of the sampled ranks, R's
    default interpolation).
    """
    import pandas as pd

    if samples < 1:
        raise ValueError("samples must be at least 1")
    source = _Source(data)
    if source.arrow is not None:
        source = _Source(source.arrow.to_pandas())
    kept = _keep(ruleset, source, keep)
    prepared = prepare(ruleset, source)
    _warn_notes(ruleset, source, kept, stacklevel=2)
    raw = ruleset._uncertainty_columns(
        prepared.length,
        prepared.columns,
        samples,
        float(weight_noise),
        int(seed),
        None if depths is None else [int(d) for d in depths],
    )
    out: Dict[str, Any] = {name: source.pandas_column(name) for name in kept}
    rank = raw["rank"]
    out["rank"] = pd.arrays.IntegerArray(rank, rank == 0)
    for name in ("rank_median", "rank_p05", "rank_p95"):
        out[name] = raw[name]
    return pd.DataFrame(out, index=source.index(), copy=False)


def copeland(
    ruleset: "Ruleset",
    data: Any,
    node: Optional[str] = None,
    keep: Optional[Sequence[str]] = None,
) -> "pd.DataFrame":
    """Copeland scores of the rows at a group of the tree (`node`, a path; the whole tree when
    None): the OECD/JRC Handbook's non-compensatory aggregation, as COINr's `a_copeland`. Every
    pair of scored rows is compared on the group's children, by their points and weights (ties
    count half; a child missing for a row counts in none of its contests): `copeland` is the
    number of rows a row outranks minus the number that outrank it, `rank` its place by that (1
    = best, ties sharing the better rank; missing for rows that could not be scored). The
    frame's `attrs` hold `dominant_pairs` and `dominant_share`: the pairs where one row beats
    the other on every child, which no choice of weights can reorder. At most 5,000 rows.
    """
    import pandas as pd

    source = _Source(data)
    if source.arrow is not None:
        source = _Source(source.arrow.to_pandas())
    kept = _keep(ruleset, source, keep)
    prepared = prepare(ruleset, source)
    _warn_notes(ruleset, source, kept, stacklevel=2)
    raw = ruleset._copeland_columns(prepared.length, prepared.columns, node)
    out: Dict[str, Any] = {name: source.pandas_column(name) for name in kept}
    out["copeland"] = raw["copeland"]
    rank = raw["rank"]
    out["rank"] = pd.arrays.IntegerArray(rank, rank == 0)
    frame = pd.DataFrame(out, index=source.index(), copy=False)
    frame.attrs["dominant_pairs"] = int(raw["dominant_pairs"])
    frame.attrs["dominant_share"] = float(raw["dominant_share"])
    return frame


@dataclass(frozen=True)
class Sensitivity:
    """What uncertain rule parameters do to a ranking (`Ruleset.sensitivity`).

    `units`: one row per unit, in the rows' order — the `keep` columns, the nominal `rank`,
    `score` and `grade`, `rank_median`, `rank_p05`, `rank_p95`, `score_p05`, `score_p95`,
    `grade_change` (the share of runs ending in another grade than the nominal one) and one
    column per grade band with the share of runs ending in it. `indices` (with `indices=True`):
    one row per parameter — `first` and `total` sensitivity index on the mean absolute rank
    shift, with 95% bootstrap intervals `first_low`, `first_high`, `total_low`, `total_high`.
    `units_changing_grade`: how many units end in another grade in at least one run.
    """

    units: "pd.DataFrame"
    indices: "pd.DataFrame"
    runs: int
    units_changing_grade: int
    output_variance: float


def _parameter_ranges(parameters: Any) -> List[Tuple[str, float, float, bool, Optional[List[Any]]]]:
    if not isinstance(parameters, Mapping) or not parameters:
        raise TypeError(
            "parameters= takes a dict of path → (low, high), → range(a, b) for whole numbers, or "
            '→ a list of alternatives, e.g. {"complaints.scorer.per": (5, 15)}'
        )
    out: List[Tuple[str, float, float, bool, Optional[List[Any]]]] = []
    for path, spec in parameters.items():
        if not isinstance(path, str):
            raise TypeError(f"a parameter's path is a string, not {type(path).__name__}")
        if isinstance(spec, range):
            if len(spec) == 0 or spec.step != 1:
                raise ValueError(f"{path}: the range must hold whole numbers with step 1")
            out.append((path, float(spec.start), float(spec[-1]), True, None))
            continue
        if isinstance(spec, list):
            if not spec:
                raise ValueError(f"{path}: give at least one alternative")
            out.append((path, math.nan, math.nan, False, list(spec)))
            continue
        try:
            low, high = spec
            out.append((path, float(low), float(high), False, None))
        except (TypeError, ValueError):
            raise TypeError(
                f"{path}: give (low, high), range(a, b) or a list of alternatives, not {spec!r:.60}"
            ) from None
    return out


def sensitivity(
    ruleset: "Ruleset",
    data: Any,
    parameters: Mapping[str, Any],
    samples: int = 200,
    seed: int = 42,
    indices: bool = False,
    bootstrap: int = 100,
    keep: Optional[Sequence[str]] = None,
) -> Sensitivity:
    """How the ranking and grades of `data` respond to uncertain rule parameters.

    `parameters` maps a path (as for `with_changes`: `"grade.优秀.min"`,
    `"complaints.scorer.tiers.0.per"`, `"power.weight"`) to the range its value is drawn
    from, uniformly: `(low, high)`, `range(a, b)` for whole numbers, or a list of alternatives
    drawn with equal odds (`{"ruleset.aggregate": ["mean", "geomean"]}`). Each of `samples` runs
    scores the rows as one cohort under one draw. With `indices=True` the runs follow the
    Saltelli design (`samples` × (parameters + 2) runs) and each parameter gets its first-order
    and total sensitivity index (Jansen's estimators, as COINr) on the mean absolute rank shift,
    with `bootstrap` resamples for 95% intervals. Deterministic under `seed`.
    """
    import pandas as pd

    ranges = _parameter_ranges(parameters)
    source = _Source(data)
    if source.arrow is not None:
        source = _Source(source.arrow.to_pandas())
    kept = _keep(ruleset, source, keep)
    prepared = prepare(ruleset, source)
    _warn_notes(ruleset, source, kept, stacklevel=2)
    raw = ruleset._sensitivity_columns(
        prepared.length,
        prepared.columns,
        ranges,
        int(samples),
        int(seed),
        bool(indices),
        int(bootstrap),
    )
    names = list(ruleset.grade_names)
    out: Dict[str, Any] = {name: source.pandas_column(name) for name in kept}
    rank = raw["rank"]
    out["rank"] = pd.arrays.IntegerArray(rank, rank == 0)
    out["score"] = raw["score"]
    # Grade bands come best first; the Categorical is ordered worst first, as in evaluate_frame.
    codes = raw["grade"]
    worst_first = np.where(codes < 0, -1, len(names) - 1 - codes)
    out["grade"] = pd.Categorical.from_codes(worst_first, categories=names[::-1], ordered=True)
    for name in ("rank_median", "rank_p05", "rank_p95", "score_p05", "score_p95", "grade_change"):
        out[name] = raw[name]
    shares = np.asarray(raw["grade_shares"], dtype=float).reshape(prepared.length, len(names))
    for i, name in enumerate(names):
        out[name] = shares[:, i]
    units = pd.DataFrame(out, index=source.index(), copy=False)
    rows = [
        {
            "parameter": i["path"],
            "first": i["first"],
            "total": i["total"],
            "first_low": i["first_interval"][0],
            "first_high": i["first_interval"][1],
            "total_low": i["total_interval"][0],
            "total_high": i["total_interval"][1],
        }
        for i in raw["indices"]
    ]
    columns = ["parameter", "first", "total", "first_low", "first_high", "total_low", "total_high"]
    return Sensitivity(
        units=units,
        indices=pd.DataFrame(rows, columns=columns),
        runs=int(raw["runs"]),
        units_changing_grade=int(raw["units_changing_grade"]),
        output_variance=float(raw["output_variance"]),
    )


_DECOMPOSITION_COLUMNS = [
    "path",
    "indicator",
    "indicator_en",
    "kind",
    "score",
    "max",
    "contribution",
    "rank",
    "of",
    "strength",
    "weakness",
]


def decompose(
    ruleset: "Ruleset",
    data: Any,
    k: int = 3,
    keep: Optional[Sequence[str]] = None,
) -> "pd.DataFrame":
    """Each unit's score taken apart, one row per unit × line (long format).

    The lines of a unit are its indicators (`kind` "indicator"), its bonus items ("bonus", as
    credited after the cap), the points a deduction group starts from ("base") and what a veto
    did to the total ("veto"); their `contribution` adds up to the unit's score (within 1e-9 of
    the ruleset's maximum). `rank` is the line's place among the rows of `data` (1 = best, ties
    sharing the better rank; missing for lines that are not ranked) out of `of`; `strength` and
    `weakness` mark the unit's `k` best-ranked indicators and its `k` worst-ranked ones among
    those where it lost points. Rows that could not be scored have no lines. The `keep` columns
    (default: the id and name fields) come first.
    """
    import pandas as pd

    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"k= takes a whole number ≥ 0, not {type(k).__name__}")
    if k < 0:
        raise ValueError(f"k= takes a whole number ≥ 0, not {k}")
    source = _Source(data)
    if source.arrow is not None:
        source = _Source(source.arrow.to_pandas())
    kept = _keep(ruleset, source, keep)
    prepared = prepare(ruleset, source)
    units = ruleset._decompose_columns(prepared.length, prepared.columns, k)
    kept_values = {name: list(source.pandas_column(name)) for name in kept}
    rows: List[Dict[str, Any]] = []
    for unit in units:
        strong, weak = set(unit["strengths"]), set(unit["weaknesses"])
        for line in unit["lines"]:
            row: Dict[str, Any] = {name: kept_values[name][unit["row"]] for name in kept}
            row.update(
                path=line["path"],
                indicator=line["name"],
                indicator_en=line["name_en"],
                kind=line["kind"],
                score=line["score"],
                max=line["max"],
                contribution=line["contribution"],
                rank=line["rank"] or None,
                of=line["of"] or None,
                strength=line["path"] in strong,
                weakness=line["path"] in weak,
            )
            rows.append(row)
    frame = pd.DataFrame(rows, columns=kept + _DECOMPOSITION_COLUMNS)
    frame["rank"] = frame["rank"].astype("Int64")
    frame["of"] = frame["of"].astype("Int64")
    return frame


class ImprovementPlan:
    """One unit's improvement plan (`Ruleset.improve`): the cheapest changes of its inputs that
    reach the target grade, each checked by scoring the changed record with the engine.

    `steps`: a DataFrame, one row per change — `indicator` (the indicator's name, or the veto or
    grade condition the change meets), `input` (the input's label), `from`, `to`, `points`
    (points the total gains with this step, the ones before it made) and `cost`. `reachable`,
    `score_before`, `grade_before`, `target`, `score_after`, `grade_after`, `cost`; `plan` is the
    full result as a dict (the shape Rust and JavaScript give); `text(lang)` and `_repr_html_`
    show it in words.
    """

    def __init__(self, raw: Dict[str, Any]) -> None:
        self._raw = raw
        self.plan: Dict[str, Any] = raw["plan"]

    @property
    def reachable(self) -> bool:
        return bool(self.plan["reachable"])

    @property
    def score_before(self) -> float:
        return float(self.plan["score_before"])

    @property
    def score_after(self) -> float:
        return float(self.plan["score_after"])

    @property
    def grade_before(self) -> Optional[str]:
        return self.plan["grade_before"]  # type: ignore[no-any-return]

    @property
    def grade_after(self) -> Optional[str]:
        return self.plan["grade_after"]  # type: ignore[no-any-return]

    @property
    def target(self) -> Optional[str]:
        return self.plan["target"]  # type: ignore[no-any-return]

    @property
    def cost(self) -> float:
        return float(self.plan["cost"])

    @property
    def changes(self) -> Dict[str, Any]:
        """Input → new value: the record to score to check the plan."""
        return {s["input"]: s["to"] for s in self.plan["steps"]}

    @property
    def steps(self) -> "pd.DataFrame":
        """The changes in order, named in Chinese (`table("en")` names them in English)."""
        return self.table("zh")

    def table(self, lang: str = "zh") -> "pd.DataFrame":
        """The changes in order: indicator, input, from, to, points, cost."""
        import pandas as pd

        words_of = self._raw[f"rows_{_lang(lang)}"]
        columns = ["indicator", "input", "from", "to", "points", "cost"]
        rows = [
            {
                "indicator": words[0],
                "input": words[1],
                "from": step["from"],
                "to": step["to"],
                "points": step["points"],
                "cost": step["cost"],
            }
            for step, words in zip(self.plan["steps"], words_of)
        ]
        return pd.DataFrame(rows, columns=columns)

    def text(self, lang: str = "zh") -> str:
        """The plan in words: a sentence, then its steps as a table (`lang` "zh" or "en")."""
        return str(self._raw[f"text_{_lang(lang)}"])

    def _repr_html_(self) -> str:
        from html import escape

        from ._display import _STYLE

        head = "".join(f"<th>{escape(h)}</th>" for h in self._raw["headings_zh"])
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
            for row in self._raw["rows_zh"]
        )
        table = f"<table><tr>{head}</tr>{body}</table>" if body else ""
        return f"{_STYLE}<div class='ql'><p>{escape(self._raw['summary_zh'])}</p>{table}</div>"

    def __repr__(self) -> str:
        return f"ImprovementPlan({self._raw['summary_zh']})"


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang= takes 'zh' or 'en', not {lang!r:.20}")
    return lang


def improve(
    ruleset: "Ruleset",
    data: Any,
    id: Any,
    target: Optional[str] = None,
    costs: Optional[Mapping[str, float]] = None,
) -> ImprovementPlan:
    """The improvement plan of the unit whose id is `id`, the rows of `data` being its cohort.

    The plan is the cheapest set of changes to the unit's inputs that reaches `target` (a
    grade's Chinese or English name; default: the next band above the unit's own). By default a
    plan costs the points it recovers; with `costs` (input name → cost per unit of change; a
    yes/no or category change is one unit) it costs the sum over its changes, and inputs left
    out of `costs` are not changed. Vetoes keeping the unit below the target and the target's
    own condition come first, as required steps; when one cannot be met, or the indicators
    cannot gain enough, `reachable` is False.
    """
    if isinstance(id, bool) or not isinstance(id, (str, int)):
        raise TypeError(f"id= takes the unit's id (a string), not {type(id).__name__}")
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target= takes a grade's name, not {type(target).__name__}")
    cost_map: Optional[Dict[str, float]] = None
    if costs is not None:
        if not isinstance(costs, Mapping):
            raise TypeError("costs= takes a dict of input name → cost per unit of change")
        cost_map = {}
        for name, cost in costs.items():
            if not isinstance(name, str):
                raise TypeError(f"costs= keys are input names, not {type(name).__name__}")
            if isinstance(cost, bool) or not isinstance(cost, (int, float)):
                raise TypeError(f"costs[{name!r}] must be a number, not {type(cost).__name__}")
            cost_map[name] = float(cost)
    import pandas as pd

    source = _Source(data)
    if source.arrow is not None:
        source = _Source(source.arrow.to_pandas())
    prepared = prepare(ruleset, source)
    if not source.has(ruleset.id_field):
        raise KeyError(f"the data has no `{ruleset.id_field}` column to find the unit by")

    def text(name: str) -> List[Optional[str]]:
        if not source.has(name):
            return [None] * prepared.length
        return [None if pd.isna(v) else str(v) for v in source.pandas_column(name)]

    labels = list(zip(text(ruleset.id_field), text(ruleset.name_field)))
    raw = ruleset._improve_columns(
        prepared.length, prepared.columns, str(id), labels, target, cost_map
    )
    return ImprovementPlan(raw)
