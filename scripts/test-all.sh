#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs what is missing (idempotent), then runs
# the Rust suite (formatting, lints, unit tests, doctests, properties, conformance cases), the
# Python suite and the JavaScript + browser suite. Fails on the first failing suite.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n==> %s\n' "$*"; }

section "Rust toolchain components"
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy"
cargo clippy --workspace --all-targets --locked -q -- -D warnings

section "cargo test (core, CLI, bindings' Rust side)"
# The property tests explore the same cases on every run of this script (plain `cargo test`
# draws new ones each time); set PROPTEST_RNG_SEED to explore others.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261127}"
mkdir -p target
if ! cargo test --workspace --locked >target/rust-test.log 2>&1; then
  grep -E 'FAILED|panicked|error' target/rust-test.log | head -40
  echo "Rust tests failed; the full log is target/rust-test.log" >&2
  exit 1
fi
grep -E '^(test result)|Running|Doc-tests' target/rust-test.log
cargo test -q --locked -p qinglian --test conformance -- --nocapture 2>&1 | grep '^conformance:'
# Writes target/differential/cases.json, which the Python and JavaScript suites score too.
cargo test -q --locked -p qinglian --test differential -- --nocapture 2>&1 | grep '^differential:'
cargo test -q --locked -p qinglian --test weights -- --nocapture 2>&1 | grep '^weights:'

section "Ruleset dependency hygiene"
if cargo tree -p qinglian -e normal --locked | grep -Eq '\b(pyo3|wasm-bindgen|clap)\b'; then
  echo "the core crate must not depend on pyo3, wasm-bindgen or clap" >&2
  exit 1
fi
echo "core depends on none of pyo3, wasm-bindgen, clap"

section "Python package"
./scripts/python-test.sh

section "Browser package"
./scripts/wasm-test.sh

