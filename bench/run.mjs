#!/usr/bin/env node
// Side-by-side benchmark of phoenix-wasm (pkg/) and phoenix.js 1.8.16 in one headless Chromium
// page. See bench/README.md.
//
//   node bench/run.mjs                 full run: ~7 interleaved rounds, table + bench/results/latest.json
//   node bench/run.mjs --quick         smoke run: small sizes, one round (bench/results/quick.json)
//   node bench/run.mjs --profile [tags]   CPU profiles of the given rows (default: the misses of
//                                         bench/results/latest.json) → bench/results/profile*.{json,cpuprofile}
//   options: --rounds N   --pkg DIR (another build of the package, e.g. bench/build-profiling.sh's)
//            --against DIR (A/B: DIR, another build of ours, in phoenix.js's place)
//            --reps N (N samples per library in each page, order alternating; e.g. 6 for A/B)
//            --only a,b  (workloads: inbound,push,roundtrip,binaryDecode,binaryEncode,presence,memory,startup,size)
//
// Timings are informational: the command fails only if the bench itself breaks (a workload's
// self-check, the browser, the server), never because of a ratio.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync, execSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const benchDir = path.join(root, "bench");
const resultsDir = path.join(benchDir, "results");
const { chromium } = await import(path.join(root, "node_modules/playwright-core/index.mjs"));

// ---------------------------------------------------------------------------------------
// Arguments and parameters.

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith("--") ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const profiling = flag("--profile");
const only = option("--only")?.split(",");
const wants = (w) => !only || only.includes(w);

const P = quick
  ? {
      rounds: 1,
      inbound: { n: 2000 }, push: { n: 2000 }, roundtrip: { n: 500 },
      binaryDecode: { n: 500 }, binaryEncode: { n: 500 },
      presence: [{ n: 100, diffs: 20, listReps: 2 }, { n: 1000, diffs: 20, listReps: 2 }],
      memory: { n: 1000, samples: 1 }, startup: { samples: 1 },
    }
  : {
      rounds: 7,
      inbound: { n: 100000 }, push: { n: 100000 }, roundtrip: { n: 20000 },
      binaryDecode: { n: 50000 }, binaryEncode: { n: 50000 },
      presence: [
        { n: 1000, diffs: 2000, listReps: 200 },
        { n: 10000, diffs: 2000, listReps: 20 },
        { n: 100000, diffs: 2000, listReps: 3 },
      ],
      memory: { n: 100000, samples: 3 }, startup: { samples: 7 },
    };
if (option("--rounds")) P.rounds = Number(option("--rounds"));
// Samples per library per page (alternating order), for A/B runs of small changes.
P.reps = Number(option("--reps") ?? 1);

// Targets of issues 9 and 5: ratio of ours / phoenix.js (lower is better).
const TARGETS = {
  inbound: 1.0,
  push: 0.5,
  roundtrip: 0.5,
  binaryDecode: 0.3,
  binaryEncode: 0.3,
  "presence.state@10000": 0.2,
  "presence.state@100000": 0.1,
  "presence.diff@*": 1.0,
  "presence.list@100000": 0.5,
  "memory@100000": 1.0,
};
const targetOf = (key) => (againstSrc ? undefined : TARGETS[key] ?? TARGETS[key.replace(/@\d+$/, "@*")]);

// ---------------------------------------------------------------------------------------
// The package under test: pkg/ (built by scripts/build-pkg.sh), copied aside so that a
// rebuild during the run cannot change it under the page.

