"""The scorecard (benches/scorecard/scorecard.toml) as a zen-engine decision graph (GoRules JDM),
built in Python as a rules author would draw it in the JDM editor:

    request → six band tables (decision tables, first hit) → leaves (expression node: the 30
    rules) → dimensions (expression node) → total (expression node: bonus, veto)
    → grade (decision table, first hit) → response

Every node passes its input through, so the response holds the inputs, each band, leaf and
dimension, `total` and `grade`. zen computes in decimal arithmetic, not binary floating point,
so its totals may differ from the float64 engines' by a few units in the last place.

    python benches/scorecard/zen_graph.py -o scorecard.jdm.json   # write the graph

`graph()` returns the JDM as a dict, `decision()` a compiled `zen.ZenDecision`, and
`score(records)` the totals and grades of a list of dicts (None for a missing value), one
`evaluate` call per record; `score_batch(records)` the same through `evaluate_batch`.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, Dict, Iterable, List, Sequence, Tuple

#: Band tables: output name, input expression, bands (at, share) best first.
BANDS: List[Tuple[str, str, Sequence[Tuple[float, float]]]] = [
    ("meetings", "meetings_held", [(4, 1.0), (2, 0.6), (1, 0.3)]),
    ("staff", "supervision_staff", [(3, 1.0), (2, 0.7), (1, 0.4)]),
    ("systems",
     "(has_procurement_rules ? 1 : 0) + (has_finance_rules ? 1 : 0) + (has_contract_rules ? 1 : 0)"
     " + (has_hr_rules ? 1 : 0) + (has_sales_rules ? 1 : 0)",
     [(5, 1.0), (4, 0.8), (3, 0.6), (1, 0.3)]),
    ("training", "training_coverage", [(90, 1.0), (70, 0.7), (50, 0.4)]),
    ("e_procurement", "e_procurement_share", [(80, 1.0), (50, 0.5)]),
    ("disclosure",
     "(discloses_finance ? 1 : 0) + (discloses_procurement ? 1 : 0) + (discloses_penalties ? 1 : 0)",
     [(3, 1.0), (2, 0.6), (1, 0.3)]),
]


def _clamp01(e: str) -> str:
    return f"max([0, min([1, {e}])])"


def _piecewise(x: str, points: Sequence[Tuple[float, float]]) -> str:
    """Nested conditionals for piecewise-linear interpolation, flat outside."""
    (fx, fy), (lx, ly) = points[0], points[-1]
    inner = f"{ly}"
    for (x0, y0), (x1, y1) in reversed(list(zip(points, points[1:]))):
        inner = f"({x} <= {x1} ? {y0} + ({y1} - {y0}) * ({x} - {x0}) / ({x1} - {x0}) : {inner})"
    return f"({x} <= {fx} ? {fy} : {x} >= {lx} ? {ly} : {inner})"


def _per_occurrence(n: str, points: float, per: float, cap: float | None = None,
                    floor: float = 0) -> str:
    cap = points if cap is None else cap
    return f"max([{floor}, {points} - min([{cap}, {per} * max([0, {n}])])])"


def _per_item(n: str, points: float, per: float) -> str:
    return f"min([{points}, {per} * max([0, {n}])])"


#: The 30 rules: key → expression over the inputs and the band tables' outputs.
LEAVES: List[Tuple[str, str]] = [
    # 一、组织领导 (15)
    ("plan", "has_integrity_plan ? 3 : 0"),
    ("leading_group", "has_leading_group ? 3 : 0"),
    ("meetings", "4 * band.meetings"),
    ("supervision_body", "has_supervision_body ? 2 : 0"),
    ("staff", "3 * band.staff"),
    # 二、制度建设 (20)
    ("governance", "has_governance_structure ? 3 : 0"),
    ("internal_control", "6 * band.systems"),
    ("risk_archive", "risk_archive_established ? max([0, 4 - archive_deduction]) : 0"),
    ("authority_list", "has_authority_list ? 2 : 0"),
    ("revision", "5 * " + _clamp01("(36 - policy_revision_lag) / (36 - 6)")),
    # 三、监督管理 (20)
    ("audits", _per_item("internal_audits", 4, 2)),
    ("rectification", _per_occurrence("unrectified_issues", 5, 2)),
    ("whistleblowing", "has_whistleblowing_channel ? 2 : 0"),
    ("agreements", "integrity_agreement_rate == null ? 0 : 4 * "
     + _clamp01(_piecewise("integrity_agreement_rate", [(0, 0), (50, 0.5), (90, 1)]))),
    ("complaints", "media_exposure ? 0 : 5 - min([5, complaints_minor + 3 * complaints_serious])"),
    # 四、廉洁文化 (15)
    ("training", "4 * band.training"),
    ("pledge", "signed_pledge ? 2 : 0"),
    ("activities", _per_item("culture_activities", 3, 1)),
    ("satisfaction", "staff_satisfaction == null ? 0 : 4 * "
     + _clamp01("(staff_satisfaction - 60) / (95 - 60)")),
    ("family", "family_integrity_activity ? 2 : 0"),
    # 五、经营合规 (20, 扣分制)
    ("penalties", _per_occurrence("admin_penalties", 8, 3, cap=6)),
    ("credit", "credit_blacklisted ? 0 : 5"),
    ("gifts", "max([0, 4 - gift_deduction])"),
    ("tax", "4 * " + _clamp01(_piecewise("tax_overdue_days", [(0, 1), (30, 0.5), (90, 0)]))),
    ("labour", _per_occurrence("labour_disputes", 3, 1, floor=1)),
    # 六、数字化监督 (10)
    ("online_approval", "3 * " + _clamp01("(online_approval_rate - 40) / (100 - 40)")),
    ("e_procurement", "2 * band.e_procurement"),
    ("disclosure", "3 * band.disclosure"),
    ("data_quality", _per_occurrence("data_inconsistencies", 2, 0.5)),
    # 附加分
    ("honours", _per_item("integrity_honours", 6, 2)),
]

DIMENSIONS: List[Tuple[str, str]] = [
    ("leadership", "leaf.plan + leaf.leading_group + leaf.meetings + leaf.supervision_body"
                   " + leaf.staff"),
    ("institutions", "leaf.governance + leaf.internal_control + leaf.risk_archive"
                     " + leaf.authority_list + leaf.revision"),
    ("supervision_raw", "leaf.audits + leaf.rectification + leaf.whistleblowing"
                        " + leaf.agreements + leaf.complaints"),
    # Without an agreement rate the dimension is re-scaled over the 16 points present.
    ("supervision", "integrity_agreement_rate == null ? $.supervision_raw * 20 / 16"
                    " : $.supervision_raw"),
    ("culture", "leaf.training + leaf.pledge + leaf.activities + leaf.satisfaction"
                " + leaf.family"),
    ("compliance", "max([0, 20 - ((8 - leaf.penalties) + (5 - leaf.credit) + (4 - leaf.gifts)"
                   " + (4 - leaf.tax) + (3 - leaf.labour))])"),
    ("digital", "leaf.online_approval + leaf.e_procurement + leaf.disclosure"
                " + leaf.data_quality"),
    ("base", "$.leadership + $.institutions + $.supervision + $.culture + $.compliance"
             " + $.digital"),
    ("bonus", "complaints_serious == 0 ? min([5, leaf.honours]) : 0"),
    ("total", "major_violations > 0 ? 0 : $.base + $.bonus"),
]

GRADES = [("优秀", ">= 90", "0"), ("良好", ">= 80", ""), ("合格", ">= 60", ""), ("不合格", "", "")]


def _node(id_: str, type_: str, x: int, content: Dict[str, Any] | None = None) -> Dict[str, Any]:
    node: Dict[str, Any] = {"id": id_, "type": type_, "name": id_,
                            "position": {"x": x, "y": 100}}
    if content is not None:
        node["content"] = content
    return node


def _band_table(name: str, field: str, bands: Sequence[Tuple[float, float]]) -> Dict[str, Any]:
    rules = [{"_id": f"{name}-{i}", "in": f">= {at}", "out": f"{share}"}
             for i, (at, share) in enumerate(bands)]
    rules.append({"_id": f"{name}-none", "in": "", "out": "0"})
    return {
        "hitPolicy": "first",
        "passThrough": True,
        "inputs": [{"id": "in", "name": name, "field": field}],
        "outputs": [{"id": "out", "name": f"band {name}", "field": f"band.{name}"}],
        "rules": rules,
    }


def _expressions(name: str, items: Sequence[Tuple[str, str]], prefix: str = "") -> Dict[str, Any]:
    return {
        "passThrough": True,
        "expressions": [{"id": f"{name}-{key}", "key": prefix + key, "value": value}
                        for key, value in items],
    }


def graph() -> Dict[str, Any]:
    """The decision graph as a JDM dict."""
    nodes = [_node("request", "inputNode", 0)]
    for i, (name, field, bands) in enumerate(BANDS):
        nodes.append(_node(f"band_{name}", "decisionTableNode", 200 * (i + 1),
                           _band_table(name, field, bands)))
    x = 200 * (len(BANDS) + 1)
    # Expression keys may contain dots: "leaf.plan" writes result.leaf.plan.
    nodes.append(_node("leaves", "expressionNode", x, _expressions("leaves", LEAVES, "leaf.")))
    nodes.append(_node("dimensions", "expressionNode", x + 200,
                       _expressions("dimensions", DIMENSIONS)))
    nodes.append(_node("grade", "decisionTableNode", x + 400, {
        "hitPolicy": "first",
        "passThrough": True,
        "inputs": [{"id": "total", "name": "total", "field": "total"},
                   {"id": "penalties", "name": "admin penalties", "field": "admin_penalties"}],
        "outputs": [{"id": "grade", "name": "grade", "field": "grade"}],
        "rules": [{"_id": f"grade-{i}", "total": total, "penalties": penalties,
                   "grade": json.dumps(name, ensure_ascii=False)}
                  for i, (name, total, penalties) in enumerate(GRADES)],
    }))
    nodes.append(_node("response", "outputNode", x + 600))
    edges = [{"id": f"e{i}", "type": "edge", "sourceId": a["id"], "targetId": b["id"]}
             for i, (a, b) in enumerate(zip(nodes, nodes[1:]))]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def decision() -> Any:
    """The graph compiled by zen-engine (`import zen`; raises ImportError without it)."""
    import zen

    return zen.ZenEngine().create_decision(json.dumps(graph(), ensure_ascii=False))


def score(records: Iterable[Dict[str, Any]], compiled: Any = None) -> Tuple[List[float], List[str]]:
    """Totals and grades of a list of dicts, one `decision.evaluate` per record."""
    compiled = compiled if compiled is not None else decision()
    totals, grades = [], []
    for r in records:
        result = compiled.evaluate(r)["result"]
        totals.append(float(result["total"]))
        grades.append(result["grade"])
    return totals, grades


def engine() -> Any:
    """A `zen.ZenEngine` that holds the graph under the key "scorecard" (for `evaluate_batch`)."""
    import zen

    return zen.ZenEngine({"loader": {"type": "static", "content": {"scorecard": graph()}}})


def score_batch(records: Sequence[Dict[str, Any]], zen_engine: Any = None
                ) -> Tuple[List[float], List[str]]:
    """Totals and grades of a list of dicts in one `ZenEngine.evaluate_batch` call."""
    zen_engine = zen_engine if zen_engine is not None else engine()
    results = zen_engine.evaluate_batch([{"key": "scorecard", "context": r} for r in records])
    totals, grades = [], []
    for i, r in enumerate(results):
        if not r.get("success"):
            raise RuntimeError(f"zen-engine failed on record {i}: {r.get('error')}")
        totals.append(float(r["data"]["result"]["total"]))
        grades.append(r["data"]["result"]["grade"])
    return totals, grades


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="-", help="file to write the JDM to")
    args = parser.parse_args()
    text = json.dumps(graph(), ensure_ascii=False, indent=2)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
