//! Leaf scorers: one function per rule type, each turning a row's values into points (or a share
//! of the leaf's points) and a sentence that says what it did.

use crate::batch::RowView;
use crate::error::RecordError;
use crate::evaluate::fault;
use crate::evaluation::Text;
use crate::explain::num;
use crate::expr::{Expr, Row, Value};
use crate::ruleset::{Band, Direction, Scorer, Tier};

/// What a leaf's scorer decided.
pub(crate) enum Outcome {
    /// Points earned (clamped to the leaf's maximum by the caller).
    Points(f64, Text),
    /// The item scores 0 by a zeroing rule.
    Zeroed(Text),
    /// A needed value is missing.
    Missing,
    /// The item does not apply.
    NotApplicable(Text),
}

/// The cohort's values for each `rank` leaf (by node index).
#[derive(Default)]
pub(crate) struct Cohort {
    pub values: Vec<(usize, Vec<f64>)>,
}

/// Evaluates an expression that must give a number; `None` when missing.
fn number(e: &Expr, view: &RowView<'_>) -> Result<Option<f64>, RecordError> {
    Ok(match e.eval(view).map_err(fault(""))? {
        Value::Number(x) => Some(x),
        _ => None,
    })
}

fn boolean(e: &Expr, view: &RowView<'_>) -> Result<Option<bool>, RecordError> {
    Ok(match e.eval(view).map_err(fault(""))? {
        Value::Bool(b) => Some(b),
        _ => None,
    })
}

fn band(bands: &[Band], hit: impl Fn(&Band) -> bool) -> (f64, String) {
    match bands.iter().find(|b| hit(b)) {
        Some(b) => (
            b.share,
            b.label.clone().unwrap_or_else(|| format!("≥{}", num(b.at))),
        ),
        None => (0.0, "未达任何档次".to_string()),
    }
}

macro_rules! need {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Ok(Outcome::Missing),
        }
    };
}

