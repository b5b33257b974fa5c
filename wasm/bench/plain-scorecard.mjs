// The scorecard (benches/scorecard/scorecard.toml) written by hand in plain JavaScript: one
// function that scores one record (an object of input values; null, undefined or NaN is
// missing), no library — a port of benches/scorecard/plain_scorecard.py. The arithmetic follows
// the ruleset's rules operation by operation, so the totals equal qinglian's exactly.
//
//   scoreRecord(r) → [total, grade]
//   scoreColumns(columns, n) → { total: Float64Array, grade: string[] }   (the same, by column)

const missing = (v) => v === null || v === undefined || Number.isNaN(v);

function band(x, bands) {
  for (const [at, share] of bands) if (x >= at) return share;
  return 0;
}

function piecewise(x, points) {
  if (x <= points[0][0]) return points[0][1];
  if (x >= points[points.length - 1][0]) return points[points.length - 1][1];
  for (let i = 0; i + 1 < points.length; i++) {
    const [x0, y0] = points[i];
    const [x1, y1] = points[i + 1];
    if (x0 <= x && x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return points[points.length - 1][1];
}

const clamp = (x, lo, hi) => (x < lo ? lo : x > hi ? hi : x);

function perOccurrence(n, points, per, cap = points, floor = 0) {
  return clamp(Math.max(points - Math.min(per * Math.max(n, 0), cap), floor), 0, points);
}

const perItem = (n, points, per) => Math.min(per * Math.max(n, 0), points);

const MEETINGS = [[4, 1.0], [2, 0.6], [1, 0.3]];
const STAFF = [[3, 1.0], [2, 0.7], [1, 0.4]];
const SYSTEMS = [[5, 1.0], [4, 0.8], [3, 0.6], [1, 0.3]];
const AGREEMENTS = [[0, 0.0], [50, 0.5], [90, 1.0]];
const TRAINING = [[90, 1.0], [70, 0.7], [50, 0.4]];
const TAX = [[0, 1.0], [30, 0.5], [90, 0.0]];
const PROCUREMENT = [[80, 1.0], [50, 0.5]];
const DISCLOSURE = [[3, 1.0], [2, 0.6], [1, 0.3]];

/** Total and grade of one enterprise. */
export function scoreRecord(r) {
  // 一、组织领导 (15)
  let leadership = 0.0;
  leadership += r.has_integrity_plan ? 3.0 : 0.0;
  leadership += r.has_leading_group ? 3.0 : 0.0;
  leadership += 4.0 * band(r.meetings_held, MEETINGS);
  leadership += r.has_supervision_body ? 2.0 : 0.0;
  leadership += 3.0 * band(r.supervision_staff, STAFF);

  // 二、制度建设 (20)
  const systems =
    (r.has_procurement_rules ? 1 : 0) + (r.has_finance_rules ? 1 : 0) +
    (r.has_contract_rules ? 1 : 0) + (r.has_hr_rules ? 1 : 0) + (r.has_sales_rules ? 1 : 0);
  let institutions = 0.0;
  institutions += r.has_governance_structure ? 3.0 : 0.0;
  institutions += 6.0 * band(systems, SYSTEMS);
  const deduction = Number(r.archive_deduction);
  if (deduction !== 0 && !(deduction >= 1 && deduction <= 2)) {
    throw new Error(`archive_deduction ${deduction} must be 0 or within [1, 2]`);
  }
  institutions += r.risk_archive_established ? clamp(4.0 - deduction, 0.0, 4.0) : 0.0;
  institutions += r.has_authority_list ? 2.0 : 0.0;
  institutions += 5.0 * clamp((36.0 - r.policy_revision_lag) / (36.0 - 6.0), 0.0, 1.0);

  // 三、监督管理 (20): without an agreement rate the dimension is re-scaled over 16 points
  let supervision = 0.0;
  supervision += perItem(r.internal_audits, 4.0, 2.0);
  supervision += perOccurrence(r.unrectified_issues, 5.0, 2.0);
  supervision += r.has_whistleblowing_channel ? 2.0 : 0.0;
  const rate = r.integrity_agreement_rate;
  if (!missing(rate)) supervision += 4.0 * clamp(piecewise(rate, AGREEMENTS), 0.0, 1.0);
  let complaints;
  if (r.media_exposure) complaints = 0.0;
  else {
    const cases = 0.0 + 1.0 * r.complaints_minor + 3.0 * r.complaints_serious;
    complaints = clamp(5.0 - Math.min(cases, 5.0), 0.0, 5.0);
  }
  supervision += complaints;
  if (missing(rate)) supervision = (supervision * 20.0) / 16.0;

  // 四、廉洁文化 (15): no staff survey scores 0
  let culture = 0.0;
  culture += 4.0 * band(r.training_coverage, TRAINING);
  culture += r.signed_pledge ? 2.0 : 0.0;
  culture += perItem(r.culture_activities, 3.0, 1.0);
  const satisfaction = r.staff_satisfaction;
  if (!missing(satisfaction)) culture += 4.0 * clamp((satisfaction - 60.0) / (95.0 - 60.0), 0.0, 1.0);
  culture += r.family_integrity_activity ? 2.0 : 0.0;

  // 五、经营合规 (20, 扣分制)
  const gifts = Number(r.gift_deduction);
  if (gifts !== 0 && !(gifts >= 2 && gifts <= 4)) {
    throw new Error(`gift_deduction ${gifts} must be 0 or within [2, 4]`);
  }
  let lost = 0.0;
  lost += Math.max(8.0 - perOccurrence(r.admin_penalties, 8.0, 3.0, 6.0), 0.0);
  lost += Math.max(5.0 - (r.credit_blacklisted ? 0.0 : 5.0), 0.0);
  lost += Math.max(4.0 - clamp(4.0 - gifts, 0.0, 4.0), 0.0);
  lost += Math.max(4.0 - 4.0 * clamp(piecewise(r.tax_overdue_days, TAX), 0.0, 1.0), 0.0);
  lost += Math.max(3.0 - perOccurrence(r.labour_disputes, 3.0, 1.0, 3.0, 1.0), 0.0);
  const compliance = Math.max(20.0 - lost, 0.0);

  // 六、数字化监督 (10)
  const disclosed =
    (r.discloses_finance ? 1 : 0) + (r.discloses_procurement ? 1 : 0) + (r.discloses_penalties ? 1 : 0);
  let digital = 0.0;
  digital += 3.0 * clamp((r.online_approval_rate - 40.0) / (100.0 - 40.0), 0.0, 1.0);
  digital += 2.0 * band(r.e_procurement_share, PROCUREMENT);
  digital += 3.0 * band(disclosed, DISCLOSURE);
  digital += perOccurrence(r.data_inconsistencies, 2.0, 0.5);

  const base = 0.0 + leadership + institutions + supervision + culture + compliance + digital;
  const bonus = Math.min(perItem(r.integrity_honours, 6.0, 2.0), 5.0);
  let total = base + (r.complaints_serious === 0 ? bonus : 0.0);
  if (r.major_violations > 0) total = 0.0; // 一票否决
  if (total >= 90 && r.admin_penalties === 0) return [total, "优秀"];
  if (total >= 80) return [total, "良好"];
  if (total >= 60) return [total, "合格"];
  return [total, "不合格"];
}

/** Scores `n` rows of a table by column, one record object at a time. */
export function scoreColumns(columns, n) {
  const names = Object.keys(columns);
  const total = new Float64Array(n);
  const grade = new Array(n);
  const r = {};
  for (let i = 0; i < n; i++) {
    for (const name of names) r[name] = columns[name][i];
    const [t, g] = scoreRecord(r);
    total[i] = t;
    grade[i] = g;
  }
  return { total, grade };
}
