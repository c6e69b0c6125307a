#!/usr/bin/env bash
# The demo command: builds the npm package into pkg/ and the chat app (www/, Vite) into
# www/dist, then serves both from the Phoenix-protocol test server on
# http://127.0.0.1:4000 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "[demo] building pkg/ (wasm-pack, release, wasm-opt from binaryen 132)"
bash scripts/build-pkg.sh
echo "[demo] building www/ (npm ci when needed, tsc, vite build)"
bash scripts/build-www.sh

echo "[demo] building the test server"
cargo build -q -p testserver
port=${PORT:-4000}
echo "[demo] open http://127.0.0.1:$port in two tabs side by side (Ctrl-C stops the server)"
echo "[demo]   ?transport=longpoll forces LongPoll; curl -X POST http://127.0.0.1:$port/control/drop cuts every connection"
exec target/debug/testserver --port "$port" --static www/dist --pkg pkg
