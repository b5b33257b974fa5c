//! The ruleset expression language: one small, safe language for formulas and every condition.
//!
//! Arithmetic (`+ - * /`, unary `-`), comparisons (`== != < <= > >=`), `and`/`or`/`not`,
//! `if c then a else b`, the functions `min`, `max`, `abs`, `clamp(x, lo, hi)`, `round(x, digits)`,
//! `is_missing(x)` and `default(x, fallback)`, number, string and `true`/`false` literals, and input
//! names. No loops, no assignment, no user functions; nesting depth is bounded, so every expression
//! terminates. An expression is parsed and type-checked once (`Expr::compile`) and evaluated many
//! times against a row of input values (`Expr::eval`).
//!
//! The pipeline is one module per step: `lexer` (text → tokens), `parser` (tokens → syntax
//! tree with byte spans), `check` (names resolved, types checked → compact tree) and `eval`
//! (compact tree × row → value).

mod check;
pub(crate) use check::closest;
mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;
pub(crate) mod vector;

use std::fmt;

/// Longest accepted source, in bytes: keeps parsing cheap and error messages readable.
pub const MAX_SOURCE_LEN: usize = 4096;

/// Deepest accepted nesting of parentheses, calls, `if`, `not` and unary `-`, so evaluation
/// (which recurses) can never exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// The type of an input or an expression, fixed at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    /// A finite `f64`.
    Number,
    /// `true` or `false`.
    Bool,
    /// A string, usually a category value.
    Text,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Number => "number",
            Type::Bool => "true/false",
            Type::Text => "text",
        })
    }
}

/// What an input name resolves to: where its value sits in a [`Row`] and what it may hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Var<'a> {
    /// Index passed to [`Row::get`].
    pub slot: usize,
    /// Declared type of the input.
    pub ty: Type,
    /// For category (text) inputs, the values it can take; lets `x == "typo"` fail at load time.
    pub allowed: Option<&'a [String]>,
}

/// The inputs an expression may name, supplied by the ruleset at compile time.
pub trait Scope {
    /// Looks up an input by name; `None` makes the name an `expr.unknown_input` error.
    fn resolve(&self, name: &str) -> Option<Var<'_>>;

    /// All names in scope, used only to suggest a fix for a misspelt name.
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A runtime value; `Missing` stands for an absent input and propagates through most operations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// No value (absent input, or derived from one).
    Missing,
    /// A finite number.
    Number(f64),
    /// A truth value.
    Bool(bool),
    /// A string borrowed from the row (or a literal of the expression).
    Text(&'a str),
}

/// One record's input values, indexed by the slots a [`Scope`] handed out.
pub trait Row {
    /// The value at `slot`; absent values are [`Value::Missing`] (a `NaN` is treated as missing).
    fn get(&self, slot: usize) -> Value<'_>;
}

/// A load-time problem with an expression, located by a byte range of its source.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    /// Byte offset of the offending token or subexpression within the source.
    pub offset: usize,
    /// Length in bytes of that token or subexpression.
    pub len: usize,
    /// Stable machine-readable code, e.g. `expr.syntax` or `expr.unknown_input`.
    pub code: &'static str,
    /// Human-readable explanation, with a suggested fix where one is known.
    pub message: String,
}

impl ExprError {
    pub(crate) fn new(span: Span, code: &'static str, message: impl Into<String>) -> Self {
        ExprError {
            offset: span.start,
            len: span.end.saturating_sub(span.start),
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.code, self.offset, self.message)
    }
}

impl std::error::Error for ExprError {}

/// A record-time failure while evaluating a well-typed expression; carries the expression source.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalFault {
    /// A divisor evaluated to zero.
    #[error("division by zero in `{0}`")]
    DivisionByZero(String),
    /// An arithmetic result overflowed to infinity (scores must stay finite).
    #[error("result is not a finite number in `{0}`")]
    NonFinite(String),
    /// `clamp(x, lo, hi)` was called with `lo > hi`.
    #[error("clamp bounds are reversed (lo > hi) in `{0}`")]
    ClampBounds(String),
    /// The row handed back a value of another type than the input was declared with.
    #[error("input `{name}` should hold a {expected} value in `{source_text}`")]
    InputType {
        /// Name of the input.
        name: String,
        /// Declared type.
        expected: Type,
        /// Expression source.
        source_text: String,
    },
}

