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
rm -rf "$out" && mkdir -p "$out/web"
wasm-bindgen --target web --weak-refs --out-dir "$out/web" "$target/wasm32-unknown-unknown/release/phoenix_wasm.wasm"
wasm-opt -Oz -g \
  "$out/web/phoenix_wasm_bg.wasm" -o "$out/web/phoenix_wasm_bg.wasm"
node - "$out" <<'JS'
const fs = require("fs");
const out = process.argv[2];
const wasm = fs.readFileSync(`${out}/web/phoenix_wasm_bg.wasm`);
fs.mkdirSync(`${out}/node`, { recursive: true });
fs.renameSync(`${out}/web/phoenix_wasm_bg.wasm`, `${out}/node/phoenix_wasm_bg.wasm`);
fs.writeFileSync(`${out}/web/phoenix_wasm_bytes.js`, `export const hex = "${wasm.toString("hex")}";\n`);
JS
cp pkg/phoenix-wasm.js "$out/"
echo "bench/build-profiling.sh: $out built, wasm $(wc -c < "$out/node/phoenix_wasm_bg.wasm") bytes (names kept)"
