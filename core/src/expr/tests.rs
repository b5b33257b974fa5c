#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use proptest::prelude::*;

struct TestScope {
    grades: Vec<String>,
}

impl TestScope {
    fn new() -> Self {
        TestScope {
            grades: vec!["A".into(), "B".into(), "达标".into()],
        }
    }
}

const INPUTS: [(&str, usize, Type); 7] = [
    ("score", 0, Type::Number),
    ("count", 1, Type::Number),
    ("ok", 2, Type::Bool),
    ("grade", 3, Type::Text),
    ("label", 4, Type::Text),
    ("得分", 5, Type::Number),
    ("market_price", 6, Type::Number),
];

impl Scope for TestScope {
    fn resolve(&self, name: &str) -> Option<Var<'_>> {
        let (_, slot, ty) = INPUTS.iter().find(|(n, _, _)| *n == name)?;
        let allowed = (name == "grade").then_some(self.grades.as_slice());
        Some(Var {
            slot: *slot,
            ty: *ty,
            allowed,
        })
    }

    fn names(&self) -> Vec<String> {
        INPUTS.iter().map(|(n, _, _)| n.to_string()).collect()
    }
}

struct TestRow(Vec<Value<'static>>);

impl Row for TestRow {
    fn get(&self, slot: usize) -> Value<'_> {
        self.0.get(slot).copied().unwrap_or(Value::Missing)
    }
}

use Value::{Bool as B, Missing as M, Number as N, Text as T};

/// `score` = 80, `count` = 3, `ok` = true, `grade` = "A", `label` = "x", `得分` = 5, `market_price` missing.
fn row() -> TestRow {
    TestRow(vec![N(80.0), N(3.0), B(true), T("A"), T("x"), N(5.0), M])
}

fn compile(src: &str) -> Expr {
    Expr::compile(src, &TestScope::new(), None).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

fn eval(src: &str) -> Value<'static> {
    eval_in(src, &row())
}

fn eval_in(src: &str, row: &TestRow) -> Value<'static> {
    // Leak the row borrow away: test rows only hold 'static texts.
    match compile(src).eval(row).unwrap() {
        M => M,
        N(n) => N(n),
        B(b) => B(b),
        T(t) => T(Box::leak(t.to_owned().into_boxed_str())),
    }
}

fn errors(src: &str, expected: Option<Type>) -> Vec<ExprError> {
    Expr::compile(src, &TestScope::new(), expected).unwrap_err()
}

fn first_error(src: &str) -> ExprError {
    errors(src, None).remove(0)
}

/// Asserts the first error's code and that it points at `at` (the first occurrence in `src`).
fn assert_error(src: &str, code: &str, at: &str) {
    let error = first_error(src);
    assert_eq!(error.code, code, "{src}: {error:?}");
    let offset = src.find(at).unwrap();
    assert_eq!(
        (error.offset, error.len),
        (offset, at.len()),
        "{src}: {error:?}"
    );
}

// ---- literals, names, precedence ----

#[test]
fn literals() {
    assert_eq!(eval("12"), N(12.0));
    assert_eq!(eval("0.5"), N(0.5));
    assert_eq!(eval("1e3"), N(1000.0));
    assert_eq!(eval("2.5E-1"), N(0.25));
    assert_eq!(eval("\"A\""), T("A"));
    assert_eq!(eval("'达标'"), T("达标"));
    assert_eq!(eval(r"'it\'s'"), T("it's"));
    assert_eq!(eval("true"), B(true));
    assert_eq!(eval("false"), B(false));
}

#[test]
fn names_and_slots() {
    let expr = compile("得分 * 2 + score + score - market_price * 0");
    assert_eq!(expr.slots(), &[0, 5, 6]);
    assert_eq!(expr.names(), &["score", "得分", "market_price"]);
    assert_eq!(expr.source(), "得分 * 2 + score + score - market_price * 0");
    assert_eq!(expr.ty(), Type::Number);
    assert_eq!(compile("1").slots(), &[] as &[usize]);
}

