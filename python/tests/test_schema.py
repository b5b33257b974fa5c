"""The JSON Schema of rulesets (docs/ruleset.schema.json) accepts every ruleset we ship and
refuses what the loader refuses for its shape (unknown keys, wrong types, unknown scorers)."""

from __future__ import annotations

import json
import pathlib

import pytest

jsonschema = pytest.importorskip("jsonschema")
tomllib = pytest.importorskip("tomllib")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "ruleset.schema.json").read_text(encoding="utf-8"))
RULESETS = sorted(
    [*ROOT.glob("rules/**/*.toml"), *ROOT.glob("tests/conformance/cases/rulesets/*.toml")]
)


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_ruleset_validates(path: pathlib.Path) -> None:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["ruleset"].update(colour="red"),
        lambda d: d["indicator"][1].update(points="ten"),
        lambda d: d["indicator"][1]["scorer"].update(type="no_such_scorer"),
        lambda d: d["ruleset"].pop("scale"),
    ],
)
def test_shape_errors_are_refused(change) -> None:  # type: ignore[no-untyped-def]
    text = (ROOT / "rules" / "village.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    change(doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
