"""Synthetic data for a ruleset: values drawn from each declared input's type and range."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np


def columns(ruleset: Any, n: int, seed: int = 7, missing: float = 0.02) -> Dict[str, Any]:
    """One numpy column per input (float64 with NaN for numbers and counts, object otherwise),
    plus `id` and `district`. About `missing` of the values are missing."""
    rng = np.random.default_rng(seed)
    out: Dict[str, Any] = {
        "id": np.array([f"U{i:06d}" for i in range(n)], dtype=object),
        "district": rng.choice(["海曙", "江北", "鄞州", "镇海", "北仑"], size=n).astype(object),
    }
    discretionary = {}  # input of a discretionary leaf → the leaf's points

    def walk(node: Dict[str, Any]) -> None:
        if node.get("scorer") == "discretionary":
            for name in node["inputs"]:
                discretionary[name] = float(node["points"])
        for child in node.get("children") or []:
            walk(child)

    walk(ruleset.tree())
    for spec in ruleset.inputs:
        kind = spec["type"]
        gone = rng.random(n) < missing
        if spec["name"] in discretionary:  # mostly no deduction, else the full one
            full = discretionary[spec["name"]]
            if spec["max"] is not None:
                full = min(full, float(spec["max"]))
            values = rng.choice([0.0, 0.0, 0.0, full], size=n)
            values[gone] = np.nan
            out[spec["name"]] = values
        elif kind in ("number", "count"):
            lo = spec["min"] if spec["min"] is not None else 0.0
            hi = spec["max"] if spec["max"] is not None else (5.0 if kind == "count" else 100.0)
            if kind == "count":
                values = rng.integers(int(lo), int(hi) + 1, size=n).astype(np.float64)
            elif spec["min"] is not None and spec["max"] is not None:
                values = np.round(rng.uniform(lo, hi, size=n), 2)
            else:  # e.g. a discretionary deduction: mostly none, else whole points
                values = rng.choice([0.0, 0.0, 0.0, 2.0, 4.0, 6.0], size=n)
            values[gone] = np.nan
            out[spec["name"]] = values
        elif kind == "boolean":
            values = (rng.random(n) < 0.8).astype(object)
            values[gone] = None
            out[spec["name"]] = values
        elif kind == "category":
            values = rng.choice(spec["values"], size=n).astype(object)
            values[gone] = None
            out[spec["name"]] = values
        else:  # survey
            answers = spec["values"]
            cells: List[Any] = []
            for i in range(n):
                if gone[i]:
                    cells.append(None)
                else:
                    counts = rng.integers(0, 40, size=len(answers))
                    cells.append({a: int(c) for a, c in zip(answers, counts)})
            out[spec["name"]] = np.array(cells, dtype=object)
    return out


def records(cols: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The same data as one dict per row (NaN → None)."""
    names = list(cols)
    n = len(cols[names[0]])
    lists = {k: (v.tolist() if hasattr(v, "tolist") else list(v)) for k, v in cols.items()}
    rows = []
    for i in range(n):
        row = {}
        for k in names:
            v = lists[k][i]
            if isinstance(v, float) and v != v:
                v = None
            row[k] = v
        rows.append(row)
    return rows
