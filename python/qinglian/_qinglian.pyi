"""Type stubs of the compiled module `qinglian._qinglian` (checked with mypy.stubtest)."""

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union, final

import numpy
import numpy.typing

__all__ = [
    "Cohort",
    "CohortError",
    "DataWarning",
    "Diagnostic",
    "Evaluation",
    "QinglianError",
    "ReadError",
    "RecordError",
    "Ruleset",
    "RulesetError",
    "TREATED_IMPUTED",
    "TREATED_LOG",
    "TREATED_WINSORISED_HIGH",
    "TREATED_WINSORISED_LOW",
    "WeightsError",
    "read_records",
    "weights_ahp",
    "weights_equal",
    "weights_of_data",
    "weights_outranking",
    "__version__",
    "_to_excel",
    "_evaluation_from_json",
    "_repeated_ids",
]

__version__: str
TREATED_IMPUTED: int
TREATED_WINSORISED_HIGH: int
TREATED_WINSORISED_LOW: int
TREATED_LOG: int

class QinglianError(Exception):
    """Base class of every error raised by qinglian."""

class RulesetError(QinglianError):
    """A ruleset failed to load."""

    errors: List[Diagnostic]
    warnings: List[Diagnostic]

class RecordError(QinglianError):
    """A record could not be scored."""

    code: str
    message: str
    row: Optional[int]
    id: Optional[str]
    column: Optional[str]
    path: Optional[str]

class WeightsError(QinglianError):
    """Weights could not be computed."""

    code: str
    message: str
    row: Optional[int]
    column: Optional[int]

class CohortError(QinglianError):
    """A cohort cannot be used: fitted with another ruleset, or its JSON is damaged."""

class ReadError(QinglianError):
    """A record file could not be read as a whole."""

class DataWarning(UserWarning):
    """Something in the data that was scored anyway: unit ids repeated on later rows, a column
    that looks like a misspelt input, inputs no column holds."""

    file: Optional[str]
    line: Optional[int]

