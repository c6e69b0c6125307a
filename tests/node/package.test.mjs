// The built package in Node (issue 4, tests 2 and 3): every scenario of
// tests/js/scenarios.js runs with `ws` as the transport, once with our package (ESM and
// CommonJS entries) and once with the official phoenix 1.8.16. The scenarios assert what a
// phoenix.js user sees, so phoenix passing them proves the expectations, and ours passing
// them proves the behaviour matches. A second part records the exact frames and callbacks
// of one scripted session under both clients and compares them, refs included.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import WebSocket from "ws";
import * as phoenix from "phoenix";
import * as ours from "../../pkg/phoenix-wasm.js";
import { scenarios } from "../js/scenarios.js";

const require = createRequire(import.meta.url);
const oursCjs = require("../../pkg/phoenix-wasm.cjs");

let base = process.env.PHX_TEST_URL;
let server;

before(async () => {
  if (base) return;
  server = spawn("target/debug/testserver", ["--port", "0", "--longpoll-window-ms", "2000"]);
  base = await new Promise((resolve, reject) => {
    server.stdout.on("data", (d) => {
      const m = /testserver ready (http:\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    server.on("exit", () => reject(new Error("testserver exited")));
  });
});
after(() => server?.kill());

/** `{Socket}` with `ws` as the default transport (Node 20 has no global WebSocket). */
function api(mod) {
  const Socket = function (endPoint, opts = {}) {
    return new mod.Socket(endPoint, { transport: WebSocket, ...opts });
  };
  return { Socket, Channel: mod.Channel };
}

const clients = { "phoenix 1.8.16": phoenix, "phoenix-wasm (ESM)": ours, "phoenix-wasm (CJS)": oursCjs };

// WebSocket scenarios (the LongPoll ones need a browser's XMLHttpRequest/fetch setup).
// A callback's exception escapes to the event loop, as in phoenix.js: in Node that is an
// uncaughtException, which the test runner counts as a failure, so that scenario runs in
// the browser tests only.
const wsScenarios = Object.keys(scenarios).filter(
  (s) => !s.startsWith("longpoll_") && s !== "a_throwing_callback_does_not_corrupt_the_socket",
);
// Where we deliberately go beyond phoenix.js: it throws on a malformed frame, and lets a
// callback's exception escape from the transport's event handler.
const beyondPhoenix = new Set([
  "malformed_frames_are_dropped_and_the_connection_lives_on",
  "a_throwing_callback_does_not_corrupt_the_socket",
]);

for (const [name, mod] of Object.entries(clients)) {
  describe(name, () => {
    for (const scenario of wsScenarios) {
      if (mod === phoenix && beyondPhoenix.has(scenario)) continue;
      test(scenario, async () => {
        await scenarios[scenario](api(mod), base);
      });
    }
  });
}

// The ESM entry inlines the wasm as hex and decodes it with Uint8Array.fromHex or Buffer
// when the host has them; older browsers take a plain loop, which Node never reaches on its
// own: run the entry's decoder with neither.
test("the entry's hex decoder gives the wasm's bytes without fromHex and Buffer", async () => {
  const fs = await import("node:fs");
  const src = fs.readFileSync(new URL("../../pkg/phoenix-wasm.js", import.meta.url), "utf8");
  const body = src.slice(src.indexOf("function decodeHex"), src.indexOf("initSync({"));
  const NoFromHex = class extends Uint8Array {};
  Object.defineProperty(NoFromHex, "fromHex", { value: undefined });
  const decodeHex = new Function("Buffer", "Uint8Array", `${body}; return decodeHex;`)(undefined, NoFromHex);
  const hex = /"(0061736d[0-9a-f]+)"/.exec(src)[1]; // the inlined module (wasm's magic first)
  const wasm = fs.readFileSync(new URL("../../pkg/node/phoenix_wasm_bg.wasm", import.meta.url));
  assert.deepEqual(Buffer.from(decodeHex(hex)), wasm);
});

// Issue 7's package.json: every field it names, pointing at files that exist, with the two
// entries (which instantiate the wasm at import) declared as side effects so that bundlers
// keep them.
test("package.json names, exports, types, side effects and files of a drop-in package", async () => {
  const fs = await import("node:fs");
  const dir = new URL("../../pkg/", import.meta.url);
  const pkg = JSON.parse(fs.readFileSync(new URL("package.json", dir), "utf8"));
  for (const field of ["name", "version", "description", "license", "types", "exports", "sideEffects", "files"]) {
    assert.ok(pkg[field], `package.json has ${field}`);
  }
  const dot = pkg.exports["."];
  const targets = [pkg.types, dot.import.types, dot.import.default, dot.require.types, dot.require.default];
  for (const file of [...targets, ...pkg.sideEffects]) {
    assert.ok(fs.existsSync(new URL(file, dir)), `${file} exists`);
  }
  assert.deepEqual([...pkg.sideEffects].sort(), [dot.import.default, dot.require.default].sort());
  for (const entry of pkg.files) assert.ok(fs.existsSync(new URL(entry, dir)), `files: ${entry} exists`);
  for (const doc of ["README.md", "LICENSE"]) assert.ok(pkg.files.includes(doc), `${doc} is packed`);
});

test("the package exports phoenix.js's runtime names", () => {
  for (const name of ["Socket", "Channel", "Serializer"]) {
    assert.ok(name in ours, `${name} exported (ESM)`);
    assert.ok(name in oursCjs, `${name} exported (CJS)`);
  }
  assert.deepEqual(Object.keys(ours.Serializer.KINDS), ["push", "reply", "broadcast"]);
});

test("Serializer encodes and decodes like phoenix.js", () => {
  const msg = { join_ref: "1", ref: "2", topic: "t", event: "e", payload: { a: 1 } };
  const bin = { join_ref: "1", ref: "2", topic: "t", event: "e", payload: new Uint8Array([1, 2, 3]).buffer };
  const enc = (s, m) => s.encode(m, (x) => x);
  assert.equal(enc(ours.Serializer, msg), enc(phoenix.Serializer, msg));
  assert.deepEqual(new Uint8Array(enc(ours.Serializer, bin)), new Uint8Array(enc(phoenix.Serializer, bin)));
  const text = '["3","3","room:1","phx_reply",{"status":"ok","response":{"x":1}}]';
  assert.deepEqual(ours.Serializer.decode(text, (x) => x), phoenix.Serializer.decode(text, (x) => x));
});

// ------------------------------------------------------------------ differential run

/** A `ws` subclass that records every frame sent and received, as text. */
function recordingTransport(log) {
  return class Recording extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("message", (e) => log.push("<- " + frame(e.data)));
    }
    send(data) {
      log.push("-> " + frame(data));
      super.send(data);
    }
  };
}

const frame = (data) =>
  typeof data === "string" ? data : "BIN " + Array.from(new Uint8Array(data.buffer ?? data)).join(",");

/** Server-generated values vary between runs: phx_ref, timestamps, generated ids. */
const mask = (line) =>
  line
    .replace(/"phx_ref":"[^"]+"/g, '"phx_ref":"*"')
    .replace(/"online_at":\d+/g, '"online_at":"*"')
    .replace(/-[0-9a-z]+-\d+"/g, '-*"');

async function scripted(mod, base) {
  const log = [];
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const socket = new mod.Socket(base.replace(/^http/, "ws") + "/socket", {
    transport: recordingTransport(log),
    params: { user_id: "diff" },
    heartbeatIntervalMs: 60_000,
  });
  socket.onOpen(() => log.push("open"));
  const ch = socket.channel("room:differential", { device: "node" });
  ch.on("shout", (p, ref, jr) => log.push(`shout ${JSON.stringify(p)} ${ref} ${jr}`));
  ch.onError((r) => log.push("error " + JSON.stringify(r)));
  ch.onClose((p, ref, jr) => log.push(`close ${JSON.stringify(p)} ${ref} ${jr}`));
  const done = new Promise((resolve) => {
    ch.join().receive("ok", (r) => {
      log.push("joined " + JSON.stringify(r));
      ch.push("ping", { n: 1 }).receive("ok", (r) => {
        log.push("ping " + JSON.stringify(r));
        ch.push("shout", { hi: true });
        ch.push("error_reply", {}).receive("error", (r) => {
          log.push("error_reply " + JSON.stringify(r));
          ch.push("binary", new Uint8Array([1, 2, 3]).buffer).receive("ok", (b) => {
            log.push("binary " + Array.from(new Uint8Array(b)).join(","));
            ch.leave().receive("ok", () => resolve());
          });
        });
      });
    });
  });
  socket.connect();
  await done;
  await wait(100);
  await new Promise((r) => socket.disconnect(r));
  return log.map(mask);
}

test("ours and phoenix 1.8.16 send the same frames and call back the same way", async () => {
  const theirs = await scripted(phoenix, base);
  const mine = await scripted(ours, base);
  // Presence frames race the join reply on the server; compare them as a set.
  const isPresence = (l) => l.includes('"presence_');
  assert.deepEqual(mine.filter((l) => !isPresence(l)), theirs.filter((l) => !isPresence(l)));
  assert.deepEqual(mine.filter(isPresence).sort(), theirs.filter(isPresence).sort());
  assert.ok(theirs.some((l) => l.startsWith('-> ["4","4","room:differential","phx_join"')), theirs.join("\n"));
});
