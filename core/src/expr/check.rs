//! Syntax tree → compact evaluation tree: resolves input names to slots, checks types and
//! category values, and collects every such error instead of stopping at the first.

use std::fmt::Write as _;

use super::parser::{ArithOp, Ast, AstKind, CmpOp};
use super::{ExprError, Scope, Span, Type};

/// The compiled form evaluated per record: slots resolved, literals decoded, types proven.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Number(f64),
    Bool(bool),
    Text(Box<str>),
    Input {
        slot: usize,
        ty: Type,
    },
    Neg(Box<Node>),
    Not(Box<Node>),
    Arith {
        first: Box<Node>,
        rest: Box<[(ArithOp, Node)]>,
    },
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Compare {
        op: CmpOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    If {
        cond: Box<Node>,
        then: Box<Node>,
        otherwise: Box<Node>,
    },
    Min(Box<[Node]>),
    Max(Box<[Node]>),
    Abs(Box<Node>),
    Clamp(Box<[Node; 3]>),
    /// Value and number of decimal digits (0..=10).
    Round(Box<Node>, i32),
    IsMissing(Box<Node>),
    Default(Box<Node>, Box<Node>),
}

/// The functions the language knows, for the "unknown function" message.
pub(crate) const FUNCTIONS: [&str; 7] = [
    "min",
    "max",
    "abs",
    "clamp",
    "round",
    "is_missing",
    "default",
];

/// Largest `digits` accepted by `round`.
const MAX_ROUND_DIGITS: f64 = 10.0;

/// What checking produced: the tree (when the root itself checked), all errors, and the inputs
/// referenced as `(slot, name)` sorted by slot.
pub(crate) struct Checked {
    pub root: Option<(Node, Type)>,
    pub errors: Vec<ExprError>,
    pub inputs: Vec<(usize, String)>,
}

/// Checks `ast` against `scope`.
pub(crate) fn check(ast: &Ast, scope: &dyn Scope) -> Checked {
    let mut checker = Checker {
        scope,
        errors: Vec::new(),
        inputs: Vec::new(),
        names: None,
    };
    let root = checker.node(ast);
    let mut inputs = checker.inputs;
    inputs.sort_by_key(|(slot, _)| *slot);
    inputs.dedup_by_key(|(slot, _)| *slot);
    Checked {
        root,
        errors: checker.errors,
        inputs,
    }
}

/// `None` means "already reported": parents skip checks involving it, avoiding cascades.
type Typed = Option<(Node, Type)>;

struct Checker<'s> {
    scope: &'s dyn Scope,
    errors: Vec<ExprError>,
    inputs: Vec<(usize, String)>,
    /// The scope's names, asked for once, at the first unknown name.
    names: Option<Vec<String>>,
}

