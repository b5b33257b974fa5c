"""The scorecard (benches/scorecard/scorecard.toml) written by hand in plain Python: one function
that scores one record (a dict of input values; None or NaN is missing), no library at all.

`score_record(r)` returns `(total, grade)`; `score(records)` maps it over a list of dicts.
The arithmetic follows the ruleset's rules operation by operation, so the totals equal
qinglian's exactly.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _band(x: float, bands: Sequence[Tuple[float, float]]) -> float:
    for at, share in bands:
        if x >= at:
            return share
    return 0.0


def _piecewise(x: float, points: Sequence[Tuple[float, float]]) -> float:
    if x <= points[0][0]:
        return points[0][1]
    if x >= points[-1][0]:
        return points[-1][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _per_occurrence(n: float, points: float, per: float, cap: Optional[float] = None,
                    floor: float = 0.0) -> float:
    cap = points if cap is None else cap
    return _clamp(max(points - min(per * max(n, 0.0), cap), floor), 0.0, points)


def _per_item(n: float, points: float, per: float) -> float:
    return min(per * max(n, 0.0), points)


def score_record(r: Dict[str, Any]) -> Tuple[float, str]:
    """Total and grade of one enterprise."""
    # 一、组织领导 (15)
    leadership = 0.0
    leadership += 3.0 if r["has_integrity_plan"] else 0.0
    leadership += 3.0 if r["has_leading_group"] else 0.0
    leadership += 4.0 * _band(r["meetings_held"], ((4, 1.0), (2, 0.6), (1, 0.3)))
    leadership += 2.0 if r["has_supervision_body"] else 0.0
    leadership += 3.0 * _band(r["supervision_staff"], ((3, 1.0), (2, 0.7), (1, 0.4)))

    # 二、制度建设 (20)
    systems = sum(1 for k in ("has_procurement_rules", "has_finance_rules", "has_contract_rules",
                              "has_hr_rules", "has_sales_rules") if r[k])
    institutions = 0.0
    institutions += 3.0 if r["has_governance_structure"] else 0.0
    institutions += 6.0 * _band(systems, ((5, 1.0), (4, 0.8), (3, 0.6), (1, 0.3)))
    deduction = float(r["archive_deduction"])
    if deduction != 0.0 and not 1.0 <= deduction <= 2.0:
        raise ValueError(f"archive_deduction {deduction} must be 0 or within [1, 2]")
    institutions += _clamp(4.0 - deduction, 0.0, 4.0) if r["risk_archive_established"] else 0.0
    institutions += 2.0 if r["has_authority_list"] else 0.0
    institutions += 5.0 * _clamp((36.0 - r["policy_revision_lag"]) / (36.0 - 6.0), 0.0, 1.0)

    # 三、监督管理 (20): without an agreement rate the dimension is re-scaled over 16 points
    supervision = 0.0
    supervision += _per_item(r["internal_audits"], 4.0, 2.0)
    supervision += _per_occurrence(r["unrectified_issues"], 5.0, 2.0)
    supervision += 2.0 if r["has_whistleblowing_channel"] else 0.0
    rate = r["integrity_agreement_rate"]
    if not _missing(rate):
        supervision += 4.0 * _clamp(_piecewise(rate, ((0, 0.0), (50, 0.5), (90, 1.0))), 0.0, 1.0)
    if r["media_exposure"]:
        complaints = 0.0
    else:
        cases = 0.0 + 1.0 * r["complaints_minor"] + 3.0 * r["complaints_serious"]
        complaints = _clamp(5.0 - min(cases, 5.0), 0.0, 5.0)
    supervision += complaints
    if _missing(rate):
        supervision = supervision * 20.0 / 16.0

    # 四、廉洁文化 (15): no staff survey scores 0
    culture = 0.0
    culture += 4.0 * _band(r["training_coverage"], ((90, 1.0), (70, 0.7), (50, 0.4)))
    culture += 2.0 if r["signed_pledge"] else 0.0
    culture += _per_item(r["culture_activities"], 3.0, 1.0)
    satisfaction = r["staff_satisfaction"]
    if not _missing(satisfaction):
        culture += 4.0 * _clamp((satisfaction - 60.0) / (95.0 - 60.0), 0.0, 1.0)
    culture += 2.0 if r["family_integrity_activity"] else 0.0

    # 五、经营合规 (20, 扣分制)
    gifts = float(r["gift_deduction"])
    if gifts != 0.0 and not 2.0 <= gifts <= 4.0:
        raise ValueError(f"gift_deduction {gifts} must be 0 or within [2, 4]")
    items = (
        (8.0, _per_occurrence(r["admin_penalties"], 8.0, 3.0, cap=6.0)),
        (5.0, 0.0 if r["credit_blacklisted"] else 5.0),
        (4.0, _clamp(4.0 - gifts, 0.0, 4.0)),
        (4.0, 4.0 * _clamp(_piecewise(r["tax_overdue_days"], ((0, 1.0), (30, 0.5), (90, 0.0))),
                           0.0, 1.0)),
        (3.0, _per_occurrence(r["labour_disputes"], 3.0, 1.0, floor=1.0)),
    )
    lost = 0.0
    for points, s in items:
        lost += max(points - s, 0.0)
    compliance = max(20.0 - lost, 0.0)

    # 六、数字化监督 (10)
    disclosed = sum(1 for k in ("discloses_finance", "discloses_procurement",
                                "discloses_penalties") if r[k])
    digital = 0.0
    digital += 3.0 * _clamp((r["online_approval_rate"] - 40.0) / (100.0 - 40.0), 0.0, 1.0)
    digital += 2.0 * _band(r["e_procurement_share"], ((80, 1.0), (50, 0.5)))
    digital += 3.0 * _band(disclosed, ((3, 1.0), (2, 0.6), (1, 0.3)))
    digital += _per_occurrence(r["data_inconsistencies"], 2.0, 0.5)

    base = 0.0 + leadership + institutions + supervision + culture + compliance + digital
    bonus = min(_per_item(r["integrity_honours"], 6.0, 2.0), 5.0)
    total = base + (bonus if r["complaints_serious"] == 0 else 0.0)
    if r["major_violations"] > 0:  # 一票否决
        total = 0.0
    if total >= 90 and r["admin_penalties"] == 0:
        return total, "优秀"
    if total >= 80:
        return total, "良好"
    if total >= 60:
        return total, "合格"
    return total, "不合格"


def score(records: Iterable[Dict[str, Any]]) -> Tuple[List[float], List[str]]:
    """Totals and grades of a list of records."""
    totals, grades = [], []
    for r in records:
        t, g = score_record(r)
        totals.append(t)
        grades.append(g)
    return totals, grades
