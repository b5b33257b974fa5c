//! Compact tree × row → value, with the missing-value rules of the language.
//!
//! Recursion depth is bounded by `MAX_DEPTH` at parse time; nothing here allocates except when
//! building an [`EvalFault`].

use super::check::Node;
use super::parser::{ArithOp, CmpOp};
use super::{EvalFault, Expr, Row, Type, Value};

/// Evaluates nodes of `expr` against one `row`.
pub(crate) struct Evaluator<'r> {
    pub row: &'r dyn Row,
    pub expr: &'r Expr,
}

type Evaluated<'r> = Result<Value<'r>, EvalFault>;

/// `Some(n)` for a number, `None` for missing (types were proven at compile time).
fn number(value: Value<'_>) -> Option<f64> {
    match value {
        Value::Number(n) => Some(n),
        _ => None,
    }
}

impl<'r> Evaluator<'r> {
    pub(crate) fn eval(&self, node: &'r Node) -> Evaluated<'r> {
        match node {
            Node::Number(n) => Ok(Value::Number(*n)),
            Node::Bool(b) => Ok(Value::Bool(*b)),
            Node::Text(text) => Ok(Value::Text(text.as_ref())),
            Node::Input { slot, ty } => self.input(*slot, *ty),
            Node::Neg(operand) => self.map(operand, |x| Ok(-x)),
            Node::Not(operand) => Ok(match self.eval(operand)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Missing,
            }),
            Node::Arith { first, rest } => self.arith(first, rest),
            Node::And(terms) => self.logic(terms, false),
            Node::Or(terms) => self.logic(terms, true),
            Node::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs),
            Node::If {
                cond,
                then,
                otherwise,
            } => match self.eval(cond)? {
                Value::Bool(true) => self.eval(then),
                Value::Bool(false) => self.eval(otherwise),
                _ => Ok(Value::Missing),
            },
            Node::Min(args) => self.fold(args, f64::min),
            Node::Max(args) => self.fold(args, f64::max),
            Node::Abs(x) => self.map(x, |x| Ok(x.abs())),
            Node::Clamp(args) => self.clamp(args),
            Node::Round(x, digits) => self.map(x, |x| Ok(round_half_away(x, *digits))),
            Node::IsMissing(x) => Ok(Value::Bool(self.eval(x)? == Value::Missing)),
            Node::Default(x, fallback) => match self.eval(x)? {
                Value::Missing => self.eval(fallback),
                present => Ok(present),
            },
        }
    }

    fn input(&self, slot: usize, ty: Type) -> Evaluated<'r> {
        match (self.row.get(slot), ty) {
            (Value::Missing, _) => Ok(Value::Missing),
            // Rows should say Missing, but a NaN or infinity must never leak into a score.
            (Value::Number(n), Type::Number) if !n.is_finite() => Ok(Value::Missing),
            (value @ Value::Number(_), Type::Number)
            | (value @ Value::Bool(_), Type::Bool)
            | (value @ Value::Text(_), Type::Text) => Ok(value),
            _ => {
                let expr = self.expr;
                let name = expr
                    .slots
                    .iter()
                    .position(|s| *s == slot)
                    .and_then(|i| expr.names.get(i));
                Err(EvalFault::InputType {
                    name: name.cloned().unwrap_or_else(|| format!("#{slot}")),
                    expected: ty,
                    source_text: expr.source.clone(),
                })
            }
        }
    }

    /// Checks an arithmetic result: scores must stay finite, and `-0` reads as `0`.
    fn finite(&self, x: f64) -> Result<f64, EvalFault> {
        if x.is_finite() {
            Ok(x + 0.0)
        } else {
            Err(EvalFault::NonFinite(self.expr.source.clone()))
        }
    }

    /// Applies `f` to a numeric operand, propagating missing.
    fn map(&self, operand: &'r Node, f: impl Fn(f64) -> Result<f64, EvalFault>) -> Evaluated<'r> {
        match number(self.eval(operand)?) {
            Some(x) => Ok(Value::Number(self.finite(f(x)?)?)),
            None => Ok(Value::Missing),
        }
    }

    /// Folds left to right; every operand is evaluated (so faults inside one are never hidden
    /// by a missing neighbour), but once the total is missing it stays missing.
    fn arith(&self, first: &'r Node, rest: &'r [(ArithOp, Node)]) -> Evaluated<'r> {
        let mut total = number(self.eval(first)?);
        for (op, operand) in rest {
            let operand = number(self.eval(operand)?);
            total = match (total, operand) {
                (Some(a), Some(b)) => Some(self.finite(match op {
                    ArithOp::Add => a + b,
                    ArithOp::Sub => a - b,
                    ArithOp::Mul => a * b,
                    ArithOp::Div if b == 0.0 => {
                        return Err(EvalFault::DivisionByZero(self.expr.source.clone()));
                    }
                    ArithOp::Div => a / b,
                })?),
                _ => None,
            };
        }
        Ok(total.map_or(Value::Missing, Value::Number))
    }

    /// `and` (`decisive = false`) and `or` (`decisive = true`): the decisive value wins even over
    /// missing operands and stops evaluation; otherwise any missing operand makes the result
    /// missing.
    fn logic(&self, terms: &'r [Node], decisive: bool) -> Evaluated<'r> {
        let mut missing = false;
        for term in terms {
            match self.eval(term)? {
                Value::Bool(b) if b == decisive => return Ok(Value::Bool(decisive)),
                Value::Bool(_) => {}
                _ => missing = true,
            }
        }
        Ok(if missing {
            Value::Missing
        } else {
            Value::Bool(!decisive)
        })
    }

    fn compare(&self, op: CmpOp, lhs: &'r Node, rhs: &'r Node) -> Evaluated<'r> {
        let (lhs, rhs) = (self.eval(lhs)?, self.eval(rhs)?);
        let equal = match (lhs, rhs) {
            (Value::Number(a), Value::Number(b)) => {
                return Ok(Value::Bool(match op {
                    CmpOp::Eq => a == b,
                    CmpOp::Ne => a != b,
                    CmpOp::Lt => a < b,
                    CmpOp::Le => a <= b,
                    CmpOp::Gt => a > b,
                    CmpOp::Ge => a >= b,
                }));
            }
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Text(a), Value::Text(b)) => a == b,
            _ => return Ok(Value::Missing),
        };
        Ok(match op {
            CmpOp::Eq => Value::Bool(equal),
            CmpOp::Ne => Value::Bool(!equal),
            _ => Value::Missing,
        })
    }

    /// `min`/`max`: all operands evaluated; any missing makes the result missing.
    fn fold(&self, args: &'r [Node], pick: fn(f64, f64) -> f64) -> Evaluated<'r> {
        let mut best: Option<f64> = None;
        let mut missing = false;
        for arg in args {
            match number(self.eval(arg)?) {
                Some(x) => best = Some(best.map_or(x, |b| pick(b, x))),
                None => missing = true,
            }
        }
        Ok(match best {
            Some(x) if !missing => Value::Number(x),
            _ => Value::Missing,
        })
    }

    fn clamp(&self, args: &'r [Node; 3]) -> Evaluated<'r> {
        let [x, lo, hi] = args;
        let (x, lo, hi) = (
            number(self.eval(x)?),
            number(self.eval(lo)?),
            number(self.eval(hi)?),
        );
        let (Some(x), Some(lo), Some(hi)) = (x, lo, hi) else {
            return Ok(Value::Missing);
        };
        if lo > hi {
            return Err(EvalFault::ClampBounds(self.expr.source.clone()));
        }
        Ok(Value::Number(x.max(lo).min(hi)))
    }
}

/// Rounds to `digits` decimals, halves away from zero, judging "half" the way a person reading
/// the decimal text would: `round(1.005, 2)` is `1.01` although the binary value is just below.
pub(crate) fn round_half_away(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    let scaled = x * scale;
    // Beyond 2^52 every f64 is already a whole number at this scale.
    if !scaled.is_finite() || scaled.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let whole = scaled.trunc();
    // Representation error of `x`, magnified by the scaling: a few ulps of `scaled`. Only when
    // that is small next to 0.5 can a near-half be told apart from a genuine non-half.
    let tolerance = 4.0 * f64::EPSILON * scaled.abs();
    let near_half = ((scaled - whole).abs() - 0.5).abs() <= tolerance;
    let rounded = if near_half && tolerance < 1e-3 {
        whole + scaled.signum()
    } else {
        scaled.round()
    };
    rounded / scale
}