let pkgSrc = path.resolve(option("--pkg") ?? path.join(root, "pkg"));
if (!fs.existsSync(path.join(pkgSrc, "phoenix-wasm.js"))) {
  if (option("--pkg")) throw new Error(`${pkgSrc}/phoenix-wasm.js is missing`);
  console.log("pkg/ is missing: building it with scripts/build-pkg.sh (about a minute)…");
  execFileSync("bash", [path.join(root, "scripts/build-pkg.sh")], { cwd: root, stdio: "inherit" });
}
const pkgDir = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-wasm-bench-"));
fs.cpSync(pkgSrc, pkgDir, { recursive: true });
process.on("exit", () => fs.rmSync(pkgDir, { recursive: true, force: true }));
const phoenixDir = path.join(root, "node_modules/phoenix/priv/static");
// `--against DIR`: an A/B run of two builds of ours in the same page. DIR (another pkg/,
// copied aside too) takes phoenix.js's place and column, so the ratio is pkg / DIR; the
// bench's noise between pages and runs cancels out of a change too small to see otherwise.
const againstSrc = option("--against") && path.resolve(option("--against"));
const againstDir = againstSrc && fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-wasm-against-"));
if (againstDir) {
  fs.cpSync(againstSrc, againstDir, { recursive: true });
  fs.copyFileSync(path.join(againstDir, "phoenix-wasm.js"), path.join(againstDir, "phoenix.mjs"));
  process.on("exit", () => fs.rmSync(againstDir, { recursive: true, force: true }));
}

// ---------------------------------------------------------------------------------------
// The page server: bench/page.html at /, bench/ at /bench/, the package at /pkg/, phoenix's
// static builds at /phoenix/. Cross-origin isolated, so performance.now() has 5 µs resolution.

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json", ".map": "application/json" };
const MOUNTS = [["/pkg/", pkgDir], ["/phoenix/", againstDir || phoenixDir], ["/bench/", benchDir]];

