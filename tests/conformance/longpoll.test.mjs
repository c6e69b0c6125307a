// Conformance over LongPoll with the official phoenix.js 1.8.16 client (fetch-based
// Ajax in Node), plus raw HTTP checks of the protocol of spec §7.4 / §16.

import {test} from "node:test";
import assert from "node:assert/strict";
import {join, push, topic, within} from "./helpers.mjs";
import {assertNoLeaks, channelScenarios} from "./scenarios.mjs";

const ctx = channelScenarios("longpoll");
const lp = (query = "vsn=2.0.0") => `${ctx.server.url}/socket/longpoll?${query}`;
const getJSON = async (url, headers = {}) => {
  const res = await fetch(url, {headers: {accept: "application/json", ...headers}});
  assert.equal(res.status, 200, "LongPoll answers are HTTP 200");
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  return res.json();
};
const postLines = async (token, lines, contentType = "application/x-ndjson") => {
  const res = await fetch(lp(`vsn=2.0.0&token=${encodeURIComponent(token)}`), {
    method: "POST",
    headers: {"content-type": contentType},
    body: lines.join("\n"),
  });
  assert.equal(res.status, 200);
  return res.json();
};
/** Polls until `count` messages were received, returning them parsed. */
const pollMessages = async (token, count) => {
  const got = [];
  while (got.length < count) {
    const body = await getJSON(lp(`vsn=2.0.0&token=${encodeURIComponent(token)}`));
    assert.ok(body.status === 200 || body.status === 204, `poll status ${body.status}`);
    got.push(...body.messages.map((m) => JSON.parse(m)));
  }
  return got;
};

test("binary over LongPoll: binary payloads go up as base64 lines; a binary reply comes back as {base64}", async () => {
  const socket = await ctx.fresh().connected();
  const channel = socket.channel(topic("room", "lpbin"));
  await join(channel);
  const reply = await push(channel, "binary", new Uint8Array([1, 2, 255]).buffer);
  assert.deepEqual(reply, {status: "ok", response: {base64: "AQL/"}});
});

test("connect param token=bad: the poll answers {status: 403} and phoenix.js reports 403", async () => {
  assert.deepEqual(await getJSON(lp("token=bad&vsn=2.0.0&")), {status: 403});
  const socket = ctx.fresh().socket({params: {token: "bad"}, reconnectAfterMs: () => 60_000});
  const error = new Promise((resolve) => socket.onError((e) => resolve(e)));
  socket.connect();
  assert.equal(await within(error, "socket error"), 403);
  socket.disconnect();
});

test("authToken travels as X-Phoenix-AuthToken: echoed in join replies, `bad` refused", async () => {
  const c = ctx.fresh();
  const socket = await c.connected({authToken: "lp-token", params: {user_id: "lp-authed"}});
  const reply = await join(socket.channel(topic("room", "lpauth")));
  assert.deepEqual(reply, {status: "ok", response: {user_id: "lp-authed", auth_token: "lp-token"}});
  assert.deepEqual(await getJSON(lp(), {"x-phoenix-authtoken": "bad"}), {status: 403});
});

test("raw protocol: 410 with a token, ndjson POST, 200 with messages in order", async () => {
  const first = await getJSON(lp("vsn=2.0.0&"));
  assert.equal(first.status, 410);
  assert.deepEqual(first.messages, []);
  assert.equal(typeof first.token, "string");
  const token = first.token;
  const t = topic("room", "raw-lp");
  // A binary push (kind 0) as a base64 line: binary_info on t, bytes 01 02 ff.
  const enc = new TextEncoder();
  const fields = ["1", "3", t, "binary_info"].map((s) => enc.encode(s));
  const frame = new Uint8Array([0, ...fields.map((f) => f.length), ...fields.flatMap((f) => Array.from(f)), 1, 2, 255]);
  const b64 = Buffer.from(frame).toString("base64");
  const ack = await postLines(token, [
    JSON.stringify(["1", "1", t, "phx_join", {user_id: "raw-lp"}]),
    JSON.stringify([null, "2", "phoenix", "heartbeat", {}]),
    b64,
  ]);
  assert.deepEqual(ack, {status: 200});
  const msgs = await pollMessages(token, 5);
  assert.deepEqual(msgs[0], ["1", "1", t, "phx_reply", {response: {user_id: "raw-lp"}, status: "ok"}]);
  assert.equal(msgs[1][3], "presence_diff");
  assert.equal(msgs[1][0], null);
  assert.equal(msgs[2][3], "presence_state");
  assert.equal(msgs[2][0], "1");
  assert.deepEqual(msgs[3], [null, "2", "phoenix", "phx_reply", {response: {}, status: "ok"}]);
  assert.deepEqual(msgs[4], ["1", "3", t, "phx_reply", {response: {size: 3, base64: "AQL/"}, status: "ok"}]);
  // The reply JSON keeps Phoenix's key order.
  const again = await postLines(token, [JSON.stringify(["1", "4", t, "ping", {}])]);
  assert.deepEqual(again, {status: 200});
  const raw = await getJSON(lp(`vsn=2.0.0&token=${token}`));
  assert.deepEqual(raw.messages, [`["1","4","${t}","phx_reply",{"response":{},"status":"ok"}]`]);
});

