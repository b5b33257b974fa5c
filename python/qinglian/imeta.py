"""Rulesets from COINr-style indicator metadata tables ("iMeta").

Index builders describe a composite index as a table with one row per indicator and aggregate:
`Level` (1 for indicators, then up to the index), `iCode`, `iName`, `Direction` (1 or -1),
`Weight`, `Parent` (the iCode of the aggregate above), `Type` (`Indicator` or `Aggregate`; other
rows, such as groups and denominators, name columns of the data that are not scored) and
optionally `Unit`. This module turns such
a table into a qinglian ruleset: one number input per indicator, each indicator a `normalise`
leaf against the cohort, each aggregate a weighted mean (arithmetic, geometric, harmonic or
power) of its
children, missing children re-weighted (COINr's treatment), the top aggregate the root.

    python -m qinglian.imeta asem_iMeta.csv --id asem --name "ASEM index" \\
        --method minmax --lo 0 --hi 100 --aggregate mean -o asem.toml

Indicator ids in the ruleset are paths of iCodes from below the index down (`Conn.Physical.LPI`),
so each node's last segment is its iCode.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

__all__ = ["ruleset_from_imeta", "main"]

_METHODS = ("minmax", "zscore", "percentile")
_AGGREGATES = ("mean", "geomean", "harmonic", "power")
_MEANS = {"mean": "arithmetic", "geomean": "geometric", "harmonic": "harmonic"}


class IMetaError(ValueError):
    """A metadata table that cannot describe an index (a missing column, an unknown parent, a
    cycle, an indicator without a parent)."""


def _q(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def _number(text: str, what: str, row: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise IMetaError(f"row {row}: {what} must be a number, not {text[:40]!r}") from None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def ruleset_from_imeta(
    meta: Union[str, Path, io.TextIOBase],
    *,
    id: str,
    name: str,
    version: str = "1",
    method: str = "minmax",
    lo: float = 0.0,
    hi: float = 100.0,
    mean: float = 50.0,
    sd: float = 10.0,
    aggregate: str = "mean",
    exponent: Optional[float] = None,
    id_field: str = "uCode",
    name_field: str = "uName",
    description: Optional[str] = None,
    schema: Optional[str] = None,
) -> str:
    """The TOML text of a ruleset for the index an iMeta table describes.

    `method` is how indicators are normalised against the cohort (`minmax` onto [`lo`, `hi`],
    `zscore` onto `mean` ± `sd`, or `percentile`), `aggregate` how every aggregate combines its
    children (`mean`: weighted arithmetic, `geomean`: weighted geometric, normalise onto `lo` ≥ 1
    for it; `harmonic`: weighted harmonic; `power`: the weighted power mean with `exponent` p in
    [-10, 10], COINr's `a_genmean`). The index is scored out of 100 (`hi` must not exceed it).
    `schema`, if given, is the location of the rulesets' JSON Schema as seen from where the file
    will live (`../../docs/ruleset.schema.json`): it is written as the first line's `#:schema`
    directive, which editors (Taplo, Even Better TOML) follow to check and complete the file.
    """
    if method not in _METHODS:
        raise IMetaError(f"method must be one of {', '.join(_METHODS)}, not {method!r}")
    if aggregate not in _AGGREGATES:
        raise IMetaError(f"aggregate must be one of {', '.join(_AGGREGATES)}, not {aggregate!r}")
    if aggregate == "power":
        if exponent is None:
            raise IMetaError("aggregate 'power' needs an exponent (1 arithmetic, 0 geometric, -1 harmonic)")
        if not -10.0 <= float(exponent) <= 10.0:
            raise IMetaError(f"exponent must lie within [-10, 10], not {exponent!r}")
    elif exponent is not None:
        raise IMetaError(f"an exponent is used only with aggregate 'power', not {aggregate!r}")
    exponent_line = "" if exponent is None else f"exponent = {_fmt(float(exponent))}\n"
    kind = _MEANS.get(aggregate) or f"power (exponent {_fmt(float(exponent or 0))})"
    if isinstance(meta, (str, Path)):
        with open(meta, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
    else:
        reader = csv.DictReader(meta)
        rows = list(reader)
    need = ("Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type")
    absent = [c for c in need if c not in (reader.fieldnames or [])]
    if absent:
        raise IMetaError(f"the table has no column {', '.join(absent)}")
    nodes: Dict[str, Dict[str, str]] = {}
    order: List[str] = []
    # Groups, denominators and COINr's `Time` column travel with the data unscored: the
    # ruleset lists them so that reading the data says nothing about them.
    others: List[str] = []
    for k, row in enumerate(rows, start=2):
        if row["Type"] not in ("Indicator", "Aggregate"):
            code = (row["iCode"] or "").strip()
            if code and code not in others:
                others.append(code)
            continue
        code = row["iCode"].strip()
        if not code or "." in code:
            raise IMetaError(f"row {k}: iCode {code!r} must be non-empty and without dots")
        if code in nodes:
            raise IMetaError(f"row {k}: iCode {code!r} appears twice")
        row["_row"] = str(k)
        nodes[code] = row
        order.append(code)
    roots = [c for c in order if not nodes[c]["Parent"].strip()]
    if len(roots) != 1:
        raise IMetaError(f"exactly one row must have no Parent (the index), found {roots or 'none'}")
    root = roots[0]
    children: Dict[str, List[str]] = {c: [] for c in order}
    for c in order:
        parent = nodes[c]["Parent"].strip()
        if c == root:
            continue
        if parent not in nodes:
            raise IMetaError(f"row {nodes[c]['_row']}: parent {parent!r} of {c!r} is not in the table")
        if nodes[parent]["Type"] != "Aggregate":
            raise IMetaError(f"row {nodes[c]['_row']}: parent {parent!r} of {c!r} is an indicator")
        children[parent].append(c)

    def path(code: str) -> str:
        parts: List[str] = []
        seen = set()
        while code != root:
            if code in seen:
                raise IMetaError(f"the parents of {code!r} go round in a cycle")
            seen.add(code)
            parts.append(code)
            code = nodes[code]["Parent"].strip()
        return ".".join(reversed(parts))

    out = io.StringIO()
    w = out.write
    top = nodes[root]
    if schema:
        if "\n" in schema or "\r" in schema:
            raise IMetaError("the schema location must be a single line")
        w(f"#:schema {schema}\n")
    w(f"# {name}\n#\n# Generated from a COINr-style iMeta table by `python -m qinglian.imeta`: every\n")
    w(f"# indicator normalised against the cohort ({method}), every aggregate a weighted\n")
    w(f"# {kind} mean of its children, missing children re-weighted.\n\n")
    w("[ruleset]\n")
    w(f"id = {_q(id)}\nname = {_q(name)}\nversion = {_q(version)}\n")
    w(f"description = {_q(description or top['iName'])}\n")
    w(f"scale = 100\naggregate = {_q(aggregate)}\n{exponent_line}missing = \"reweight\"\n")
    w(f"id_field = {_q(id_field)}\nname_field = {_q(name_field)}\n")
    labels = {id_field.casefold(), name_field.casefold()}
    codes = {c.casefold() for c in order}
    others = [c for c in [*others, "Time"] if c.casefold() not in labels | codes]
    others = list(dict.fromkeys(others))
    if others:
        w(f"other_fields = [{', '.join(_q(c) for c in others)}]\n")
    indicators = [c for c in order if nodes[c]["Type"] == "Indicator"]
    for c in indicators:
        row = nodes[c]
        w(f"\n[[input]]\nname = {_q(c)}\ntype = \"number\"\nlabel = {_q(row['iName'])}\n")
        unit = (row.get("Unit") or "").strip()
        if unit:
            w(f"unit = {_q(unit)}\n")

    def emit(code: str) -> None:
        row = nodes[code]
        k = int(row["_row"])
        weight = _number(row["Weight"], "Weight", k)
        w(f"\n[[indicator]]\nid = {_q(path(code))}\nname = {_q(row['iName'])}\nweight = {_fmt(weight)}\n")
        if row["Type"] == "Aggregate":
            if not children[code]:
                raise IMetaError(f"row {k}: aggregate {code!r} has no children")
            w(f"aggregate = {_q(aggregate)}\n{exponent_line}")
            for child in children[code]:
                emit(child)
            return
        direction = _number(row["Direction"], "Direction", k)
        if direction not in (1.0, -1.0):
            raise IMetaError(f"row {k}: Direction must be 1 or -1, not {row['Direction']!r}")
        fields = [f"type = \"normalise\"", f"value = {_q(code)}", f"method = \"{method}\""]
        if direction < 0:
            fields.append('direction = "lower"')
        if method == "minmax":
            fields += [f"lo = {_fmt(lo)}", f"hi = {_fmt(hi)}"]
        elif method == "zscore":
            fields += [f"mean = {_fmt(mean)}", f"sd = {_fmt(sd)}"]
        w("scorer = { " + ", ".join(fields) + " }\n")

    for child in children[root]:
        emit(child)
    return out.getvalue()


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m qinglian.imeta",
        description="Write a qinglian ruleset for the composite index a COINr-style iMeta table describes.",
    )
    p.add_argument("meta", help="the iMeta CSV file")
    p.add_argument("--id", required=True, help="the ruleset id")
    p.add_argument("--name", required=True, help="the index's name")
    p.add_argument("--version", default="1")
    p.add_argument("--description")
    p.add_argument("--method", choices=_METHODS, default="minmax")
    p.add_argument("--lo", type=float, default=0.0)
    p.add_argument("--hi", type=float, default=100.0)
    p.add_argument("--mean", type=float, default=50.0)
    p.add_argument("--sd", type=float, default=10.0)
    p.add_argument("--aggregate", choices=_AGGREGATES, default="mean")
    p.add_argument(
        "--exponent", type=float, help="the exponent p of --aggregate power (1 arithmetic, 0 geometric, -1 harmonic)"
    )
    p.add_argument("--id-field", default="uCode")
    p.add_argument("--name-field", default="uName")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.add_argument(
        "--schema",
        help="the rulesets' JSON Schema (docs/ruleset.schema.json): named by a `#:schema` first line, "
        "relative to the folder of -o when given",
    )
    a = p.parse_args(argv)
    schema = a.schema
    if schema and a.output:
        # The directive is resolved from the file's own folder, as editors do.
        schema = os.path.relpath(Path(schema).resolve(), Path(a.output).resolve().parent)
        schema = schema.replace(os.sep, "/")
    try:
        text = ruleset_from_imeta(
            a.meta, id=a.id, name=a.name, version=a.version, method=a.method, lo=a.lo, hi=a.hi,
            mean=a.mean, sd=a.sd, aggregate=a.aggregate, exponent=a.exponent, id_field=a.id_field,
            name_field=a.name_field, description=a.description, schema=schema,
        )
    except (IMetaError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if a.output:
        Path(a.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