const server = http.createServer((req, res) => {
  let file;
  const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (url === "/" || url === "/page.html") file = path.join(benchDir, "page.html");
  for (const [prefix, dir] of MOUNTS) {
    if (!file && url.startsWith(prefix)) {
      const f = path.join(dir, path.normalize(url.slice(prefix.length)));
      if (f.startsWith(dir + path.sep) && fs.existsSync(f) && fs.statSync(f).isFile()) file = f;
    }
  }
  if (!file) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// ---------------------------------------------------------------------------------------
// The browser (toolchain.md trap 9: Debian's Chromium, these flags).

const executablePath = execSync("command -v chromium", { shell: "/bin/bash" }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  args: [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--js-flags=--expose-gc", "--enable-precise-memory-info",
  ],
});
const pageErrors = [];

async function openPage(context) {
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
  page.setDefaultTimeout(120000);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => globalThis.benchReady === true);
  if (!(await page.evaluate(() => crossOriginIsolated))) console.warn("warning: the page is not cross-origin isolated (100 µs timer)");
  return page;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const LIBS = ["ours", "phoenix"];
const orderOf = (round) => (round % 2 === 0 ? LIBS : [...LIBS].reverse());

// rows[key] = { key, label, unit, ours: [], phoenix: [] }
const rows = new Map();
function record(key, label, unit, lib, value) {
  if (!rows.has(key)) rows.set(key, { key, label, unit, ours: [], phoenix: [] });
  rows.get(key)[lib].push(value);
}

// ---------------------------------------------------------------------------------------
// The interleaved rounds. Each (round, workload) gets a fresh page with both libraries: a
// page that ran many samples holds what they leaked (every phoenix.js Socket stays reachable
// through its pagehide/pageshow window listeners; unanswered pushes keep their sockets
// alive in both), which slows later samples down. In the page, each library first runs the
// workload once at full size (presence: up to 10k keys and 5000 diffs) as a warm-up, then both
// are measured, in an order that alternates between rounds. A warm-up at a tenth of the size
// was not enough: in one page, the first full-size run of either library took up to 2× the
// later ones (roundtrip ours 276 → 147 ms, phoenix.js 192 → 122 ms; JIT tiers of the JS and
// the glue, wasm tier-up, the heap's growth), so whichever library ran first in a round
// paid it and the medians swung with the order (docs/PERFORMANCE.md "Fifth pass").

const SIMPLE = [
  ["inbound", (p) => `inbound text broadcast → channel.on (${p.n})`],
  ["push", (p) => `channel.push → transport.send (${p.n})`],
  ["roundtrip", (p) => `push → phx_reply → receive("ok") (${p.n} sequential)`],
  ["binaryDecode", (p) => `binary 1 KB broadcast → channel.on (${p.n})`],
  ["binaryEncode", (p) => `binary 1 KB push → transport.send (${p.n})`],
];

function groups() {
  const out = [];
  for (const [w, label] of SIMPLE) {
    if (wants(w)) out.push({ w, params: P[w], warm: P[w], label: label(P[w]) });
  }
  if (wants("presence")) {
    for (const p of P.presence) out.push({ w: "presence", params: p, warm: { n: Math.min(p.n, 10000), diffs: 5000, listReps: 2 } });
  }
  return out;
}

function recordSample(g, lib, r) {
  if (g.w !== "presence") return record(g.w, g.label, "ms", lib, r.ms);
  const n = g.params.n;
  record(`presence.state@${n}`, `presence_state frame → onSync, ${n} keys`, "ms", lib, r.state);
  record(`presence.diff@${n}`, `presence_diff (1 join + 1 leave) → onSync, ${n} keys`, "ms", lib, r.diff);
  record(`presence.list@${n}`, `list(), ${n} keys`, "ms", lib, r.list);
  record(`presence.listChooser@${n}`, `list((id, {metas}) => …), ${n} keys`, "ms", lib, r.listChooser);
  record(`presence.resync@${n}`, `presence_state again (reconnect), ${n} keys`, "ms", lib, r.resync);
}

/** A fresh page with both libraries loaded and (unless --quick) warmed up on workload g. */
async function warmPage(context, g) {
  const page = await openPage(context);
  await page.evaluate(() => bench.load());
  if (!quick) {
    for (const lib of LIBS) await page.evaluate(([w, lib, p]) => bench.run(w, lib, p), [g.w, lib, g.warm]);
  }
  return page;
}

async function runRounds(context) {
  for (let round = 0; round < P.rounds; round++) {
    const started = Date.now();
    for (const g of groups()) {
      const page = await warmPage(context, g);
      for (let rep = 0; rep < P.reps; rep++) {
        for (const lib of orderOf(round + rep)) {
          recordSample(g, lib, await page.evaluate(([w, lib, p]) => bench.run(w, lib, p), [g.w, lib, g.params]));
        }
      }
      await page.close();
    }
    console.log(`  round ${round + 1}/${P.rounds}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

// ---------------------------------------------------------------------------------------
// Memory of a presence state: in a fresh context per sample, one library per page. The heap
// is read through the DevTools protocol after HeapProfiler.collectGarbage, before and after
// the presence_state frame; for ours the growth of the wasm linear memory is added.

async function heap(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  return cdp.send("Runtime.getHeapUsage");
}

async function measureMemory() {
  const { n, samples } = P.memory;
  for (let i = 0; i < samples; i++) {
    for (const lib of orderOf(i)) {
      const context = await browser.newContext();
      const page = await openPage(context);
      const cdp = await context.newCDPSession(page);
      await page.evaluate(([lib, n]) => bench.memoryPrepare(lib, { n }), [lib, n]);
      const h0 = await heap(cdp);
      const w0 = await page.evaluate((lib) => bench.wasmMemoryBytes(lib), lib);
      await page.evaluate(() => bench.memoryDeliver());
      const h1 = await heap(cdp);
      const w1 = await page.evaluate((lib) => bench.wasmMemoryBytes(lib), lib);
      if (!(await page.evaluate(() => bench.memoryCheck()))) throw new Error(`memory: ${lib}'s roster does not hold ${n} keys`);
      const js = h1.usedSize - h0.usedSize;
      const wasm = w1 - w0;
      record(`memory@${n}`, `memory of a ${n}-key presence state (JS heap + wasm)`, "bytes", lib, js + wasm);
      record(`memory.js@${n}`, `  of which JS heap`, "bytes", lib, js);
      if (lib === "ours") record(`memory.wasm@${n}`, `  of which wasm linear memory growth`, "bytes", lib, wasm);
      await context.close();
    }
  }
}

// ---------------------------------------------------------------------------------------
// Startup: import → new Socket → connect → onOpen, in a fresh context (empty HTTP and code
// caches) per sample.

async function measureStartup() {
  for (let i = 0; i < P.startup.samples; i++) {
    for (const lib of orderOf(i)) {
      const context = await browser.newContext();
      const page = await openPage(context);
      const r = await page.evaluate((lib) => bench.startup(lib), lib);
      record("startup", "startup: import → socket open (cold page)", "ms", lib, r.ms);
      await context.close();
    }
  }
}

// ---------------------------------------------------------------------------------------
// Size: what a bundler ships for `{ Socket, Channel, Presence }`: esbuild --bundle --minify
// of a one-line entry, then gzip -9.

const gzip9 = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const sizes = {};

async function measureSize() {
  let esbuild;
  try {
    esbuild = await import(path.join(root, "node_modules/esbuild/lib/main.js")).then((m) => m.default ?? m);
  } catch {
    console.log("  size: esbuild is not installed (npm ci), skipped");
    return;
  }
  const bundle = async (from) => {
    const r = await esbuild.build({
      stdin: { contents: `export { Socket, Channel, Presence } from ${JSON.stringify(from)};`, resolveDir: root, loader: "js" },
      bundle: true, minify: true, format: "esm", platform: "browser", write: false, logLevel: "silent",
    });
    return Buffer.from(r.outputFiles[0].contents);
  };
  const ours = await bundle(path.join(pkgDir, "phoenix-wasm.js"));
  const phoenix = await bundle("phoenix");
  for (const [lib, buf] of [["ours", ours], ["phoenix", phoenix]]) {
    record("size.gzip", "bundle of { Socket, Channel, Presence }, minified, gzip -9", "bytes", lib, gzip9(buf));
    record("size.raw", "  the same, minified, not compressed", "bytes", lib, buf.length);
  }
  const wasm = fs.readFileSync(path.join(pkgDir, "node/phoenix_wasm_bg.wasm"));
  sizes.wasm = { raw: wasm.length, gzip9: gzip9(wasm) };
  sizes.oursBundleWithoutWasm = (() => {
    const noBytes = ours.toString("latin1").replace(/"[A-Za-z0-9+/=]{10000,}"/, '""');
    return { raw: noBytes.length, gzip9: gzip9(Buffer.from(noBytes, "latin1")) };
  })();
}

// ---------------------------------------------------------------------------------------
// Profiles: CPU profiles of chosen rows through the DevTools protocol. The harness brackets
// the timed region of the row with console.profile()/profileEnd() when `bench.profileTag`
// names it, and the profile arrives as Profiler.consoleProfileFinished.

function summarise(profile) {
  const total = profile.endTime - profile.startTime; // µs
  const perHit = total / Math.max(1, profile.samples.length);
  const byFn = new Map();
  const byCat = new Map();
  const cat = (cf) => {
    if (cf.url.startsWith("wasm://")) return "ours: wasm";
    if (cf.url.includes("/pkg/")) return "ours: JS glue";
    if (cf.url.includes("phoenix.mjs")) return "phoenix.js";
    if (cf.url.includes("harness.js")) return "bench harness";
    if (/^\((garbage collector|program|idle|root)\)$/.test(cf.functionName)) return cf.functionName;
    return "other (builtins)";
  };
  for (const node of profile.nodes) {
    if (!node.hitCount) continue;
    const cf = node.callFrame;
    const file = cf.url ? cf.url.replace(/^https?:\/\/[^/]+/, "").replace(/^wasm:\/\/wasm\/.*$/, "wasm") : "";
    const name = `${cf.functionName || "(anonymous)"}${file ? ` ${file}:${cf.lineNumber + 1}` : ""}`;
    const ms = (node.hitCount * perHit) / 1000;
    byFn.set(name, (byFn.get(name) ?? 0) + ms);
    byCat.set(cat(cf), (byCat.get(cat(cf)) ?? 0) + ms);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms: +ms.toFixed(3) }));
  return { totalMs: +(total / 1000).toFixed(3), top: sorted(byFn).slice(0, 25), categories: sorted(byCat) };
}

