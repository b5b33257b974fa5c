"""Every conformance case of `tests/conformance/`, scored through Python, must agree exactly with
the golden results written by the Rust suite, and with the case's hand-written expectations."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List

import pytest

import qinglian

from conftest import REPO

CONFORMANCE = REPO / "tests" / "conformance"
CASES = sorted((CONFORMANCE / "cases").glob("*.json"))
GOLDEN = CONFORMANCE / "golden"
HAVE_GOLDEN = any(GOLDEN.glob("*.json"))


def roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


def error_dict(error: qinglian.RecordError) -> Dict[str, Any]:
    return {
        "code": error.code,
        "message": error.message,
        "row": error.row,
        "id": error.id,
        "column": error.column,
        "path": error.path,
    }


def close(actual: Any, expected: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(actual, (int, float)) and math.isclose(
            actual, expected, rel_tol=0.0, abs_tol=1e-9
        )
    return bool(actual == expected)


def check_expected(case: str, index: int, result: Any, expected: Dict[str, Any]) -> None:
    where = f"{case} record {index}"
    if "error" in expected:
        assert isinstance(result, qinglian.RecordError), f"{where}: expected {expected['error']}"
        assert result.code == expected["error"], f"{where}: {result}"
        if "id" in expected:
            assert result.id == expected["id"], where
        return
    assert isinstance(result, qinglian.Evaluation), f"{where}: {result}"
    for key in ("score", "base_score", "bonus_score"):
        if key in expected:
            assert close(getattr(result, key), expected[key]), (
                f"{where}: {key} {getattr(result, key)} != {expected[key]}"
            )
    if "id" in expected:
        assert result.id == expected["id"], where
    if "grade" in expected:
        assert result.grade == expected["grade"], f"{where}: grade {result.grade}"
    for path, score in expected.get("nodes", {}).items():
        node = result.node(path)
        assert node is not None, f"{where}: no node {path}"
        assert close(node["score"], score), f"{where}: {path} {node['score']} != {score}"
    if "vetoes" in expected:
        assert [v["id"] for v in result.vetoes] == expected["vetoes"], where
    if "alerts" in expected:
        assert [a["id"] for a in result.alerts] == expected["alerts"], where
    if "rank" in expected:
        assert result.rank == expected["rank"], f"{where}: rank {result.rank}"
    if "tier" in expected:
        assert result.tier == expected["tier"], f"{where}: tier {result.tier}"


def test_cases_exist() -> None:
    if not CASES:
        pytest.skip("no conformance cases in tests/conformance/cases yet")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    golden_path = GOLDEN / path.name
    if not HAVE_GOLDEN:
        pytest.skip(
            "tests/conformance/golden is empty: run the Rust conformance suite with "
            "QINGLIAN_BLESS=1 to write the golden results"
        )
    assert golden_path.exists(), f"no golden result for case {path.stem}: {golden_path}"
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    text = (path.parent / case["ruleset"]).read_text(encoding="utf-8")

    if "load_errors" in case or "load_errors" in golden:
        with pytest.raises(qinglian.RulesetError) as info:
            qinglian.Ruleset.from_toml(text)
        errors = info.value.errors
        got = [
            {"code": d.code, "line": d.line, "column": d.column, "path": d.path} for d in errors
        ]
        assert roundtrip(got) == roundtrip(golden["load_errors"]), path.stem
        for want, diagnostic in zip(case.get("load_errors", []), errors):
            for key, value in want.items():
                assert getattr(diagnostic, key) == value, f"{path.stem}: {key}"
        assert len(case.get("load_errors", [])) <= len(errors)
        assert "\n" in str(info.value) and "{" not in str(info.value).split("\n")[0]
        return

    ruleset = qinglian.Ruleset.from_toml(text)
    results = ruleset.evaluate_many(case["records"])
    assert len(results) == len(case["records"])
    got: List[Dict[str, Any]] = [
        {"ok": r.to_dict()} if isinstance(r, qinglian.Evaluation) else {"error": error_dict(r)}
        for r in results
    ]
    want = roundtrip(golden["results"])
    assert len(got) == len(want), path.stem
    for index, (g, w) in enumerate(zip(roundtrip(got), want)):
        assert g == w, f"{path.stem} record {index} differs from the Rust golden result"
    expected = case.get("expected", [])
    assert len(expected) in (0, len(results)), f"{path.stem}: expected has the wrong length"
    for index, (result, exp) in enumerate(zip(results, expected)):
        check_expected(path.stem, index, result, exp)
