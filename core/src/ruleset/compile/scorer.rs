//! Compiling a leaf's `scorer` table: which fields each scorer type takes, their checks, and the
//! expressions they hold.

use super::super::schema::{BandDef, ScorerDef, Text};
use super::super::*;
use super::Cx;
use crate::expr::Type;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use toml::Spanned;

impl Cx<'_> {
    fn input_slot(&mut self, src: &Text, want: &[InputType], path: &str) -> Option<usize> {
        let found = self.input_index(src.get_ref());
        match found.and_then(|s| self.inputs.get(s).map(|i| (s, i.kind))) {
            Some((slot, kind)) if want.contains(&kind) => Some(slot),
            Some((_, kind)) => {
                self.error(
                    "ruleset.input_type",
                    Some(src.span()),
                    Some(path),
                    format!(
                        "input `{}` is {kind:?}, this scorer needs {want:?}",
                        src.get_ref()
                    ),
                );
                None
            }
            None => {
                self.error(
                    "ruleset.unknown_input",
                    Some(src.span()),
                    Some(path),
                    format!("`{}` is not a declared input", src.get_ref()),
                );
                None
            }
        }
    }

    fn bands(&mut self, bands: &[Spanned<BandDef>], descending: bool, path: &str) -> Vec<Band> {
        let mut out: Vec<Band> = Vec::new();
        for b in bands {
            let v = b.get_ref();
            if !(0.0..=1.0).contains(&v.share) {
                self.error(
                    "ruleset.bad_number",
                    Some(b.span()),
                    Some(path),
                    format!("band share {} must lie in [0, 1]", v.share),
                );
            }
            if let Some(prev) = out.last() {
                let in_order = if descending {
                    v.at < prev.at
                } else {
                    v.at > prev.at
                };
                if !in_order {
                    let order = if descending {
                        "descending"
                    } else {
                        "ascending"
                    };
                    self.error(
                        "ruleset.thresholds_out_of_order",
                        Some(b.span()),
                        Some(path),
                        format!("band `at = {}` is out of order: list `at` {order}", v.at),
                    );
                }
            }
            out.push(Band {
                at: v.at,
                share: v.share,
                label: v.label.clone(),
                label_en: v.label_en.clone(),
            });
        }
        out
    }

    /// Compiles a leaf's scorer; also returns the inputs it reads.
    pub(super) fn scorer(
        &mut self,
        def: &Spanned<ScorerDef>,
        path: &str,
        max: f64,
    ) -> Option<(Scorer, Vec<usize>)> {
        let span = def.span();
        let s = def.get_ref();
        let kind = s.kind.get_ref().as_str();
        let Some(fields) = SCORER_FIELDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, f)| *f)
        else {
            let names: Vec<&str> = SCORER_FIELDS.iter().map(|(k, _)| *k).collect();
            self.error(
                "ruleset.unknown_scorer",
                Some(s.kind.span()),
                Some(path),
                format!(
                    "`{kind}` is not a scorer type; expected one of: {}",
                    names.join(", ")
                ),
            );
            return None;
        };
        for present in present_fields(s) {
            if !fields.contains(&present) {
                self.error(
                    "ruleset.scorer_field",
                    Some(span.clone()),
                    Some(path),
                    format!(
                        "`{present}` is not a field of scorer `{kind}` (fields: {})",
                        fields.join(", ")
                    ),
                );
            }
        }
        let missing = |cx: &mut Self, field: &str| {
            cx.error(
                "ruleset.missing_field",
                Some(span.clone()),
                Some(path),
                format!("scorer `{kind}` needs `{field}`"),
            );
        };
        macro_rules! need {
            ($field:ident) => {
                match &s.$field {
                    Some(v) => Some(v),
                    None => {
                        missing(self, stringify!($field));
                        None
                    }
                }
            };
        }
        let num = |v: Option<&Spanned<f64>>| v.map(|v| *v.get_ref());
        let direction = match &s.direction {
            Some(d) => self.choice(d, DIRECTIONS, "direction", Some(path)),
            None => Some(Direction::Higher),
        };
        let mut direct_inputs = Vec::new();
        let scorer = match kind {
            "clause" => {
                let when = need!(when).and_then(|w| self.expr(w, Type::Bool, path));
                Scorer::Clause { when: when? }
            }
            "per_occurrence" => {
                let count = need!(count).and_then(|c| self.expr(c, Type::Number, path));
                let per = num(need!(per));
                let cap = num(s.cap.as_ref()).unwrap_or(max);
                let floor = num(s.floor.as_ref()).unwrap_or(0.0);
                if floor > max || floor < 0.0 {
                    self.error(
                        "ruleset.bad_number",
                        Some(span.clone()),
                        Some(path),
                        format!("`floor` ({floor}) must lie within [0, {max}]"),
                    );
                }
                Scorer::PerOccurrence {
                    count: count?,
                    per: self.positive(per?, &span, path, "per")?,
                    cap,
                    floor,
                }
            }
            "severity" => {
                let mut tiers = Vec::new();
                let mut ok = true;
                for t in need!(tiers).map(|t| t.as_slice()).unwrap_or(&[]) {
                    let v = t.get_ref();
                    match (&v.count, v.per, &v.when, v.zero) {
                        (Some(c), Some(per), None, false) => match self.expr(c, Type::Number, path)
                        {
                            Some(count) => tiers.push(Tier::PerCase {
                                name: v.name.clone(),
                                name_en: v.name_en.clone(),
                                count,
                                per,
                            }),
                            None => ok = false,
                        },
                        (None, None, Some(w), true) => match self.expr(w, Type::Bool, path) {
                            Some(when) => tiers.push(Tier::Zero {
                                name: v.name.clone(),
                                name_en: v.name_en.clone(),
                                when,
                            }),
                            None => ok = false,
                        },
                        _ => {
                            ok = false;
                            self.error("ruleset.bad_tier", Some(t.span()), Some(path), format!("tier `{}` needs either `count` and `per`, or `when` and `zero = true`", v.name));
                        }
                    }
                }
                if tiers.is_empty() && ok {
                    self.error(
                        "ruleset.empty_group",
                        Some(span.clone()),
                        Some(path),
                        "scorer `severity` needs at least one tier".into(),
                    );
                    return None;
                }
                if !ok {
                    return None;
                }
                Scorer::Severity {
                    tiers,
                    cap: num(s.cap.as_ref()).unwrap_or(max),
                }
            }
            "discretionary" => {
                let input = need!(input)
                    .and_then(|i| self.input_slot(i, &[InputType::Number, InputType::Count], path));
                let (lo, hi) = (num(need!(min)), num(need!(max)));
                let (lo, hi) = (lo?, hi?);
                if !(0.0 <= lo && lo <= hi && hi <= max) {
                    self.error("ruleset.bad_range", Some(span.clone()), Some(path), format!("the deduction bounds must satisfy 0 ≤ min ≤ max ≤ {max} (the item's points)"));
                }
                direct_inputs.push(input?);
                Scorer::Discretionary {
                    input: input?,
                    min: lo,
                    max: hi,
                }
            }
            "per_item" => {
                let count = need!(count).and_then(|c| self.expr(c, Type::Number, path));
                let per = num(need!(per));
                Scorer::PerItem {
                    count: count?,
                    per: self.positive(per?, &span, path, "per")?,
                }
            }
            "threshold" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let direction = direction?;
                let bands_def = need!(bands)?;
                let bands = self.bands(bands_def, direction == Direction::Higher, path);
                Scorer::Threshold {
                    value: value?,
                    direction,
                    bands,
                }
            }
            "piecewise" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let points = need!(points)?;
                let pts = points.get_ref().clone();
                if pts.len() < 2 || pts.windows(2).any(|w| matches!(w, [a, b] if b.0 <= a.0)) {
                    self.error(
                        "ruleset.thresholds_out_of_order",
                        Some(points.span()),
                        Some(path),
                        "`points` needs at least two [x, share] pairs with strictly increasing x"
                            .into(),
                    );
                }
                if pts.iter().any(|p| !(0.0..=1.0).contains(&p.1)) {
                    self.error(
                        "ruleset.bad_number",
                        Some(points.span()),
                        Some(path),
                        "every share in `points` must lie in [0, 1]".into(),
                    );
                }
                Scorer::Piecewise {
                    value: value?,
                    points: pts,
                }
            }
            "goalposts" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let (lo, hi) = (num(need!(lo))?, num(need!(hi))?);
                if lo >= hi {
                    self.error("ruleset.bad_range", Some(span.clone()), Some(path), format!("goalposts need lo < hi (lo = {lo}, hi = {hi}); use `direction` for lower-is-better"));
                }
                Scorer::Goalposts {
                    value: value?,
                    lo,
                    hi,
                    direction: direction?,
                }
            }
            "target" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let target = num(need!(target))?;
                let tolerance = num(s.tolerance.as_ref());
                if tolerance.is_some_and(|t| t <= 0.0) {
                    self.error(
                        "ruleset.bad_number",
                        Some(span.clone()),
                        Some(path),
                        "`tolerance` must be > 0".into(),
                    );
                }
                if tolerance.is_none() && target <= 0.0 {
                    self.error(
                        "ruleset.bad_number",
                        Some(span.clone()),
                        Some(path),
                        "without `tolerance`, `target` must be > 0 (the score is a ratio to it)"
                            .into(),
                    );
                }
                Scorer::Target {
                    value: value?,
                    target,
                    direction: direction?,
                    tolerance,
                }
            }
            "efficacy" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let (worst, best) = (num(need!(worst))?, num(need!(best))?);
                if worst == best {
                    self.error(
                        "ruleset.bad_range",
                        Some(span.clone()),
                        Some(path),
                        "`worst` and `best` must differ".into(),
                    );
                }
                Scorer::Efficacy {
                    value: value?,
                    worst,
                    best,
                }
            }
            "levels" => {
                let input =
                    need!(input).and_then(|i| self.input_slot(i, &[InputType::Category], path));
                let shares = need!(shares)?;
                let input = input?;
                let values = self
                    .inputs
                    .get(input)
                    .map(|i| i.values.clone())
                    .unwrap_or_default();
                let na = s.not_applicable.clone().unwrap_or_default();
                let declared: HashSet<&str> = values.iter().map(String::as_str).collect();
                let na_set: HashSet<&str> = na.iter().map(String::as_str).collect();
                for (k, v) in shares.get_ref().iter() {
                    if !declared.contains(k.as_str()) {
                        self.error(
                            "ruleset.unknown_value",
                            Some(shares.span()),
                            Some(path),
                            format!(
                                "`{k}` is not a value of input `{}` ({})",
                                self.inputs.get(input).map_or("", |i| &i.name),
                                values.join(", ")
                            ),
                        );
                    }
                    if !(0.0..=1.0).contains(v) {
                        self.error(
                            "ruleset.bad_number",
                            Some(shares.span()),
                            Some(path),
                            format!("share {v} for `{k}` must lie in [0, 1]"),
                        );
                    }
                }
                for v in &na {
                    if !declared.contains(v.as_str()) {
                        self.error(
                            "ruleset.unknown_value",
                            Some(span.clone()),
                            Some(path),
                            format!("not-applicable value `{v}` is not a value of the input"),
                        );
                    }
                }
                for v in &values {
                    if !shares.get_ref().contains_key(v) && !na_set.contains(v.as_str()) {
                        self.warn(
                            "ruleset.unscored_value",
                            Some(shares.span()),
                            Some(path),
                            format!("value `{v}` has no share and scores 0"),
                        );
                    }
                }
                direct_inputs.push(input);
                Scorer::Levels {
                    input,
                    shares: shares
                        .get_ref()
                        .iter()
                        .map(|(k, v)| (k.clone(), *v))
                        .collect(),
                    not_applicable: na,
                }
            }
            "survey" => {
                let input =
                    need!(input).and_then(|i| self.input_slot(i, &[InputType::Survey], path));
                let codes_def = need!(codes)?;
                let input = input?;
                let answers = self
                    .inputs
                    .get(input)
                    .map(|i| i.values.clone())
                    .unwrap_or_default();
                // The first position of each answer.
                let mut answer_index: HashMap<&str, usize> = HashMap::new();
                for (i, a) in answers.iter().enumerate() {
                    answer_index.entry(a.as_str()).or_insert(i);
                }
                let mut codes = Vec::new();
                for (answer, value) in codes_def.get_ref() {
                    match answer_index.get(answer.as_str()).copied() {
                        Some(i) => codes.push((i, *value)),
                        None => self.error(
                            "ruleset.unknown_value",
                            Some(codes_def.span()),
                            Some(path),
                            format!(
                                "`{answer}` is not an answer of the survey ({})",
                                answers.join(", ")
                            ),
                        ),
                    }
                }
                let mut excluded = Vec::new();
                for answer in s.excluded.clone().unwrap_or_default() {
                    match answer_index.get(answer.as_str()).copied() {
                        Some(i) => excluded.push(i),
                        None => self.error(
                            "ruleset.unknown_value",
                            Some(span.clone()),
                            Some(path),
                            format!("excluded answer `{answer}` is not an answer of the survey"),
                        ),
                    }
                }
                let top = codes.iter().map(|c| c.1).fold(0.0_f64, f64::max);
                let scale = num(s.scale.as_ref()).unwrap_or(top);
                if scale <= 0.0 {
                    self.error(
                        "ruleset.bad_number",
                        Some(span.clone()),
                        Some(path),
                        "the survey `scale` must be > 0".into(),
                    );
                }
                direct_inputs.push(input);
                Scorer::Survey {
                    input,
                    codes,
                    excluded,
                    scale,
                    min_valid: num(s.min_valid.as_ref()).unwrap_or(1.0),
                }
            }
            "frequency" => {
                let periods: Vec<Option<Expr>> = need!(periods)?
                    .iter()
                    .map(|p| self.expr(p, Type::Number, path))
                    .collect();
                if periods.is_empty() {
                    self.error(
                        "ruleset.empty_group",
                        Some(span.clone()),
                        Some(path),
                        "`periods` is empty".into(),
                    );
                }
                let min = num(need!(min))?;
                Scorer::Frequency {
                    periods: periods.into_iter().collect::<Option<Vec<_>>>()?,
                    min,
                }
            }
            "criteria" => {
                let criteria: Vec<Option<Expr>> = need!(criteria)?
                    .iter()
                    .map(|c| self.expr(c, Type::Bool, path))
                    .collect();
                if criteria.is_empty() {
                    self.error(
                        "ruleset.empty_group",
                        Some(span.clone()),
                        Some(path),
                        "`criteria` is empty".into(),
                    );
                }
                let bands_def = need!(bands)?;
                let bands = self.bands(bands_def, true, path);
                Scorer::Criteria {
                    criteria: criteria.into_iter().collect::<Option<Vec<_>>>()?,
                    bands,
                }
            }
            "risk_matrix" => {
                let likelihood = need!(likelihood).and_then(|v| self.expr(v, Type::Number, path));
                let severity = need!(severity).and_then(|v| self.expr(v, Type::Number, path));
                let bands_def = need!(bands)?;
                let bands = self.bands(bands_def, true, path);
                Scorer::RiskMatrix {
                    likelihood: likelihood?,
                    severity: severity?,
                    bands,
                }
            }
            "rank" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let step = num(need!(step))?;
                Scorer::Rank {
                    value: value?,
                    direction: direction?,
                    step: self.positive(step, &span, path, "step")?,
                }
            }
            "normalise" => {
                let value = need!(value).and_then(|v| self.expr(v, Type::Number, path));
                let method = match need!(method) {
                    Some(m) => self.choice(m, METHODS, "method", Some(path)),
                    None => None,
                };
                let constant = match &s.constant {
                    Some(c) => self.choice(c, CONSTANT, "constant", Some(path)),
                    None => Some(ConstantCohort::Missing),
                };
                let method = match method? {
                    "minmax" => {
                        let (lo, hi) = (
                            num(s.lo.as_ref()).unwrap_or(0.0),
                            num(s.hi.as_ref()).unwrap_or(max),
                        );
                        if !(0.0 <= lo && lo < hi && hi <= max) {
                            self.error("ruleset.bad_range", Some(span.clone()), Some(path), format!("min-max needs 0 ≤ lo < hi ≤ the indicator's points ({max}); got lo = {lo}, hi = {hi}"));
                        }
                        Normalisation::Minmax { lo, hi }
                    }
                    "zscore" => {
                        let (mean, sd) = (
                            num(s.mean.as_ref()).unwrap_or(max / 2.0),
                            num(s.sd.as_ref()).unwrap_or(max / 10.0),
                        );
                        if !(0.0..=max).contains(&mean) || sd <= 0.0 {
                            self.error("ruleset.bad_range", Some(span.clone()), Some(path), format!("z-scores need a `mean` within [0, {max}] and an `sd` > 0; got mean = {mean}, sd = {sd}"));
                        }
                        Normalisation::Zscore { mean, sd }
                    }
                    "fraction_of_max" => Normalisation::FractionOfMax,
                    "distance_to_target" => match num(s.target.as_ref()) {
                        Some(target) => Normalisation::Target { target },
                        None => {
                            self.error(
                                "ruleset.missing_field",
                                Some(span.clone()),
                                Some(path),
                                "the `distance_to_target` method needs a `target`".into(),
                            );
                            return None;
                        }
                    },
                    "distance_to_reference" => {
                        let hi = num(s.hi.as_ref()).unwrap_or(max);
                        if !(hi > 0.0 && hi <= max) {
                            self.error("ruleset.bad_range", Some(span.clone()), Some(path), format!("`hi`, the points of the reference unit's value, must be in (0, {max}]; got {hi}"));
                        }
                        match &s.reference {
                            Some(unit) if !unit.get_ref().trim().is_empty() => {
                                Normalisation::Reference {
                                    unit: unit.get_ref().trim().to_string(),
                                    hi,
                                }
                            }
                            Some(unit) => {
                                self.error(
                                    "ruleset.missing_field",
                                    Some(unit.span()),
                                    Some(path),
                                    "`reference` is the id of the unit to measure against; it is empty".into(),
                                );
                                return None;
                            }
                            None => {
                                self.error(
                                    "ruleset.missing_field",
                                    Some(span.clone()),
                                    Some(path),
                                    "the `distance_to_reference` method needs a `reference`: the id of the unit to measure against".into(),
                                );
                                return None;
                            }
                        }
                    }
                    "rank" => Normalisation::Rank,
                    "borda" => Normalisation::Borda,
                    "percentile_bands" => match &s.bands {
                        Some(b) if !b.is_empty() => {
                            let bands = self.bands(b, true, path);
                            for (band, def) in bands.iter().zip(b) {
                                if !(0.0..=100.0).contains(&band.at) {
                                    self.error(
                                        "ruleset.bad_number",
                                        Some(def.span()),
                                        Some(path),
                                        format!(
                                            "a percentile band's `at` is a percentile rank in [0, 100]; got {}",
                                            band.at
                                        ),
                                    );
                                }
                            }
                            Normalisation::PercentileBands { bands }
                        }
                        _ => {
                            self.error(
                                "ruleset.missing_field",
                                Some(span.clone()),
                                Some(path),
                                "the `percentile_bands` method needs `bands` (percentile rank `at`, best first, and a `share`)".into(),
                            );
                            return None;
                        }
                    },
                    "above_mean" => {
                        let tolerance = num(s.tolerance.as_ref()).unwrap_or(0.2);
                        if !(0.0..1.0).contains(&tolerance) {
                            self.error("ruleset.bad_range", Some(span.clone()), Some(path), format!("`tolerance` is a share of the cohort's mean in [0, 1); got {tolerance}"));
                        }
                        Normalisation::AboveMean { tolerance }
                    }
                    _ => Normalisation::Percentile,
                };
                for (field, used) in [
                    ("lo", s.lo.is_some()),
                    ("hi", s.hi.is_some()),
                    ("mean", s.mean.is_some()),
                    ("sd", s.sd.is_some()),
                    ("target", s.target.is_some()),
                    ("bands", s.bands.is_some()),
                    ("tolerance", s.tolerance.is_some()),
                    ("reference", s.reference.is_some()),
                ] {
                    let fits = match method {
                        Normalisation::Minmax { .. } => matches!(field, "lo" | "hi"),
                        Normalisation::Reference { .. } => matches!(field, "reference" | "hi"),
                        Normalisation::Zscore { .. } => matches!(field, "mean" | "sd"),
                        Normalisation::Target { .. } => field == "target",
                        Normalisation::PercentileBands { .. } => field == "bands",
                        Normalisation::AboveMean { .. } => field == "tolerance",
                        Normalisation::Percentile
                        | Normalisation::FractionOfMax
                        | Normalisation::Rank
                        | Normalisation::Borda => false,
                    };
                    if used && !fits {
                        self.error(
                            "ruleset.scorer_field",
                            Some(span.clone()),
                            Some(path),
                            format!("`{field}` is not a field of the `normalise` method chosen"),
                        );
                    }
                }
                let impute = match &s.impute {
                    Some(i) => Some(self.choice(i, IMPUTATIONS, "way to impute", Some(path))?),
                    None => None,
                };
                let treat = match &s.treat {
                    Some(t) => Some(self.treatment(t, path)?),
                    None => None,
                };
                Scorer::Normalise {
                    value: value?,
                    method,
                    direction: direction?,
                    constant: constant?,
                    prepare: Preparation { impute, treat },
                }
            }
            "formula" => {
                let expr = need!(expr).and_then(|e| self.expr(e, Type::Number, path));
                Scorer::Formula { expr: expr? }
            }
            _ => return None,
        };
        let mut inputs: BTreeSet<usize> = direct_inputs.into_iter().collect();
        Scorer::for_each_expr(&scorer, &mut |e| inputs.extend(e.slots().iter().copied()));
        Some((scorer, inputs.into_iter().collect()))
    }

    fn positive(&mut self, v: f64, span: &Range<usize>, path: &str, field: &str) -> Option<f64> {
        if v.is_finite() && v > 0.0 {
            Some(v)
        } else {
            self.error(
                "ruleset.bad_number",
                Some(span.clone()),
                Some(path),
                format!("`{field}` must be > 0"),
            );
            None
        }
    }
}