function mergeSummaries(list) {
  const fns = new Map();
  const cats = new Map();
  let totalMs = 0;
  for (const s of list) {
    totalMs += s.totalMs;
    for (const { name, ms } of s.top) fns.set(name, (fns.get(name) ?? 0) + ms / list.length);
    for (const { name, ms } of s.categories) cats.set(name, (cats.get(name) ?? 0) + ms / list.length);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms: +ms.toFixed(3) }));
  return { runs: list.length, meanTotalMs: +(totalMs / list.length).toFixed(3), top: sorted(fns).slice(0, 15), categories: sorted(cats) };
}

async function runProfiles(tags) {
  const context = await browser.newContext();
  const out = {};
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const tag of tags) {
    const [w, size] = tag.split("@");
    const workload = w.startsWith("presence.") ? "presence" : w;
    const params = workload === "presence" ? P.presence.find((p) => String(p.n) === size) : P[workload];
    if (!params || !bench_known(workload)) {
      console.log(`  profile: no workload for ${tag}, skipped`);
      continue;
    }
    for (const lib of LIBS) {
      // A fresh page per row and library (see runRounds), warmed up once.
      const page = await openPage(context);
      const cdp = await context.newCDPSession(page);
      await page.evaluate((lib) => bench.load([lib]), lib);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
      await page.evaluate(([w, lib, p]) => bench.run(w, lib, p), [workload, lib, params]);
      const got = [];
      cdp.on("Profiler.consoleProfileFinished", (e) => got.push(e.profile));
      await page.evaluate((tag) => bench.setProfileTag(tag), tag);
      for (let i = 0; i < 3; i++) await page.evaluate(([w, lib, p]) => bench.run(w, lib, p), [workload, lib, params]);
      await new Promise((r) => setTimeout(r, 200));
      await page.close();
      if (!got.length) throw new Error(`profile: no profile arrived for ${tag} (${lib})`);
      fs.writeFileSync(path.join(resultsDir, `profile-${tag.replace(/[@.]/g, "-")}-${lib}.cpuprofile`), JSON.stringify(got.at(-1)));
      (out[tag] ??= {})[lib] = mergeSummaries(got.map(summarise));
    }
    printProfile(tag, out[tag]);
  }
  await context.close();
  return out;
}
const bench_known = (w) => ["inbound", "push", "roundtrip", "binaryDecode", "binaryEncode", "presence"].includes(w);

