"""The scorecard (benches/scorecard/scorecard.toml) written by hand in vectorised numpy, as an
analyst would: one array expression per rule, whole columns at a time.

`score(df)` returns `(total, grade)`: a float64 array and an object array of grade names.
The arithmetic follows the ruleset's documented rules operation by operation (share × points,
children summed left to right, a re-weighted dimension scaled by max / present), so the totals
equal qinglian's exactly, not just within a tolerance.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Tuple

import numpy as np

GRADES = np.array(["优秀", "良好", "合格", "不合格"], dtype=object)


def _col(df: Any, name: str) -> np.ndarray:
    return np.asarray(df[name], dtype=np.float64)


def _flag(df: Any, name: str) -> np.ndarray:
    return np.asarray(df[name], dtype=bool)


def _bands(x: np.ndarray, bands: Sequence[Tuple[float, float]]) -> np.ndarray:
    """Share of the first band (listed best first) with x >= at; 0 below every band."""
    return np.select([x >= at for at, _ in bands], [share for _, share in bands], 0.0)


def _piecewise(x: np.ndarray, points: Sequence[Tuple[float, float]]) -> np.ndarray:
    """Piecewise-linear y0 + (y1 - y0)·(x - x0)/(x1 - x0), flat outside; first segment wins."""
    out = np.full(x.shape, points[-1][1])
    done = np.zeros(x.shape, dtype=bool)
    first_x, first_y = points[0]
    out = np.where(x <= first_x, first_y, out)
    done |= x <= first_x
    done |= x >= points[-1][0]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        inside = ~done & (x >= x0) & (x <= x1)
        out = np.where(inside, y0 + (y1 - y0) * (x - x0) / (x1 - x0), out)
        done |= inside
    return out


def _share(points: float, s: np.ndarray) -> np.ndarray:
    return points * np.clip(s, 0.0, 1.0)


def _per_occurrence(n: np.ndarray, points: float, per: float, cap: float | None = None,
                    floor: float = 0.0) -> np.ndarray:
    cap = points if cap is None else cap
    return np.clip(np.maximum(points - np.minimum(per * np.maximum(n, 0.0), cap), floor),
                   0.0, points)


def _per_item(n: np.ndarray, points: float, per: float) -> np.ndarray:
    return np.minimum(per * np.maximum(n, 0.0), points)


def _clause(b: np.ndarray, points: float) -> np.ndarray:
    return np.where(b, points, 0.0)


def dimensions(df: Mapping[str, Any]) -> dict:
    """The six dimension scores and the bonus earned, one array each."""
    c, f = (lambda n: _col(df, n)), (lambda n: _flag(df, n))

    # 一、组织领导 (15)
    leadership = (
        _clause(f("has_integrity_plan"), 3.0)
        + _clause(f("has_leading_group"), 3.0)
        + 4.0 * _bands(c("meetings_held"), [(4, 1.0), (2, 0.6), (1, 0.3)])
        + _clause(f("has_supervision_body"), 2.0)
        + 3.0 * _bands(c("supervision_staff"), [(3, 1.0), (2, 0.7), (1, 0.4)])
    )

    # 二、制度建设 (20)
    systems = sum(f(n).astype(np.int64) for n in (
        "has_procurement_rules", "has_finance_rules", "has_contract_rules", "has_hr_rules",
        "has_sales_rules"))
    archive = np.where(f("risk_archive_established"),
                       np.clip(4.0 - c("archive_deduction"), 0.0, 4.0), 0.0)
    institutions = (
        _clause(f("has_governance_structure"), 3.0)
        + 6.0 * _bands(systems, [(5, 1.0), (4, 0.8), (3, 0.6), (1, 0.3)])
        + archive
        + _clause(f("has_authority_list"), 2.0)
        + _share(5.0, (36.0 - c("policy_revision_lag")) / (36.0 - 6.0))
    )

    # 三、监督管理 (20): a missing agreement rate is left out and the dimension re-scaled
    rate = c("integrity_agreement_rate")
    has_rate = ~np.isnan(rate)
    agreements = np.where(has_rate, _share(4.0, _piecewise(rate, [(0, 0.0), (50, 0.5), (90, 1.0)])),
                          0.0)
    complaints = np.where(
        f("media_exposure"), 0.0,
        np.clip(5.0 - np.minimum(0.0 + 1.0 * c("complaints_minor") + 3.0 * c("complaints_serious"),
                                 5.0), 0.0, 5.0))
    raw = (
        _per_item(c("internal_audits"), 4.0, 2.0)
        + _per_occurrence(c("unrectified_issues"), 5.0, 2.0)
        + _clause(f("has_whistleblowing_channel"), 2.0)
        + agreements
        + complaints
    )
    supervision = np.where(has_rate, raw, raw * 20.0 / 16.0)

    # 四、廉洁文化 (15): no staff survey scores 0
    satisfaction = c("staff_satisfaction")
    culture = (
        4.0 * _bands(c("training_coverage"), [(90, 1.0), (70, 0.7), (50, 0.4)])
        + _clause(f("signed_pledge"), 2.0)
        + _per_item(c("culture_activities"), 3.0, 1.0)
        + np.where(np.isnan(satisfaction), 0.0, _share(4.0, (satisfaction - 60.0) / (95.0 - 60.0)))
        + _clause(f("family_integrity_activity"), 2.0)
    )

    # 五、经营合规 (20, 扣分制): 20 minus what each item lost, not below 0
    kept = [
        _per_occurrence(c("admin_penalties"), 8.0, 3.0, cap=6.0),
        _clause(~f("credit_blacklisted"), 5.0),
        np.clip(4.0 - c("gift_deduction"), 0.0, 4.0),
        _share(4.0, _piecewise(c("tax_overdue_days"), [(0, 1.0), (30, 0.5), (90, 0.0)])),
        _per_occurrence(c("labour_disputes"), 3.0, 1.0, floor=1.0),
    ]
    lost = np.zeros(len(kept[0]))
    for points, score in zip((8.0, 5.0, 4.0, 4.0, 3.0), kept):
        lost = lost + np.maximum(points - score, 0.0)
    compliance = np.maximum(20.0 - lost, 0.0)

    # 六、数字化监督 (10)
    disclosed = sum(f(n).astype(np.int64) for n in (
        "discloses_finance", "discloses_procurement", "discloses_penalties"))
    digital = (
        _share(3.0, (c("online_approval_rate") - 40.0) / (100.0 - 40.0))
        + 2.0 * _bands(c("e_procurement_share"), [(80, 1.0), (50, 0.5)])
        + 3.0 * _bands(disclosed, [(3, 1.0), (2, 0.6), (1, 0.3)])
        + _per_occurrence(c("data_inconsistencies"), 2.0, 0.5)
    )

    honours = _per_item(c("integrity_honours"), 6.0, 2.0)
    return {"leadership": leadership, "institutions": institutions, "supervision": supervision,
            "culture": culture, "compliance": compliance, "digital": digital,
            "honours": honours}


def score(df: Mapping[str, Any]) -> Tuple[np.ndarray, np.ndarray]:
    """Total (float64) and grade (object array of names) of every row."""
    d = dimensions(df)
    base = (0.0 + d["leadership"] + d["institutions"] + d["supervision"] + d["culture"]
            + d["compliance"] + d["digital"])
    bonus = np.where(_col(df, "complaints_serious") == 0, np.minimum(d["honours"], 5.0), 0.0)
    total = base + bonus
    total = np.where(_col(df, "major_violations") > 0, 0.0, total)  # 一票否决
    excellent = (total >= 90) & (_col(df, "admin_penalties") == 0)
    grade = np.select([excellent, total >= 80, total >= 60], GRADES[:3], GRADES[3])
    return total, grade.astype(object)