impl Cx<'_> {
    /// A `normalise` leaf's `treat`: `"winsorise"`, `"log"`, or a table of the method and its
    /// parameters (COINr's defaults: 5 points, |skew| 2, kurtosis 3.5, then `log_CT`).
    fn treatment(&mut self, def: &Spanned<toml::Value>, path: &str) -> Option<Treatment> {
        let span = def.span();
        let winsorise = Treatment::Winsorise {
            max_points: 5,
            skew: 2.0,
            kurtosis: 3.5,
            then_log: true,
        };
        let named = |cx: &mut Self, name: &str| match name {
            "winsorise" => Some(winsorise),
            "log" => Some(Treatment::Log),
            _ => {
                cx.error(
                    "ruleset.unknown_choice",
                    Some(span.clone()),
                    Some(path),
                    format!(
                        "`{}` is not a treatment of outliers; expected one of: winsorise, log",
                        crate::error::excerpt(name, 60)
                    ),
                );
                None
            }
        };
        let table = match def.get_ref() {
            toml::Value::String(name) => return named(self, name),
            toml::Value::Table(t) => t,
            _ => {
                self.error(
                    "ruleset.unknown_choice",
                    Some(span.clone()),
                    Some(path),
                    "`treat` is a method name (\"winsorise\", \"log\") or a table such as \
                     { method = \"winsorise\", max_points = 5 }"
                        .into(),
                );
                return None;
            }
        };
        let Some(method) = table.get("method") else {
            self.error(
                "ruleset.missing_field",
                Some(span.clone()),
                Some(path),
                "the `treat` table needs a `method` (\"winsorise\" or \"log\")".into(),
            );
            return None;
        };
        let method = match method {
            toml::Value::String(m) => named(self, m)?,
            _ => return named(self, "?"),
        };
        let fields: &[&str] = match method {
            Treatment::Winsorise { .. } => &["method", "max_points", "skew", "kurtosis", "then"],
            Treatment::Log => &["method"],
        };
        let mut ok = true;
        for key in table.keys().filter(|k| !fields.contains(&k.as_str())) {
            self.error(
                "ruleset.scorer_field",
                Some(span.clone()),
                Some(path),
                format!(
                    "`{}` is not a field of this `treat` table (fields: {})",
                    crate::error::excerpt(key, 60),
                    fields.join(", ")
                ),
            );
            ok = false;
        }
        let Treatment::Winsorise {
            mut max_points,
            mut skew,
            mut kurtosis,
            mut then_log,
        } = method
        else {
            return ok.then_some(method);
        };
        let number = |cx: &mut Self, key: &str, check: &dyn Fn(f64) -> bool, want: &str| {
            let v = table.get(key)?;
            let x = match v {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) => Some(*f),
                _ => None,
            };
            match x {
                Some(x) if x.is_finite() && check(x) => Some(Some(x)),
                _ => {
                    cx.error(
                        "ruleset.bad_number",
                        Some(span.clone()),
                        Some(path),
                        format!("`{key}` of `treat` must be {want}"),
                    );
                    Some(None)
                }
            }
        };
        match number(
            self,
            "max_points",
            &|x| x.fract() == 0.0 && (1.0..=1e6).contains(&x),
            "a whole number from 1 to 1,000,000",
        ) {
            Some(Some(x)) => max_points = x as u32,
            Some(None) => ok = false,
            None => {}
        }
        match number(self, "skew", &|x| x > 0.0, "a finite number above 0") {
            Some(Some(x)) => skew = x,
            Some(None) => ok = false,
            None => {}
        }
        match number(self, "kurtosis", &|_| true, "a finite number") {
            Some(Some(x)) => kurtosis = x,
            Some(None) => ok = false,
            None => {}
        }
        match table.get("then").map(|t| t.as_str()) {
            None => {}
            Some(Some("log")) => then_log = true,
            Some(Some("none")) => then_log = false,
            Some(other) => {
                self.error(
                    "ruleset.unknown_choice",
                    Some(span.clone()),
                    Some(path),
                    format!(
                        "`{}` is not what to do when winsorising is not enough; expected one of: log, none",
                        crate::error::excerpt(other.unwrap_or("?"), 60)
                    ),
                );
                ok = false;
            }
        }
        ok.then_some(Treatment::Winsorise {
            max_points,
            skew,
            kurtosis,
            then_log,
        })
    }
}

