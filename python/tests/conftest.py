"""Shared fixtures of the Python test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import qinglian

os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RULES = REPO / "rules"
DATA = HERE / "data"


@pytest.fixture(scope="session")
def mini() -> qinglian.Ruleset:
    return qinglian.load(DATA / "mini.toml")


@pytest.fixture(scope="session")
def village() -> qinglian.Ruleset:
    return qinglian.load(RULES / "village.toml")


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    passed = [
        r for r in terminalreporter.stats.get("passed", []) if "test_conformance.py::test_case[" in r.nodeid
    ]
    if passed:
        terminalreporter.write_line(f"conformance: {len(passed)} case(s) agree with Rust")
    weights = [r for r in terminalreporter.stats.get("passed", []) if "test_weights.py::test_case[" in r.nodeid]
    if weights:
        terminalreporter.write_line(f"weights: {len(weights)} case(s) agree with Rust")
