//! Compact tree × chunk of rows → column of values: the expression language run over columns.
//!
//! Each operation runs over a whole chunk. Missing values are in-band: `NaN` for numbers,
//! [`MISSING_BOOL`] for truth values and [`MISSING_TEXT`] for text (interned symbols), so
//! arithmetic propagates missing for free. The lazy parts of the language (`if`, `and`, `or`,
//! `default`) pass an *active* mask down to their operands: a fault (division by zero, overflow)
//! counts only in rows where the row-at-a-time evaluator would have evaluated that operand, and
//! the first fault of a row in evaluation order is the one reported. Results are bit for bit those
//! of [`super::eval`].

use super::check::Node;
use super::eval::round_half_away;
use super::parser::{ArithOp, CmpOp};
use super::{EvalFault, Expr};
use std::borrow::Cow;
use std::collections::HashMap;

/// A missing truth value (`0` is false, `1` is true).
pub(crate) const MISSING_BOOL: u8 = 2;
/// A missing text value.
pub(crate) const MISSING_TEXT: u32 = u32::MAX;

/// One input column of a chunk, as the scoring engine stores it.
#[derive(Clone, Copy)]
pub(crate) enum Col<'a> {
    /// `NaN` = missing; `clean` is false when the column may hold infinities (read as missing).
    Num(&'a [f64], bool),
    Bool(&'a [u8]),
    Text(&'a [u32]),
}

/// The input columns of one chunk, by slot.
pub(crate) trait Columns {
    fn column(&self, slot: usize) -> Option<Col<'_>>;
}

/// Text values interned to symbols: every category value and text literal of a ruleset.
#[derive(Clone, Debug, Default)]
pub(crate) struct Symbols {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Symbols {
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(MISSING_TEXT - 1);
        self.ids.insert(text.into(), id);
        self.names.push(text.into());
        id
    }

    pub(crate) fn get(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    pub(crate) fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(|s| &**s)
    }
}

/// A column of values computed for a chunk; the `*K` forms are one value for every row.
pub(crate) enum Vals<'a> {
    Num(Cow<'a, [f64]>),
    NumK(f64),
    Bool(Cow<'a, [u8]>),
    BoolK(u8),
    Text(Cow<'a, [u32]>),
    TextK(u32),
}

#[derive(Clone, Copy)]
enum NumSrc<'b> {
    S(&'b [f64]),
    K(f64),
}

impl NumSrc<'_> {
    #[inline]
    fn get(&self, i: usize) -> f64 {
        match self {
            NumSrc::S(v) => v.get(i).copied().unwrap_or(f64::NAN),
            NumSrc::K(k) => *k,
        }
    }
}

#[derive(Clone, Copy)]
enum CodeSrc<'b, T> {
    S(&'b [T]),
    K(T),
}

impl<T: Copy> CodeSrc<'_, T> {
    #[inline]
    fn get(&self, i: usize, missing: T) -> T {
        match self {
            CodeSrc::S(v) => v.get(i).copied().unwrap_or(missing),
            CodeSrc::K(k) => *k,
        }
    }
}

impl<'a> Vals<'a> {
    fn num(&self) -> NumSrc<'_> {
        match self {
            Vals::Num(v) => NumSrc::S(v),
            Vals::NumK(k) => NumSrc::K(*k),
            _ => NumSrc::K(f64::NAN),
        }
    }

    fn boolean(&self) -> CodeSrc<'_, u8> {
        match self {
            Vals::Bool(v) => CodeSrc::S(v),
            Vals::BoolK(k) => CodeSrc::K(*k),
            _ => CodeSrc::K(MISSING_BOOL),
        }
    }

    fn text(&self) -> CodeSrc<'_, u32> {
        match self {
            Vals::Text(v) => CodeSrc::S(v),
            Vals::TextK(k) => CodeSrc::K(*k),
            _ => CodeSrc::K(MISSING_TEXT),
        }
    }

    /// Whether row `i` is missing.
    fn missing_at(&self, i: usize) -> bool {
        match self {
            Vals::Num(_) | Vals::NumK(_) => self.num().get(i).is_nan(),
            Vals::Bool(_) | Vals::BoolK(_) => self.boolean().get(i, MISSING_BOOL) == MISSING_BOOL,
            Vals::Text(_) | Vals::TextK(_) => self.text().get(i, MISSING_TEXT) == MISSING_TEXT,
        }
    }

    /// Numbers of the chunk, `NaN` = missing.
    pub(crate) fn numbers(&self, n: usize) -> Cow<'_, [f64]> {
        match self {
            Vals::Num(v) => Cow::Borrowed(v),
            Vals::NumK(k) => Cow::Owned(vec![*k; n]),
            _ => Cow::Owned(vec![f64::NAN; n]),
        }
    }

    /// Truth values of the chunk (0, 1, [`MISSING_BOOL`]).
    pub(crate) fn bools(&self, n: usize) -> Cow<'_, [u8]> {
        match self {
            Vals::Bool(v) => Cow::Borrowed(v),
            Vals::BoolK(k) => Cow::Owned(vec![*k; n]),
            _ => Cow::Owned(vec![MISSING_BOOL; n]),
        }
    }

    /// Text symbols of the chunk ([`MISSING_TEXT`] = missing).
    pub(crate) fn texts(&self, n: usize) -> Cow<'_, [u32]> {
        match self {
            Vals::Text(v) => Cow::Borrowed(v),
            Vals::TextK(k) => Cow::Owned(vec![*k; n]),
            _ => Cow::Owned(vec![MISSING_TEXT; n]),
        }
    }

    fn into_owned(self) -> Vals<'static> {
        match self {
            Vals::Num(v) => Vals::Num(Cow::Owned(v.into_owned())),
            Vals::NumK(k) => Vals::NumK(k),
            Vals::Bool(v) => Vals::Bool(Cow::Owned(v.into_owned())),
            Vals::BoolK(k) => Vals::BoolK(k),
            Vals::Text(v) => Vals::Text(Cow::Owned(v.into_owned())),
            Vals::TextK(k) => Vals::TextK(k),
        }
    }
}