#[test]
fn precedence() {
    assert_eq!(eval("1 + 2 * 3"), N(7.0));
    assert_eq!(eval("(1 + 2) * 3"), N(9.0));
    assert_eq!(eval("10 - 4 - 3"), N(3.0));
    assert_eq!(eval("12 / 3 / 2"), N(2.0));
    assert_eq!(eval("-2 * 3"), N(-6.0));
    assert_eq!(eval("- -2"), N(2.0));
    assert_eq!(eval("2 - -2"), N(4.0));
    assert_eq!(eval("1 + 1 == 2"), B(true));
    assert_eq!(eval("not 1 > 2"), B(true));
    assert_eq!(eval("true or false and false"), B(true));
    assert_eq!(eval("(true or false) and false"), B(false));
    assert_eq!(eval("not true or true"), B(true));
    assert_eq!(eval("not not true"), B(true));
    assert_eq!(eval("if ok then 1 else 2 + 3"), N(1.0));
    assert_eq!(eval("1 + if false then 1 else 2"), N(3.0));
}

#[test]
fn comparisons() {
    assert_eq!(eval("score >= 80"), B(true));
    assert_eq!(eval("score > 80"), B(false));
    assert_eq!(eval("score <= 80"), B(true));
    assert_eq!(eval("score < 80"), B(false));
    assert_eq!(eval("score == 80"), B(true));
    assert_eq!(eval("score != 80"), B(false));
    assert_eq!(eval("score != 81"), B(true));
    assert_eq!(eval("grade == 'A'"), B(true));
    assert_eq!(eval("grade != \"B\""), B(true));
    assert_eq!(eval("label == 'anything'"), B(false));
    assert_eq!(eval("ok == true"), B(true));
    assert_eq!(eval("ok != true"), B(false));
}

#[test]
fn if_then_else() {
    assert_eq!(eval("if score > 90 then 'A' else 'B'"), T("B"));
    assert_eq!(eval("if ok then grade else label"), T("A"));
    assert_eq!(eval("if market_price > 0 then 1 else 2"), M);
    // Only the chosen branch runs, so a guarded division cannot fault.
    assert_eq!(
        eval("if count == 0 then 0 else score / count"),
        N(80.0 / 3.0)
    );
    let zero = TestRow(vec![N(1.0), N(0.0)]);
    assert_eq!(
        eval_in("if count == 0 then 0 else score / count", &zero),
        N(0.0)
    );
}

// ---- functions ----

#[test]
fn functions() {
    assert_eq!(eval("min(3, 1, 2)"), N(1.0));
    assert_eq!(eval("max(3, 1, 2)"), N(3.0));
    assert_eq!(eval("min(score, 100)"), N(80.0));
    assert_eq!(eval("abs(-2.5)"), N(2.5));
    assert_eq!(eval("clamp(150, 0, 100)"), N(100.0));
    assert_eq!(eval("clamp(-1, 0, 100)"), N(0.0));
    assert_eq!(eval("clamp(50, 0, 100)"), N(50.0));
    assert_eq!(eval("round(2.5, 0)"), N(3.0));
    assert_eq!(eval("round(-2.5, 0)"), N(-3.0));
    assert_eq!(eval("round(1.005, 2)"), N(1.01));
    assert_eq!(eval("round(1.2345, 3)"), N(1.235));
    assert_eq!(eval("round(1.2344, 3)"), N(1.234));
    assert_eq!(eval("round(-0.4, 0)"), N(0.0));
    assert_eq!(eval("round(123456.789, 10)"), N(123_456.789));
    assert_eq!(eval("is_missing(market_price)"), B(true));
    assert_eq!(eval("is_missing(score)"), B(false));
    assert_eq!(eval("is_missing(grade)"), B(false));
    assert_eq!(eval("default(market_price, 0.7) * 100"), N(70.0));
    assert_eq!(eval("default(score, 0)"), N(80.0));
    assert_eq!(eval("default(label, 'none')"), T("x"));
    assert_eq!(
        eval("clamp(round(abs(score - 70) / 3 * 100, 1), 0, 1000)"),
        N(333.3)
    );
}

#[test]
fn reference_examples_compile() {
    let scope = TestScope::new();
    for (src, ty) in [
        ("count >= 3 and not is_missing(market_price)", Type::Bool),
        ("if score > 0 then score else 得分", Type::Number),
        (
            "clamp(round(abs(score - market_price) / market_price * 100, 1), 0, 100)",
            Type::Number,
        ),
        ("default(market_price, 0.7) * 100", Type::Number),
        ("grade == \"A\"", Type::Bool),
    ] {
        assert_eq!(
            Expr::compile(src, &scope, Some(ty)).unwrap().ty(),
            ty,
            "{src}"
        );
    }
}

