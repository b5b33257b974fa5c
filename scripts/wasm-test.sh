#!/usr/bin/env bash
# Builds the browser package and runs its tests: TypeScript declarations (tsc --noEmit), the Node
# suite (every conformance case against Rust's golden results, the API, the `npm pack` tarball
# installed into an empty folder), and the browser tests in headless Chromium: the
# <qinglian-calculator> element, and an app bundled with esbuild and with Vite from the packed
# package.
#
# Installs what it needs, skipping what is present: the wasm32 target, wasm-bindgen-cli of the
# version pinned in wasm/Cargo.toml, npm packages (npm ci), and — when missing and running as
# root — Debian's chromium and a CJK font for the screenshots. Exits non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "wasm32 target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen CLI"
pinned=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' wasm/Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$pinned" ]; then
  # Without --locked: the CLI's own lockfile may name crate versions the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$pinned"
fi
wasm-bindgen --version

step "npm packages"
(cd wasm && npm ci --no-audit --no-fund)
(cd examples/web-calculator && npm ci --no-audit --no-fund)

step "chromium"
chromium=${CHROMIUM:-/usr/bin/chromium}
need_fonts=false
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  need_fonts=true
fi
if [ ! -x "$chromium" ] || [ "$need_fonts" = true ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    pkgs="fonts-wqy-microhei"
    [ -x "$chromium" ] || pkgs="chromium chromium-driver $pkgs"
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $pkgs
  elif [ ! -x "$chromium" ]; then
    echo "chromium is missing at $chromium: apt-get install chromium (as root)" >&2
    exit 1
  fi
fi
"$chromium" --version

step "build"
wasm/build.sh

step "TypeScript declarations (tsc --noEmit)"
(cd wasm && npx --no-install tsc --noEmit -p tests/tsconfig.json)
echo "tsc: ok"

step "differential cases (Rust draws and scores them; JavaScript must agree)"
if [ ! -f target/differential/cases.json ]; then
  cargo test -q --locked -p qinglian --test differential
fi

step "Node tests"
(cd wasm && node --test --test-reporter=spec tests/)

step "browser tests"
# One browser at a time (the machine may have two cores): the element at 390/620/1400 px, then the
# packed package bundled with esbuild and Vite.
(cd examples/web-calculator && CHROMIUM="$chromium" node --test --test-concurrency=1 --test-reporter=spec tests/)