/// `f` over two number sources; two constants stay a constant.
fn map2(a: NumSrc<'_>, b: NumSrc<'_>, n: usize, f: impl Fn(f64, f64) -> f64) -> Vals<'static> {
    let v: Vec<f64> = match (a, b) {
        (NumSrc::S(x), NumSrc::S(y)) => x.iter().zip(y).map(|(&x, &y)| f(x, y)).collect(),
        (NumSrc::S(x), NumSrc::K(y)) => x.iter().map(|&x| f(x, y)).collect(),
        (NumSrc::K(x), NumSrc::S(y)) => y.iter().map(|&y| f(x, y)).collect(),
        (NumSrc::K(x), NumSrc::K(y)) => return Vals::NumK(f(x, y)),
    };
    debug_assert_eq!(v.len(), n);
    Vals::Num(Cow::Owned(v))
}

fn map1(a: NumSrc<'_>, f: impl Fn(f64) -> f64) -> Vals<'static> {
    match a {
        NumSrc::S(x) => Vals::Num(Cow::Owned(x.iter().map(|&x| f(x)).collect())),
        NumSrc::K(x) => Vals::NumK(f(x)),
    }
}

/// Whether row `i` is active under `active` (`None` = every row).
#[inline]
fn is_active(active: Option<&[bool]>, i: usize) -> bool {
    active.is_none_or(|a| a.get(i).copied().unwrap_or(false))
}

/// Narrows `active` to the rows where `keep` holds.
fn narrow(active: Option<&[bool]>, n: usize, keep: impl Fn(usize) -> bool) -> Vec<bool> {
    (0..n).map(|i| is_active(active, i) && keep(i)).collect()
}

/// Evaluates one expression over a chunk of `n` rows.
pub(crate) struct VectorEval<'a, C: Columns> {
    pub columns: &'a C,
    pub n: usize,
    pub expr: &'a Expr,
    pub symbols: &'a Symbols,
    /// The first fault of each row that has one, by chunk row.
    pub faults: Vec<(usize, EvalFault)>,
    faulted: Vec<bool>,
}

