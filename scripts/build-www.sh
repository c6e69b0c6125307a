#!/usr/bin/env bash
# Builds the demo app into www/dist: installs www/'s dependencies when they are missing or
# older than www/package-lock.json (phoenix-wasm comes from ../pkg, so run
# scripts/build-pkg.sh first), type-checks it (tsc --noEmit, strict) and bundles it with
# Vite. Used by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../www"

[ -f ../pkg/phoenix-wasm.js ] || { echo "build-www: pkg/ is missing: run scripts/build-pkg.sh first" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ ! -f node_modules/phoenix-wasm/package.json ]; then
  echo "[www] npm ci"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
fi
echo "[www] tsc --noEmit"
node_modules/.bin/tsc --noEmit -p .
echo "[www] vite build"
node_modules/.bin/vite build --logLevel warn
echo "[www] built www/dist ($(du -sk dist | cut -f1) KB)"