/// Byte range `start..end` within the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A compiled, type-checked expression, cheap to evaluate many times and shareable across threads.
#[derive(Clone, Debug)]
pub struct Expr {
    source: String,
    root: check::Node,
    ty: Type,
    slots: Vec<usize>,
    names: Vec<String>,
}

impl Expr {
    /// Parses and type-checks `src` against the inputs of `scope`; with `expected`, also insists
    /// on the result type (a condition must be `Bool`, a formula `Number`).
    ///
    /// # Errors
    ///
    /// Every name and type error is reported together, sorted by position; a syntax error stops
    /// before type checking. Codes: `expr.syntax`, `expr.type`, `expr.unknown_input`,
    /// `expr.unknown_value`, `expr.unknown_function`, `expr.arguments`, `expr.too_deep`,
    /// `expr.too_long`.
    ///
    /// ```
    /// use qinglian::expr::{Expr, Row, Scope, Type, Value, Var};
    ///
    /// struct Inputs;
    /// impl Scope for Inputs {
    ///     fn resolve(&self, name: &str) -> Option<Var<'_>> {
    ///         match name {
    ///             "score" => Some(Var { slot: 0, ty: Type::Number, allowed: None }),
    ///             _ => None,
    ///         }
    ///     }
    /// }
    /// struct Record(Option<f64>);
    /// impl Row for Record {
    ///     fn get(&self, _slot: usize) -> Value<'_> {
    ///         self.0.map_or(Value::Missing, Value::Number)
    ///     }
    /// }
    ///
    /// let expr = Expr::compile("clamp(score * 2, 0, 100)", &Inputs, Some(Type::Number)).unwrap();
    /// assert_eq!(expr.eval(&Record(Some(30.0))), Ok(Value::Number(60.0)));
    /// assert_eq!(expr.eval(&Record(None)), Ok(Value::Missing));
    ///
    /// let errors = Expr::compile("scor > 1", &Inputs, Some(Type::Bool)).unwrap_err();
    /// assert_eq!(errors[0].code, "expr.unknown_input");
    /// ```
    pub fn compile(
        src: &str,
        scope: &dyn Scope,
        expected: Option<Type>,
    ) -> Result<Expr, Vec<ExprError>> {
        if src.len() > MAX_SOURCE_LEN {
            let span = Span {
                start: 0,
                end: src.len(),
            };
            let message = format!(
                "expression is {} bytes long; the limit is {MAX_SOURCE_LEN}",
                src.len()
            );
            return Err(vec![ExprError::new(span, "expr.too_long", message)]);
        }
        let mut errors = Vec::new();
        let tokens = lexer::lex(src, &mut errors);
        let ast = match parser::parse(&tokens) {
            Ok(ast) => ast,
            Err(error) => {
                errors.push(error);
                return Err(sorted(errors));
            }
        };
        let checked = check::check(&ast, scope);
        errors.extend(checked.errors);
        let (root, ty) = match checked.root {
            Some(typed) if errors.is_empty() => typed,
            _ => return Err(sorted(errors)),
        };
        if let Some(want) = expected.filter(|want| *want != ty) {
            let message = format!("expected a {want} expression, but this gives a {ty} value");
            return Err(vec![ExprError::new(ast.span, "expr.type", message)]);
        }
        let (slots, names) = checked.inputs.into_iter().unzip();
        Ok(Expr {
            source: src.to_owned(),
            root,
            ty,
            slots,
            names,
        })
    }

    /// Evaluates against one record. Missing inputs give `Ok(Value::Missing)`, not an error;
    /// `Err` is reserved for faults such as division by zero.
    ///
    /// # Errors
    ///
    /// [`EvalFault`] on division by zero, a non-finite result, reversed `clamp` bounds, or a row
    /// value of the wrong type.
    pub fn eval<'r>(&'r self, row: &'r dyn Row) -> Result<Value<'r>, EvalFault> {
        eval::Evaluator { row, expr: self }.eval(&self.root)
    }

    pub(crate) fn root(&self) -> &check::Node {
        &self.root
    }

    /// The result type, fixed at compile time.
    #[must_use]
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Input slots referenced, sorted and deduplicated: the expression's dependencies.
    #[must_use]
    pub fn slots(&self) -> &[usize] {
        &self.slots
    }

    /// The source text, for messages and audit trails.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Input names referenced, in the same order as [`Expr::slots`].
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

fn sorted(mut errors: Vec<ExprError>) -> Vec<ExprError> {
    errors.sort_by_key(|error| error.offset);
    errors
}