// ---- missing values and faults ----

#[test]
fn missing_propagates() {
    for src in [
        "market_price + 1",
        "1 - market_price",
        "market_price * 0",
        "market_price / 0",
        "-market_price",
        "market_price > 1",
        "market_price == market_price",
        "min(1, market_price)",
        "max(market_price, 1, 2)",
        "abs(market_price)",
        "clamp(market_price, 0, 1)",
        "clamp(1, market_price, 2)",
        "round(market_price, 1)",
        "not (market_price > 1)",
        "if market_price > 1 then 1 else 2",
    ] {
        assert_eq!(eval(src), M, "{src}");
    }
}

#[test]
fn three_valued_logic() {
    let unknown = "(market_price > 0)";
    assert_eq!(eval(&format!("false and {unknown}")), B(false));
    assert_eq!(eval(&format!("{unknown} and false")), B(false));
    assert_eq!(eval(&format!("true and {unknown}")), M);
    assert_eq!(eval(&format!("{unknown} and true")), M);
    assert_eq!(eval(&format!("true or {unknown}")), B(true));
    assert_eq!(eval(&format!("{unknown} or true")), B(true));
    assert_eq!(eval(&format!("false or {unknown}")), M);
    assert_eq!(eval(&format!("not {unknown}")), M);
    assert_eq!(eval("true and true and true"), B(true));
    assert_eq!(eval("false or false or false"), B(false));
    // `false and …` stops before the division.
    assert_eq!(eval("false and 1 / 0 > 1"), B(false));
}

#[test]
fn nan_and_wrong_types_from_rows() {
    let nan = TestRow(vec![N(f64::NAN), N(f64::INFINITY)]);
    assert_eq!(eval_in("score + 1", &nan), M);
    assert_eq!(eval_in("count", &nan), M);
    let wrong = TestRow(vec![T("oops")]);
    let fault = compile("score + 1").eval(&wrong).unwrap_err();
    assert!(
        matches!(fault, EvalFault::InputType { ref name, expected: Type::Number, .. } if name == "score")
    );
}

#[test]
fn faults() {
    let fault = compile("score / (count - 3)").eval(&row()).unwrap_err();
    assert_eq!(
        fault,
        EvalFault::DivisionByZero("score / (count - 3)".into())
    );
    assert_eq!(
        fault.to_string(),
        "division by zero in `score / (count - 3)`"
    );
    assert_eq!(
        compile("0 / 0").eval(&row()),
        Err(EvalFault::DivisionByZero("0 / 0".into()))
    );
    assert_eq!(
        compile("1e300 * 1e300").eval(&row()),
        Err(EvalFault::NonFinite("1e300 * 1e300".into()))
    );
    assert_eq!(
        compile("-1e308 - 1e308").eval(&row()),
        Err(EvalFault::NonFinite("-1e308 - 1e308".into()))
    );
    assert_eq!(
        compile("clamp(1, 2, 0)").eval(&row()),
        Err(EvalFault::ClampBounds("clamp(1, 2, 0)".into()))
    );
    // A fault inside an operand is not hidden by a missing neighbour.
    assert!(compile("market_price + 1 / 0").eval(&row()).is_err());
}

// ---- errors ----

#[test]
fn syntax_errors() {
    for src in ["1 +", "", "  ", "(1 + 2", "if ok then 1", "min(1, 2", "not"] {
        let error = first_error(src);
        assert_eq!(
            (error.code, error.offset, error.len),
            ("expr.syntax", src.len(), 0),
            "{src}"
        );
    }
    assert_error("1 2", "expr.syntax", "2");
    let chained = first_error("score < 1 < 2");
    assert_eq!(
        (chained.code, chained.offset, chained.len),
        ("expr.syntax", 10, 1)
    );
    assert_error("1 $ 2", "expr.syntax", "$");
    assert_error("'open", "expr.syntax", "'open");
    assert_error("12abc", "expr.syntax", "12abc");
    assert_error("1.", "expr.syntax", "1.");
    assert_error("1e999", "expr.syntax", "1e999");
    assert_error("if ok 1", "expr.syntax", "1");
    assert_error("min(1 2)", "expr.syntax", "2");
    assert_error(")", "expr.syntax", ")");
    assert_error("'a\\qb'", "expr.syntax", "\\q");
    let upper = first_error("ok AND ok");
    assert!(upper.message.contains("write `and`"), "{upper:?}");
}

