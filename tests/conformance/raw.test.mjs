// Wire-level checks with a raw `ws` client: the exact frames of spec §16, binary
// layouts, unmatched topics, duplicate joins, bad input, the idle timeout, the
// authToken subprotocol, control restart/stats and static files.

import {after, afterEach, before, test} from "node:test";
import assert from "node:assert/strict";
import {once} from "node:events";
import {existsSync, mkdtempSync, mkdirSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import path from "node:path";
import WebSocket from "ws";
import {Clients, TESTSERVER_BIN, control, spawnServer, startServer, topic, within, wsBase} from "./helpers.mjs";
import {assertNoLeaks} from "./scenarios.mjs";

let server;
let clients;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });
afterEach(async () => { await clients?.cleanup(); });
const fresh = () => (clients = new Clients(server, "websocket"));

/** Replaces the server-chosen presence values so frames can be compared exactly. */
const normalize = (frame) =>
  frame.replace(/"online_at":\d+/g, '"online_at":0').replace(/"phx_ref":"[^"]+"/g, '"phx_ref":"REF"');

const bin = (...parts) => {
  const out = [];
  for (const p of parts) out.push(...(typeof p === "string" ? Buffer.from(p) : p));
  return new Uint8Array(out);
};

test("the §16 transcript, frame for frame", async () => {
  const raw = await fresh().raw("vsn=2.0.0&user_id=raw");
  const meta = '{"device":"raw","online_at":0,"phx_ref":"REF","user_id":"raw"}';
  const steps = [
    [["1", "1", "room:raw", "phx_join", {device: "raw"}], [
      '["1","1","room:raw","phx_reply",{"response":{"user_id":"raw"},"status":"ok"}]',
      `[null,null,"room:raw","presence_diff",{"joins":{"raw":{"metas":[${meta}]}},"leaves":{}}]`,
      `["1",null,"room:raw","presence_state",{"raw":{"metas":[${meta}]}}]`,
    ]],
    [["1", "2", "room:raw", "ping", {a: 1}], ['["1","2","room:raw","phx_reply",{"response":{"a":1},"status":"ok"}]']],
    [["1", "3", "room:raw", "error_reply", {}],
      ['["1","3","room:raw","phx_reply",{"response":{"reason":"nope"},"status":"error"}]']],
    [bin([0, 1, 1, 8, 6], "1", "4", "room:raw", "binary", [1, 2, 0xff]),
      [bin([1, 1, 1, 8, 2], "1", "4", "room:raw", "ok", [1, 2, 0xff])]],
    [[null, "5", "phoenix", "heartbeat", {}], ['[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]']],
    [["1", "6", "room:raw", "bulk", {n: 2}], [
      '["1",null,"room:raw","msg",{"i":1}]',
      '["1",null,"room:raw","msg",{"i":2}]',
      '["1","6","room:raw","phx_reply",{"response":{"n":2},"status":"ok"}]',
    ]],
    [["1", "7", "room:raw", "phx_leave", {}], [
      '["1","7","room:raw","phx_reply",{"response":{},"status":"ok"}]',
      '["1","1","room:raw","phx_close",{}]',
    ]],
    [["3", "3", "room:forbidden", "phx_join", {}],
      ['["3","3","room:forbidden","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]']],
    [["9", "6", "room:c", "ping", {}],
      ['[null,"6","room:c","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]']],
  ];
  for (const [send, expected] of steps) {
    const start = raw.frames.length;
    raw.send(send);
    const got = (await raw.waitFrames(start + expected.length, JSON.stringify(send))).slice(start);
    assert.deepEqual(got.map((f) => (typeof f === "string" ? normalize(f) : f)), expected, JSON.stringify(send));
  }
  // Nothing else arrived for the leave (for example a presence_diff of our own leave).
  const start = raw.frames.length;
  raw.send([null, "8", "phoenix", "heartbeat", {}]);
  assert.deepEqual((await raw.waitFrames(start + 1)).slice(start),
    ['[null,"8","phoenix","phx_reply",{"response":{},"status":"ok"}]']);
});

