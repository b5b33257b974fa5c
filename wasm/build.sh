#!/usr/bin/env bash
# Builds the qinglian npm package into wasm/pkg/:
#   pkg/web/   ES module for browsers and bundlers (`init()` then use), with .d.ts
#   pkg/node/  CommonJS for Node (synchronous), with .d.ts
#   pkg/package.json  exports map: node → CommonJS, import/browser → ES module, types
# and copies the web build and the rulesets of rules/ into examples/web-calculator/.
#
# Needs: the wasm32-unknown-unknown target, wasm-bindgen-cli of the exact version pinned in
# wasm/Cargo.toml, and `npm ci` in wasm/ (for binaryen's wasm-opt). scripts/wasm-test.sh installs
# all of them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

# Size-oriented settings for this build only (the workspace release profile stays as it is).
export CARGO_PROFILE_RELEASE_OPT_LEVEL=z
export CARGO_PROFILE_RELEASE_LTO=true
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_DEBUG=false

cargo build -p qinglian-wasm --release --target wasm32-unknown-unknown
wasm="$root/target/wasm32-unknown-unknown/release/qinglian_wasm.wasm"

pinned=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$here/Cargo.toml")
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
if [ "$have" != "$pinned" ]; then
  echo "wasm-bindgen CLI $have does not match the pinned crate $pinned" >&2
  echo "install it: cargo install wasm-bindgen-cli --version $pinned" >&2
  exit 1
fi

wasm_opt="$here/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
  echo "wasm-opt from npm binaryen is missing: run \`npm ci\` in wasm/" >&2
  exit 1
fi

pkg="$here/pkg"
rm -rf "$pkg"
mkdir -p "$pkg"
for target in web nodejs; do
  out="$pkg/${target/nodejs/node}"
  wasm-bindgen "$wasm" --target "$target" --out-dir "$out" --out-name qinglian
  "$wasm_opt" -Oz --strip-debug --strip-producers --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
    --enable-multivalue --enable-mutable-globals \
    "$out/qinglian_bg.wasm" -o "$out/qinglian_bg.wasm"
done
# The column encoder is a JS snippet written as an ES module; the CommonJS build gets it as
# CommonJS, so that Node versions without require(esm) load it.
for f in "$pkg"/node/snippets/*/src/columns.js; do
  sed -i 's/^export function /function /' "$f"
  printf 'module.exports = { encodeColumn };\n' >>"$f"
done
# Each build says how Node should read its .js files.
printf '{ "type": "module" }\n' >"$pkg/web/package.json"
printf '{ "type": "commonjs" }\n' >"$pkg/node/package.json"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
cat >"$pkg/package.json" <<JSON
{
  "name": "qinglian",
  "version": "$version",
  "description": "清廉 qinglian: score integrity evaluation systems (TOML rulesets) in the browser and Node (WebAssembly)",
  "license": "MIT OR Apache-2.0",
  "repository": { "type": "git", "url": "https://github.com/qinglian/qinglian" },
  "files": ["web/", "node/", "README.md"],
  "main": "./node/qinglian.js",
  "module": "./web/qinglian.js",
  "browser": "./web/qinglian.js",
  "types": "./web/qinglian.d.ts",
  "sideEffects": ["./web/qinglian.js", "./node/qinglian.js"],
  "exports": {
    ".": {
      "node": {
        "types": "./node/qinglian.d.ts",
        "default": "./node/qinglian.js"
      },
      "import": {
        "types": "./web/qinglian.d.ts",
        "default": "./web/qinglian.js"
      },
      "require": {
        "types": "./node/qinglian.d.ts",
        "default": "./node/qinglian.js"
      },
      "default": "./web/qinglian.js"
    },
    "./web": {
      "types": "./web/qinglian.d.ts",
      "default": "./web/qinglian.js"
    },
    "./node": {
      "types": "./node/qinglian.d.ts",
      "default": "./node/qinglian.js"
    },
    "./qinglian_bg.wasm": "./web/qinglian_bg.wasm",
    "./package.json": "./package.json"
  }
}
JSON
cp "$here/README.md" "$pkg/README.md"

# The calculator: the web build and the rulesets beside the page, so it works as static files.
calc="$root/examples/web-calculator"
rm -rf "$calc/pkg" "$calc/rules"
mkdir -p "$calc/pkg" "$calc/rules"
cp "$pkg/web/qinglian.js" "$pkg/web/qinglian_bg.wasm" "$pkg/web/qinglian.d.ts" "$calc/pkg/"
cp -r "$pkg/web/snippets" "$calc/pkg/"
manifest="["
sep=""
for f in "$root"/rules/*.toml; do
  name=$(basename "$f")
  cp "$f" "$calc/rules/$name"
  manifest="$manifest$sep\"$name\""
  sep=", "
done
printf '%s]\n' "$manifest" >"$calc/rules/index.json"
# Reference cohorts for the cohort-dependent rulesets, fitted on the example data.
node "$here/fit-cohorts.mjs" "$calc/rules"

raw=$(wc -c <"$pkg/web/qinglian_bg.wasm")
gz=$(gzip -9c "$pkg/web/qinglian_bg.wasm" | wc -c)
echo "qinglian_bg.wasm: $raw bytes raw, $gz bytes gzipped (gzip -9)"
