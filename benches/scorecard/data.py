"""Seeded synthetic enterprises for the scorecard benchmark (benches/scorecard/scorecard.toml).

Each enterprise has a latent "integrity culture" q in (0, 1) (Beta(5, 2): most enterprises are
fairly well run, a tail is not). Booleans are drawn with probabilities that rise with q, counts of
bad events are Poisson with rates that fall with q, rates are Beta-distributed around q and
rounded to one decimal, as an enterprise would report them.

Missing values appear only where the ruleset has a missing policy other than `error`:
`integrity_agreement_rate` (about 12 % — no outside suppliers; policy `reweight`) and
`staff_satisfaction` (about 8 % — no staff survey; policy `zero`). Discretionary deductions are
0 or lie within their allowed ranges, so every row is valid.

    python benches/scorecard/data.py --rows 10000 -o enterprises.csv [--seed 7]

`frame(n, seed)` returns the pandas DataFrame (bool, int64 and float64 columns, plus `id`).
"""

from __future__ import annotations

import argparse
from typing import Dict

import numpy as np
import pandas as pd

#: Inputs of the scorecard, in the order of the ruleset, with their kind.
BOOLEANS = [
    "has_integrity_plan", "has_leading_group", "has_supervision_body",
    "has_governance_structure", "has_procurement_rules", "has_finance_rules",
    "has_contract_rules", "has_hr_rules", "has_sales_rules", "risk_archive_established",
    "has_authority_list", "has_whistleblowing_channel", "media_exposure", "signed_pledge",
    "family_integrity_activity", "credit_blacklisted", "discloses_finance",
    "discloses_procurement", "discloses_penalties",
]


def _rate(rng: np.random.Generator, q: np.ndarray, spread: float = 6.0) -> np.ndarray:
    """A percentage around 100·q, Beta-distributed, rounded to one decimal."""
    a = 1.0 + spread * q
    b = 1.0 + spread * (1.0 - q) * 0.6
    return np.round(rng.beta(a, b) * 100.0, 1)


def _choice_or_zero(rng: np.random.Generator, p: np.ndarray, values: list) -> np.ndarray:
    hit = rng.random(p.shape) < p
    return np.where(hit, rng.choice(np.asarray(values, dtype=np.float64), size=p.shape), 0.0)


def columns(n: int, seed: int = 7) -> Dict[str, np.ndarray]:
    """The input columns of `n` enterprises (numpy arrays), reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    q = rng.beta(5.0, 2.0, size=n)

    def flag(lo: float, hi: float) -> np.ndarray:
        return rng.random(n) < lo + (hi - lo) * q

    def events(worst: float) -> np.ndarray:
        return rng.poisson(worst * (1.0 - q) ** 2).astype(np.int64)

    def activity(best: float) -> np.ndarray:
        return rng.poisson(best * q).astype(np.int64)

    c: Dict[str, np.ndarray] = {}
    # 组织领导
    c["has_integrity_plan"] = flag(0.35, 0.99)
    c["has_leading_group"] = flag(0.30, 0.98)
    c["meetings_held"] = np.minimum(activity(5.0), 52)
    c["has_supervision_body"] = flag(0.20, 0.95)
    c["supervision_staff"] = np.minimum(activity(4.0), 500)
    # 制度建设
    c["has_governance_structure"] = flag(0.40, 0.99)
    for name in ("has_procurement_rules", "has_finance_rules", "has_contract_rules",
                 "has_hr_rules", "has_sales_rules"):
        c[name] = flag(0.30, 0.98)
    c["risk_archive_established"] = flag(0.25, 0.97)
    c["archive_deduction"] = _choice_or_zero(rng, 0.6 * (1.0 - q), [1.0, 1.5, 2.0])
    c["has_authority_list"] = flag(0.30, 0.97)
    c["policy_revision_lag"] = np.round(np.minimum(rng.gamma(2.0, 4.0 + 20.0 * (1 - q)), 240.0), 1)
    # 监督管理
    c["internal_audits"] = activity(3.0)
    c["unrectified_issues"] = events(4.0)
    c["has_whistleblowing_channel"] = flag(0.40, 0.99)
    rate = _rate(rng, q)
    rate[rng.random(n) < 0.12] = np.nan  # no outside suppliers
    c["integrity_agreement_rate"] = rate
    c["complaints_minor"] = events(3.0)
    c["complaints_serious"] = events(0.5)
    c["media_exposure"] = rng.random(n) < 0.03 * (1.0 - q)
    # 廉洁文化
    c["training_coverage"] = _rate(rng, q, spread=8.0)
    c["signed_pledge"] = flag(0.40, 0.99)
    c["culture_activities"] = activity(4.0)
    satisfaction = np.round(np.clip(rng.normal(55.0 + 40.0 * q, 8.0), 0.0, 100.0), 1)
    satisfaction[rng.random(n) < 0.08] = np.nan  # no staff survey
    c["staff_satisfaction"] = satisfaction
    c["family_integrity_activity"] = flag(0.10, 0.85)
    # 经营合规
    c["admin_penalties"] = events(2.0)
    c["credit_blacklisted"] = rng.random(n) < 0.12 * (1.0 - q)
    c["gift_deduction"] = _choice_or_zero(rng, 0.3 * (1.0 - q), [2.0, 3.0, 4.0])
    overdue = rng.random(n) < 0.4 * (1.0 - q)
    c["tax_overdue_days"] = np.where(overdue, np.minimum(rng.geometric(1.0 / 30.0, n), 366), 0)
    c["labour_disputes"] = events(2.0)
    # 数字化监督
    c["online_approval_rate"] = _rate(rng, q)
    c["e_procurement_share"] = _rate(rng, q, spread=4.0)
    c["discloses_finance"] = flag(0.30, 0.95)
    c["discloses_procurement"] = flag(0.25, 0.95)
    c["discloses_penalties"] = flag(0.15, 0.90)
    c["data_inconsistencies"] = events(3.0)
    # 附加分与否决
    c["integrity_honours"] = rng.poisson(0.8 * q**4).astype(np.int64)
    c["major_violations"] = (rng.random(n) < 0.01).astype(np.int64)
    return c


def frame(n: int, seed: int = 7) -> pd.DataFrame:
    """`n` enterprises as a pandas DataFrame: `id` and the 40 input columns."""
    data = {"id": [f"QY{i:07d}" for i in range(n)]}
    data.update(columns(n, seed))
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", help="CSV file to write (default: a summary only)")
    args = parser.parse_args()
    df = frame(args.rows, args.seed)
    if args.output:
        out = df.copy()
        for name in BOOLEANS:
            out[name] = out[name].astype(np.int8)  # 1/0 in CSV
        out.to_csv(args.output, index=False)
        print(f"wrote {len(df)} enterprises to {args.output}")
    else:
        print(df.describe(include="all").T.to_string())


if __name__ == "__main__":
    main()
