#!/usr/bin/env bash
# Runs every test layer of phoenix-wasm and prints one closing line `N passed, N failed`.
# A layer that runs zero tests fails the run: a skipped layer must never look green
# (toolchain.md trap 6). Logs go to test-output/<layer>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Never export GECKODRIVER globally (toolchain.md trap 5): each browser layer sets its own.
unset GECKODRIVER CHROMEDRIVER

out="$root/test-output"
rm -rf "$out" && mkdir -p "$out"
total_pass=0
total_fail=0
failed_layers=()
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
}
trap cleanup EXIT

# count_cargo LOG: sums the `test result:` lines of cargo test / wasm-bindgen-test.
count_cargo() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed;?$/) p += $i; if ($(i+1) ~ /^failed;?$/) f += $i } }
       END { printf "%d %d\n", p, f }' "$1"
}
# count_tap LOG: the `# pass N` / `# fail N` summary of node --test with the tap reporter.
count_tap() {
  awk '/^# pass / { p += $3 } /^# fail / { f += $3 } END { printf "%d %d\n", p, f }' "$1"
}

# layer NAME COUNTER CMD...: runs CMD, counts its tests, records the result.
layer() {
  local name=$1 counter=$2; shift 2
  local log="$out/$name.log" start=$SECONDS
  printf '== %-22s ' "$name"
  "$@" >"$log" 2>&1
  local rc=$?
  read -r pass fail < <("$counter" "$log")
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  local verdict=ok
  if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ]; then
    verdict=FAILED
  elif [ "$pass" -eq 0 ]; then
    verdict="FAILED (ran no test)"
  fi
  printf '%4d passed %3d failed  %4ds  %s\n' "$pass" "$fail" $((SECONDS - start)) "$verdict"
  if [ "$verdict" != ok ]; then
    failed_layers+=("$name")
    echo "---- last lines of $log"
    tail -n 40 "$log"
    echo "----"
  fi
}

# check NAME CMD...: a gate without test counts (lints, formatting).
check() {
  local name=$1; shift
  local log="$out/$name.log"
  printf '== %-22s ' "$name"
  if "$@" >"$log" 2>&1; then
    echo "ok"
  else
    echo "FAILED"
    failed_layers+=("$name")
    tail -n 40 "$log"
  fi
}

check rustfmt cargo fmt -p phoenix-wasm -p testserver -- --check
check clippy-native cargo clippy --workspace --all-targets --features phoenix-wasm/json -- -D warnings
check clippy-wasm32 cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
check clippy-rust-api cargo clippy --target wasm32-unknown-unknown --features rust-api --lib --tests -- -D warnings

# 1. The engine, serializer and test server, natively.
layer native count_cargo cargo test --workspace --features phoenix-wasm/json

# The test server, shared by the browser, conformance and package layers.
cargo build -q -p testserver >"$out/testserver-build.log" 2>&1 || { echo "testserver build failed"; tail -n 40 "$out/testserver-build.log"; exit 1; }
ready="$out/testserver.ready"
target/debug/testserver --port 0 --longpoll-window-ms 2000 >"$ready" 2>"$out/testserver.log" &
server_pid=$!
for _ in $(seq 1 100); do grep -q 'testserver ready' "$ready" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^testserver ready \(http:[^ ]*\).*/\1/p' "$ready")
if [ -z "$url" ]; then
  echo "testserver did not start"; cat "$out/testserver.log"; exit 1
fi
# Read at build time by the browser tests (option_env!) and at run time by the Node suites.
export PHX_TEST_URL=$url

# 2. Browser tests through wasm-pack in headless Chrome and Firefox.
browser_tests=(--test web_payload --test web_socket --test web_presence --test web_longpoll --test web_presence_server --test web_faults --test web_improvements)
# The runner's budget covers a whole test file; web_faults' 50 forced drops take ~18 s in
# Firefox, which delays WebSocket reconnects after abnormal closes (~300 ms each).
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-60}
layer browser-chrome count_cargo wasm-pack test --headless --chrome \
  --chromedriver "$(command -v chromedriver)" --mode no-install . "${browser_tests[@]}"
layer browser-firefox count_cargo wasm-pack test --headless --firefox \
  --geckodriver "$(command -v geckodriver)" --mode no-install . "${browser_tests[@]}"
# The typed Rust API (feature rust-api, off in the npm build): its browser tests, and its
# doc examples compiled for wasm32 (they need a browser to run, so they are `no_run`).
layer rust-api-chrome count_cargo wasm-pack test --headless --chrome \
  --chromedriver "$(command -v chromedriver)" --mode no-install . --test web_rust_api --no-default-features --features rust-api
layer rust-api-firefox count_cargo wasm-pack test --headless --firefox \
  --geckodriver "$(command -v geckodriver)" --mode no-install . --test web_rust_api --no-default-features --features rust-api
layer rust-api-doc count_cargo cargo test --doc --target wasm32-unknown-unknown --features rust-api

layer types count_tap node --test --test-reporter=tap tests/types/

# 3. The test server against the official phoenix 1.8.16 client in Node.
layer conformance count_tap node --test --test-reporter=tap tests/conformance/

# 4. The npm package, built once (release, wasm-opt), then driven from Node through its
#    ESM and CommonJS entries, next to phoenix 1.8.16 (tests/node/).
check build-pkg bash scripts/build-pkg.sh
layer node-package count_tap node --test --test-reporter=tap tests/node/
# The benchmark runs (small sizes, one round; never asserts timings: bench/README.md).
check bench-smoke node bench/run.mjs --quick
# No leaks: pkg/ in headless Chromium against the test server (docs/RELIABILITY.md).
layer leaks count_tap node --test --test-reporter=tap tests/leaks/
# 5. Consumers: the package npm-installed into a fresh app, used from Node (ESM, CommonJS)
#    and from esbuild and webpack 5 bundles in Chromium (tests/consumers/).
layer consumers count_tap node --test --test-reporter=tap tests/consumers/

# 5. The demo (www/, built with Vite from pkg/) end to end: users in Debian's Chromium driven
#    by playwright-core against their own test server (tests/e2e/; screenshots in e2e/).
check build-www bash scripts/build-www.sh
layer e2e count_tap node --test --test-reporter=tap tests/e2e/

echo
if [ ${#failed_layers[@]} -gt 0 ]; then
  echo "failed: ${failed_layers[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ ${#failed_layers[@]} -eq 0 ] && [ "$total_fail" -eq 0 ]
