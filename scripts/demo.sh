#!/usr/bin/env bash
# The demo command: builds the npm package into pkg/, then serves www/ and pkg/ from the
# Phoenix-protocol test server on http://127.0.0.1:4000 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "[demo] building pkg/ (wasm-pack, release, wasm-opt from binaryen 132)"
wasm-pack build --release --target web --mode no-install --out-dir pkg . 2>&1 | grep -E 'wasm-opt|Done|Error|error' || true
[ -f pkg/phoenix_wasm_bg.wasm ] || { echo "[demo] pkg build failed" >&2; exit 1; }

echo "[demo] building the test server"
cargo build -q -p testserver
port=${PORT:-4000}
echo "[demo] open http://127.0.0.1:$port  (Ctrl-C stops the server)"
exec target/debug/testserver --port "$port" --static www --pkg pkg
