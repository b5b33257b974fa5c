"""Provenance: every result names the ruleset (id, version, content hash) that produced it."""

from __future__ import annotations

import pathlib

import pandas as pd
import pyarrow as pa

import qinglian

RULES = pathlib.Path(__file__).resolve().parents[2] / "rules"


def test_evaluations_and_frames_carry_the_ruleset_hash() -> None:
    ruleset = qinglian.load(RULES / "village.toml")
    assert len(ruleset.hash) == 64 and all(c in "0123456789abcdef" for c in ruleset.hash)
    assert ruleset.provenance == {
        "id": "village",
        "version": ruleset.version,
        "hash": ruleset.hash,
    }
    frame = pd.DataFrame([{"id": "V1", "power_list_online": True}])
    results = ruleset.evaluate_frame(frame)
    assert results.attrs["ruleset"] == ruleset.provenance
    table = ruleset.evaluate_frame(pa.table({"id": ["V1"]}), to="arrow")
    meta = table.schema.metadata
    assert meta[b"qinglian.ruleset_hash"] == ruleset.hash.encode()
    assert meta[b"qinglian.ruleset"] == b"village"


def test_evaluation_json_names_the_ruleset() -> None:
    text = (RULES / "village.toml").read_text(encoding="utf-8")
    ruleset = qinglian.from_toml(text)
    record = qinglian.read_records(RULES.parent / "examples" / "data" / "villages.csv")[0]
    assert isinstance(record, dict)
    evaluation = ruleset.evaluate(record)
    assert evaluation.ruleset_hash == ruleset.hash
    assert evaluation.ruleset_version == ruleset.version
    assert evaluation.to_dict()["ruleset_hash"] == ruleset.hash


def test_comments_do_not_change_the_hash_and_a_rule_does() -> None:
    text = (RULES / "village.toml").read_text(encoding="utf-8")
    base = qinglian.from_toml(text)
    assert qinglian.from_toml("# 修订稿\n" + text).hash == base.hash
    assert qinglian.from_toml(base.to_toml()).hash == base.hash
    assert qinglian.from_toml(text.replace("min = 75", "min = 76", 1)).hash != base.hash
