#!/usr/bin/env bash
# Builds the qinglian npm package into wasm/pkg/:
#   pkg/web/         ES module for browsers and bundlers (`init()` then use), with .d.ts, and
#                    the one copy of qinglian_bg.wasm
#   pkg/node/        CommonJS for Node (synchronous; reads ../web/qinglian_bg.wasm), an ES-module
#                    wrapper, .d.ts
#   pkg/calculator/  the <qinglian-calculator> custom element (`import "qinglian/calculator"`)
#   pkg/package.json exports map: node → node/, import/browser → web/, ./calculator, types
# and copies the web build, the element and the rulesets of rules/ (and rules/asem/) into
# examples/web-calculator/, with reference cohorts fitted on the example data.
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
done
# One copy of the module, shared by both builds: the Node build reads the web build's file.
"$wasm_opt" -Oz --strip-debug --strip-producers --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types \
  --enable-multivalue --enable-mutable-globals \
  "$pkg/web/qinglian_bg.wasm" -o "$pkg/web/qinglian_bg.wasm"
rm "$pkg/node/qinglian_bg.wasm" "$pkg/node/qinglian_bg.wasm.d.ts"
grep -q '^const wasmPath = `${__dirname}/qinglian_bg.wasm`;$' "$pkg/node/qinglian.js" || {
  echo "the Node build no longer loads its module as build.sh expects" >&2
  exit 1
}
sed -i 's|^const wasmPath = `${__dirname}/qinglian_bg.wasm`;$|const wasmPath = require("path").join(__dirname, "..", "web", "qinglian_bg.wasm");|' \
  "$pkg/node/qinglian.js"
# The JS snippets (column encoder, error classes) are written as ES modules; the CommonJS build
# gets them as CommonJS, so that Node versions without require(esm) load them.
for f in "$pkg"/node/snippets/*/src/*.js; do
  names=$(sed -n 's/^export \(function\|class\) \([A-Za-z]*\).*/\2/p' "$f" | paste -sd, -)
  sed -i 's/^export \(function\|class\) /\1 /' "$f"
  printf 'module.exports = { %s };\n' "$names" >>"$f"
done
snippet=$(cd "$pkg/web" && ls snippets/*/src/errors.js)
# The entry points: the engine plus its error classes, and an `init()` in every build so that
# code written for the browser (`await init()`) runs unchanged in Node (SSR, test runners).
cat >"$pkg/web/index.js" <<JS
export * from "./qinglian.js";
export { default } from "./qinglian.js";
export { QinglianError, RulesetError, RecordError } from "./$snippet";
JS
printf 'export * from "./qinglian.js";\nexport { default } from "./qinglian.js";\n' >"$pkg/web/index.d.ts"
printf 'export * from "./qinglian.js";\nexport { default } from "./qinglian.js";\n' >"$pkg/node/index.d.ts"
cat >"$pkg/node/index.js" <<JS
"use strict";
// Node compiles the WebAssembly module synchronously when qinglian.js is required, so init()
// has nothing left to do; it exists so that the same code runs in the browser and in Node.
const engine = require("./qinglian.js");
const { QinglianError, RulesetError, RecordError } = require("./$snippet");
async function init() {}
function initSync() {}
module.exports = { ...engine, QinglianError, RulesetError, RecordError, initSync, default: init };
JS
cat >"$pkg/node/index.mjs" <<'JS'
import engine from "./index.js";
export const {
  Ruleset, Cohort, ScoreTable, Lang, version, QinglianError, RulesetError, RecordError, initSync,
} = engine;
export default engine.default;
JS
cat >>"$pkg/node/qinglian.d.ts" <<'TS'

/** Nothing to do in Node (the module is loaded when the package is); kept so that browser code runs unchanged. */
export default function init(options?: unknown): Promise<void>;
/** Nothing to do in Node; kept so that browser code runs unchanged. */
export function initSync(options?: unknown): void;
TS
# The custom element <qinglian-calculator>.
mkdir -p "$pkg/calculator"
cp "$here/calculator/calculator.js" "$here/calculator/calculator.d.ts" "$pkg/calculator/"
# Each build says how Node should read its .js files.
printf '{ "type": "module" }\n' >"$pkg/web/package.json"
printf '{ "type": "module" }\n' >"$pkg/calculator/package.json"
printf '{ "type": "commonjs" }\n' >"$pkg/node/package.json"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
cat >"$pkg/package.json" <<JSON
{
  "name": "qinglian",
  "version": "$version",
  "description": "清廉 qinglian: score integrity evaluation systems (TOML rulesets) in the browser and Node (WebAssembly), and a self-assessment calculator element",
  "license": "MIT OR Apache-2.0",
  "repository": { "type": "git", "url": "https://github.com/qinglian/qinglian" },
  "files": ["web/", "node/", "calculator/", "README.md", "LICENSE-MIT", "LICENSE-APACHE"],
  "main": "./node/index.js",
  "module": "./web/index.js",
  "browser": "./web/index.js",
  "types": "./web/index.d.ts",
  "sideEffects": ["./calculator/calculator.js", "./node/*.js"],
  "exports": {
    ".": {
      "node": {
        "types": "./node/index.d.ts",
        "import": "./node/index.mjs",
        "default": "./node/index.js"
      },
      "import": {
        "types": "./web/index.d.ts",
        "default": "./web/index.js"
      },
      "require": {
        "types": "./node/index.d.ts",
        "default": "./node/index.js"
      },
      "default": "./web/index.js"
    },
    "./calculator": {
      "types": "./calculator/calculator.d.ts",
      "default": "./calculator/calculator.js"
    },
    "./web": {
      "types": "./web/index.d.ts",
      "default": "./web/index.js"
    },
    "./node": {
      "types": "./node/index.d.ts",
      "import": "./node/index.mjs",
      "default": "./node/index.js"
    },
    "./qinglian_bg.wasm": "./web/qinglian_bg.wasm",
    "./package.json": "./package.json"
  }
}
JSON
cp "$here/README.md" "$pkg/README.md"
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$pkg/"

# The example page: the package beside it (the element and the web build, at the same relative
# places as in the package) and the rulesets of rules/, so it works as static files.
calc="$root/examples/web-calculator"
rm -rf "$calc/pkg" "$calc/rules"
mkdir -p "$calc/pkg" "$calc/rules"
cp -r "$pkg/web" "$pkg/calculator" "$calc/pkg/"
mkdir -p "$calc/rules/asem"
manifest="["
sep=""
for f in "$root"/rules/*.toml "$root"/rules/asem/*.toml; do
  name=${f#"$root/rules/"}
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
