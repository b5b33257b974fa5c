//! The ruleset expression language: one small, safe language for formulas and every condition.
//!
//! Arithmetic (`+ - * /`, unary `-`), comparisons (`== != < <= > >=`), `and`/`or`/`not`,
//! `if c then a else b`, the functions `min`, `max`, `abs`, `clamp(x, lo, hi)`, `round(x, digits)`,
//! `is_missing(x)` and `default(x, fallback)`, number, string and `true`/`false` literals, and input
//! names. No loops, no assignment, no user functions; nesting depth is bounded, so every expression
//! terminates. An expression is parsed and type-checked once (`Expr::compile`) and evaluated many
//! times against a row of input values (`Expr::eval`).

// INTERFACE (implemented in lexer.rs / parser.rs / check.rs / eval.rs):
//
// pub enum Type { Number, Bool, Text }
// pub struct Var<'a> { pub slot: usize, pub ty: Type, pub allowed: Option<&'a [String]> }
// pub trait Scope { fn resolve(&self, name: &str) -> Option<Var<'_>>; }
// pub enum Value<'a> { Missing, Number(f64), Bool(bool), Text(&'a str) }
// pub trait Row { fn get(&self, slot: usize) -> Value<'_>; }
// pub struct ExprError { pub offset: usize, pub len: usize, pub code: &'static str, pub message: String }
// pub struct Expr { .. }  // Clone, Debug, Send + Sync
// impl Expr {
//   pub fn compile(src: &str, scope: &dyn Scope, expected: Option<Type>) -> Result<Expr, Vec<ExprError>>;
//   pub fn eval<'r>(&self, row: &'r dyn Row) -> Result<Value<'r>, EvalFault>;
//   pub fn ty(&self) -> Type;
//   pub fn slots(&self) -> &[usize];   // inputs referenced, sorted, deduplicated
//   pub fn source(&self) -> &str;
// }
