// Conformance over WebSocket with the official phoenix.js 1.8.16 client and `ws`.

import {test} from "node:test";
import assert from "node:assert/strict";
import {NO_REPLY_TIMEOUT, Clients, bytes, collect, eventually, join, push, topic, within} from "./helpers.mjs";
import {assertNoLeaks, channelScenarios} from "./scenarios.mjs";

const ctx = channelScenarios("websocket");
const clients = () => ctx.fresh();

test("binary round trip: the reply is a kind 1 binary frame with the same bytes", async () => {
  const socket = await clients().connected();
  const channel = socket.channel(topic("room", "bin"));
  await join(channel);
  const payload = new Uint8Array([0, 1, 2, 127, 128, 255]);
  const reply = await push(channel, "binary", payload.buffer);
  assert.equal(reply.status, "ok");
  assert.ok(reply.response instanceof ArrayBuffer, "binary reply decoded as an ArrayBuffer");
  assert.deepEqual(bytes(reply.response), Array.from(payload));
});

test("binary_push and binary shout arrive as kind 0 push and kind 2 broadcast", async () => {
  const socket = await clients().connected();
  const channel = socket.channel(topic("room", "binpush"));
  await join(channel);
  const pushes = collect(channel, "binary_push");
  const shouts = collect(channel, "shout");
  const data = new Uint8Array([9, 8, 7]).buffer;
  assert.deepEqual(await push(channel, "binary_push", data), {status: "ok", response: {size: 3}});
  assert.equal(pushes.length, 1);
  assert.deepEqual(bytes(pushes[0]), [9, 8, 7]);
  channel.push("shout", data, NO_REPLY_TIMEOUT);
  await eventually(() => shouts.length === 1, "binary shout");
  assert.deepEqual(bytes(shouts[0]), [9, 8, 7]);
});

test("heartbeats are answered on topic phoenix and keep the socket open", async () => {
  const socket = clients().socket({heartbeatIntervalMs: 30});
  const replies = [];
  let opens = 0;
  let closes = 0;
  socket.onOpen(() => { opens += 1; });
  socket.onClose(() => { closes += 1; });
  socket.onMessage((msg) => {
    if (msg.topic === "phoenix") replies.push(msg);
  });
  socket.connect();
  await eventually(() => replies.length >= 3, "three heartbeat replies");
  for (const r of replies) {
    assert.equal(r.event, "phx_reply");
    assert.equal(r.join_ref, null);
    assert.deepEqual(r.payload, {status: "ok", response: {}});
  }
  assert.equal(opens, 1);
  assert.equal(closes, 0);
});

test("connect param token=bad: the upgrade is refused with HTTP 403", async () => {
  const socket = clients().socket({params: {token: "bad"}, reconnectAfterMs: () => 60_000});
  const error = new Promise((resolve) => socket.onError((e) => resolve(e)));
  socket.connect();
  const e = await within(error, "socket error");
  assert.match(String(e.message), /403/);
  socket.disconnect();
});

test("authToken is echoed in room join replies; `bad` is refused", async () => {
  const c = clients();
  const socket = await c.connected({authToken: "tok+/=é", params: {user_id: "authed"}});
  const reply = await join(socket.channel(topic("room", "auth")));
  assert.deepEqual(reply, {status: "ok", response: {user_id: "authed", auth_token: "tok+/=é"}});

  const bad = c.socket({authToken: "bad", reconnectAfterMs: () => 60_000});
  const error = new Promise((resolve) => bad.onError((e) => resolve(e)));
  bad.connect();
  assert.match(String((await within(error, "socket error")).message), /403/);
  bad.disconnect();
});

test("control garbage: a raw client receives the malformed frames and stays usable", async () => {
  const raw = await clients().raw();
  const t = topic("lobby", "garbage"); // lobby: no presence frames after the join reply
  await raw.request(["1", "1", t, "phx_join", {}], (m) => m[3] === "phx_reply", "join reply");
  const before = raw.frames.length;
  const res = await fetch(`${ctx.server.url}/control/garbage?n=2`, {method: "POST"}).then((r) => r.json());
  assert.equal(res.ok, true);
  assert.equal(res.frames_per_socket, 8);
  const frames = (await raw.waitFrames(before + 8, "8 garbage frames")).slice(before);
  const texts = frames.filter((f) => typeof f === "string");
  const bins = frames.filter((f) => typeof f !== "string");
  assert.equal(texts.length, 4);
  assert.equal(bins.length, 4);
  assert.throws(() => JSON.parse(texts[0]));
  assert.deepEqual(JSON.parse(texts[1]), ["1"]);
  assert.equal(bins[0][0], 9, "unknown binary kind");
  assert.equal(bins[1][0], 1, "truncated reply");
  assert.ok(bins[1].length < 5 + 20);
  const pong = await raw.request(["1", "2", t, "ping", {still: "alive"}], (m) => m[1] === "2", "ping reply");
  assert.equal(pong, `["1","2","${t}","phx_reply",{"response":{"still":"alive"},"status":"ok"}]`);
});

test("control blackhole: heartbeat timeout, then reconnect and rejoin when it ends", async () => {
  const logs = [];
  const socket = clients().socket({heartbeatIntervalMs: 100, logger: (kind, msg) => logs.push(`${kind}: ${msg}`)});
  const opened = new Promise((resolve) => socket.onOpen(resolve));
  socket.connect();
  await within(opened, "open");
  const channel = socket.channel(topic("room", "blackhole"));
  let joins = 0;
  await within(new Promise((resolve) => channel.join().receive("ok", () => { joins += 1; resolve(); })), "join");
  const res = await fetch(`${ctx.server.url}/control/blackhole?ms=1000`, {method: "POST"}).then((r) => r.json());
  assert.deepEqual(res, {ok: true, ms: 1000});
  await eventually(() => joins === 2, "rejoin after the blackhole", 15000);
  assert.ok(logs.some((l) => l.includes("heartbeat timeout")), "phoenix.js saw a heartbeat timeout");
  assert.equal((await push(channel, "ping", {})).status, "ok");
});

test("no leaked sockets, channels or presence", async () => {
  await ctx.fresh().cleanup();
  await assertNoLeaks(ctx.server);
});