#[test]
fn foreign_operators_get_hints() {
    for (src, at, hint) in [
        ("ok && ok", "&&", "use `and`"),
        ("ok || ok", "||", "use `or`"),
        ("!ok", "!", "use `not`"),
        ("score = 1", "=", "use `==`"),
        ("ok & ok", "&", "use `and`"),
    ] {
        assert_error(src, "expr.syntax", at);
        assert!(first_error(src).message.contains(hint), "{src}");
    }
    // Lexing recovers, so later type errors are reported in the same pass.
    let all = errors("ok && score = 'x'", None);
    let codes: Vec<_> = all.iter().map(|e| e.code).collect();
    assert_eq!(codes, ["expr.syntax", "expr.type", "expr.syntax"]);
}

#[test]
fn unknown_input_with_suggestion() {
    assert_error("scor + 1", "expr.unknown_input", "scor");
    assert!(first_error("scor + 1")
        .message
        .contains("did you mean `score`?"));
    assert!(first_error("得 + 1")
        .message
        .contains("did you mean `得分`?"));
    assert!(!first_error("zzzzzz + 1").message.contains("did you mean"));
}

#[test]
fn type_errors() {
    assert_error("score + ok", "expr.type", "ok");
    assert_error("-grade", "expr.type", "grade");
    assert_error("not score", "expr.type", "score");
    assert_error("ok and 1", "expr.type", "1");
    assert_error("grade < 'B'", "expr.type", "grade");
    assert_error("score == 'A'", "expr.type", "score == 'A'");
    assert_error("if score then 1 else 2", "expr.type", "score");
    assert_error(
        "if ok then 1 else 'x'",
        "expr.type",
        "if ok then 1 else 'x'",
    );
    assert_error("min(1, ok)", "expr.type", "ok");
    assert_error("default(score, 'x')", "expr.type", "'x'");
    let expected = errors("score", Some(Type::Bool)).remove(0);
    assert_eq!(expected.code, "expr.type");
    assert!(expected.message.contains("true/false"), "{expected:?}");
    assert!(Expr::compile("score > 1", &TestScope::new(), Some(Type::Bool)).is_ok());
}

#[test]
fn all_check_errors_are_collected() {
    let all = errors("scor + ok + foo(1) + grade", None);
    let found: Vec<_> = all.iter().map(|e| (e.code, e.offset)).collect();
    assert_eq!(
        found,
        [
            ("expr.unknown_input", 0),
            ("expr.type", 7),
            ("expr.unknown_function", 12),
            ("expr.type", 21)
        ]
    );
}

#[test]
fn function_errors() {
    assert_error("foo(1)", "expr.unknown_function", "foo");
    assert!(first_error("foo(1)")
        .message
        .contains("min, max, abs, clamp, round, is_missing, default"));
    assert_error("min(1)", "expr.arguments", "min(1)");
    assert_error("abs(1, 2)", "expr.arguments", "abs(1, 2)");
    assert_error("clamp(1, 2)", "expr.arguments", "clamp(1, 2)");
    assert_error("round(score, count)", "expr.arguments", "count");
    assert_error("round(score, 11)", "expr.arguments", "11");
    assert_error("round(score, 1.5)", "expr.arguments", "1.5");
    assert_error("is_missing()", "expr.arguments", "is_missing()");
}

#[test]
fn category_values_are_checked() {
    assert_error("grade == 'Z'", "expr.unknown_value", "'Z'");
    assert_error("'Z' != grade", "expr.unknown_value", "'Z'");
    let message = first_error("grade == 'Z'").message;
    assert!(message.contains("\"A\", \"B\", \"达标\""), "{message}");
    assert!(Expr::compile("grade == '达标'", &TestScope::new(), None).is_ok());
    // Free text inputs have no list to check against.
    assert!(Expr::compile("label == 'Z'", &TestScope::new(), None).is_ok());
}