impl<'a, C: Columns> VectorEval<'a, C> {
    pub(crate) fn new(columns: &'a C, n: usize, expr: &'a Expr, symbols: &'a Symbols) -> Self {
        VectorEval {
            columns,
            n,
            expr,
            symbols,
            faults: Vec::new(),
            faulted: Vec::new(),
        }
    }

    /// The whole expression, for the rows in `active`.
    pub(crate) fn run(&mut self, active: Option<&[bool]>) -> Vals<'a> {
        let expr = self.expr;
        self.eval(&expr.root, active)
    }

    fn fault(&mut self, i: usize, make: impl FnOnce(String) -> EvalFault) {
        if self.faulted.is_empty() {
            self.faulted = vec![false; self.n];
        }
        if let Some(seen) = self.faulted.get_mut(i) {
            if !*seen {
                *seen = true;
                self.faults.push((i, make(self.expr.source.clone())));
            }
        }
    }

    fn eval(&mut self, node: &'a Node, active: Option<&[bool]>) -> Vals<'a> {
        match node {
            Node::Number(x) => Vals::NumK(*x),
            Node::Bool(b) => Vals::BoolK(u8::from(*b)),
            Node::Text(t) => Vals::TextK(self.symbols.get(t).unwrap_or(MISSING_TEXT - 1)),
            Node::Input { slot, .. } => match self.columns.column(*slot) {
                Some(Col::Num(v, true)) => Vals::Num(Cow::Borrowed(v)),
                // Rows should say missing, but an infinity must never leak into a score.
                Some(Col::Num(v, false)) => Vals::Num(Cow::Owned(
                    v.iter()
                        .map(|&x| if x.is_finite() { x } else { f64::NAN })
                        .collect(),
                )),
                Some(Col::Bool(v)) => Vals::Bool(Cow::Borrowed(v)),
                Some(Col::Text(v)) => Vals::Text(Cow::Borrowed(v)),
                None => Vals::NumK(f64::NAN),
            },
            Node::Neg(x) => {
                let v = self.eval(x, active);
                map1(v.num(), |x| -x + 0.0)
            }
            Node::Abs(x) => {
                let v = self.eval(x, active);
                map1(v.num(), |x| x.abs() + 0.0)
            }
            Node::Round(x, digits) => {
                let v = self.eval(x, active);
                let d = *digits;
                map1(v.num(), |x| {
                    if x.is_nan() {
                        x
                    } else {
                        round_half_away(x, d) + 0.0
                    }
                })
            }
            Node::Not(x) => {
                let v = self.eval(x, active);
                match v.boolean() {
                    CodeSrc::S(s) => Vals::Bool(Cow::Owned(s.iter().map(|&b| not(b)).collect())),
                    CodeSrc::K(k) => Vals::BoolK(not(k)),
                }
            }
            Node::Arith { first, rest } => {
                let mut total = self.eval(first, active);
                for (op, operand) in rest.iter() {
                    let operand = self.eval(operand, active);
                    total = self.arith(*op, &total, &operand, active);
                }
                total
            }
            Node::And(terms) => self.logic(terms, 0, active),
            Node::Or(terms) => self.logic(terms, 1, active),
            Node::Compare { op, lhs, rhs } => {
                let (l, r) = (self.eval(lhs, active), self.eval(rhs, active));
                self.compare(*op, &l, &r)
            }
            Node::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.eval(cond, active).into_owned();
                let cs = c.boolean();
                let n = self.n;
                if let CodeSrc::K(k) = cs {
                    return match k {
                        1 => self.eval(then, active),
                        0 => self.eval(otherwise, active),
                        _ => missing_like(then),
                    };
                }
                let on = narrow(active, n, |i| cs.get(i, MISSING_BOOL) == 1);
                let off = narrow(active, n, |i| cs.get(i, MISSING_BOOL) == 0);
                let a = self.eval(then, Some(&on));
                let b = self.eval(otherwise, Some(&off));
                select(n, |i| cs.get(i, MISSING_BOOL), &a, &b)
            }
            Node::Min(args) => self.fold(args, f64::min, active),
            Node::Max(args) => self.fold(args, f64::max, active),
            Node::Clamp(args) => {
                let [x, lo, hi] = &**args;
                let x = self.eval(x, active).into_owned();
                let lo = self.eval(lo, active).into_owned();
                let hi = self.eval(hi, active).into_owned();
                let (xs, ls, hs) = (x.num(), lo.num(), hi.num());
                let mut out = Vec::with_capacity(self.n);
                for i in 0..self.n {
                    let (x, lo, hi) = (xs.get(i), ls.get(i), hs.get(i));
                    if x.is_nan() || lo.is_nan() || hi.is_nan() {
                        out.push(f64::NAN);
                    } else if lo > hi {
                        if is_active(active, i) {
                            self.fault(i, EvalFault::ClampBounds);
                        }
                        out.push(f64::NAN);
                    } else {
                        out.push(x.max(lo).min(hi));
                    }
                }
                Vals::Num(Cow::Owned(out))
            }
            Node::IsMissing(x) => {
                let v = self.eval(x, active);
                if let Vals::NumK(_) | Vals::BoolK(_) | Vals::TextK(_) = v {
                    return Vals::BoolK(u8::from(v.missing_at(0)));
                }
                Vals::Bool(Cow::Owned(
                    (0..self.n).map(|i| u8::from(v.missing_at(i))).collect(),
                ))
            }
            Node::Default(x, fallback) => {
                let v = self.eval(x, active).into_owned();
                let n = self.n;
                match &v {
                    Vals::NumK(_) | Vals::BoolK(_) | Vals::TextK(_) => {
                        if v.missing_at(0) {
                            self.eval(fallback, active)
                        } else {
                            v
                        }
                    }
                    _ => {
                        if !(0..n).any(|i| v.missing_at(i)) {
                            return v;
                        }
                        let gap = narrow(active, n, |i| v.missing_at(i));
                        let f = self.eval(fallback, Some(&gap));
                        // `v` where present, else the fallback: a select on "present".
                        select(n, |i| u8::from(!v.missing_at(i)), &v, &f)
                    }
                }
            }
        }
    }

    fn arith(
        &mut self,
        op: ArithOp,
        a: &Vals<'_>,
        b: &Vals<'_>,
        active: Option<&[bool]>,
    ) -> Vals<'static> {
        let (x, y) = (a.num(), b.num());
        let mut out = match op {
            ArithOp::Add => map2(x, y, self.n, |a, b| (a + b) + 0.0),
            ArithOp::Sub => map2(x, y, self.n, |a, b| (a - b) + 0.0),
            ArithOp::Mul => map2(x, y, self.n, |a, b| (a * b) + 0.0),
            ArithOp::Div => map2(x, y, self.n, |a, b| (a / b) + 0.0),
        };
        let check = |r: f64, a: f64, b: f64| !r.is_finite() && !a.is_nan() && !b.is_nan();
        match &mut out {
            Vals::NumK(r) if check(*r, x.get(0), y.get(0)) => {
                let zero = op == ArithOp::Div && y.get(0) == 0.0;
                for i in 0..self.n {
                    if is_active(active, i) {
                        self.fault_arith(i, zero);
                    }
                }
                *r = f64::NAN;
            }
            Vals::Num(r) => {
                let bad: Vec<usize> = r
                    .iter()
                    .enumerate()
                    .filter(|&(i, &r)| check(r, x.get(i), y.get(i)))
                    .map(|(i, _)| i)
                    .collect();
                if !bad.is_empty() {
                    let r = r.to_mut();
                    for i in bad {
                        if is_active(active, i) {
                            self.fault_arith(i, op == ArithOp::Div && y.get(i) == 0.0);
                        }
                        if let Some(slot) = r.get_mut(i) {
                            *slot = f64::NAN;
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }

    fn fault_arith(&mut self, i: usize, division_by_zero: bool) {
        if division_by_zero {
            self.fault(i, EvalFault::DivisionByZero);
        } else {
            self.fault(i, EvalFault::NonFinite);
        }
    }

    /// `and` (`decisive` 0) and `or` (`decisive` 1), with the row evaluator's short-circuit: a
    /// term is evaluated only in rows the earlier terms did not decide.
    fn logic(&mut self, terms: &'a [Node], decisive: u8, active: Option<&[bool]>) -> Vals<'a> {
        let n = self.n;
        // Per row: decided (the decisive value seen), or seen a missing term.
        let mut decided = vec![false; n];
        let mut missing = vec![false; n];
        let mut all_const = true;
        for (k, term) in terms.iter().enumerate() {
            let open: Option<Vec<bool>> = if k == 0 {
                None
            } else {
                Some(narrow(active, n, |i| {
                    !decided.get(i).copied().unwrap_or(true)
                }))
            };
            let v = self.eval(term, open.as_deref().or(active));
            if !matches!(v, Vals::BoolK(_)) {
                all_const = false;
            }
            let s = v.boolean();
            for (i, (d, m)) in decided.iter_mut().zip(missing.iter_mut()).enumerate() {
                if *d {
                    continue;
                }
                match s.get(i, MISSING_BOOL) {
                    b if b == decisive => *d = true,
                    MISSING_BOOL => *m = true,
                    _ => {}
                }
            }
        }
        let value = |d: bool, m: bool| {
            if d {
                decisive
            } else if m {
                MISSING_BOOL
            } else {
                1 - decisive
            }
        };
        if all_const {
            return Vals::BoolK(value(
                decided.first().copied().unwrap_or(false),
                missing.first().copied().unwrap_or(false),
            ));
        }
        Vals::Bool(Cow::Owned(
            decided
                .iter()
                .zip(&missing)
                .map(|(&d, &m)| value(d, m))
                .collect(),
        ))
    }

    fn compare(&mut self, op: CmpOp, l: &Vals<'_>, r: &Vals<'_>) -> Vals<'static> {
        let n = self.n;
        let num_cmp = |a: f64, b: f64| -> u8 {
            if a.is_nan() || b.is_nan() {
                return MISSING_BOOL;
            }
            u8::from(match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
            })
        };
        let eq_cmp = |equal: Option<bool>| -> u8 {
            match (equal, op) {
                (Some(e), CmpOp::Eq) => u8::from(e),
                (Some(e), CmpOp::Ne) => u8::from(!e),
                _ => MISSING_BOOL,
            }
        };
        match (l, r) {
            (Vals::Num(_) | Vals::NumK(_), Vals::Num(_) | Vals::NumK(_)) => {
                let (a, b) = (l.num(), r.num());
                match (a, b) {
                    (NumSrc::S(x), NumSrc::S(y)) => Vals::Bool(Cow::Owned(
                        x.iter().zip(y).map(|(&a, &b)| num_cmp(a, b)).collect(),
                    )),
                    (NumSrc::S(x), NumSrc::K(b)) => {
                        Vals::Bool(Cow::Owned(x.iter().map(|&a| num_cmp(a, b)).collect()))
                    }
                    (NumSrc::K(a), NumSrc::S(y)) => {
                        Vals::Bool(Cow::Owned(y.iter().map(|&b| num_cmp(a, b)).collect()))
                    }
                    (NumSrc::K(a), NumSrc::K(b)) => Vals::BoolK(num_cmp(a, b)),
                }
            }
            (Vals::Bool(_) | Vals::BoolK(_), Vals::Bool(_) | Vals::BoolK(_)) => {
                let (a, b) = (l.boolean(), r.boolean());
                let at = |i| {
                    let (x, y) = (a.get(i, MISSING_BOOL), b.get(i, MISSING_BOOL));
                    eq_cmp((x != MISSING_BOOL && y != MISSING_BOOL).then_some(x == y))
                };
                if let (CodeSrc::K(_), CodeSrc::K(_)) = (a, b) {
                    return Vals::BoolK(at(0));
                }
                Vals::Bool(Cow::Owned((0..n).map(at).collect()))
            }
            (Vals::Text(_) | Vals::TextK(_), Vals::Text(_) | Vals::TextK(_)) => {
                let (a, b) = (l.text(), r.text());
                let at = |i| {
                    let (x, y) = (a.get(i, MISSING_TEXT), b.get(i, MISSING_TEXT));
                    eq_cmp((x != MISSING_TEXT && y != MISSING_TEXT).then_some(x == y))
                };
                if let (CodeSrc::K(_), CodeSrc::K(_)) = (a, b) {
                    return Vals::BoolK(at(0));
                }
                Vals::Bool(Cow::Owned((0..n).map(at).collect()))
            }
            _ => Vals::BoolK(MISSING_BOOL),
        }
    }

    /// `min`/`max`: every operand evaluated; any missing makes the result missing.
    fn fold(
        &mut self,
        args: &'a [Node],
        pick: fn(f64, f64) -> f64,
        active: Option<&[bool]>,
    ) -> Vals<'a> {
        let mut best: Option<Vals<'static>> = None;
        for arg in args {
            let v = self.eval(arg, active);
            best = Some(match best {
                None => v.into_owned(),
                Some(b) => map2(b.num(), v.num(), self.n, |b, x| {
                    if b.is_nan() || x.is_nan() {
                        f64::NAN
                    } else {
                        pick(b, x)
                    }
                }),
            });
        }
        best.unwrap_or(Vals::NumK(f64::NAN))
    }
}

fn not(b: u8) -> u8 {
    match b {
        0 => 1,
        1 => 0,
        _ => MISSING_BOOL,
    }
}

/// A missing value of the type `node` gives.
fn missing_like(node: &Node) -> Vals<'static> {
    match node_type(node) {
        Some(super::Type::Bool) => Vals::BoolK(MISSING_BOOL),
        Some(super::Type::Text) => Vals::TextK(MISSING_TEXT),
        _ => Vals::NumK(f64::NAN),
    }
}

