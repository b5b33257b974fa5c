"""The differential test across languages, Python's half: the random rulesets and records that
Rust drew from a fixed seed and scored (core/tests/differential.rs, written to
target/differential/cases.json), scored here: every score equal to the bit, every grade, error
code and column equal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import qinglian

CASES = Path(__file__).resolve().parents[2] / "target" / "differential" / "cases.json"


def outcome(result: Any) -> dict[str, Any]:
    if isinstance(result, qinglian.RecordError):
        return {"error": result.code, "column": result.column}
    return {
        "score": result.score,
        "base_score": result.base_score,
        "bonus_score": result.bonus_score,
        "grade": result.grade,
        "nodes": [[n["path"], n["score"]] for n in result.nodes],
    }


def test_python_agrees_with_rust_on_random_cases() -> None:
    assert CASES.exists(), f"{CASES} is written by `cargo test -p qinglian --test differential`"
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 40
    records = 0
    for number, case in enumerate(cases):
        if "load_errors" in case:
            try:
                qinglian.Ruleset(case["ruleset"])
            except qinglian.RulesetError as e:
                assert [d.code for d in e.errors] == case["load_errors"], number
            else:
                raise AssertionError(f"case {number}: Rust refused this ruleset, Python loaded it")
            continue
        ruleset = qinglian.Ruleset(case["ruleset"])
        got = [outcome(r) for r in ruleset.evaluate_many(case["records"])]
        assert got == case["expected"], f"case {number}"
        records += len(got)
    print(f"differential: {len(cases)} cases, {records} records agree with Rust")