test("crash and stop frames carry the join ref as join_ref and ref", async () => {
  const raw = await fresh().raw("vsn=2.0.0&user_id=cs");
  const [a, b] = [topic("room", "a"), topic("room", "b")];
  await raw.request(["1", "1", a, "phx_join", {}], (m) => m[3] === "presence_state", "join a");
  await raw.request(["2", "2", b, "phx_join", {}], (m) => m[3] === "presence_state", "join b");
  const err = await raw.request(["1", "4", a, "crash", {}], (m) => m[3] === "phx_error", "phx_error");
  assert.equal(err, `["1","1","${a}","phx_error",{"reason":"channel_crash"}]`);
  const close = await raw.request(["2", "5", b, "stop", {}], (m) => m[3] === "phx_close", "phx_close");
  assert.equal(close, `["2","2","${b}","phx_close",{}]`);
  // The crashed channel is gone: the topic is now unmatched.
  const gone = await raw.request(["1", "6", a, "ping", {}], (m) => m[1] === "6", "ping after crash");
  assert.equal(gone, `[null,"6","${a}","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]`);
});

test("unmatched topics: no channel route on join; leave of a topic never joined is ok", async () => {
  const raw = await fresh().raw();
  const join = await raw.request(["5", "7", "nope:b", "phx_join", {}], (m) => m[1] === "7", "join reply");
  assert.equal(join, '["5","7","nope:b","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]');
  const leave = await raw.request(["6", "8", "room:never", "phx_leave", {}], (m) => m[1] === "8", "leave reply");
  assert.equal(leave, '["6","8","room:never","phx_reply",{"response":{},"status":"ok"}]');
});

test("duplicate join: the old channel ends silently, its presence leaves, the new join is answered", async () => {
  const t = topic("room", "dup");
  const c = fresh();
  const watcher = await c.raw("vsn=2.0.0&user_id=watcher");
  await watcher.request(["1", "1", t, "phx_join", {}], (m) => m[3] === "presence_state", "watcher join");
  const raw = await c.raw("vsn=2.0.0&user_id=dup");
  await raw.request(["1", "1", t, "phx_join", {device: "first"}], (m) => m[3] === "presence_state", "first join");
  const start = raw.frames.length;
  const watchStart = watcher.frames.length;
  await raw.request(["2", "2", t, "phx_join", {device: "second"}], (m) => m[3] === "presence_state", "second join");
  await raw.request(["2", "3", t, "ping", {}], (m) => m[1] === "3", "ping");
  const after = raw.frames.slice(start).map((f) => JSON.parse(f));
  assert.deepEqual(after.filter((m) => m[0] === "1"), [], "nothing is sent for the old join_ref");
  assert.deepEqual(after[0], ["2", "2", t, "phx_reply", {response: {user_id: "dup"}, status: "ok"}]);
  const state = after.find((m) => m[3] === "presence_state")[4];
  assert.deepEqual(state.dup.metas.map((m) => m.device), ["second"]);
  const diffs = watcher.frames.slice(watchStart).map((f) => JSON.parse(f)).filter((m) => m[3] === "presence_diff");
  assert.deepEqual(diffs.map((d) => [Object.keys(d[4].leaves), Object.keys(d[4].joins)]), [[["dup"], []], [[], ["dup"]]]);
});

test("bad input is ignored and the connection stays usable", async () => {
  const raw = await fresh().raw();
  const t = topic("lobby", "bad");
  await raw.request(["1", "1", t, "phx_join", {}], (m) => m[1] === "1", "join");
  for (const bad of ["{not json", '["1"]', "42", '[1,"2","t","e",{}]', '["1","2",3,"e",{}]']) raw.send(bad);
  raw.send(new Uint8Array([9, 1, 1, 1, 1]));
  raw.send(new Uint8Array([1, 1, 1, 1, 1, 0x31]));
  raw.send(new Uint8Array([0, 5, 5, 5, 5, 0x31]));
  raw.send(new Uint8Array([]));
  const pong = await raw.request(["1", "2", t, "ping", {ok: true}], (m) => m[1] === "2", "ping after garbage");
  assert.equal(pong, `["1","2","${t}","phx_reply",{"response":{"ok":true},"status":"ok"}]`);
});

test("an oversized frame (> 1 MiB) closes the connection with 1009; the server lives on", async () => {
  const raw = await fresh().raw();
  const closed = once(raw.ws, "close");
  raw.send(JSON.stringify(["1", "1", "room:big", "ping", {s: "x".repeat(1 << 21)}]));
  const [code] = await within(closed, "close after oversized frame");
  assert.equal(code, 1009);
  const again = await fresh().raw();
  const hb = await again.request([null, "1", "phoenix", "heartbeat", {}], (m) => m[1] === "1", "heartbeat");
  assert.equal(hb, '[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]');
});

