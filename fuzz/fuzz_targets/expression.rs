//! Any text as an expression over three inputs (a number, a flag, a category): compiles or gives
//! errors inside the source, and evaluating it never panics; a number result is never NaN or
//! infinite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglian::expr::{Expr, Row, Scope, Type, Value, Var};

struct Inputs(Vec<String>);

impl Scope for Inputs {
    fn resolve(&self, name: &str) -> Option<Var<'_>> {
        match name {
            "x" => Some(Var { slot: 0, ty: Type::Number, allowed: None }),
            "ok" => Some(Var { slot: 1, ty: Type::Bool, allowed: None }),
            "level" => Some(Var { slot: 2, ty: Type::Text, allowed: Some(&self.0) }),
            _ => None,
        }
    }
}

struct Values(f64, Option<bool>, Option<&'static str>);

impl Row for Values {
    fn get(&self, slot: usize) -> Value<'_> {
        match slot {
            0 => Value::Number(self.0),
            1 => self.1.map_or(Value::Missing, Value::Bool),
            _ => self.2.map_or(Value::Missing, Value::Text),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(src) = std::str::from_utf8(rest) else {
        return;
    };
    let scope = Inputs(vec!["A".into(), "B".into()]);
    match Expr::compile(src, &scope, None) {
        Ok(expr) => {
            let x = [0.0, -1.5, 1e15, f64::NAN, 3.0][usize::from(pick % 5)];
            let row = Values(x, [None, Some(true), Some(false)][usize::from(pick % 3)], Some("A"));
            if let Ok(Value::Number(n)) = expr.eval(&row) {
                assert!(n.is_finite(), "{src:?} gave {n}");
            }
        }
        Err(errors) => {
            for e in errors {
                assert!(e.offset <= src.len(), "{src:?}: {e:?}");
            }
        }
    }
});
