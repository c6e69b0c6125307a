// No leaks (issue 10): the built package (pkg/) in Debian's headless Chromium, driven by
// playwright-core over CDP, against the real test server.
//
//   bash scripts/build-pkg.sh && node --test tests/leaks/      (scripts/test.sh does both)
//
// Measured after forced GCs (CDP HeapProfiler.collectGarbage) and a pause for the
// FinalizationRegistry callbacks that free the wasm side of dropped JS wrappers:
// - the JS heap (CDP Runtime.getHeapUsage, usedSize) and the wasm linear memory
//   (memory.buffer.byteLength, reached through the glue's initSync(), which returns the
//   live instance's exports) after 10,000 channel create/join/leave cycles and after
//   1,000 socket connect/disconnect cycles, against a warmed-up baseline;
// - the event listeners on window and document (CDP DOMDebugger.getEventListeners) before
//   and after creating and dropping 100 sockets.
// Numbers go to stdout (and docs/RELIABILITY.md by hand). Uses PHX_TEST_URL if set,
// otherwise starts target/debug/testserver (or TESTSERVER_BIN).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, execSync } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = path.join(root, "pkg");

// Bounds (bytes) on growth over the warmed-up baseline.
const JS_HEAP_BOUND = 1024 * 1024;
const WASM_MEMORY_BOUND = 256 * 1024;

let server; // the test server, when we started it
let base; // its http://127.0.0.1:PORT
let http; // the page server
let browser;
let page;
let cdp;

async function startTestServer() {
  if (process.env.PHX_TEST_URL) return process.env.PHX_TEST_URL.replace(/\/$/, "");
  const bin = process.env.TESTSERVER_BIN || path.join(root, "target", "debug", "testserver");
  server = spawn(bin, ["--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`testserver did not start: ${out}`)), 10000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/testserver ready (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>leaks</title>
<script type="module">
  // The entry instantiates its wasm at import: keep the instance to read its memory.
  let instance;
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, args, newTarget) { return (instance = Reflect.construct(target, args, newTarget)); },
  });
  const { Socket } = await import("/pkg/phoenix-wasm.js");
  window.wasmMemory = () => instance.exports.memory.buffer.byteLength;
  window.Socket = Socket;
  window.ready = true;
</script>`;

function servePage() {
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  http = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(PAGE);
    }
    const file = path.normalize(path.join(root, url.pathname));
    if (!file.startsWith(pkg + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${http.address().port}`)));
}

/** Forced GCs with pauses for the finalizers, then the JS heap and the wasm memory. */
async function measure() {
  for (let i = 0; i < 4; i++) {
    await cdp.send("HeapProfiler.collectGarbage");
    await page.waitForTimeout(100);
  }
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const wasm = await page.evaluate(() => window.wasmMemory());
  return { jsHeap: usedSize, wasm };
}

async function listeners() {
  const count = async (expression) => {
    const { result } = await cdp.send("Runtime.evaluate", { expression });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
    await cdp.send("Runtime.releaseObject", { objectId: result.objectId });
    return listeners.length;
  };
  return { window: await count("window"), document: await count("document") };
}

const kb = (n) => (n / 1024).toFixed(1) + " KB";

before(async () => {
  if (!existsSync(path.join(pkg, "phoenix-wasm.js"))) throw new Error("pkg/ is missing: run `bash scripts/build-pkg.sh` first");
  base = await startTestServer();
  const site = await servePage();
  const executablePath = execSync("command -v chromium", { shell: "/bin/sh" }).toString().trim();
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage();
  page.setDefaultTimeout(120000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site + "/");
  await page.waitForFunction(() => window.ready === true).catch((e) => {
    throw new Error(`page did not load: ${errors.join("; ")} ${e.message}`);
  });
  cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.enable");
});

after(async () => {
  await browser?.close();
  http?.close();
  server?.kill();
});

