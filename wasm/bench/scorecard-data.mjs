// Seeded synthetic enterprises for the scorecard benchmark (benches/scorecard/scorecard.toml),
// generated in JavaScript with the same distributions as benches/scorecard/data.py (not the same
// numbers: numpy's generator is not reproduced). Each enterprise has a latent quality
// q ~ Beta(5, 2); booleans are more likely with a high q, counts of bad events are Poisson with
// rates that fall with q, rates are Beta-distributed and rounded to one decimal. Values are
// missing only where the ruleset allows it (`integrity_agreement_rate` ≈ 12 %, `staff_satisfaction`
// ≈ 8 %), and every row is valid.
//
//   columns(n, seed) → { id: string[], <input>: Float64Array | Uint8Array }   (NaN = missing)

/** xoshiro128** — small, fast, seeded. */
function prng(seed) {
  let a = 0x9e3779b9 ^ seed, b = 0x243f6a88 ^ (seed * 31), c = 0xb7e15162, d = 0x7f4a7c15 ^ seed;
  const next = () => {
    const t = b << 9;
    let r = Math.imul(b, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

export function columns(n, seed = 7) {
  const random = prng(seed);
  const normal = () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  // Marsaglia–Tsang.
  const gamma = (shape, scale = 1) => {
    if (shape < 1) return gamma(shape + 1, scale) * Math.pow(random(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x, v;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = random();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v * scale;
      }
    }
  };
  const beta = (a, b) => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  const poisson = (lambda) => {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    return k;
  };
  const round1 = (x) => Math.round(x * 10) / 10;

  const q = Float64Array.from({ length: n }, () => beta(5, 2));
  const c = { id: Array.from({ length: n }, (_, i) => `QY${String(i).padStart(7, "0")}`) };
  const flag = (lo, hi) => Uint8Array.from(q, (x) => (random() < lo + (hi - lo) * x ? 1 : 0));
  const events = (worst) => Float64Array.from(q, (x) => poisson(worst * (1 - x) ** 2));
  const activity = (best) => Float64Array.from(q, (x) => poisson(best * x));
  const rate = (spread = 6) =>
    Float64Array.from(q, (x) => round1(beta(1 + spread * x, 1 + spread * (1 - x) * 0.6) * 100));
  const choiceOrZero = (p, values) =>
    Float64Array.from(p, (pi) =>
      random() < pi ? values[Math.floor(random() * values.length)] : 0,
    );

  c.has_integrity_plan = flag(0.35, 0.99);
  c.has_leading_group = flag(0.3, 0.98);
  c.meetings_held = activity(5).map((x) => Math.min(x, 52));
  c.has_supervision_body = flag(0.2, 0.95);
  c.supervision_staff = activity(4).map((x) => Math.min(x, 500));
  c.has_governance_structure = flag(0.4, 0.99);
  for (const name of ["has_procurement_rules", "has_finance_rules", "has_contract_rules", "has_hr_rules", "has_sales_rules"]) {
    c[name] = flag(0.3, 0.98);
  }
  c.risk_archive_established = flag(0.25, 0.97);
  c.archive_deduction = choiceOrZero(q.map((x) => 0.6 * (1 - x)), [1, 1.5, 2]);
  c.has_authority_list = flag(0.3, 0.97);
  c.policy_revision_lag = Float64Array.from(q, (x) => round1(Math.min(gamma(2, 4 + 20 * (1 - x)), 240)));
  c.internal_audits = activity(3);
  c.unrectified_issues = events(4);
  c.has_whistleblowing_channel = flag(0.4, 0.99);
  c.integrity_agreement_rate = rate().map((x) => (random() < 0.12 ? NaN : x));
  c.complaints_minor = events(3);
  c.complaints_serious = events(0.5);
  c.media_exposure = Uint8Array.from(q, (x) => (random() < 0.03 * (1 - x) ? 1 : 0));
  c.training_coverage = rate(8);
  c.signed_pledge = flag(0.4, 0.99);
  c.culture_activities = activity(4);
  c.staff_satisfaction = Float64Array.from(q, (x) => {
    const s = round1(Math.min(Math.max(55 + 40 * x + 8 * normal(), 0), 100));
    return random() < 0.08 ? NaN : s;
  });
  c.family_integrity_activity = flag(0.1, 0.85);
  c.admin_penalties = events(2);
  c.credit_blacklisted = Uint8Array.from(q, (x) => (random() < 0.12 * (1 - x) ? 1 : 0));
  c.gift_deduction = choiceOrZero(q.map((x) => 0.3 * (1 - x)), [2, 3, 4]);
  c.tax_overdue_days = Float64Array.from(q, (x) => {
    if (!(random() < 0.4 * (1 - x))) return 0;
    // Geometric(1/30) on 1, 2, …
    const g = Math.ceil(Math.log(1 - random()) / Math.log(1 - 1 / 30)) || 1;
    return Math.min(g, 366);
  });
  c.labour_disputes = events(2);
  c.online_approval_rate = rate();
  c.e_procurement_share = rate(4);
  c.discloses_finance = flag(0.3, 0.95);
  c.discloses_procurement = flag(0.25, 0.95);
  c.discloses_penalties = flag(0.15, 0.9);
  c.data_inconsistencies = events(3);
  c.integrity_honours = Float64Array.from(q, (x) => poisson(0.8 * x ** 4));
  c.major_violations = Float64Array.from(q, () => (random() < 0.01 ? 1 : 0));
  return c;
}

/** Reads a CSV written by `python benches/scorecard/data.py --rows N -o file.csv`. */
export function columnsFromCsv(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(",");
  const n = lines.length - 1;
  const out = {};
  const cells = header.map(() => new Array(n));
  for (let r = 0; r < n; r++) {
    const parts = lines[r + 1].split(",");
    for (let c = 0; c < header.length; c++) cells[c][r] = parts[c] ?? "";
  }
  header.forEach((name, c) => {
    out[name] =
      name === "id" ? cells[c] : Float64Array.from(cells[c], (v) => (v === "" ? NaN : Number(v)));
  });
  return out;
}

/** Row `i` of a table by column, as a record (NaN → null). */
export function record(columns, i) {
  const r = {};
  for (const [name, values] of Object.entries(columns)) {
    const v = values[i];
    r[name] = typeof v === "number" && Number.isNaN(v) ? null : v;
  }
  return r;
}