test("authToken subprotocol: answered with `phoenix`, decoded token echoed; bad token → 403", async () => {
  const token = Buffer.from("secret token").toString("base64").replace(/=+$/, "");
  const raw = await fresh().raw("vsn=2.0.0&user_id=sp", ["phoenix", `base64url.bearer.phx.${token}`]);
  assert.equal(raw.ws.protocol, "phoenix");
  const reply = await raw.request(["1", "1", topic("room", "sp"), "phx_join", {}], (m) => m[1] === "1", "join");
  assert.deepEqual(JSON.parse(reply)[4], {response: {auth_token: "secret token", user_id: "sp"}, status: "ok"});
  const bad = new WebSocket(`${wsBase(server)}/socket/websocket?vsn=2.0.0`,
    ["phoenix", `base64url.bearer.phx.${Buffer.from("bad").toString("base64").replace(/=+$/, "")}`]);
  const [, res] = await within(once(bad, "unexpected-response"), "403 on upgrade");
  assert.equal(res.statusCode, 403);
  bad.on("error", () => {}); // terminate() reports the aborted handshake as an error
  bad.terminate();
  const plain = new WebSocket(`${wsBase(server)}/socket/websocket?vsn=2.0.0&token=bad`);
  const [, res2] = await within(once(plain, "unexpected-response"), "403 on upgrade");
  assert.equal(res2.statusCode, 403);
  plain.on("error", () => {});
  plain.terminate();
});

test("control restart forgets every socket and presence entry; stats count them", async () => {
  const c = fresh();
  const raw = await c.raw("vsn=2.0.0&user_id=rs");
  await raw.request(["1", "1", topic("room", "rs"), "phx_join", {}], (m) => m[3] === "presence_state", "join");
  if (server.owned) {
    const stats = await control(server, "stats", "GET");
    assert.deepEqual(
      [stats.sockets, stats.websockets, stats.channels, stats.presence_entries],
      [1, 1, 1, 1],
    );
  }
  const closed = once(raw.ws, "close");
  const res = await control(server, "restart");
  assert.equal(res.ok, true);
  const [code] = await within(closed, "close after restart");
  assert.equal(code, 1006, "dropped without a close frame");
  await assertNoLeaks(server);
});

test("control endpoints reject bad numbers", async () => {
  const res = await fetch(`${server.url}/control/garbage?n=lots`, {method: "POST"});
  assert.equal(res.status, 400);
  assert.equal((await res.json()).ok, false);
});

test("idle timeout: a silent WebSocket is closed (own server with --idle-timeout-ms)", async (t) => {
  if (!existsSync(TESTSERVER_BIN)) return t.skip("no testserver binary to spawn");
  const own = await spawnServer(["--idle-timeout-ms", "300"]);
  try {
    const ws = new WebSocket(`${wsBase(own)}/socket/websocket?vsn=2.0.0`);
    await within(once(ws, "open"), "open");
    const [code, reason] = await within(once(ws, "close"), "idle close");
    assert.equal(code, 1000);
    assert.equal(reason.toString(), "idle timeout");
  } finally {
    await own.stop();
  }
});

test("static files: --static at / and --pkg at /pkg/, no escape from the directory", async (t) => {
  if (!existsSync(TESTSERVER_BIN)) return t.skip("no testserver binary to spawn");
  const dir = mkdtempSync(path.join(tmpdir(), "testserver-static-"));
  const site = path.join(dir, "site");
  const pkg = path.join(dir, "pkg");
  mkdirSync(site);
  mkdirSync(pkg);
  writeFileSync(path.join(site, "index.html"), "<h1>demo</h1>");
  writeFileSync(path.join(pkg, "x.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(path.join(dir, "secret.txt"), "no");
  const own = await spawnServer(["--static", site, "--pkg", pkg]);
  try {
    const index = await fetch(`${own.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type"), /^text\/html/);
    assert.equal(await index.text(), "<h1>demo</h1>");
    const wasm = await fetch(`${own.url}/pkg/x.wasm`);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.deepEqual(Array.from(new Uint8Array(await wasm.arrayBuffer())), [0, 0x61, 0x73, 0x6d]);
    assert.equal((await fetch(`${own.url}/%2e%2e/secret.txt`)).status, 404);
    assert.equal((await fetch(`${own.url}/missing.js`)).status, 404);
  } finally {
    await own.stop();
  }
});

test("SIGTERM stops the server cleanly", async (t) => {
  if (!existsSync(TESTSERVER_BIN)) return t.skip("no testserver binary to spawn");
  const own = await spawnServer();
  const ws = new WebSocket(`${wsBase(own)}/socket/websocket?vsn=2.0.0`);
  await within(once(ws, "open"), "open");
  const closed = once(ws, "close");
  await own.stop();
  await within(closed, "client sees the close");
  assert.equal(own.exitCode(), 0);
});