#[test]
fn limits() {
    let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(eval(&nested(MAX_DEPTH)), N(1.0));
    let error = first_error(&nested(MAX_DEPTH + 1));
    assert_eq!(
        (error.code, error.offset, error.len),
        ("expr.too_deep", MAX_DEPTH, 1)
    );
    assert_eq!(first_error(&"-".repeat(100)).code, "expr.too_deep");
    assert_eq!(first_error(&"not ".repeat(100)).code, "expr.too_deep");
    // Long flat chains are not nesting.
    let sum = vec!["score"; 500].join(" + ");
    assert_eq!(eval(&sum), N(40_000.0));
    let too_long = "1+".repeat(MAX_SOURCE_LEN / 2) + "1";
    let error = first_error(&too_long);
    assert_eq!(
        (error.code, error.offset, error.len),
        ("expr.too_long", 0, too_long.len())
    );
}

#[test]
fn errors_display_and_sort() {
    let error = first_error("scor");
    assert_eq!(
        error.to_string(),
        format!("expr.unknown_input at byte 0: {}", error.message)
    );
    let all = errors("ok + 1 + scor", None);
    assert!(all.windows(2).all(|w| w[0].offset <= w[1].offset));
}

#[test]
fn expr_is_send_sync_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Expr>();
    let expr = compile("if ok then 'A' else 'B'");
    let copy = expr.clone();
    assert_eq!(copy.eval(&row()), Ok(T("A")));
    assert_eq!(serde_json::to_string(&Type::Bool).unwrap(), "\"bool\"");
}

// ---- properties ----

fn finite() -> impl Strategy<Value = f64> {
    -1e12f64..1e12
}

proptest! {
    #[test]
    fn compile_never_panics(src in "\\PC{0,64}") {
        let _ = Expr::compile(&src, &TestScope::new(), None);
    }

    #[test]
    fn compile_never_panics_on_expression_like_text(
        src in "[a-z_得分 0-9.eE+*/()<>=!&|,'\"-]{0,48}|(score|ok|grade|min|if|then|else|not|and|or|[ ()+<=,'1])*"
    ) {
        let scope = TestScope::new();
        if let Ok(expr) = Expr::compile(&src, &scope, None) {
            // Evaluation is total and deterministic.
            let r = row();
            let first = expr.eval(&r);
            prop_assert_eq!(first.clone(), expr.eval(&r));
            if let Ok(Value::Number(n)) = first {
                prop_assert!(n.is_finite());
            }
        }
    }

    #[test]
    fn errors_lie_within_the_source(src in "\\PC{0,64}") {
        if let Err(errors) = Expr::compile(&src, &TestScope::new(), None) {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(e.offset + e.len <= src.len());
                prop_assert!(src.is_char_boundary(e.offset) && src.is_char_boundary(e.offset + e.len));
            }
        }
    }

    #[test]
    fn addition_commutes(a in finite(), b in finite()) {
        let r = TestRow(vec![N(a), N(b)]);
        prop_assert_eq!(eval_in("score + count", &r), eval_in("count + score", &r));
    }

    #[test]
    fn evaluation_is_deterministic(a in finite(), b in finite(), ok in any::<bool>()) {
        let r = TestRow(vec![N(a), N(b), B(ok)]);
        let expr = compile("if ok and score > count then round(score / max(abs(count), 1), 2) else min(score, count)");
        prop_assert_eq!(expr.eval(&r), expr.eval(&r));
    }

    #[test]
    fn number_literals_round_trip(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        // Rust's shortest round-trip formatting is valid expression syntax (`-` is unary minus).
        prop_assert_eq!(eval(&format!("{x:?}")), N(x + 0.0));
    }

    #[test]
    fn string_literals_round_trip(text in "\\PC{0,32}") {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        prop_assert_eq!(eval(&format!("\"{escaped}\"")), T(Box::leak(text.into_boxed_str())));
    }

    #[test]
    fn rounding_is_idempotent_and_close(scaled in finite(), digits in 0i32..=10) {
        // Beyond ~1e12 scaled units an f64 cannot hold the requested decimals anyway.
        let x = scaled / 10f64.powi(digits);
        let once = eval::round_half_away(x, digits);
        prop_assert!((once - x).abs() <= 0.5 * 10f64.powi(-digits) * (1.0 + 1e-6) + x.abs() * 1e-15);
        prop_assert_eq!(eval::round_half_away(once, digits), once);
    }
}