/// The type of a compact node, where it can be told without the scope.
fn node_type(node: &Node) -> Option<super::Type> {
    use super::Type;
    match node {
        Node::Number(_)
        | Node::Neg(_)
        | Node::Arith { .. }
        | Node::Min(_)
        | Node::Max(_)
        | Node::Abs(_)
        | Node::Clamp(_)
        | Node::Round(..) => Some(Type::Number),
        Node::Bool(_)
        | Node::Not(_)
        | Node::And(_)
        | Node::Or(_)
        | Node::Compare { .. }
        | Node::IsMissing(_) => Some(Type::Bool),
        Node::Text(_) => Some(Type::Text),
        Node::Input { ty, .. } => Some(*ty),
        Node::If { then, .. } => node_type(then),
        Node::Default(x, _) => node_type(x),
    }
}

/// Per row: `a` where `pick` is 1, `b` where 0, missing otherwise.
fn select(n: usize, pick: impl Fn(usize) -> u8, a: &Vals<'_>, b: &Vals<'_>) -> Vals<'static> {
    match (a, b) {
        (Vals::Bool(_) | Vals::BoolK(_), _) | (_, Vals::Bool(_) | Vals::BoolK(_)) => {
            let (x, y) = (a.boolean(), b.boolean());
            Vals::Bool(Cow::Owned(
                (0..n)
                    .map(|i| match pick(i) {
                        1 => x.get(i, MISSING_BOOL),
                        0 => y.get(i, MISSING_BOOL),
                        _ => MISSING_BOOL,
                    })
                    .collect(),
            ))
        }
        (Vals::Text(_) | Vals::TextK(_), _) | (_, Vals::Text(_) | Vals::TextK(_)) => {
            let (x, y) = (a.text(), b.text());
            Vals::Text(Cow::Owned(
                (0..n)
                    .map(|i| match pick(i) {
                        1 => x.get(i, MISSING_TEXT),
                        0 => y.get(i, MISSING_TEXT),
                        _ => MISSING_TEXT,
                    })
                    .collect(),
            ))
        }
        _ => {
            let (x, y) = (a.num(), b.num());
            Vals::Num(Cow::Owned(
                (0..n)
                    .map(|i| match pick(i) {
                        1 => x.get(i),
                        0 => y.get(i),
                        _ => f64::NAN,
                    })
                    .collect(),
            ))
        }
    }
}

