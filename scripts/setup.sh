#!/usr/bin/env bash
# Fresh-machine setup for phoenix-wasm. Idempotent: every step checks what is
# already installed (by version) and skips it, so a warm re-run takes seconds.
#
# Traps handled (see ../shared/research/toolchain.md):
#  - wasm-opt comes from the npm package binaryen@132 (node_modules/.bin), never
#    Debian's binaryen 108, which emits modules that throw at load time.
#  - wasm-bindgen-cli must equal the wasm-bindgen crate pinned in Cargo.lock, or
#    wasm-pack silently spends 14 minutes installing its own copy.
#  - wasm-pack, chromedriver and geckodriver are never downloaded by wrappers
#    (only package registries are reachable here).
#  - GECKODRIVER is never exported globally (it would hijack --chrome runs).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

log() { printf '[setup] %s\n' "$*"; }
have_version() { # have_version CMD EXPECTED
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Rust wasm target
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. Debian packages: browsers and chromedriver
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || need_apt+=(firefox-esr)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# 3. npm dev dependencies (binaryen's wasm-opt, phoenix 1.8.16, ws, playwright-core, typescript,
#    esbuild and webpack for the consumer tests)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  echo "[setup] node_modules/.bin/wasm-opt is not binaryen 132" >&2; exit 1
fi

# 4. cargo-installed tools. Opt-level 1 builds ~3x faster and the tools' output is identical.
if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~5 min cold)"
  # --locked fails (its lockfile pins a webpki-roots the registry does not serve).
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install -q --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! have_version wasm-pack "$WASM_PACK_VERSION"; then
  log "cargo install wasm-pack $WASM_PACK_VERSION (~9 min cold)"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install -q --locked --force wasm-pack --version "$WASM_PACK_VERSION"
fi
if ! have_version geckodriver "$GECKODRIVER_VERSION"; then
  log "cargo install geckodriver $GECKODRIVER_VERSION (~5 min cold)"
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install -q --locked --force geckodriver --version "$GECKODRIVER_VERSION"
fi
log "toolchain ready: $(wasm-bindgen --version), $(wasm-pack --version), $(node_modules/.bin/wasm-opt --version | head -1)"
