#!/usr/bin/env bash
# Builds a profiling variant of the package into bench/results/pkg-profiling (gitignored):
# the same release build as scripts/build-pkg.sh (opt-level z, LTO, wasm-opt -Oz), but with
# the wasm name section kept (`wasm-opt -g`), so CPU profiles name the Rust functions:
#
#   bash bench/build-profiling.sh && node bench/run.mjs --profile --pkg bench/results/pkg-profiling
#
# It builds in its own target dir (target/bench-profiling) so it never disturbs pkg/ or target/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=bench/results/pkg-profiling
target=target/bench-profiling
[ -f pkg/phoenix-wasm.js ] || { echo "run scripts/build-pkg.sh first (the entry is copied from pkg/)" >&2; exit 1; }

CARGO_TARGET_DIR=$target cargo build -q --lib --release --target wasm32-unknown-unknown
rm -rf "$out" && mkdir -p "$out/web" "$out/node"
wasm-bindgen --target web --weak-refs --out-dir "$out/web" "$target/wasm32-unknown-unknown/release/phoenix_wasm.wasm"
wasm-opt -Oz -g \
  "$out/web/phoenix_wasm_bg.wasm" -o "$out/node/phoenix_wasm_bg.wasm"
# pkg/'s entry is one module (glue, host.js, the wasm as hex): the same sources give the
# same glue, so only the inlined module is swapped for the one with names.
node - "$out" <<'JS'
const fs = require("fs");
const out = process.argv[2];
const wasm = fs.readFileSync(`${out}/node/phoenix_wasm_bg.wasm`).toString("hex");
const entry = fs.readFileSync("pkg/phoenix-wasm.js", "utf8");
const inlined = /"0061736d[0-9a-f]+"/;
if (!inlined.test(entry)) throw new Error("pkg/phoenix-wasm.js holds no inlined wasm");
fs.writeFileSync(`${out}/phoenix-wasm.js`, entry.replace(inlined, () => `"${wasm}"`));
JS
rm -rf "$out/web"
echo "bench/build-profiling.sh: $out built, wasm $(wc -c < "$out/node/phoenix_wasm_bg.wasm") bytes (names kept)"
