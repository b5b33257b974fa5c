"""Weights from Python: every case of `tests/weights/` must reproduce the golden results of the
Rust suite bit for bit (from lists, numpy arrays and DataFrames alike), plus the Python faces:
column names, warnings, typed errors, and numpy as an independent reference."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pandas as pd
import pytest

import qinglian
from qinglian import weights

from conftest import REPO, RULES

CASES_DIR = REPO / "tests" / "weights"


def load_cases() -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            out.append((path.stem, case))
    return out


CASES = load_cases()


def error_dict(e: qinglian.WeightsError) -> Dict[str, Any]:
    return {"error": {"code": e.code, "message": e.message, "row": e.row, "column": e.column}}


def run(method: str, case: Dict[str, Any], matrix: Any) -> Dict[str, Any]:
    options = dict(case.get("options", {}))
    try:
        if method == "ahp":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", weights.ConsistencyWarning)
                r = weights.ahp(matrix, **options)
            return {
                "ok": {
                    "weights": r.weights.tolist(),
                    "lambda_max": r.lambda_max,
                    "ci": r.ci,
                    "ri": r.ri,
                    "cr": r.cr,
                    "iterations": r.iterations,
                    "warning": r.warning,
                }
            }
        if method == "equal":
            return {"ok": {"weights": weights.equal(case["n"]).tolist()}}
        if method == "effective":
            ruleset = qinglian.load(CASES_DIR / case["ruleset"])
            return {"ok": ruleset.effective_weights()}
        fn = getattr(weights, method)
        if method in ("sd", "pca"):
            # They take no directions: directions cannot change their result (docs/weights.md),
            # which the golden result of a case with directions confirms.
            options.pop("directions", None)
        w = fn(matrix, **options)
        return {
            "ok": {"weights": w.weights.tolist(), "rows_used": w.rows_used, "dropped_rows": w.dropped_rows}
        }
    except qinglian.WeightsError as e:
        return error_dict(e)


@pytest.mark.parametrize("method,case", CASES, ids=[f"{m}: {c['name']}" for m, c in CASES])
def test_case(method: str, case: Dict[str, Any]) -> None:
    golden = case["golden"]
    assert run(method, case, case.get("matrix")) == golden
    # The same bits from a numpy array and a DataFrame, when the matrix is a rectangle of numbers.
    matrix = case.get("matrix")
    if matrix and all(isinstance(row, list) and len(row) == len(matrix[0]) for row in matrix):
        array = np.array([[math.nan if v is None else float(v) for v in row] for row in matrix])
        assert run(method, case, array) == golden
        frame = pd.DataFrame(array, columns=[f"c{j}" for j in range(array.shape[1])])
        assert run(method, case, frame) == golden


def test_every_method_has_cases() -> None:
    assert {m for m, _ in CASES} == {"ahp", "entropy", "critic", "sd", "pca", "equal", "effective"}


def test_ahp_object_and_warning() -> None:
    r = weights.ahp([[1, 5, 3], [1 / 5, 1, 1 / 3], [1 / 3, 3, 1]])
    assert r.weights.shape == (3,)
    assert abs(r.cr - 0.0332) < 1e-4 and r.consistent
    with pytest.warns(weights.ConsistencyWarning, match="above 0.1"):
        r = weights.ahp([[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]])
    assert not r.consistent
    with pytest.raises(qinglian.WeightsError) as info:
        weights.ahp([[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]], strict=True)
    assert info.value.code == "weights.inconsistent"


def test_ahp_from_a_labelled_frame() -> None:
    names = ["廉洁", "效率", "公开"]
    frame = pd.DataFrame([[1, 5, 3], [1 / 5, 1, 1 / 3], [1 / 3, 3, 1]], columns=names, index=names)
    r = weights.ahp(frame)
    assert list(r.to_series().index) == names
    assert r.to_dict()["廉洁"] == r.weights[0]


def test_errors_are_typed_and_name_the_cell() -> None:
    with pytest.raises(qinglian.WeightsError) as info:
        weights.ahp([[1, 2], [2, 1]])
    e = info.value
    assert (e.code, e.row, e.column) == ("weights.not_reciprocal", 0, 1)
    assert "row 1, column 0 is 2" in str(e)
    assert isinstance(e, qinglian.QinglianError)
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0], "b": [1.0, None, 2.0, 1.5]})
    with pytest.raises(qinglian.WeightsError, match="row 1, column 1 is missing") as info:
        weights.critic(frame)
    assert (info.value.row, info.value.column) == (1, 1)
    w = weights.critic(frame, drop_missing=True)
    assert (w.rows_used, w.dropped_rows) == (3, [1])
    with pytest.raises(qinglian.WeightsError, match="column 1 is") as info:
        weights.entropy(frame.fillna(0), directions=[1, 2], normalise=True)
    assert info.value.code == "weights.directions"
    with pytest.raises(ValueError):
        weights.sd(np.zeros(3))


def test_directions_by_name_and_word() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.uniform(0, 10, size=(20, 3)), columns=["gdp", "complaints", "survey"])
    by_number = weights.critic(frame, directions=[1, -1, 1])
    by_word = weights.critic(frame, directions=["higher", "lower", "higher"])
    by_name = weights.critic(frame, directions={"complaints": "lower", "gdp": 1, "survey": 1})
    assert by_number.weights.tolist() == by_word.weights.tolist() == by_name.weights.tolist()
    assert list(by_name.to_series().index) == ["gdp", "complaints", "survey"]


def numpy_critic(x: np.ndarray, directions: List[int]) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    z = np.where(np.array(directions) > 0, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    s = z.std(axis=0, ddof=1)
    c = s * (1 - np.corrcoef(z, rowvar=False)).sum(axis=0)
    return c / c.sum()


def test_against_numpy_on_random_data() -> None:
    rng = np.random.default_rng(2026)
    for _ in range(20):
        m, n = rng.integers(5, 60), rng.integers(2, 8)
        x = rng.lognormal(size=(m, n))
        # Entropy on raw values.
        p = x / x.sum(axis=0)
        d = 1 + (p * np.log(p)).sum(axis=0) / np.log(m)
        assert np.allclose(weights.entropy(x).weights, d / d.sum(), rtol=0, atol=1e-12)
        directions = list(rng.choice([1, -1], size=n))
        assert np.allclose(weights.critic(x, directions).weights, numpy_critic(x, directions), atol=1e-12)
        # PCA: numpy's symmetric eigen-solver as the reference (as prcomp(x, scale. = TRUE)).
        values, vectors = np.linalg.eigh(np.corrcoef(x, rowvar=False))
        if values[-1] - values[-2] > 1e-6:
            v = vectors[:, -1] ** 2
            assert np.allclose(weights.pca(x).weights, v / v.sum(), atol=1e-10)


def test_effective_weights_of_the_city_index() -> None:
    ruleset = qinglian.load(RULES / "city-index.toml")
    leaves = ruleset.effective_weights()
    assert abs(sum(e["weight"] for e in leaves) - 1) < 1e-12
    by_path = {e["path"]: e for e in leaves}
    assert by_path["index.perception.survey"]["weight"] == pytest.approx(0.2 * 0.6)
    assert by_path["index.governance.warnings"]["exact"] is False


def test_equal() -> None:
    assert weights.equal(5).tolist() == [0.2] * 5
    with pytest.raises(qinglian.WeightsError):
        weights.equal(0)


def test_the_sum_is_one_on_a_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 4.0, 8.0], "y": [3.0, 1.0, 2.0, 2.5], "z": [5.0, 5.5, 4.0, 7.0]})
    for method in (weights.entropy, weights.critic, weights.sd, weights.pca):
        w = method(frame)
        assert abs(float(w.weights.sum()) - 1) < 1e-12 and (w.weights >= 0).all()


def test_effective_weights_of_asem_match_the_imeta_table() -> None:
    """COINr's effective weights, computed here from asem_iMeta.csv alone: each indicator's weight
    over its siblings' weights, multiplied up the Parent chain to the index."""
    meta = pd.read_csv(REPO / "examples" / "data" / "asem" / "asem_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    weight = dict(zip(meta["iCode"], meta["Weight"].astype(float)))
    parent = dict(zip(meta["iCode"], meta["Parent"]))
    siblings = meta.groupby("Parent")["Weight"].sum().to_dict()

    def effective(code: str) -> float:
        w = 1.0
        while isinstance(parent.get(code), str):
            w *= weight[code] / siblings[parent[code]]
            code = parent[code]
        return w

    indicators = meta[meta["Type"] == "Indicator"]["iCode"].tolist()
    for variant in ("minmax-arithmetic", "minmax-geometric", "zscore-arithmetic"):
        leaves = qinglian.load(RULES / "asem" / f"{variant}.toml").effective_weights()
        by_code = {e["path"].rsplit(".", 1)[-1]: e for e in leaves}
        assert sorted(by_code) == sorted(indicators)
        for code in indicators:
            assert by_code[code]["weight"] == pytest.approx(effective(code), abs=1e-15)
            assert by_code[code]["exact"] is (variant != "minmax-geometric")