test("raw protocol: the token also works as x-phoenix-longpoll-token; \\r\\n lines; 100-line cap", async () => {
  const {token} = await getJSON(lp());
  const t = topic("room", "cap");
  const lines = [JSON.stringify(["1", "1", t, "phx_join", {}])];
  for (let i = 2; i <= 101; i++) lines.push(JSON.stringify(["1", String(i), t, "ping", {i}]));
  const res = await fetch(lp(), {
    method: "POST",
    headers: {"content-type": "application/x-ndjson", "x-phoenix-longpoll-token": token},
    body: lines.join("\r\n"),
  });
  assert.deepEqual(await res.json(), {status: 200});
  // 100 lines read: the join (reply, diff, state) and the pings i = 2..100; the
  // 101st line (i = 101) is dropped.
  const body = await getJSON(lp(), {"x-phoenix-longpoll-token": token});
  assert.equal(body.status, 200);
  const replies = body.messages.map((m) => JSON.parse(m)).filter((m) => m[3] === "phx_reply");
  assert.equal(replies.length, 100);
  assert.deepEqual(replies.at(-1)[4], {response: {i: 100}, status: "ok"});
});

test("raw protocol: an idle poll answers 204 after the window; POST to a gone session answers 410", async () => {
  const {token} = await getJSON(lp());
  const idle = await getJSON(lp(`vsn=2.0.0&token=${token}`));
  assert.deepEqual(idle, {status: 204, token, messages: []});
  assert.deepEqual(await postLines("not-a-session", ["[]"]), {status: 410});
  // A stale token on GET starts a new session, like Phoenix (410 with a new token).
  const stale = await getJSON(lp("vsn=2.0.0&token=not-a-session"));
  assert.equal(stale.status, 410);
  assert.notEqual(stale.token, "not-a-session");
});

test("raw protocol: a session closed between polls still delivers its last messages, then 410", async () => {
  const {token} = await getJSON(lp());
  const t = topic("lobby", "drain");
  assert.deepEqual(await postLines(token, [
    JSON.stringify(["1", "1", t, "phx_join", {user_id: `drain-${process.pid}`}]),
    JSON.stringify(["1", "2", t, "disconnect_me", {}]),
  ]), {status: 200});
  // No GET was in flight when the server closed the session.
  const last = await getJSON(lp(`vsn=2.0.0&token=${token}`));
  assert.equal(last.status, 200);
  assert.deepEqual(last.messages.map((m) => JSON.parse(m)), [
    ["1", "1", t, "phx_reply", {response: {user_id: `drain-${process.pid}`}, status: "ok"}],
    ["1", "2", t, "phx_reply", {response: {}, status: "ok"}],
  ]);
  const gone = await getJSON(lp(`vsn=2.0.0&token=${token}`));
  assert.equal(gone.status, 410);
  assert.notEqual(gone.token, token);
  assert.deepEqual(await postLines(token, ["[]"]), {status: 410});
});

test("raw protocol: OPTIONS preflight allows the LongPoll headers", async () => {
  const res = await fetch(lp(), {method: "OPTIONS"});
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.match(res.headers.get("access-control-allow-methods"), /POST/);
  assert.match(res.headers.get("access-control-allow-headers"), /x-phoenix-longpoll-token/);
});

test("no leaked sockets, channels or presence (idle sessions expire)", async () => {
  await ctx.fresh().cleanup();
  await assertNoLeaks(ctx.server);
});
