"""Outranking and Copeland scores (COINr's outrankMatrix and a_copeland): by hand, against an
independent numpy version on random data, and at the nodes of the ASEM index."""

from __future__ import annotations

import math
import pathlib
import warnings
from typing import Any, List, Optional

import numpy as np
import pytest

import qinglian
from qinglian import weights

ROOT = pathlib.Path(__file__).resolve().parents[2]


def reference(rows: np.ndarray, w: Optional[List[float]] = None) -> Any:
    """COINr's definition, written out: upper entries compared, lower ones 1 − upper."""
    n, k = rows.shape
    w = np.full(k, 1 / k) if w is None else np.asarray(w, dtype=float) / sum(w)
    m = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a, b = rows[i], rows[j]
            m[i, j] = w[a > b].sum() + w[a == b].sum() / 2
            m[j, i] = 1 - m[i, j]
    signs = np.sign(m - 0.5)
    np.fill_diagonal(signs, 0)
    return m, signs.sum(axis=1)


def test_a_worked_example() -> None:
    o = weights.outranking([[3, 2], [1, 1], [2, 5]], weights=[1, 3])
    assert o.matrix.tolist() == [[0, 1, 0.25], [0, 0, 0], [0.75, 1, 0]]
    assert o.copeland.tolist() == [0, -2, 2]
    assert o.dominant_pairs == 2 and math.isclose(o.dominant_share, 2 / 3)
    # Lower is better on the second column: B now beats A there.
    o = weights.outranking([[1, 2], [2, 1]], directions=[1, "lower"])
    assert o.copeland.tolist() == [-1, 1]


def test_random_matrices_agree_with_the_definition() -> None:
    rng = np.random.default_rng(7)
    for n, k in [(2, 1), (5, 3), (30, 6)]:
        # Few distinct values, so that ties occur, and a few missing ones.
        rows = rng.integers(0, 4, size=(n, k)).astype(float)
        rows[rng.random((n, k)) < 0.1] = np.nan
        w = list(rng.random(k) + 0.1)
        o = weights.outranking(rows, weights=w)
        m, c = reference(rows, w)
        assert np.allclose(o.matrix, m, atol=1e-12)
        assert o.copeland.tolist() == c.tolist()


def test_bad_input_is_a_weights_error_with_its_place() -> None:
    with pytest.raises(qinglian.WeightsError) as e:
        weights.outranking([[1.0, 2.0], [1.0]])
    assert e.value.code == "weights.ragged" and e.value.row == 1
    with pytest.raises(qinglian.WeightsError) as e:
        weights.outranking([[1.0, 2.0]], weights=[1.0, -1.0])
    assert e.value.code == "weights.bad_weights" and e.value.column == 1
    with pytest.raises(qinglian.WeightsError) as e:
        weights.outranking([[1.0, 2.0]], directions=[1])
    assert e.value.code == "weights.directions"


@pytest.mark.parametrize("node", [None, "Conn", "Sust.Environ"])
def test_copeland_at_a_node_of_the_asem_index(node: Optional[str]) -> None:
    import pandas as pd

    ruleset = qinglian.Ruleset.load(ROOT / "rules/asem/minmax-arithmetic.toml")
    data = pd.read_csv(ROOT / "examples/data/asem/asem_iData.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qinglian.DataWarning)
        scores = ruleset.evaluate_frame(data)
        out = ruleset.copeland(data, node=node, keep=["uCode"])

    def find(tree: Any, path: str) -> Any:
        if tree["path"] == path:
            return tree
        for child in tree["children"]:
            found = find(child, path)
            if found is not None:
                return found
        return None

    group = find(ruleset.tree(), node or "")
    children = [c for c in group["children"] if not c["bonus"]]
    rows = scores[[c["path"] for c in children]].to_numpy(dtype=float)
    _, expected = reference(rows, [c["weight"] for c in children])
    assert list(out["uCode"]) == list(data["uCode"])
    assert out["copeland"].tolist() == expected.tolist()
    ranks = pd.Series(expected).rank(method="min", ascending=False).astype(int)
    assert out["rank"].tolist() == ranks.tolist()
    assert 0 <= out.attrs["dominant_share"] <= 1


def test_copeland_needs_a_group() -> None:
    ruleset = qinglian.Ruleset.load(ROOT / "rules/asem/minmax-arithmetic.toml")
    with pytest.raises(ValueError, match="leaf"):
        ruleset.copeland({"uCode": ["A", "B"], "LPI": [1.0, 2.0]}, node="Conn.Physical.LPI")


def test_the_shared_fixture_gives_rusts_numbers() -> None:
    import json

    case = json.loads((ROOT / "tests/outranking/asem-copeland.json").read_text(encoding="utf-8"))
    ruleset = qinglian.Ruleset.load(ROOT / "tests/outranking" / case["ruleset"])
    for node in case["nodes"]:
        out = ruleset.copeland(case["records"], node=node or None)
        expected = case["expected"][node]
        assert out["copeland"].tolist() == expected["copeland"]
        assert out["rank"].tolist() == expected["rank"]
        assert out.attrs["dominant_pairs"] == expected["dominant_pairs"]
        assert out.attrs["dominant_share"] == expected["dominant_share"]
