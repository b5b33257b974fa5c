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


def test_english_keys_are_in_the_schema() -> None:
    """Every optional English counterpart the loader reads is accepted by the schema."""
    text = (ROOT / "rules" / "hospital.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    doc["ruleset"].update(issuer_en="Health Commission", description_en="Out of 100.")
    category = next(i for i in doc["input"] if i["type"] == "category")
    category.update(values_en=[f"v{k}" for k in range(len(category["values"]))])
    category.update(description_en="A clause grade.", unit_en="grade")
    leaf = next(i for i in doc["indicator"] if "scorer" in i)
    leaf.update(zero_reason_en="not done", description_en="The rule.")
    doc.setdefault("quota", [{"name": "引领型", "top": 0.2}])[0].update(name_en="Leading")
    doc["veto"][0].update(name_en="Serious case")
    doc["indicator"].append(
        {
            "id": leaf["id"] + "_sev",
            "name": "严重程度",
            "scorer": {
                "type": "severity",
                "tiers": [{"name": "一般", "name_en": "minor", "count": "1", "per": 1.0}],
            },
        }
    )
    jsonschema.validate(doc, SCHEMA)
    category.update(values_english=["A"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_the_id_and_name_aliases_are_in_the_schema() -> None:
    doc = tomllib.loads((ROOT / "rules" / "village.toml").read_text(encoding="utf-8"))
    doc["ruleset"].update(id_aliases=["编号", "统一社会信用代码"], name_aliases=["单位名称"])
    jsonschema.validate(doc, SCHEMA)
    doc["ruleset"].update(id_aliases="编号")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