describe("no leaks in headless Chromium", () => {
  it("10,000 channel create/join/leave cycles leave the JS heap and wasm memory flat", async () => {
    const cycles = (n) => page.evaluate(async ({ n, url }) => {
      const socket = window.leakSocket || (window.leakSocket = new window.Socket(url, {}));
      if (!socket.isConnected()) {
        await new Promise((resolve) => { socket.onOpen(resolve); socket.connect(); });
      }
      const batch = 100;
      for (let done = 0; done < n; done += batch) {
        const channels = [];
        for (let i = 0; i < batch; i++) channels.push(socket.channel(`lobby:leak-${(done + i) % 300}`, { i }));
        await Promise.all(channels.map((ch) => new Promise((resolve, reject) => {
          ch.join().receive("ok", resolve).receive("error", reject).receive("timeout", reject);
        })));
        await Promise.all(channels.map((ch) => new Promise((resolve) => ch.leave().receive("ok", resolve).receive("timeout", resolve))));
      }
      return socket.channels.length;
    }, { n, url: base.replace(/^http/, "ws") + "/socket" });
    assert.equal(await cycles(1000), 0, "warm-up leaves no channel in the socket");
    const start = await measure();
    const steps = [];
    for (let k = 0; k < 5; k++) {
      assert.equal(await cycles(2000), 0, "no channel left in the socket");
      steps.push(await measure());
    }
    console.log(`# channels: after each 2000 cycles: ${steps.map((m) => `JS ${kb(m.jsHeap)} wasm ${kb(m.wasm)}`).join(", ")}`);
    const end = steps[steps.length - 1];
    // Linear memory never shrinks: the allocator's high-water mark settles during the
    // first steps; a leak keeps growing. The bound applies to the last 6000 cycles.
    const growth = { jsHeap: end.jsHeap - start.jsHeap, wasm: end.wasm - steps[1].wasm };
    console.log(`# channels: 10000 cycles; JS heap ${kb(start.jsHeap)} -> ${kb(end.jsHeap)} (${kb(growth.jsHeap)}); wasm memory ${kb(start.wasm)} -> ${kb(end.wasm)} (${kb(growth.wasm)})`);
    assert.ok(growth.jsHeap < JS_HEAP_BOUND, `JS heap grew by ${kb(growth.jsHeap)}`);
    assert.ok(growth.wasm <= WASM_MEMORY_BOUND, `wasm memory grew by ${kb(growth.wasm)}`);
    await page.evaluate(() => new Promise((resolve) => window.leakSocket.disconnect(resolve)));
  });

  it("1,000 socket connect/disconnect cycles leave the JS heap and wasm memory flat", async () => {
    // 100 sockets at a time: a disconnect waits for the close (spec §2.4 teardown polls).
    const cycles = (n) => page.evaluate(async ({ n, url }) => {
      const one = async (i) => {
        const socket = new window.Socket(url, { params: { i } });
        await new Promise((resolve) => { socket.onOpen(resolve); socket.connect(); });
        const ch = socket.channel("lobby:sockets");
        await new Promise((resolve) => ch.join().receive("ok", resolve));
        await new Promise((resolve) => socket.disconnect(resolve));
      };
      for (let done = 0; done < n; done += 100) {
        await Promise.all(Array.from({ length: 100 }, (_, k) => one(done + k)));
      }
    }, { n, url: base.replace(/^http/, "ws") + "/socket" });
    await cycles(100);
    const start = await measure();
    const steps = [];
    for (let k = 0; k < 5; k++) {
      await cycles(200);
      steps.push(await measure());
    }
    console.log(`# sockets: after each 200 cycles: ${steps.map((m) => `JS ${kb(m.jsHeap)} wasm ${kb(m.wasm)}`).join(", ")}`);
    const end = steps[steps.length - 1];
    // As above: the wasm bound applies to the last 600 cycles.
    const growth = { jsHeap: end.jsHeap - start.jsHeap, wasm: end.wasm - steps[1].wasm };
    console.log(`# sockets: 1000 cycles; JS heap ${kb(start.jsHeap)} -> ${kb(end.jsHeap)} (${kb(growth.jsHeap)}); wasm memory ${kb(start.wasm)} -> ${kb(end.wasm)} (${kb(growth.wasm)})`);
    assert.ok(growth.jsHeap < JS_HEAP_BOUND, `JS heap grew by ${kb(growth.jsHeap)}`);
    assert.ok(growth.wasm <= WASM_MEMORY_BOUND, `wasm memory grew by ${kb(growth.wasm)}`);
  });

  it("every window and document listener of 100 dropped sockets is released", async () => {
    const startCount = await listeners();
    await page.evaluate(() => {
      window.held = [];
      for (let i = 0; i < 100; i++) window.held.push(new window.Socket("ws://127.0.0.1:9/socket", {}));
    });
    const held = await listeners();
    await page.evaluate(() => { window.held = null; });
    await measure(); // GC and finalizers
    let end = await listeners();
    for (let i = 0; i < 20 && end.window + end.document > startCount.window + startCount.document; i++) {
      await measure();
      end = await listeners();
    }
    console.log(`# listeners: before ${JSON.stringify(startCount)}, 100 sockets held ${JSON.stringify(held)}, after drop+GC ${JSON.stringify(end)}`);
    assert.equal(held.window - startCount.window, 300, "three window listeners per socket (pagehide, pageshow, visibilitychange)");
    assert.equal(held.document - startCount.document, 100, "one document listener per socket (resume)");
    assert.deepEqual(end, startCount, "all released once the sockets are collected");
  });
});