function printProfile(tag, byLib) {
  console.log(`\n=== profile ${tag} (self time, mean of ${byLib.ours.runs} runs, 50 µs sampling)`);
  for (const lib of LIBS) {
    const s = byLib[lib];
    console.log(`  ${lib}: ${s.meanTotalMs.toFixed(1)} ms profiled`);
    console.log(`    by origin: ${s.categories.map((c) => `${c.name} ${c.ms.toFixed(1)}`).join(" · ")}`);
    for (const f of s.top.slice(0, 10)) console.log(`    ${f.ms.toFixed(2).padStart(9)} ms  ${f.name}`);
  }
}

// ---------------------------------------------------------------------------------------
// Report.

const fmtTime = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
const fmtBytes = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} KB` : `${b} B`);

function report() {
  const table = [];
  for (const row of rows.values()) {
    const ours = median(row.ours);
    const phoenix = row.phoenix.length ? median(row.phoenix) : undefined;
    const ratio = phoenix ? ours / phoenix : undefined;
    const target = targetOf(row.key);
    const verdict = target === undefined || ratio === undefined ? "" : ratio <= target ? "PASS" : "MISS";
    table.push({ ...row, median: { ours, phoenix }, ratio, target, verdict });
  }
  const fmt = (row, v) => (v === undefined ? "—" : row.unit === "bytes" ? fmtBytes(v) : fmtTime(v));
  const lines = table.map((r) => [
    r.key, r.label, fmt(r, r.median.ours), fmt(r, r.median.phoenix),
    r.ratio === undefined ? "—" : r.ratio.toFixed(3), r.target === undefined ? "" : `≤ ${r.target}`, r.verdict,
  ]);
  const head = ["row", "what", "ours", againstDir ? "against" : "phoenix.js", "ratio", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  if (againstDir) console.log(`\n--against ${againstSrc}: the second column is that build, not phoenix.js (targets do not apply)`);
  console.log(`\nmedians of ${P.rounds} interleaved round(s) (memory: ${P.memory.samples}, startup: ${P.startup.samples} samples); ratio = ours / phoenix.js, < 1 is better`);
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(line(l));
  if (sizes.wasm) {
    console.log(`\nsize detail: ours' .wasm alone ${fmtBytes(sizes.wasm.raw)} raw / ${fmtBytes(sizes.wasm.gzip9)} gzip -9 (inlined as hex in the bundle); ` +
      `ours' bundle without the inlined wasm ${fmtBytes(sizes.oursBundleWithoutWasm.raw)} / ${fmtBytes(sizes.oursBundleWithoutWasm.gzip9)} gzip -9`);
  }
  if (againstDir) {
    // A/B: the fastest sample of each side too (the least disturbed by GC and the machine).
    const min = (xs) => Math.min(...xs);
    for (const r of table) if (r.ours.length && r.phoenix.length) console.log(`  ${r.key}: fastest ${fmt(r, min(r.ours))} vs ${fmt(r, min(r.phoenix))} (${(min(r.ours) / min(r.phoenix)).toFixed(3)})`);
    return table;
  }
  const graded = table.filter((r) => r.verdict);
  console.log(`targets: ${graded.filter((r) => r.verdict === "PASS").length} PASS, ${graded.filter((r) => r.verdict === "MISS").length} MISS` +
    (graded.some((r) => r.verdict === "MISS") ? ` (MISS: ${graded.filter((r) => r.verdict === "MISS").map((r) => r.key).join(", ")})` : "") +
    " — informational, timings never fail the command");
  return table;
}