impl Checker<'_> {
    fn error(&mut self, span: Span, code: &'static str, message: impl Into<String>) {
        self.errors.push(ExprError::new(span, code, message));
    }

    /// Checks `ast` and insists on type `want`; `what` names the context for the message.
    fn want(&mut self, ast: &Ast, want: Type, what: &str) -> Option<Node> {
        let (node, ty) = self.node(ast)?;
        if ty != want {
            self.error(
                ast.span,
                "expr.type",
                format!("{what} needs a {want} value, but this is {ty}"),
            );
            return None;
        }
        Some(node)
    }

    /// Checks every operand as `want`, reporting all of them, and yields them only if all passed.
    fn all(&mut self, asts: &[Ast], want: Type, what: &str) -> Option<Box<[Node]>> {
        let nodes: Vec<Option<Node>> = asts.iter().map(|ast| self.want(ast, want, what)).collect();
        nodes.into_iter().collect()
    }

    fn node(&mut self, ast: &Ast) -> Typed {
        match &ast.kind {
            AstKind::Number(n) => Some((Node::Number(*n), Type::Number)),
            AstKind::Bool(b) => Some((Node::Bool(*b), Type::Bool)),
            AstKind::Text(text) => Some((Node::Text(text.as_str().into()), Type::Text)),
            AstKind::Name(name) => self.name(name, ast.span),
            AstKind::Neg(operand) => {
                let operand = self.want(operand, Type::Number, "`-`")?;
                Some((Node::Neg(Box::new(operand)), Type::Number))
            }
            AstKind::Not(operand) => {
                let operand = self.want(operand, Type::Bool, "`not`")?;
                Some((Node::Not(Box::new(operand)), Type::Bool))
            }
            AstKind::Arith { first, rest } => self.arith(first, rest),
            AstKind::And(terms) => {
                Some((Node::And(self.all(terms, Type::Bool, "`and`")?), Type::Bool))
            }
            AstKind::Or(terms) => {
                Some((Node::Or(self.all(terms, Type::Bool, "`or`")?), Type::Bool))
            }
            AstKind::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs),
            AstKind::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.want(cond, Type::Bool, "the `if` condition");
                let then_typed = self.node(then);
                let otherwise_typed = self.node(otherwise);
                let ((then, ty), (otherwise, other_ty)) = (then_typed?, otherwise_typed?);
                if ty != other_ty {
                    let message = format!(
                        "`then` gives a {ty} value but `else` gives {other_ty}; both must match"
                    );
                    self.error(ast.span, "expr.type", message);
                    return None;
                }
                let node = Node::If {
                    cond: Box::new(cond?),
                    then: Box::new(then),
                    otherwise: Box::new(otherwise),
                };
                Some((node, ty))
            }
            AstKind::Call {
                name,
                name_span,
                args,
            } => self.call(name, *name_span, args, ast.span),
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Typed {
        if let Some(var) = self.scope.resolve(name) {
            self.inputs.push((var.slot, name.to_owned()));
            return Some((
                Node::Input {
                    slot: var.slot,
                    ty: var.ty,
                },
                var.ty,
            ));
        }
        let mut message = format!("unknown input `{name}`");
        let scope = self.scope;
        let names = self.names.get_or_insert_with(|| scope.names());
        if let Some(close) = closest(name, names) {
            let _ = write!(message, "; did you mean `{close}`?");
        }
        self.error(span, "expr.unknown_input", message);
        None
    }

    fn arith(&mut self, first: &Ast, rest: &[(ArithOp, Ast)]) -> Typed {
        let first = self.want(first, Type::Number, "arithmetic");
        let rest: Vec<Option<(ArithOp, Node)>> = rest
            .iter()
            .map(|(op, ast)| Some((*op, self.want(ast, Type::Number, "arithmetic")?)))
            .collect();
        let rest: Option<Vec<(ArithOp, Node)>> = rest.into_iter().collect();
        let node = Node::Arith {
            first: Box::new(first?),
            rest: rest?.into_boxed_slice(),
        };
        Some((node, Type::Number))
    }

    fn compare(&mut self, op: CmpOp, lhs: &Ast, rhs: &Ast) -> Typed {
        let lhs_typed = self.node(lhs);
        let rhs_typed = self.node(rhs);
        let ((lhs_node, lhs_ty), (rhs_node, rhs_ty)) = (lhs_typed?, rhs_typed?);
        let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        if ordering {
            for (ast, ty) in [(lhs, lhs_ty), (rhs, rhs_ty)] {
                if ty != Type::Number {
                    self.error(
                        ast.span,
                        "expr.type",
                        format!("`<`, `<=`, `>`, `>=` compare numbers, but this is {ty}"),
                    );
                }
            }
            if lhs_ty != Type::Number || rhs_ty != Type::Number {
                return None;
            }
        } else if lhs_ty != rhs_ty {
            let message = format!("cannot compare a {lhs_ty} value with a {rhs_ty} value");
            self.error(lhs.span.to(rhs.span), "expr.type", message);
            return None;
        } else if !(self.category_ok(lhs, rhs) & self.category_ok(rhs, lhs)) {
            return None;
        }
        let node = Node::Compare {
            op,
            lhs: Box::new(lhs_node),
            rhs: Box::new(rhs_node),
        };
        Some((node, Type::Bool))
    }

    /// A category input compared with a string literal it can never hold is a typo: report it.
    fn category_ok(&mut self, input: &Ast, literal: &Ast) -> bool {
        let (AstKind::Name(name), AstKind::Text(value)) = (&input.kind, &literal.kind) else {
            return true;
        };
        let Some(allowed) = self.scope.resolve(name).and_then(|var| var.allowed) else {
            return true;
        };
        if allowed.iter().any(|a| a == value) {
            return true;
        }
        let listed: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        let message = format!(
            "`{name}` is never {value:?}; its values are {}",
            listed.join(", ")
        );
        self.error(literal.span, "expr.unknown_value", message);
        false
    }

    fn call(&mut self, name: &str, name_span: Span, args: &[Ast], span: Span) -> Typed {
        let arity_ok = match name {
            "min" | "max" => args.len() >= 2,
            "abs" | "is_missing" => args.len() == 1,
            "round" | "default" => args.len() == 2,
            "clamp" => args.len() == 3,
            _ => {
                let message = format!(
                    "unknown function `{name}`; known functions: {}",
                    FUNCTIONS.join(", ")
                );
                self.error(name_span, "expr.unknown_function", message);
                return None;
            }
        };
        if !arity_ok {
            let wanted = match name {
                "min" | "max" => "at least 2 arguments",
                "abs" | "is_missing" => "1 argument",
                "clamp" => "3 arguments (x, lo, hi)",
                "round" => "2 arguments (x, digits)",
                _ => "2 arguments (x, fallback)",
            };
            let message = format!("`{name}` takes {wanted}, but got {}", args.len());
            self.error(span, "expr.arguments", message);
            return None;
        }
        let what = format!("`{name}`");
        let node = match (name, args) {
            ("min", _) => Node::Min(self.all(args, Type::Number, &what)?),
            ("max", _) => Node::Max(self.all(args, Type::Number, &what)?),
            ("abs", [x]) => Node::Abs(Box::new(self.want(x, Type::Number, &what)?)),
            ("clamp", [x, lo, hi]) => {
                let (x, lo, hi) = (
                    self.want(x, Type::Number, &what),
                    self.want(lo, Type::Number, &what),
                    self.want(hi, Type::Number, &what),
                );
                Node::Clamp(Box::new([x?, lo?, hi?]))
            }
            ("round", [x, digits]) => {
                let x = self.want(x, Type::Number, &what);
                let digits = self.round_digits(digits);
                Node::Round(Box::new(x?), digits?)
            }
            ("is_missing", [x]) => {
                let (x, _) = self.node(x)?;
                return Some((Node::IsMissing(Box::new(x)), Type::Bool));
            }
            ("default", [x, fallback]) => {
                let x_typed = self.node(x);
                let fallback_typed = self.node(fallback);
                let ((x_node, ty), (fallback_node, fallback_ty)) = (x_typed?, fallback_typed?);
                if ty != fallback_ty {
                    let message = format!("`default` fallback must be a {ty} value like its first argument, but is {fallback_ty}");
                    self.error(fallback.span, "expr.type", message);
                    return None;
                }
                return Some((Node::Default(Box::new(x_node), Box::new(fallback_node)), ty));
            }
            _ => return None,
        };
        Some((node, Type::Number))
    }

    fn round_digits(&mut self, digits: &Ast) -> Option<i32> {
        match digits.kind {
            AstKind::Number(n) if n.fract() == 0.0 && (0.0..=MAX_ROUND_DIGITS).contains(&n) => {
                #[allow(clippy::cast_possible_truncation)] // a whole number within 0..=10
                Some(n as i32)
            }
            _ => {
                let message = "`round` digits must be a whole number literal from 0 to 10";
                self.error(digits.span, "expr.arguments", message);
                None
            }
        }
    }
}