@final
class Diagnostic:
    """One problem found while loading a ruleset."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def file(self) -> Optional[str]: ...
    @property
    def line(self) -> Optional[int]: ...
    @property
    def column(self) -> Optional[int]: ...
    @property
    def path(self) -> Optional[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...

@final
class Evaluation:
    """The result of scoring one record."""

    @property
    def id(self) -> Optional[str]: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def ruleset(self) -> str: ...
    @property
    def ruleset_version(self) -> str: ...
    @property
    def ruleset_hash(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def max_score(self) -> float: ...
    @property
    def base_score(self) -> float: ...
    @property
    def bonus_score(self) -> float: ...
    @property
    def grade(self) -> Optional[str]: ...
    @property
    def grade_en(self) -> Optional[str]: ...
    @property
    def nodes(self) -> List[Dict[str, Any]]: ...
    @property
    def vetoes(self) -> List[Dict[str, Any]]: ...
    @property
    def bonuses(self) -> List[Dict[str, Any]]: ...
    @property
    def alerts(self) -> List[Dict[str, Any]]: ...
    @property
    def reasons(self) -> List[Dict[str, Any]]: ...
    @property
    def missing(self) -> List[str]: ...
    @property
    def cohort(self) -> Optional[Dict[str, Any]]: ...
    @property
    def warnings(self) -> List[Dict[str, str]]: ...
    @property
    def rank(self) -> Optional[int]: ...
    @property
    def tier(self) -> Optional[str]: ...
    def node(self, path: str) -> Optional[Dict[str, Any]]: ...
    def scores(self) -> Dict[str, float]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self, indent: Optional[int] = None) -> str: ...
    def explain(self, lang: str = "zh") -> str: ...
    def to_html(self, lang: str = "zh") -> str: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Ruleset, str]]: ...
    def _repr_html_(self) -> str: ...

@final
class Cohort:
    """A reference cohort fitted on a batch (`Ruleset.fit`)."""

    @staticmethod
    def from_json(text: str) -> Cohort: ...
    def to_json(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def ruleset_id(self) -> str: ...
    @property
    def ruleset_version(self) -> str: ...
    @property
    def totals(self) -> numpy.typing.NDArray[numpy.float64]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...

@final
class Ruleset:
    """A compiled ruleset: validated and immutable; compile once, evaluate many."""

    def __new__(cls, text: str, file: Optional[str] = None) -> Ruleset: ...
    @staticmethod
    def from_toml(text: str, file: Optional[str] = None) -> Ruleset: ...
    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Ruleset: ...
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> Optional[str]: ...
    @property
    def version(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def provenance(self) -> Dict[str, str]: ...
    def to_toml(self) -> str: ...
    def with_changes(self, changes: Mapping[str, Any]) -> Ruleset: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    @property
    def scale(self) -> float: ...
    @property
    def bonus_cap(self) -> float: ...
    @property
    def max_total(self) -> float: ...
    @property
    def id_field(self) -> str: ...
    @property
    def name_field(self) -> str: ...
    @property
    def metadata(self) -> Dict[str, Any]: ...
    @property
    def inputs(self) -> List[Dict[str, Any]]: ...
    @property
    def indicator_paths(self) -> List[str]: ...
    @property
    def dimension_paths(self) -> List[str]: ...
    @property
    def grade_names(self) -> List[str]: ...
    @property
    def quota_names(self) -> List[str]: ...
    @property
    def veto_ids(self) -> List[str]: ...
    @property
    def alert_ids(self) -> List[Tuple[str, str]]: ...
    @property
    def cohort_dependent(self) -> bool: ...
    @property
    def reference_units(self) -> List[str]: ...
    @property
    def warnings(self) -> List[Diagnostic]: ...
    def tree(self) -> Dict[str, Any]: ...
    def effective_weights(self) -> List[Dict[str, Any]]: ...
    def evaluate(
        self, record: Mapping[str, Any], cohort: Optional[Cohort] = None
    ) -> Evaluation: ...
    def evaluate_many(
        self,
        records: Iterable[Mapping[str, Any]],
        cohort: Optional[Cohort] = None,
        strict: bool = False,
    ) -> List[Union[Evaluation, RecordError]]: ...
    def _column_notes(self, names: List[str], keep: List[str]) -> Optional[str]: ...
    def _match_columns(self, names: List[str]) -> List[Optional[int]]: ...
    def _label_columns(self, names: List[str]) -> Tuple[Optional[int], Optional[int]]: ...
    def _score_columns(
        self,
        length: int,
        columns: Dict[str, Any],
        ids: Optional[Sequence[Any]] = None,
        groups: Optional[numpy.typing.NDArray[numpy.int64]] = None,
        cohort: Optional[Cohort] = None,
        status: bool = False,
        arrow: bool = False,
        repeated: Sequence[Tuple[int, int, str]] = ...,
        strict: bool = False,
    ) -> Any: ...
    def _score_arrow(
        self,
        data: Any,
        groups: Optional[numpy.typing.NDArray[numpy.int64]] = None,
        cohort: Optional[Cohort] = None,
        status: bool = False,
        arrow: bool = False,
        repeated: Sequence[Tuple[int, int, str]] = ...,
        strict: bool = False,
    ) -> Any: ...
    def _fit_columns(self, length: int, columns: Dict[str, Any]) -> Cohort: ...
    def _fit_arrow(self, data: Any) -> Cohort: ...
    def _copeland_columns(
        self, length: int, columns: Dict[str, Any], node: Optional[str] = None
    ) -> Dict[str, Any]: ...
    def copeland(
        self,
        data: Any,
        node: Optional[str] = None,
        keep: Optional[Sequence[str]] = None,
    ) -> Any: ...
    def _uncertainty_columns(
        self,
        length: int,
        columns: Dict[str, Any],
        samples: int,
        noise: float,
        seed: int,
        depths: Optional[Sequence[int]] = None,
    ) -> Dict[str, Any]: ...
    def uncertainty(
        self,
        data: Any,
        samples: int = 1000,
        weight_noise: float = 0.25,
        seed: int = 42,
        depths: Optional[Sequence[int]] = None,
        keep: Optional[Sequence[str]] = None,
    ) -> Any: ...
    def _sensitivity_columns(
        self,
        length: int,
        columns: Dict[str, Any],
        parameters: Sequence[Tuple[str, float, float, bool, Optional[List[Any]]]],
        samples: int,
        seed: int,
        indices: bool,
        bootstrap: int,
    ) -> Dict[str, Any]: ...
    def sensitivity(
        self,
        data: Any,
        parameters: Mapping[str, Any],
        samples: int = 200,
        seed: int = 42,
        indices: bool = False,
        bootstrap: int = 100,
        keep: Optional[Sequence[str]] = None,
    ) -> Any: ...
    def _decompose_columns(
        self, length: int, columns: Dict[str, Any], k: int
    ) -> List[Dict[str, Any]]: ...
    def _improve_columns(
        self,
        length: int,
        columns: Dict[str, Any],
        id: str,
        labels: Sequence[Tuple[Optional[str], Optional[str]]],
        target: Optional[str] = None,
        costs: Optional[Mapping[str, float]] = None,
    ) -> Dict[str, Any]: ...
    def decompose(
        self, data: Any, k: int = 3, keep: Optional[Sequence[str]] = None
    ) -> Any: ...
    def improve(
        self,
        data: Any,
        id: Any,
        target: Optional[str] = None,
        costs: Optional[Mapping[str, float]] = None,
    ) -> Any: ...
    def evaluate_frame(
        self,
        data: Any,
        keep: Optional[Sequence[str]] = None,
        by: Union[None, str, Sequence[str]] = None,
        cohort: Optional[Cohort] = None,
        status: bool = False,
        to: str = "pandas",
        strict: bool = False,
    ) -> Any: ...
    def fit(self, data: Any) -> Cohort: ...
    def _repr_html_(self) -> str: ...

def read_records(
    path: Union[str, os.PathLike[str]],
    encoding: Optional[str] = None,
    sheet: Optional[str] = None,
) -> List[Union[Dict[str, Any], RecordError]]: ...
def _to_excel(
    results: Iterable[Union[Evaluation, RecordError]],
    path: Union[str, os.PathLike[str]],
    lang: str = "zh",
    by: Sequence[str] = ...,
    groups: Optional[Sequence[Sequence[str]]] = None,
) -> None: ...
def _evaluation_from_json(ruleset: Ruleset, json: str) -> Evaluation: ...
def _repeated_ids(ids: Any) -> Optional[List[Tuple[int, int, str]]]: ...

def weights_outranking(
    matrix: Sequence[Sequence[float]],
    weights: Optional[Sequence[float]] = None,
    directions: Optional[Sequence[Union[int, float, str]]] = None,
) -> Dict[str, Any]: ...
def weights_ahp(
    matrix: Sequence[Sequence[float]],
    random_index: str = "saaty1980",
    tolerance: float = 0.05,
    strict: bool = False,
    threshold: float = 0.1,
) -> Dict[str, Any]: ...
def weights_of_data(
    method: str,
    matrix: Sequence[Sequence[float]],
    directions: Optional[Sequence[Union[float, str]]] = None,
    normalise: bool = False,
    drop_missing: bool = False,
) -> Dict[str, Any]: ...
def weights_equal(n: int) -> List[float]: ...
