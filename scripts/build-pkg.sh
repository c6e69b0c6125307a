#!/usr/bin/env bash
# Builds the npm package into pkg/ (release, wasm-opt -Oz from binaryen 132).
#
# Layout of pkg/:
#   phoenix-wasm.js      ESM entry, one module: the web glue, src/web/host.js and the wasm
#                        bytes inlined (hex), instantiated synchronously, so
#                        `import { Socket } from "phoenix-wasm"` works in browsers, Vite,
#                        esbuild, webpack and Node without init() or plugins.
#   phoenix-wasm.cjs     CommonJS entry for `require` (wasm-bindgen's nodejs target in node/,
#                        which reads the .wasm file next to it).
#   phoenix-wasm.d.ts    first-party types (types/phoenix-wasm.d.ts); .d.cts for require.
# The trade-off of inlining (and why hex, not base64) is in docs/ARCHITECTURE.md "The
# package" and docs/SIZE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# binaryen 132 from npm, never Debian's (toolchain.md trap 1: wasm-opt 108 breaks the module).
wasm_opt="$PWD/node_modules/.bin/wasm-opt"
"$wasm_opt" --version 2>/dev/null | grep -q "version 132" ||
  { echo "build-pkg: $wasm_opt is not binaryen 132 (npm install first)" >&2; exit 1; }
rm -rf pkg
build() { # build TARGET DIR
  local log
  log=$(wasm-pack build --release --weak-refs --target "$1" --mode no-install --out-dir "$2" --no-pack . 2>&1) || { echo "$log"; exit 1; }
  # wasm-opt runs here, not in wasm-pack (Cargo.toml: `wasm-opt = false`): wasm-pack would
  # run `-O`, and with no wasm-opt on PATH skip it silently (toolchain.md trap 2).
  local before after
  before=$(stat -c %s "$2/phoenix_wasm_bg.wasm")
  "$wasm_opt" -Oz "$2/phoenix_wasm_bg.wasm" -o "$2/phoenix_wasm_bg.wasm" ||
    { echo "build-pkg: wasm-opt -Oz failed" >&2; exit 1; }
  after=$(stat -c %s "$2/phoenix_wasm_bg.wasm")
  if [ "$after" -ge "$before" ]; then
    echo "build-pkg: wasm-opt -Oz did not shrink $2/phoenix_wasm_bg.wasm ($before -> $after bytes)" >&2; exit 1
  fi
  rm -f "$2/.gitignore" "$2/package.json" "$2/README.md" "$2/LICENSE"
}
build web pkg/web
build nodejs pkg/node
# The nodejs glue is CommonJS inside a "type": "module" package, and it require()s its
# inline_js snippets, which wasm-bindgen writes as ES modules: make both CommonJS.
echo '{ "type": "commonjs" }' > pkg/node/package.json
node - <<'JS'
// `export function f` / `export const c` → plain declarations plus module.exports.
const fs = require("fs"), path = require("path");
const walk = (d) => fs.readdirSync(d, { withFileTypes: true })
  .flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
for (const file of walk("pkg/node/snippets").filter((f) => f.endsWith(".js"))) {
  const names = [];
  const body = fs.readFileSync(file, "utf8").replace(
    /^export (async function|function|class|const|let|var) ([A-Za-z_$][\w$]*)/gm,
    (_m, kind, name) => { names.push(name); return `${kind} ${name}`; });
  fs.writeFileSync(file, `${body}\nmodule.exports = { ${names.join(", ")} };\n`);
}
JS

node - <<'JS'
const fs = require("fs");
// The async init() path of the web glue would fetch the .wasm next to it, which the
// package does not ship (it is inlined): drop that default so bundlers do not look for it.
const glue = "pkg/web/phoenix_wasm.js";
fs.writeFileSync(glue, fs.readFileSync(glue, "utf8").replace(
  "new URL('phoenix_wasm_bg.wasm', import.meta.url)",
  'undefined; throw new Error("phoenix-wasm is initialised synchronously at import")'));
const wasm = fs.readFileSync("pkg/web/phoenix_wasm_bg.wasm");
fs.rmSync("pkg/web/phoenix_wasm_bg.wasm");
// Hex, not base64: base64 cuts bytes at 6-bit boundaries, which hides the wasm's repeats
// from gzip and brotli; hex keeps each byte two characters, so the compressed bundle is
// ~18 KB smaller (docs/SIZE.md), at twice the wasm's size before compression.
fs.writeFileSync("pkg/web/phoenix_wasm_bytes.js",
  "// The wasm module, inlined so the package needs no loader (docs/ARCHITECTURE.md).\n" +
  `export const hex = "${wasm.toString("hex")}";\n`);
JS