/// Scores one leaf with maximum `max`; with `trail` false the sentences are not written (the
/// numbers are the same).
pub(crate) fn score_leaf(
    scorer: &Scorer,
    max: f64,
    index: usize,
    view: &RowView<'_>,
    cohort: &Cohort,
    trail: bool,
) -> Result<Outcome, RecordError> {
    // Sentences are built only when asked for: formatting dominates the cost of scoring.
    macro_rules! text {
        ($zh:expr, $en:expr $(,)?) => {
            if trail {
                Text::new($zh, $en)
            } else {
                Text::default()
            }
        };
    }
    // A share of the leaf's points, clamped to [0, 1].
    macro_rules! share {
        ($share:expr, $zh:expr, $en:expr $(,)?) => {{
            let s = f64::clamp($share, 0.0, 1.0);
            Outcome::Points(
                max * s,
                text!(
                    format!("{}，得分率{}%", $zh, num(s * 100.0)),
                    format!("{}: {}% of the points", $en, num(s * 100.0))
                ),
            )
        }};
    }
    Ok(match scorer {
        Scorer::Clause { when } => {
            if need!(boolean(when, view)?) {
                Outcome::Points(
                    max,
                    text!(
                        format!("条款已满足，得{}分", num(max)),
                        format!("clause met: {} points", num(max)),
                    ),
                )
            } else {
                Outcome::Points(
                    0.0,
                    text!(
                        format!("条款未满足（{}），不得分", when.source()),
                        format!("clause not met ({}): 0 points", when.source()),
                    ),
                )
            }
        }
        Scorer::PerOccurrence {
            count,
            per,
            cap,
            floor,
        } => {
            let n = need!(number(count, view)?).max(0.0);
            let deduction = (per * n).min(*cap);
            let points = (max - deduction).max(*floor);
            Outcome::Points(
                points,
                text!(
                    format!(
                        "发生{}次，每次扣{}分，扣{}分（最多扣{}分，最低{}分）",
                        num(n),
                        num(*per),
                        num(max - points),
                        num(*cap),
                        num(*floor)
                    ),
                    format!(
                        "{} occurrence(s) at {} each: {} deducted (at most {}, floor {})",
                        num(n),
                        num(*per),
                        num(max - points),
                        num(*cap),
                        num(*floor)
                    ),
                ),
            )
        }
        Scorer::Severity { tiers, cap } => {
            let mut total = 0.0;
            let (mut zh, mut en) = (Vec::new(), Vec::new());
            for tier in tiers {
                match tier {
                    Tier::Zero { name, when } => {
                        if need!(boolean(when, view)?) {
                            return Ok(Outcome::Zeroed(text!(
                                format!("情节{name}，本项不得分"),
                                format!("{name} case: item zeroed"),
                            )));
                        }
                    }
                    Tier::PerCase { name, count, per } => {
                        let n = need!(number(count, view)?).max(0.0);
                        if n > 0.0 {
                            total += per * n;
                            zh.push(format!("{name}{}例×{}分", num(n), num(*per)));
                            en.push(format!("{name} {}×{}", num(n), num(*per)));
                        }
                    }
                }
            }
            let deduction = total.min(*cap);
            let (zh, en) = if zh.is_empty() {
                ("无扣分情形".to_string(), "no cases".to_string())
            } else {
                (zh.join("，"), en.join(", "))
            };
            Outcome::Points(
                max - deduction,
                text!(
                    format!("{zh}，扣{}分", num(deduction)),
                    format!("{en}: {} deducted", num(deduction)),
                ),
            )
        }
        Scorer::Discretionary {
            input,
            min,
            max: hi,
        } => {
            let v = need!(match view.get(*input) {
                Value::Number(x) => Some(x),
                _ => None,
            });
            if v != 0.0 && (v < *min || v > *hi) {
                return Err(RecordError::new(
                    "record.out_of_bounds",
                    format!(
                        "a discretionary deduction of {} must be 0 or lie within [{}, {}]",
                        num(v),
                        num(*min),
                        num(*hi)
                    ),
                ));
            }
            Outcome::Points(
                max - v,
                text!(
                    format!("酌情扣{}分（可扣{}–{}分）", num(v), num(*min), num(*hi)),
                    format!(
                        "discretionary deduction of {} (allowed {}–{})",
                        num(v),
                        num(*min),
                        num(*hi)
                    ),
                ),
            )
        }
        Scorer::PerItem { count, per } => {
            let n = need!(number(count, view)?).max(0.0);
            let points = (per * n).min(max);
            Outcome::Points(
                points,
                text!(
                    format!(
                        "{}项，每项{}分，计{}分（最高{}分）",
                        num(n),
                        num(*per),
                        num(points),
                        num(max)
                    ),
                    format!(
                        "{} item(s) at {} each: {} (at most {})",
                        num(n),
                        num(*per),
                        num(points),
                        num(max)
                    ),
                ),
            )
        }
        Scorer::Threshold {
            value,
            direction,
            bands,
        } => {
            let x = need!(number(value, view)?);
            let (s, label) = match direction {
                Direction::Higher => band(bands, |b| x >= b.at),
                Direction::Lower => band(bands, |b| x <= b.at),
            };
            share!(
                s,
                format!("数值{}，{label}", num(x)),
                format!("value {}, band {label}", num(x)),
            )
        }
        Scorer::Piecewise { value, points } => {
            let x = need!(number(value, view)?);
            share!(
                interpolate(points, x),
                format!("数值{}，分段线性计分", num(x)),
                format!("value {}, piecewise-linear", num(x)),
            )
        }
        Scorer::Goalposts {
            value,
            lo,
            hi,
            direction,
        } => {
            let x = need!(number(value, view)?);
            let s = match direction {
                Direction::Higher => (x - lo) / (hi - lo),
                Direction::Lower => (hi - x) / (hi - lo),
            };
            share!(
                s,
                format!("数值{}，阈值{}–{}", num(x), num(*lo), num(*hi)),
                format!("value {}, goalposts {}–{}", num(x), num(*lo), num(*hi)),
            )
        }
        Scorer::Target {
            value,
            target,
            direction,
            tolerance,
        } => {
            let x = need!(number(value, view)?);
            let s = match (tolerance, direction) {
                (Some(t), _) => 1.0 - (x - target).abs() / t,
                (None, Direction::Higher) => x / target,
                (None, Direction::Lower) if x <= *target => 1.0,
                (None, Direction::Lower) => target / x,
            };
            share!(
                s,
                format!("数值{}，目标值{}", num(x), num(*target)),
                format!("value {}, target {}", num(x), num(*target)),
            )
        }
        Scorer::Efficacy { value, worst, best } => {
            let x = need!(number(value, view)?);
            let d = (60.0 + 40.0 * (x - worst) / (best - worst)).clamp(0.0, 100.0);
            share!(
                d / 100.0,
                format!("数值{}，功效系数{}", num(x), num(d)),
                format!("value {}, efficacy coefficient {}", num(x), num(d)),
            )
        }
        Scorer::Levels {
            input,
            shares,
            not_applicable,
        } => {
            let level = need!(match view.get(*input) {
                Value::Text(t) => Some(t),
                _ => None,
            });
            if not_applicable.iter().any(|v| v == level) {
                return Ok(Outcome::NotApplicable(text!(
                    format!("“{level}”：不适用，不计入分母"),
                    format!("`{level}`: not applicable"),
                )));
            }
            let s = shares
                .iter()
                .find(|(v, _)| v == level)
                .map_or(0.0, |(_, s)| *s);
            share!(s, format!("等级“{level}”"), format!("level `{level}`"))
        }
        Scorer::Survey {
            input,
            codes,
            excluded,
            scale,
            min_valid,
        } => {
            let counts = need!(view.survey(*input));
            let valid: f64 = codes
                .iter()
                .map(|(i, _)| counts.get(*i).copied().unwrap_or(0.0))
                .sum();
            let left_out: f64 = excluded
                .iter()
                .map(|i| counts.get(*i).copied().unwrap_or(0.0))
                .sum();
            if valid < *min_valid || valid <= 0.0 {
                return Ok(Outcome::Missing);
            }
            let mean = codes
                .iter()
                .map(|(i, code)| counts.get(*i).copied().unwrap_or(0.0) * code)
                .sum::<f64>()
                / valid;
            share!(
                mean / scale,
                format!(
                    "有效票{}张（剔除{}张），平均{}分",
                    num(valid),
                    num(left_out),
                    num(mean)
                ),
                format!(
                    "{} valid votes ({} excluded), mean {}",
                    num(valid),
                    num(left_out),
                    num(mean)
                ),
            )
        }
        Scorer::Frequency { periods, min } => {
            let mut met = 0usize;
            for p in periods {
                if need!(number(p, view)?) >= *min {
                    met += 1;
                }
            }
            let s = met as f64 / periods.len().max(1) as f64;
            share!(
                s,
                format!(
                    "{}个周期中{}个达标（每期不少于{}次）",
                    periods.len(),
                    met,
                    num(*min)
                ),
                format!(
                    "{met} of {} periods compliant (at least {} each)",
                    periods.len(),
                    num(*min)
                ),
            )
        }
        Scorer::Criteria { criteria, bands } => {
            let mut met = 0usize;
            for c in criteria {
                if need!(boolean(c, view)?) {
                    met += 1;
                }
            }
            let (s, label) = band(bands, |b| met as f64 >= b.at);
            share!(
                s,
                format!("符合{met}项标准，{label}"),
                format!("{met} criteria met: {label}"),
            )
        }
        Scorer::RiskMatrix {
            likelihood,
            severity,
            bands,
        } => {
            let (l, s) = (
                need!(number(likelihood, view)?),
                need!(number(severity, view)?),
            );
            let risk = l * s;
            let (sh, label) = band(bands, |b| risk >= b.at);
            share!(
                sh,
                format!(
                    "可能性{}×严重程度{}=风险值{}，{label}",
                    num(l),
                    num(s),
                    num(risk)
                ),
                format!(
                    "likelihood {} × severity {} = risk {}: {label}",
                    num(l),
                    num(s),
                    num(risk)
                ),
            )
        }
        Scorer::Rank {
            value,
            direction,
            step,
        } => {
            let x = need!(number(value, view)?);
            let values = cohort
                .values
                .iter()
                .find(|(i, _)| *i == index)
                .map(|(_, v)| v.as_slice())
                .unwrap_or(&[]);
            let better = values
                .iter()
                .filter(|&&v| match direction {
                    Direction::Higher => v > x,
                    Direction::Lower => v < x,
                })
                .count();
            let rank = better + 1;
            let points = (max - step * better as f64).max(0.0);
            let of = values.len().max(1);
            Outcome::Points(
                points,
                text!(
                    format!(
                        "数值{}，第{rank}名（共{of}个），每降一名扣{}分",
                        num(x),
                        num(*step)
                    ),
                    format!(
                        "value {}, rank {rank} of {of}, {} per place",
                        num(x),
                        num(*step)
                    ),
                ),
            )
        }
        Scorer::Formula { expr } => {
            let v = need!(number(expr, view)?);
            Outcome::Points(
                v.clamp(0.0, max),
                text!(
                    format!("公式 {} = {}", expr.source(), num(v)),
                    format!("formula {} = {}", expr.source(), num(v)),
                ),
            )
        }
    })
}

/// Piecewise-linear interpolation over points with increasing x; constant outside.
pub(crate) fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return 0.0;
    };
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    for pair in points.windows(2) {
        if let [(x0, y0), (x1, y1)] = pair {
            if x >= *x0 && x <= *x1 {
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
            }
        }
    }
    last.1
}

#[cfg(test)]
mod tests {
    use super::interpolate;

    #[test]
    fn interpolation_is_linear_between_points_and_flat_outside() {
        let pts = [(0.0, 0.0), (10.0, 0.5), (20.0, 1.0)];
        assert_eq!(interpolate(&pts, -5.0), 0.0);
        assert_eq!(interpolate(&pts, 5.0), 0.25);
        assert_eq!(interpolate(&pts, 15.0), 0.75);
        assert_eq!(interpolate(&pts, 25.0), 1.0);
    }
}