/// Text literals of a compact tree, for interning.
pub(crate) fn literals<'n>(node: &'n Node, out: &mut Vec<&'n str>) {
    match node {
        Node::Text(t) => out.push(t),
        Node::Number(_) | Node::Bool(_) | Node::Input { .. } => {}
        Node::Neg(x) | Node::Not(x) | Node::Abs(x) | Node::Round(x, _) | Node::IsMissing(x) => {
            literals(x, out)
        }
        Node::Arith { first, rest } => {
            literals(first, out);
            for (_, x) in rest.iter() {
                literals(x, out);
            }
        }
        Node::And(xs) | Node::Or(xs) | Node::Min(xs) | Node::Max(xs) => {
            for x in xs.iter() {
                literals(x, out);
            }
        }
        Node::Compare { lhs, rhs, .. } => {
            literals(lhs, out);
            literals(rhs, out);
        }
        Node::If {
            cond,
            then,
            otherwise,
        } => {
            literals(cond, out);
            literals(then, out);
            literals(otherwise, out);
        }
        Node::Clamp(xs) => {
            for x in xs.iter() {
                literals(x, out);
            }
        }
        Node::Default(x, y) => {
            literals(x, out);
            literals(y, out);
        }
    }
}

/// Every number literal of an expression (`x >= 15` gives 15): the values worth trying when
/// looking for a change of its inputs that changes its value.
pub(crate) fn numbers(node: &Node, out: &mut Vec<f64>) {
    let each = |xs: &[Node], out: &mut Vec<f64>| xs.iter().for_each(|x| numbers(x, out));
    match node {
        Node::Number(x) => out.push(*x),
        Node::Text(_) | Node::Bool(_) | Node::Input { .. } => {}
        Node::Neg(x) | Node::Not(x) | Node::Abs(x) | Node::Round(x, _) | Node::IsMissing(x) => {
            numbers(x, out)
        }
        Node::Arith { first, rest } => {
            numbers(first, out);
            for (_, x) in rest.iter() {
                numbers(x, out);
            }
        }
        Node::And(xs) | Node::Or(xs) | Node::Min(xs) | Node::Max(xs) => each(xs, out),
        Node::Compare { lhs, rhs, .. } | Node::Default(lhs, rhs) => {
            numbers(lhs, out);
            numbers(rhs, out);
        }
        Node::If {
            cond,
            then,
            otherwise,
        } => {
            numbers(cond, out);
            numbers(then, out);
            numbers(otherwise, out);
        }
        Node::Clamp(xs) => each(xs.as_slice(), out),
    }
}