/// The scope name nearest to `name` by edit distance, if close enough to be a likely typo.
pub(crate) fn closest(name: &str, candidates: &[String]) -> Option<String> {
    let name: Vec<char> = name.chars().collect();
    let limit = (name.len() / 3).max(1);
    let mut row = Vec::with_capacity(name.len() + 1);
    candidates
        .iter()
        // The distance is at least the difference in length: skip those that cannot be close.
        .filter(|candidate| candidate.chars().count().abs_diff(name.len()) <= limit)
        .filter_map(|candidate| {
            distance_within(&name, candidate, limit, &mut row).map(|d| (d, candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.clone())
}

/// Levenshtein distance over characters (so one Chinese character counts as one edit) between
/// `a` and `b`, if it is at most `limit`. `row` is scratch space, reused between calls.
fn distance_within(a: &[char], b: &str, limit: usize, row: &mut Vec<usize>) -> Option<usize> {
    // `row[i]` is the distance from `a[..i]` to the part of `b` read so far.
    row.clear();
    row.extend(0..=a.len());
    for (j, cb) in b.chars().enumerate() {
        let mut diagonal = j;
        let mut left = j + 1;
        if let Some(first) = row.first_mut() {
            *first = left;
        }
        let mut best = left;
        for (ca, cell) in a.iter().zip(row.iter_mut().skip(1)) {
            let up = *cell;
            let value = (diagonal + usize::from(*ca != cb))
                .min(up + 1)
                .min(left + 1);
            diagonal = up;
            *cell = value;
            left = value;
            best = best.min(value);
        }
        // Every way through the table crosses this row: it cannot end lower than its minimum.
        if best > limit {
            return None;
        }
    }
    row.last().copied().filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    use super::{closest, distance_within};

    fn distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        distance_within(&a, b, usize::MAX, &mut Vec::new()).unwrap_or(usize::MAX)
    }

    /// The plain two-row dynamic programme, for comparison.
    fn reference(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut next = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let diagonal = row.get(j).copied().unwrap_or(usize::MAX);
                let up = row.get(j + 1).copied().unwrap_or(usize::MAX);
                let left = next.last().copied().unwrap_or(usize::MAX);
                let value = (diagonal + usize::from(ca != *cb))
                    .min(up.saturating_add(1))
                    .min(left.saturating_add(1));
                next.push(value);
            }
            row = next;
        }
        row.last().copied().unwrap_or(0)
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("得分", "得分率"), 1);
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_table() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "score",
            "scor",
            "scores",
            "得分",
            "得分率",
            "market_price",
            "market_prices",
            "marketprice",
            "price_market",
            "xn_400",
            "in_400",
            "in_4000",
        ];
        for a in words {
            let chars: Vec<char> = a.chars().collect();
            for b in words {
                let full = reference(a, b);
                assert_eq!(distance(a, b), full, "{a:?} {b:?}");
                for limit in 0..6 {
                    let bounded = distance_within(&chars, b, limit, &mut Vec::new());
                    assert_eq!(
                        bounded,
                        (full <= limit).then_some(full),
                        "{a:?} {b:?} {limit}"
                    );
                }
            }
        }
        let names: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        assert_eq!(closest("scoer", &names).as_deref(), Some("scor"));
        assert_eq!(closest("scoree", &names).as_deref(), Some("score"));
        assert_eq!(closest("xn_401", &names).as_deref(), Some("xn_400"));
        assert_eq!(closest("zzzz", &names), None);
    }
}
