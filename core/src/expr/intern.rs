//! String literals of expressions, stored once per distinct text for the life of the process.
//!
//! `Expr::eval` returns values borrowed from the *row*, yet `if ok then "A" else "B"` must return
//! a literal of the expression itself. Interning gives literals a `'static` lifetime; the memory
//! is bounded by the distinct literal texts ever compiled (each at most `MAX_SOURCE_LEN` bytes).

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

static LITERALS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();

/// The process-wide copy of `text`, created on first use.
pub(crate) fn intern(text: &str) -> &'static str {
    let set = LITERALS.get_or_init(Mutex::default);
    // A poisoned lock only means another thread panicked mid-insert; the set is still valid.
    let mut set = set.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(existing) = set.get(text) {
        return existing;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}