function gitInfo() {
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim();
    const dirty = execSync("git status --porcelain -- src Cargo.toml Cargo.lock", { cwd: root }).toString().trim() !== "";
    return { commit, srcDirty: dirty };
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------------------
// Main.

const started = new Date();
let exitCode = 0;
try {
  const meta = {
    date: started.toISOString(),
    mode: quick ? "quick" : profiling ? "profile" : "full",
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGB: +(os.totalmem() / 2 ** 30).toFixed(1), os: `${os.type()} ${os.release()}` },
    // Other work on the machine skews timings (interleaving and medians damp it): recorded at start and end.
    loadavg: { start: os.loadavg().map((x) => +x.toFixed(2)) },
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    pkg: { source: pkgSrc, wasmBytes: fs.statSync(path.join(pkgDir, "node/phoenix_wasm_bg.wasm")).size, builtAt: fs.statSync(path.join(pkgDir, "phoenix-wasm.js")).mtime.toISOString() },
    git: gitInfo(),
    params: P,
  };
  console.log(`phoenix-wasm bench (${meta.mode}): ${meta.browser}, ${meta.machine.cpu} × ${meta.machine.cores}, pkg built ${meta.pkg.builtAt}`);

  if (profiling) {
    let tags = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] === "--profile").flatMap((a) => a.split(","));
    if (!tags.length) {
      const latest = JSON.parse(fs.readFileSync(path.join(resultsDir, "latest.json"), "utf8"));
      tags = latest.table.filter((r) => r.verdict === "MISS" && !r.key.startsWith("memory")).map((r) => r.key);
      console.log(`profiling the misses of bench/results/latest.json: ${tags.join(", ") || "(none)"}`);
    }
    const profiles = await runProfiles(tags);
    const file = path.join(resultsDir, quick ? "profile-quick.json" : "profile.json");
    fs.writeFileSync(file, JSON.stringify({ meta, profiles }, null, 2));
    console.log(`\nwrote ${path.relative(root, file)} and the .cpuprofile files next to it (open them in Chrome DevTools › Performance)`);
  } else {
    console.log("interleaved rounds (a fresh page with both libraries per workload and round, order alternating):");
    const context = await browser.newContext();
    await runRounds(context);
    await context.close();
    if (wants("memory")) {
      console.log("memory (fresh page per sample)…");
      await measureMemory();
    }
    if (wants("startup")) {
      console.log("startup (fresh context per sample)…");
      await measureStartup();
    }
    if (wants("size")) await measureSize();
    meta.loadavg.end = os.loadavg().map((x) => +x.toFixed(2));
    const table = report();
    console.log(`load average (1/5/15 min) at start ${meta.loadavg.start.join(" ")}, at end ${meta.loadavg.end.join(" ")} on ${meta.machine.cores} cores`);
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, quick ? "quick.json" : againstDir ? "against.json" : "latest.json");
    fs.writeFileSync(file, JSON.stringify({ meta, table, sizes }, null, 2));
    console.log(`wrote ${path.relative(root, file)}`);
  }
  if (pageErrors.length) {
    console.error(`page errors:\n  ${pageErrors.join("\n  ")}`);
    exitCode = 1;
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