fn present_fields(s: &ScorerDef) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! check {
        ($($f:ident),*) => { $( if s.$f.is_some() { out.push(stringify!($f)); } )* };
    }
    check!(
        when,
        count,
        per,
        cap,
        floor,
        tiers,
        input,
        min,
        max,
        value,
        direction,
        bands,
        points,
        lo,
        hi,
        target,
        tolerance,
        worst,
        best,
        shares,
        not_applicable,
        codes,
        excluded,
        scale,
        min_valid,
        periods,
        criteria,
        likelihood,
        severity,
        step,
        expr,
        method,
        mean,
        sd,
        constant,
        reference,
        impute,
        treat
    );
    out
}

const SCORER_FIELDS: &[(&str, &[&str])] = &[
    ("clause", &["when"]),
    ("per_occurrence", &["count", "per", "cap", "floor"]),
    ("severity", &["tiers", "cap"]),
    ("discretionary", &["input", "min", "max"]),
    ("per_item", &["count", "per"]),
    ("threshold", &["value", "direction", "bands"]),
    ("piecewise", &["value", "points"]),
    ("goalposts", &["value", "lo", "hi", "direction"]),
    ("target", &["value", "target", "direction", "tolerance"]),
    ("efficacy", &["value", "worst", "best"]),
    ("levels", &["input", "shares", "not_applicable"]),
    (
        "survey",
        &["input", "codes", "excluded", "scale", "min_valid"],
    ),
    ("frequency", &["periods", "min"]),
    ("criteria", &["criteria", "bands"]),
    ("risk_matrix", &["likelihood", "severity", "bands"]),
    ("rank", &["value", "direction", "step"]),
    (
        "normalise",
        &[
            "value",
            "method",
            "direction",
            "lo",
            "hi",
            "mean",
            "sd",
            "target",
            "bands",
            "tolerance",
            "constant",
            "reference",
            "impute",
            "treat",
        ],
    ),
    ("formula", &["expr"]),
];

const METHODS: &[(&str, &str)] = &[
    ("minmax", "minmax"),
    ("zscore", "zscore"),
    ("percentile", "percentile"),
    ("fraction_of_max", "fraction_of_max"),
    ("distance_to_target", "distance_to_target"),
    ("distance_to_reference", "distance_to_reference"),
    ("rank", "rank"),
    ("borda", "borda"),
    ("percentile_bands", "percentile_bands"),
    ("above_mean", "above_mean"),
];

const IMPUTATIONS: &[(&str, Imputation)] =
    &[("mean", Imputation::Mean), ("median", Imputation::Median)];

const CONSTANT: &[(&str, ConstantCohort)] = &[
    ("missing", ConstantCohort::Missing),
    ("error", ConstantCohort::Error),
];

const DIRECTIONS: &[(&str, Direction)] =
    &[("higher", Direction::Higher), ("lower", Direction::Lower)];
