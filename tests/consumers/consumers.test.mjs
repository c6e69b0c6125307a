// The package as consumers use it (issue 7): installed with `npm install <pkg>` into a fresh
// app folder, then imported from a Node ESM script, a Node CommonJS script, and esbuild and
// webpack 5 bundles loaded in headless Chromium. Each joins a room on the test server and
// completes a push/reply round trip. (The Vite consumer is the demo app, driven by
// tests/e2e.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WS_MODULE = path.join(ROOT, "node_modules/ws/index.js");
let base = process.env.PHX_TEST_URL;
let server;
let app;

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "pkg/package.json")), "build the package first: scripts/build-pkg.sh");
  app = fs.mkdtempSync(path.join(os.tmpdir(), "phoenix-wasm-consumer-"));
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({
    name: "consumer", private: true, type: "module",
    dependencies: { "phoenix-wasm": `file:${path.join(ROOT, "pkg")}` },
  }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app });
  if (!base) {
    server = spawn(path.join(ROOT, "target/debug/testserver"), ["--port", "0"]);
    base = await new Promise((resolve, reject) => {
      server.stdout.on("data", (d) => {
        const m = /testserver ready (http:\S+)/.exec(String(d));
        if (m) resolve(m[1]);
      });
      server.on("exit", () => reject(new Error("testserver exited")));
    });
  }
});

after(() => {
  server?.kill();
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

// The same few lines of app code for every consumer: join, push, print the reply.
const roundTrip = (importLine, transport) => `${importLine}
const socket = new Socket(${JSON.stringify("")} + BASE.replace(/^http/, "ws") + "/socket", { ${transport} params: { user_id: "consumer" } });
socket.connect();
const channel = socket.channel("room:consumer-" + Date.now());
channel.join().receive("ok", (joined) => {
  channel.push("ping", { hello: "consumer" }).receive("ok", (reply) => {
    DONE(JSON.stringify({ joined, reply }));
    socket.disconnect();
  });
});
`;

function runNode(file, source) {
  fs.writeFileSync(path.join(app, file), source);
  return execFileSync(process.execPath, [file], { cwd: app, timeout: 15000 }).toString().trim();
}

test("a Node ESM script imports the installed package and completes a round trip", () => {
  const out = runNode("esm.mjs", `const BASE = ${JSON.stringify(base)};
const DONE = (s) => { console.log(s); process.exit(0); };
import WebSocket from ${JSON.stringify(WS_MODULE)};
${roundTrip('import { Socket } from "phoenix-wasm";', "transport: WebSocket,")}`);
  assert.deepEqual(JSON.parse(out), { joined: { user_id: "consumer" }, reply: { hello: "consumer" } });
});

test("a Node CommonJS script requires the installed package and completes a round trip", () => {
  const out = runNode("cjs.cjs", `const BASE = ${JSON.stringify(base)};
const DONE = (s) => { console.log(s); process.exit(0); };
const WebSocket = require(${JSON.stringify(WS_MODULE)});
${roundTrip('const { Socket } = require("phoenix-wasm");', "transport: WebSocket,")}`);
  assert.deepEqual(JSON.parse(out), { joined: { user_id: "consumer" }, reply: { hello: "consumer" } });
});

// The app code of the bundler consumers: the round trip, reporting to the page.
const browserEntry = () => `const BASE = ${JSON.stringify(base)};
const DONE = (s) => { window.__result = s; };
${roundTrip('import { Socket, Channel, Presence } from "phoenix-wasm";\nwindow.__exports = [typeof Socket, typeof Channel, typeof Presence];', "")}`;

/** Serves `bundle` (an ES module when `module`) on a page in headless Chromium and checks
 * that the app completed its round trip without a page error. */
async function runInChromium(bundle, { module = true } = {}) {
  const page = `<!doctype html><script ${module ? 'type="module" ' : ""}src="/bundle.js"></script>`;
  const srv = http.createServer((req, res) => {
    if (req.url === "/bundle.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(bundle);
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(page);
    }
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { chromium } = await import(path.join(ROOT, "node_modules/playwright-core/index.mjs"));
  const executablePath = execFileSync("sh", ["-c", "command -v chromium"]).toString().trim();
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${srv.address().port}/`);
    await tab.waitForFunction(() => window.__result, null, { timeout: 15000 });
    assert.deepEqual(await tab.evaluate(() => window.__exports), ["function", "function", "function"]);
    assert.deepEqual(JSON.parse(await tab.evaluate(() => window.__result)),
      { joined: { user_id: "consumer" }, reply: { hello: "consumer" } });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    srv.close();
  }
}

test("an esbuild bundle runs in Chromium and completes a round trip", async () => {
  const esbuild = path.join(ROOT, "node_modules/.bin/esbuild");
  assert.ok(fs.existsSync(esbuild), "esbuild is a dev dependency");
  fs.writeFileSync(path.join(app, "entry.js"), browserEntry());
  execFileSync(esbuild, ["entry.js", "--bundle", "--minify", "--format=esm", "--outfile=dist/bundle.js"], { cwd: app });
  const bundle = fs.readFileSync(path.join(app, "dist/bundle.js"));
  const gzip = zlib.gzipSync(bundle, { level: 9 }).length;
  console.log(`# esbuild bundle of {Socket, Channel, Presence}: ${bundle.length} B, ${gzip} B gzip -9`);
  await runInChromium(bundle);
});

// webpack 5 with its defaults (production mode, no loader, no plugin, no experiments): the
// package's ESM entry instantiates the inlined wasm itself, so webpack sees plain JS.
test("a webpack bundle runs in Chromium and completes a round trip", async () => {
  const { default: webpack } = await import(path.join(ROOT, "node_modules/webpack/lib/index.js"));
  fs.writeFileSync(path.join(app, "webpack-entry.js"), browserEntry());
  const stats = await new Promise((resolve, reject) => {
    webpack({
      mode: "production",
      context: app,
      entry: "./webpack-entry.js",
      output: { path: path.join(app, "dist-webpack"), filename: "bundle.js" },
      performance: { hints: false },
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  const bundle = fs.readFileSync(path.join(app, "dist-webpack/bundle.js"));
  const gzip = zlib.gzipSync(bundle, { level: 9 }).length;
  console.log(`# webpack bundle of {Socket, Channel, Presence}: ${bundle.length} B, ${gzip} B gzip -9`);
  await runInChromium(bundle, { module: false });
});