# The phoenix.js classes the glue exports (all four once every issue has landed).
classes=$(grep -oE '^export class (Socket|Channel|Presence|LongPoll)\b' pkg/web/phoenix_wasm.js | awk '{print $3}' | paste -sd, - | sed 's/,/, /g')

# Shared by both entries: the Serializer object around the wasm functions.
serializer='const Serializer = {
  HEADER_LENGTH: 1,
  META_LENGTH: 4,
  KINDS: { push: 0, reply: 1, broadcast: 2 },
  encode(msg, callback) { return serializerEncode(msg, callback); },
  decode(rawPayload, callback) { return serializerDecode(rawPayload, callback); },
};'

# The ESM entry is ONE module: the glue, host.js, the hex bytes and the instantiation,
# bundled by esbuild (not minified). Unbundled, a page fetched the entry and only then its
# three imports: a network round trip more before the socket could start (~25 ms of ~55 on
# localhost in the bench's startup row; a whole RTT on a real network). Bundlers merge the
# modules anyway. The parts are written to pkg/web/ first and removed after.
cat > pkg/web/entry.js <<ENTRY
import { initSync, $classes, serializerEncode, serializerDecode } from "./phoenix_wasm.js";
import { hex } from "./phoenix_wasm_bytes.js";

// The fastest decoder the host has: Uint8Array.fromHex (new browsers), Buffer (Node), else
// one plain loop over the lowercase digits (a callback per byte would cost ~10x).
function decodeHex(h) {
  if (typeof Uint8Array.fromHex === "function") return Uint8Array.fromHex(h);
  if (typeof Buffer === "function") return Buffer.from(h, "hex");
  const digit = (c) => (c < 58 ? c - 48 : c - 87);
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    out[i] = (digit(h.charCodeAt(j)) << 4) | digit(h.charCodeAt(j + 1));
  }
  return out;
}
initSync({ module: decodeHex(hex) });
$serializer

export { $classes, Serializer };
ENTRY
# wasm-bindgen's import object names the snippet module once per import: esbuild warns
# about the duplicate keys, which all hold the same module.
esbuild pkg/web/entry.js --bundle --format=esm --platform=neutral --outfile=pkg/phoenix-wasm.js \
  --log-level=warning --log-override:duplicate-object-key=silent \
  --banner:js="// phoenix-wasm $version: Phoenix Channels client (phoenix.js 1.8.16 API) in Rust/WebAssembly (one ES module: the wasm-bindgen glue, src/web/host.js and the wasm as hex)."
grep -q "initSync({ module: decodeHex(hex) })" pkg/phoenix-wasm.js ||
  { echo "build-pkg: the bundled entry lost its instantiation" >&2; exit 1; }
rm -rf pkg/web

cat > pkg/phoenix-wasm.cjs <<ENTRY
// phoenix-wasm (CommonJS entry): Phoenix Channels client (phoenix.js 1.8.16 API).
"use strict";
const { $classes, serializerEncode, serializerDecode } = require("./node/phoenix_wasm.js");
$serializer

module.exports = { $classes, Serializer };
ENTRY

cp types/phoenix-wasm.d.ts pkg/phoenix-wasm.d.ts
cp types/phoenix-wasm.d.ts pkg/phoenix-wasm.d.cts
cp README.md LICENSE pkg/
# "sideEffects" names the two entries: their top-level initSync() (ESM) and require of the
# instantiating glue (CJS) ARE side effects (with `false`, Vite/rolldown dropped the
# initSync and the inlined wasm, and every class was unusable); the CommonJS glue in node/
# only defines things.
cat > pkg/package.json <<ENTRY
{
  "name": "phoenix-wasm",
  "version": "$version",
  "description": "Phoenix Channels client in Rust/WebAssembly: a drop-in replacement for phoenix.js 1.8.16",
  "license": "MIT",
  "type": "module",
  "main": "./phoenix-wasm.cjs",
  "module": "./phoenix-wasm.js",
  "types": "./phoenix-wasm.d.ts",
  "sideEffects": ["./phoenix-wasm.js", "./phoenix-wasm.cjs"],
  "exports": {
    ".": {
      "import": { "types": "./phoenix-wasm.d.ts", "default": "./phoenix-wasm.js" },
      "require": { "types": "./phoenix-wasm.d.cts", "default": "./phoenix-wasm.cjs" }
    },
    "./package.json": "./package.json"
  },
  "files": [
    "phoenix-wasm.js", "phoenix-wasm.cjs", "phoenix-wasm.d.ts", "phoenix-wasm.d.cts",
    "node/", "README.md", "LICENSE"
  ],
  "keywords": ["phoenix", "channels", "websocket", "presence", "wasm"]
}
ENTRY
echo "build-pkg: pkg/ built, wasm $(wc -c < pkg/node/phoenix_wasm_bg.wasm) bytes"
