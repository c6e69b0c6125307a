// Scenarios written the way phoenix.js users write code, run against any implementation of
// its API: `api` is `{Socket}` (ours in the browser tests, phoenix 1.8.16 or ours in Node).
// Each scenario takes (api, baseUrl) — baseUrl like "http://127.0.0.1:4010" — throws on
// a failed expectation and returns a log of what the user saw.

import {
  close, control, eq, fail, reply, sleep, topic, waitFor as waitForMs, wsUrl,
} from "./helpers.js";

const waitFor = (pred, what, ms = 5000) => waitForMs(pred, what, ms);

function socketFor(api, base, opts = {}) {
  // `api.opts`: default options of a test run, e.g. {transport: LongPoll}.
  return new api.Socket(wsUrl(base), { ...api.opts, ...opts });
}

async function connected(api, base, opts) {
  const socket = socketFor(api, base, opts);
  let open = false;
  socket.onOpen(() => (open = true));
  socket.connect();
  await waitFor(() => open, "socket open");
  return socket;
}

// A connected socket on a scripted transport (no server): `t.sent` holds the decoded frames
// sent, `t.deliver(frame)` and `t.deliverBinary(...)` play the server, `t.answer(event, nth)`
// replies ok to the nth frame of that event, `t.replyTo(frame, status, response)` to any.
async function scriptedSocket(api, opts = {}) {
  const box = {};
  class Scripted {
    constructor() {
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.sent = [];
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      box.t = this;
      queueMicrotask(() => { this.readyState = 1; this.onopen?.({ type: "open" }); });
    }
    send(data) { this.sent.push(JSON.parse(data)); }
    close(code, reason) {
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? "", wasClean: true }));
    }
    deliver(frame) { this.onmessage?.({ data: JSON.stringify(frame) }); }
    // A binary frame (spec §6.2): kind, the byte length of each field, the fields, the payload.
    deliverBinary(kind, fields, payload) {
      const parts = fields.map((f) => (typeof f === "string" ? new TextEncoder().encode(f) : new Uint8Array(f)));
      const head = [kind, ...parts.map((x) => x.length)];
      const size = head.length + parts.reduce((n, x) => n + x.length, 0) + payload.length;
      const out = new Uint8Array(size);
      out.set(head, 0);
      let at = head.length;
      for (const x of parts) { out.set(x, at); at += x.length; }
      out.set(payload, at);
      this.onmessage?.({ data: out.buffer });
    }
    answer(event, nth = 0) {
      const f = this.sent.filter((x) => x[3] === event)[nth];
      this.deliver([f[0], f[1], f[2], "phx_reply", { status: "ok", response: {} }]);
      return f[0];
    }
    replyTo(f, status, response) {
      this.deliver([f[0], f[1], f[2], "phx_reply", { status, response }]);
    }
  }
  const socket = new api.Socket("ws://scripted.invalid/socket", { transport: Scripted, ...opts });
  let open = false;
  socket.onOpen(() => (open = true));
  socket.connect();
  await waitFor(() => open, "scripted open");
  return { socket, t: box.t };
}

export const scenarios = {
  async connect_opens_and_reports_state(api, base) {
    const socket = socketFor(api, base, { params: { user_id: "u1" } });
    const log = [];
    eq(socket.connectionState(), "closed", "state before connect");
    socket.onOpen(() => log.push(["open", socket.isConnected(), socket.connectionState()]));
    socket.connect();
    eq(socket.connectionState(), "connecting", "state after connect");
    await waitFor(() => log.length > 0, "open");
    eq(log, [["open", true, "open"]], "open callback");
    if (!socket.endPointURL().endsWith("/socket/websocket?user_id=u1&vsn=2.0.0")) fail(socket.endPointURL());
    await close(socket);
    eq(socket.connectionState(), "closed", "state after disconnect");
    return log;
  },

  async join_ok_error_and_rejoin_hooks(api, base) {
    const socket = await connected(api, base, { params: { user_id: "alice" } });
    const ch = socket.channel(topic("room", "join"), { device: "browser" });
    eq(ch.state, "closed", "initial state");
    const r = await reply(ch.join());
    eq(r, { status: "ok", response: { user_id: "alice" } }, "join reply");
    eq(ch.state, "joined", "joined state");
    if (typeof ch.joinRef() !== "string") fail("joinRef should be a string");
    const bad = socket.channel("room:forbidden");
    eq(await reply(bad.join()), { status: "error", response: { reason: "unauthorized" } }, "forbidden");
    eq(bad.state, "errored", "rejected join state");
    bad.leave();
    eq(bad.state, "closed", "leave closes at once");
    await close(socket);
    return [r];
  },

  async join_timeout_sends_a_leave_and_the_channel_rejoins(api, base) {
    const socket = await connected(api, base, { rejoinAfterMs: () => 100 });
    const ch = socket.channel(topic("room", "jointimeout"));
    const outcomes = [];
    // The server holds everything for 700 ms: the join cannot be answered within 200 ms.
    await control(base, "blackhole?ms=700");
    ch.join(200)
      .receive("timeout", () => outcomes.push("timeout"))
      .receive("ok", () => outcomes.push("ok"));
    await waitFor(() => outcomes.includes("timeout"), "join timeout");
    eq(ch.state === "errored" || ch.state === "joining", true, "errored, then rejoining: " + ch.state);
    // Once the server answers again, a rejoin (new join ref) succeeds; the join's ok hook
    // fires for it as well.
    await waitFor(() => outcomes.includes("ok"), "rejoin after the timeout", 8000);
    eq(ch.state, "joined", "joined after the rejoin");
    await close(socket);
    return outcomes;
  },

  async join_twice_and_push_before_join_throw(api, base) {
    const socket = socketFor(api, base);
    const ch = socket.channel("room:x");
    let msg = "";
    try { ch.push("ev", {}); } catch (e) { msg = e.message; }
    eq(msg, "tried to push 'ev' to 'room:x' before joining. Use channel.join() before pushing events", "push before join");
    ch.join();
    msg = "";
    try { ch.join(); } catch (e) { msg = e.message; }
    eq(msg, "tried to join multiple times. 'join' can only be called a single time per channel instance", "join twice");
    return [];
  },

  async push_reply_error_and_timeout(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "push"));
    await reply(ch.join());
    const ok = await reply(ch.push("ping", { a: 1, nested: { b: [1, "two", null] } }));
    eq(ok, { status: "ok", response: { a: 1, nested: { b: [1, "two", null] } } }, "ping");
    eq(await reply(ch.push("error_reply", {})), { status: "error", response: { reason: "nope" } }, "error_reply");
    const started = Date.now();
    eq(await reply(ch.push("noreply", {}, 150)), { status: "timeout", response: {} }, "noreply");
    if (Date.now() - started < 140) fail("timeout came too early");
    const p = ch.push("ping", { n: 2 });
    if (p.receive("ok", () => {}) !== p) fail("receive must return the same push");
    await close(socket);
    return [ok];
  },

  async broadcasts_reach_every_subscriber(api, base) {
    const t = topic("room", "shout");
    const a = await connected(api, base, { params: { user_id: "a" } });
    const b = await connected(api, base, { params: { user_id: "b" } });
    const ca = a.channel(t);
    const cb = b.channel(t);
    const got = [];
    ca.on("shout", (p) => got.push(["a", p]));
    const ref = cb.on("shout", (p) => got.push(["b", p]));
    if (typeof ref !== "number") fail("on() returns a number");
    await reply(ca.join());
    await reply(cb.join());
    ca.push("shout", { body: "hi" });
    await waitFor(() => got.length === 2, "two shouts");
    got.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    eq(got, [["a", { body: "hi" }], ["b", { body: "hi" }]], "shouts");
    await close(a);
    await close(b);
    return got;
  },

  async binary_push_gets_a_binary_reply(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "bin"));
    await reply(ch.join());
    const bytes = new Uint8Array([1, 2, 255, 0, 7]);
    const r = await reply(ch.push("binary", bytes.buffer.slice(0)));
    if (r.status !== "ok") fail("binary reply status " + r.status);
    if (!(r.response instanceof ArrayBuffer)) fail("binary reply must be an ArrayBuffer");
    eq(Array.from(new Uint8Array(r.response)), [1, 2, 255, 0, 7], "echoed bytes");
    const info = await reply(ch.push("binary_info", new Uint8Array([9, 8]).buffer));
    eq(info.response.size, 2, "server saw the binary size");
    await close(socket);
    return [info.response];
  },

  async heartbeats_keep_the_socket_open_and_ping_measures(api, base) {
    const socket = await connected(api, base, { heartbeatIntervalMs: 100 });
    let closes = 0;
    socket.onClose(() => closes++);
    await sleep(450);
    eq(socket.isConnected(), true, "still connected after several heartbeats");
    eq(closes, 0, "no close");
    let rtt = null;
    eq(socket.ping((ms) => (rtt = ms)), true, "ping sent");
    await waitFor(() => rtt !== null, "ping answer");
    if (typeof rtt !== "number" || rtt < 0) fail("rtt " + rtt);
    await close(socket);
    eq(socket.ping(() => {}), false, "ping while disconnected");
    return [];
  },

  async crash_errors_the_channel_and_it_rejoins(api, base) {
    const socket = await connected(api, base, { rejoinAfterMs: () => 50 });
    const ch = socket.channel(topic("room", "crash"));
    let joins = 0;
    const errors = [];
    ch.onError((reason) => errors.push(reason));
    ch.join().receive("ok", () => joins++);
    await waitFor(() => joins === 1, "first join");
    const firstRef = ch.joinRef();
    ch.push("crash", {});
    await waitFor(() => joins === 2, "rejoin after crash");
    eq(errors, [{ reason: "channel_crash" }], "onError reason");
    if (ch.joinRef() === firstRef) fail("rejoin must use a new join ref");
    eq(ch.state, "joined", "joined again");
    await close(socket);
    return errors;
  },

  async stop_closes_the_channel(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "stop"));
    const closes = [];
    const ret = ch.onClose((payload) => closes.push(payload));
    eq(ret, undefined, "onClose returns undefined");
    await reply(ch.join());
    eq(await reply(ch.push("stop", {})), { status: "ok", response: {} }, "stop reply");
    await waitFor(() => closes.length === 1, "phx_close");
    eq(ch.state, "closed", "closed");
    eq(socket.channels.length, 0, "removed from the socket");
    await close(socket);
    return closes;
  },

  async bad_token_and_auth_token_are_rejected_and_good_one_echoed(api, base) {
    const refused = socketFor(api, base, { params: { token: "bad" }, reconnectAfterMs: () => 60000 });
    let errored = 0;
    let opened = 0;
    refused.onError(() => errored++);
    refused.onOpen(() => opened++);
    refused.connect();
    await waitFor(() => errored > 0, "connect refused");
    eq(opened, 0, "never opened");
    refused.disconnect();
    const badAuth = socketFor(api, base, { authToken: "bad", reconnectAfterMs: () => 60000 });
    let authErr = 0;
    badAuth.onError(() => authErr++);
    badAuth.connect();
    await waitFor(() => authErr > 0, "authToken refused");
    badAuth.disconnect();
    const good = await connected(api, base, { authToken: () => "s3cret-token", params: { user_id: "tok" } });
    const ch = good.channel(topic("room", "auth"));
    const r = await reply(ch.join());
    eq(r.response, { user_id: "tok", auth_token: "s3cret-token" }, "auth_token echoed");
    await close(good);
    return [r];
  },

  async reconnects_after_a_drop_rejoins_and_delivers_outage_pushes(api, base) {
    const socket = await connected(api, base, { reconnectAfterMs: () => 100 });
    const ch = socket.channel(topic("room", "drop"));
    let joins = 0;
    ch.join().receive("ok", () => joins++);
    await waitFor(() => joins === 1, "join");
    let closed = 0;
    socket.onClose(() => closed++);
    await control(base, "drop");
    await waitFor(() => closed > 0, "the drop");
    const outcome = [];
    ch.push("ping", { during: "outage" })
      .receive("ok", (r) => outcome.push(["ok", r]))
      .receive("timeout", () => outcome.push(["timeout"]));
    await waitFor(() => joins === 2, "rejoin");
    await waitFor(() => outcome.length === 1, "the outage push");
    eq(outcome, [["ok", { during: "outage" }]], "delivered once");
    await sleep(50);
    eq(outcome.length, 1, "exactly once");
    await close(socket);
    return outcome;
  },

  async malformed_frames_are_dropped_and_the_connection_lives_on(api, base) {
    const logs = [];
    const socket = await connected(api, base, { logger: (kind, msg) => logs.push(kind + ": " + msg) });
    const ch = socket.channel(topic("room", "garbage"));
    await reply(ch.join());
    let closes = 0;
    socket.onClose(() => closes++);
    await control(base, "garbage?n=2");
    await sleep(100);
    eq(await reply(ch.push("ping", { after: true })), { status: "ok", response: { after: true } }, "works after garbage");
    eq(closes, 0, "not closed");
    if (!logs.some((l) => l.startsWith("transport: dropping malformed frame"))) fail("garbage was not logged: " + logs.join(" | "));
    await close(socket);
    return [];
  },

  async callbacks_may_call_back_into_the_api(api, base) {
    const log = [];
    const socket = socketFor(api, base, { params: { user_id: "re" } });
    // channel().join() inside onOpen
    let ch = null;
    socket.onOpen(() => {
      if (!ch) {
        ch = socket.channel(topic("room", "reentrant"));
        // push() inside on(): the shout triggers a ping; leave() inside its receive()
        ch.on("shout", () => {
          log.push("shout");
          ch.push("ping", { x: 1 }).receive("ok", () => {
            log.push("pinged");
            ch.leave();
            log.push("left:" + ch.state);
          });
        });
        // push() inside receive()
        ch.join().receive("ok", () => {
          log.push("joined");
          ch.push("shout", { hello: true });
        });
      }
    });
    socket.connect();
    await waitFor(() => log.includes("left:closed"), "join, ping, leave chain");
    // disconnect() inside onClose, connect() right after disconnect()
    let reconnected = false;
    socket.onClose(() => log.push("close"));
    socket.disconnect();
    socket.connect();
    socket.onOpen(() => (reconnected = true));
    await waitFor(() => reconnected, "reconnect after disconnect+connect");
    const other = socketFor(api, base);
    other.onOpen(() => other.disconnect(() => log.push("disconnected-in-open")));
    other.onClose(() => other.disconnect());
    other.connect();
    await waitFor(() => log.includes("disconnected-in-open"), "disconnect inside onOpen");
    await close(socket);
    return log;
  },

  async custom_encode_and_decode_are_used_for_every_frame(api, base) {
    let encoded = 0;
    let decoded = 0;
    const shapes = {};
    let binaries = 0;
    const socket = await connected(api, base, {
      encode: (msg, callback) => {
        encoded++;
        // What encode receives is socket.push's argument (spec §2.3), key order included.
        shapes[msg.event] ??= [Object.keys(msg), typeof msg.ref];
        if (msg.payload instanceof ArrayBuffer) binaries++;
        return callback(JSON.stringify([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload]));
      },
      decode: (raw, callback) => {
        decoded++;
        const [join_ref, ref, topic, event, payload] = JSON.parse(raw);
        return callback({ join_ref, ref, topic, event, payload });
      },
    });
    const ch = socket.channel(topic("room", "codec"));
    await reply(ch.join());
    eq(await reply(ch.push("ping", { via: "custom" })), { status: "ok", response: { via: "custom" } }, "ping");
    if (encoded < 2 || decoded < 2) fail(`custom codec not used: ${encoded} encoded, ${decoded} decoded`);
    let rtt;
    socket.ping((ms) => (rtt = ms));
    await waitFor(() => rtt !== undefined, "ping");
    // A binary payload reaches the custom encoder too: it gets every socket.push argument.
    ch.push("noreply", new Uint8Array([1, 2]).buffer, 100);
    await waitFor(() => binaries === 1, "the binary push reaching encode");
    eq(shapes, {
      phx_join: [["topic", "event", "payload", "ref", "join_ref"], "string"],
      ping: [["topic", "event", "payload", "ref", "join_ref"], "string"],
      heartbeat: [["topic", "event", "payload", "ref"], "string"],
      noreply: [["topic", "event", "payload", "ref", "join_ref"], "string"],
    }, "the messages encode receives");
    await close(socket);
    return [];
  },

  async an_overridden_on_message_sees_every_event_and_transforms_payloads(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "hook"));
    const events = [];
    ch.onMessage = (event, payload) => {
      events.push(event);
      return event === "shout" ? { ...payload, seen: true } : payload;
    };
    const got = [];
    ch.on("shout", (p) => got.push(p));
    await reply(ch.join());
    ch.push("shout", { n: 1 });
    await waitFor(() => got.length === 1, "shout");
    eq(got, [{ n: 1, seen: true }], "the hook's result reaches the bindings");
    // Internal events pass through the hook too (their order is not compared: see
    // docs/ARCHITECTURE.md on re-entrancy).
    for (const e of ["phx_reply", "shout"]) if (!events.includes(e)) fail(`hook missed ${e}: ${events}`);
    if (!events.some((e) => /^chan_reply_\d+$/.test(e))) fail(`hook missed chan_reply_N: ${events}`);
    await close(socket);
    return [];
  },

  async has_logger_is_true_with_a_logger_or_debug(api, base) {
    const made = [{}, { logger: () => {} }, { debug: true }, { debug: false }];
    const got = made.map((opts) => socketFor(api, base, opts).hasLogger());
    eq(got, [false, true, true, false], "hasLogger() for no logger, a logger, debug, debug: false");
    return got;
  },

  // Broadcasts after the first of a (topic, event) are dispatched from a cache in phoenix-wasm
  // (src/js/router.rs); bindings changed between two broadcasts must count from the next.
  async bindings_added_and_removed_between_broadcasts_take_effect_on_the_next_one(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "bind"));
    await reply(ch.join());
    const a = [], b = [], c = [], args = [];
    let refB;
    ch.on("msg", (p, ref, joinRef) => {
      a.push(p.i);
      args.push([ref, joinRef]);
      // Added and removed during a dispatch: the dispatch keeps its snapshot of bindings.
      if (p.i === 10) ch.on("msg", (q) => c.push(q.i));
      if (p.i === 20) ch.off("msg", refB);
    });
    refB = ch.on("msg", (p) => b.push(p.i));
    eq(await reply(ch.push("bulk", { n: 40 })), { status: "ok", response: { n: 40 } }, "bulk reply");
    await waitFor(() => a.length === 40, "40 broadcasts");
    const range = (from, to) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
    eq(a, range(1, 40), "the first binding, in order");
    eq(b, range(1, 20), "removed by off() during broadcast 20");
    eq(c, range(11, 40), "added by on() during broadcast 10");
    const jr = ch.joinRef();
    eq(args.every(([ref, joinRef]) => ref === null && joinRef === jr), true, "(payload, null, joinRef) every time");
    ch.off("msg");
    await reply(ch.push("bulk", { n: 3 }));
    eq([a.length, b.length, c.length], [40, 20, 30], "off(event) removes every binding");
    await close(socket);
    return [a.length, b.length, c.length];
  },

  async on_message_hooks_added_between_broadcasts_see_the_next_ones(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "hooks"));
    await reply(ch.join());
    const got = [], hooked = [], seenBySocket = [];
    ch.on("msg", (p) => got.push(p.i));
    await reply(ch.push("bulk", { n: 5 }));
    await waitFor(() => got.length === 5, "the first 5");
    ch.onMessage = (event, payload) => {
      if (event !== "msg") return payload;
      hooked.push(payload.i);
      return { i: payload.i * 10 };
    };
    const ref = socket.onMessage((m) => { if (m.event === "msg") seenBySocket.push(m.payload.i); });
    await reply(ch.push("bulk", { n: 5 }));
    await waitFor(() => got.length === 10, "the next 5");
    eq(got, [1, 2, 3, 4, 5, 10, 20, 30, 40, 50], "payloads after the channel's onMessage");
    eq(hooked, [1, 2, 3, 4, 5], "the channel's onMessage saw the later ones");
    eq(seenBySocket, [1, 2, 3, 4, 5], "socket.onMessage saw the later ones, unmodified");
    socket.off([ref]);
    ch.onMessage = (_event, payload) => payload;
    await reply(ch.push("bulk", { n: 2 }));
    await waitFor(() => got.length === 12, "two more");
    eq([got.slice(10), seenBySocket.length], [[1, 2], 5], "after socket.off and an identity onMessage");
    await close(socket);
    return got;
  },

  // A scripted transport (no server): frames with an outdated join ref, or none, and a new
  // channel of the same topic after a leave.
  async outdated_join_refs_are_dropped_and_a_new_channel_gets_the_topic(api) {
    const { socket, t } = await scriptedSocket(api);
    const seen = [];
    const ch1 = socket.channel("room:scripted");
    ch1.on("msg", (p, ref, jr) => seen.push(["ch1", p.i, ref, jr]));
    ch1.join();
    const jr1 = t.answer("phx_join");
    // Binary broadcasts (kind 2) and server pushes (kind 0, with a join ref), repeated so the
    // later ones take phoenix-wasm's cached route; an outdated join ref and an event that is
    // not UTF-8 reach nobody.
    const bins = [];
    ch1.on("bin", (p, ref, jr) => bins.push([Array.from(new Uint8Array(p)), ref, jr]));
    t.deliverBinary(2, ["room:scripted", "bin"], [1, 2]);
    t.deliverBinary(2, ["room:scripted", "bin"], [3]);
    t.deliverBinary(0, [jr1, "room:scripted", "bin"], [4]);
    t.deliverBinary(0, ["999", "room:scripted", "bin"], [5]);
    t.deliverBinary(0, [jr1, "room:scripted", "bin"], [6]);
    t.deliverBinary(2, ["room:scripted", [0x62, 0xff]], [7]);
    t.deliverBinary(2, ["room:other", "bin"], [8]);
    t.deliverBinary(2, ["room:scripted", "bin"], []);
    eq(bins, [[[1, 2], null, jr1], [[3], null, jr1], [[4], null, jr1], [[6], null, jr1], [[], null, jr1]],
      "binary frames seen by ch1");
    t.deliver([jr1, null, "room:scripted", "msg", { i: 1 }]);
    t.deliver([jr1, null, "room:scripted", "msg", { i: 2 }]);
    t.deliver(["999", null, "room:scripted", "msg", { i: 3 }]);
    t.deliver([null, null, "room:scripted", "msg", { i: 4 }]);
    t.deliver([jr1, null, "room:other", "msg", { i: 0 }]);
    ch1.leave();
    t.answer("phx_leave");
    t.deliver([jr1, null, "room:scripted", "msg", { i: 5 }]);
    t.deliver([null, null, "room:scripted", "msg", { i: 6 }]);
    const ch2 = socket.channel("room:scripted");
    ch2.on("msg", (p, ref, jr) => seen.push(["ch2", p.i, ref, jr]));
    ch2.join();
    const jr2 = t.answer("phx_join", 1);
    t.deliver([jr1, null, "room:scripted", "msg", { i: 7 }]);
    t.deliver([jr2, null, "room:scripted", "msg", { i: 8 }]);
    t.deliver([jr2, null, "room:scripted", "msg", { i: 9 }]);
    t.deliver(["", null, "room:scripted", "msg", { i: 10 }]);
    eq(seen, [
      ["ch1", 1, null, jr1], ["ch1", 2, null, jr1], ["ch1", 4, null, jr1],
      ["ch2", 8, null, jr2], ["ch2", 9, null, jr2], ["ch2", 10, null, jr2],
    ], "what each channel saw");
    await close(socket);
    return seen;
  },

  // The push object itself (spec §4): ref, sent, timeout and receivedResp through a push's
  // life; hooks run per status, a late receive of a received status runs at once; resend
  // resets and sends with a fresh ref, send after an error sends again, send after a
  // timeout does nothing; the join push is the channel's one object; a leave on a channel
  // that cannot push has already received ok.
  async push_objects_keep_their_state_and_hooks_through_replies_resends_and_timeouts(api) {
    const { socket, t } = await scriptedSocket(api);
    const log = [];
    const ch = socket.channel("room:pushes");
    const joinPush = ch.join();
    eq(joinPush === ch.joinPush, true, "join() returns the channel's join push");
    t.answer("phx_join");
    eq(joinPush.receivedResp, { status: "ok", response: {} }, "the join push's reply");
    const last = () => t.sent[t.sent.length - 1];
    const state = (p) => [p.ref, p.sent, p.timeout, p.receivedResp];

    const p = ch.push("ev", { a: 1 }, 5000);
    log.push(["pushed", p.event, ...state(p), last()]);
    p.receive("ok", (r) => log.push(["ok1", r])).receive("error", (r) => log.push(["error1", r]));
    t.replyTo(last(), "ok", { x: 1 });
    log.push(["after ok", ...state(p)]);
    p.receive("ok", (r) => log.push(["late ok", r]));
    p.receive("error", (r) => log.push(["late error", r]));
    p.resend(3000);
    log.push(["resent", ...state(p), last()]);
    t.replyTo(last(), "error", { why: "no" });
    log.push(["after error", ...state(p)]);
    p.send();
    log.push(["sent again", ...state(p), last()]);
    t.replyTo(last(), "ok", { x: 2 });
    log.push(["after second ok", ...state(p)]);

    const q = ch.push("slow", {}, 30);
    q.receive("timeout", (r) => log.push(["timeout", r]));
    await waitFor(() => q.receivedResp !== null, "the push timeout", 2000);
    const frames = t.sent.length;
    q.send();
    log.push(["send after timeout sends nothing", t.sent.length === frames, ...state(q)]);
    q.receive("ok", (r) => log.push(["q ok", r]));
    q.resend(5000);
    log.push(["q resent", ...state(q), last()]);
    t.replyTo(last(), "ok", { late: true });
    log.push(["q after ok", ...state(q)]);

    socket.disconnect();
    await waitFor(() => !socket.isConnected(), "disconnected");
    const leave = ch.leave();
    leave.receive("ok", (r) => log.push(["leave ok", r]));
    log.push(["left", ch.state, leave.event, leave.receivedResp]);
    // What phoenix.js 1.8.16 gives (refs count from the join's 4: heartbeats never run).
    const okR = (response) => ({ status: "ok", response });
    const errorR = { status: "error", response: { why: "no" } };
    eq(log, [
      ["pushed", "ev", "5", true, 5000, null, ["4", "5", "room:pushes", "ev", { a: 1 }]],
      ["ok1", { x: 1 }],
      ["after ok", "5", true, 5000, okR({ x: 1 })],
      ["late ok", { x: 1 }],
      ["resent", "6", true, 3000, null, ["4", "6", "room:pushes", "ev", { a: 1 }]],
      ["error1", { why: "no" }],
      ["late error", { why: "no" }],
      ["after error", "6", true, 3000, errorR],
      ["sent again", "7", true, 3000, errorR, ["4", "7", "room:pushes", "ev", { a: 1 }]],
      ["ok1", { x: 2 }],
      ["late ok", { x: 2 }],
      ["after second ok", "7", true, 3000, okR({ x: 2 })],
      ["timeout", {}],
      ["send after timeout sends nothing", true, "8", true, 30, { status: "timeout", response: {} }],
      ["q resent", "9", true, 5000, null, ["4", "9", "room:pushes", "slow", {}]],
      ["q ok", { late: true }],
      ["q after ok", "9", true, 5000, okR({ late: true })],
      ["leave ok", {}],
      ["left", "closed", "phx_leave", okR({})],
    ], "what the push objects showed");
    return log;
  },

  // socket.push(data) sends `data` as given, refs included (a number, any string, none),
  // a custom `encode` receives that very object, and the log line shows the refs as given.
  async socket_push_sends_the_callers_message_as_given(api) {
    const logs = [];
    const logger = (kind, msg, data) => { if (kind === "push") logs.push([msg, data]); };
    const { socket, t } = await scriptedSocket(api, { logger });
    socket.push({ topic: "room:raw", event: "x", payload: { a: 1 }, ref: 7, join_ref: "abc" });
    socket.push({ topic: "room:raw", event: "y", payload: {}, ref: "r-1" });
    socket.push({ topic: "room:raw", event: "z", payload: { b: 2 }, ref: "12", join_ref: null });
    eq(t.sent.filter((f) => f[2] === "room:raw"), [
      ["abc", 7, "room:raw", "x", { a: 1 }],
      [null, "r-1", "room:raw", "y", {}],
      [null, "12", "room:raw", "z", { b: 2 }],
    ], "the frames");
    eq(logs, [
      ["room:raw x (abc, 7)", { a: 1 }],
      ["room:raw y (undefined, r-1)", {}],
      ["room:raw z (null, 12)", { b: 2 }],
    ], "the log lines");
    const seen = [];
    const data = { topic: "room:raw", event: "w", payload: { c: 3 }, ref: "5" };
    const encode = (msg, cb) => {
      seen.push(msg === data, Object.keys(msg));
      cb(JSON.stringify([null, null, msg.topic, msg.event, msg.payload]));
    };
    const { socket: other, t: t2 } = await scriptedSocket(api, { encode });
    other.push(data);
    eq(seen, [true, ["topic", "event", "payload", "ref"]], "encode got the object itself");
    eq(t2.sent.filter((f) => f[2] === "room:raw"), [[null, null, "room:raw", "w", { c: 3 }]], "encoded frame");
    await close(socket);
    await close(other);
    return [logs, seen];
  },

  // A reply's status is any string (spec §4): hooks of that exact status run, with the
  // response, and receivedResp shows it; the usual ones and others cross differently.
  async a_reply_with_any_status_reaches_the_hooks_of_that_status(api) {
    const { socket, t } = await scriptedSocket(api);
    const ch = socket.channel("room:statuses");
    ch.join();
    t.answer("phx_join");
    const log = [];
    for (const status of ["ok", "error", "pending", "été", "OK", ""]) {
      const push = ch.push("ask", { status });
      for (const s of ["ok", "error", "pending", "été", "OK", ""]) push.receive(s, (r) => log.push([status, "hook", s, r]));
      const f = t.sent.filter((x) => x[3] === "ask").at(-1);
      t.replyTo(f, status, { for: status });
      log.push([status, push.receivedResp]);
    }
    eq(log, ["ok", "error", "pending", "été", "OK", ""].flatMap((s) => [
      [s, "hook", s, { for: s }],
      [s, { status: s, response: { for: s } }],
    ]), "each reply ran the hooks of its own status, once, and is the push's receivedResp");
    await close(socket);
    return log;
  },

  // A payload JSON cannot write (a cycle, a throwing toJSON, a BigInt): `channel.push`
  // throws exactly what JSON.stringify threw, nothing is sent, and the channel goes on.
  async a_push_json_cannot_encode_throws_what_json_threw(api) {
    const { socket, t } = await scriptedSocket(api);
    const ch = socket.channel("room:unencodable");
    ch.join();
    t.answer("phx_join");
    const cyclic = {};
    cyclic.self = cyclic;
    const thrown = (f) => {
      try {
        f();
        return "no exception";
      } catch (e) {
        return typeof e === "object" ? [e.constructor.name, e.message] : e;
      }
    };
    const payloads = [cyclic, { toJSON() { throw "boom"; } }, { n: BigInt(10) }];
    // What this engine's JSON.stringify throws (the messages differ between browsers).
    const expected = payloads.map((p) => thrown(() => JSON.stringify(p)));
    const log = payloads.map((p) => thrown(() => ch.push("bad", p)));
    ch.push("good", { a: 1 });
    log.push(t.sent.filter((f) => f[2] === "room:unencodable").map((f) => f[3]), ch.state);
    eq(expected.map((e) => (Array.isArray(e) ? e[0] : e)), ["TypeError", "boom", "TypeError"], "JSON.stringify's exceptions");
    eq(log, [
      ...expected,
      ["phx_join", "good"], "joined",
    ], "what the pushes threw and sent");
    await close(socket);
    return log;
  },

  // `new Channel(topic, params, socket)` (spec §3.1): not in socket.channels; it joins
  // through the socket, but the socket routes nothing to it, so its join is never answered.
  async a_channel_made_with_new_channel_is_not_in_socket_channels(api) {
    const { socket, t } = await scriptedSocket(api);
    const ch = new api.Channel("room:direct", { a: 1 }, socket);
    const log = [ch.topic, ch.state, socket.channels.length];
    const join = ch.join();
    const frame = t.sent.find((f) => f[3] === "phx_join");
    log.push(frame, ch.state);
    t.replyTo(frame, "ok", {});
    log.push(ch.state, join.receivedResp, socket.channels.length);
    eq(log, [
      "room:direct", "closed", 0,
      ["4", "4", "room:direct", "phx_join", { a: 1 }], "joining",
      "joining", null, 0,
    ], "a channel outside socket.channels");
    await close(socket);
    return log;
  },

  async a_throwing_callback_does_not_corrupt_the_socket(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "throw"));
    await reply(ch.join());
    let seen = 0;
    const after = [];
    ch.on("shout", () => { seen++; throw new Error("user bug"); });
    // The next binding still runs, for the first broadcast (through the engine) and the
    // later ones (routed in JS, src/js/router.rs).
    ch.on("shout", (p) => after.push(p.n));
    // phoenix.js lets the error escape to the event loop; swallow it for the test.
    const onerr = (e) => { if (String(e.message || e.reason).includes("user bug")) e.preventDefault?.(); };
    globalThis.addEventListener?.("error", onerr);
    globalThis.addEventListener?.("unhandledrejection", onerr);
    for (const n of [1, 2, 3]) ch.push("shout", { n });
    await waitFor(() => seen === 3, "three shouts");
    eq(after, [1, 2, 3], "the binding after the throwing one");
    eq(await reply(ch.push("ping", { still: "works" })), { status: "ok", response: { still: "works" } }, "after throw");
    globalThis.removeEventListener?.("error", onerr);
    globalThis.removeEventListener?.("unhandledrejection", onerr);
    await close(socket);
    return [];
  },
};

// ---- LongPoll (tests/web_longpoll.rs) ----------------------------------------------------
// `api` is {Socket, LongPoll, opts: {transport: LongPoll}}: the scenarios above run over
// LongPoll through `api.opts`; these check what is LongPoll's own (spec §7).

function lpEndpoint(base) {
  return wsUrl(base) + "/websocket?vsn=2.0.0";
}

// Records the page's XHRs (method, url, headers, body) while `fn` runs, and the most POSTs
// in flight at once. The completion listener is added at open(), before the transport's
// own handler, so a POST counts as done before its ack starts the next one.
async function recordingXhr(fn) {
  const proto = XMLHttpRequest.prototype;
  const { open, setRequestHeader, send } = proto;
  const log = [];
  let inFlight = 0;
  let maxInFlight = 0;
  proto.open = function (method, url, ...rest) {
    const rec = { method, url, headers: {}, body: undefined };
    this._rec = rec;
    log.push(rec);
    this.addEventListener("readystatechange", () => {
      if (this.readyState === 4 && rec.method === "POST" && rec.sent) { rec.sent = false; inFlight--; }
    });
    return open.call(this, method, url, ...rest);
  };
  proto.setRequestHeader = function (k, v) {
    if (this._rec) this._rec.headers[k] = v;
    return setRequestHeader.call(this, k, v);
  };
  proto.send = function (body) {
    const rec = this._rec;
    if (rec) {
      rec.body = body;
      if (rec.method === "POST") { rec.sent = true; inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); }
    }
    return send.call(this, body);
  };
  try {
    return await fn(log, () => maxInFlight);
  } finally {
    proto.open = open;
    proto.setRequestHeader = setRequestHeader;
    proto.send = send;
  }
}

// A scripted `fetch`: every call waits until the test answers it (`answer(text)`) or fails
// it (`fail(err)`); an abort of its signal rejects it with an AbortError, as fetch does.
function fakeFetch() {
  const calls = [];
  const fetch = (url, init) => new Promise((resolve, reject) => {
    const call = {
      url, init, method: init.method, headers: init.headers, body: init.body,
      answer: (text) => resolve({ text: () => Promise.resolve(text) }),
      fail: (err) => reject(err),
    };
    init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    calls.push(call);
  });
  return { fetch, calls, posts: () => calls.filter((c) => c.method === "POST"), gets: () => calls.filter((c) => c.method === "GET") };
}

// Runs `fn` with no XMLHttpRequest (so LongPoll uses fetch) and, if given, a fake fetch.
async function fetchOnly(fetchImpl, fn) {
  const saved = { xhr: globalThis.XMLHttpRequest, fetch: globalThis.fetch };
  globalThis.XMLHttpRequest = undefined;
  if (fetchImpl) globalThis.fetch = fetchImpl;
  try {
    return await fn();
  } finally {
    globalThis.XMLHttpRequest = saved.xhr;
    globalThis.fetch = saved.fetch;
  }
}

// A LongPoll on a fake endpoint whose events land in `ev`.
function recordedLongPoll(api, timeout = 20000, protocols) {
  const lp = new api.LongPoll("ws://example.test/socket/websocket?vsn=2.0.0", protocols);
  lp.timeout = timeout;
  const ev = [];
  lp.onopen = (e) => ev.push(["open", e]);
  lp.onerror = (e) => ev.push(["error", e]);
  lp.onmessage = (e) => ev.push(["message", e.data]);
  lp.onclose = (e) => ev.push(["close", e.code, e.reason, e.wasClean]);
  return { lp, ev };
}

// A LongPoll on the test server whose second poll (held for the server's 2 s window)
// outlives a 300 ms timeout; resolves once it opened, errored and closed.
async function timedOutPoll(api, base) {
  const lp = new api.LongPoll(lpEndpoint(base));
  lp.timeout = 300;
  const ev = [];
  lp.onopen = () => ev.push("open");
  lp.onerror = (e) => ev.push(["error", e]);
  lp.onclose = (e) => ev.push(["close", e.code, e.reason, e.wasClean]);
  await waitFor(() => ev.length >= 3, "the timed-out poll", 4000);
  return { lp, ev };
}

// Answers the first poll with a new session, so the transport is open with token "T".
async function openFake(fake, lp) {
  await waitFor(() => fake.gets().length === 1, "first poll");
  fake.gets()[0].answer(JSON.stringify({ status: 410, token: "T", messages: [] }));
  await waitFor(() => fake.gets().length === 2 && lp.readyState === 1, "open and polling");
}

Object.assign(scenarios, {
  async longpoll_constructor_normalises_the_endpoint_and_defers_the_first_poll(api) {
    return recordingXhr(async (log) => {
      const token = "s3cret-token";
      const protocols = ["phoenix", "base64url.bearer.phx." + btoa(token).replace(/=/g, "")];
      const lp = new api.LongPoll("wss://example.test/socket/websocket?user_id=1&vsn=2.0.0", protocols);
      eq(lp.readyState, 0, "readyState");
      eq(lp.skipHeartbeat, true, "skipHeartbeat");
      eq(lp.endpointURL(), "https://example.test/socket/longpoll?user_id=1&vsn=2.0.0&", "normalised, with 1.8.16's trailing &");
      eq(lp.normalizeEndpoint("ws://h/a/websocket/websocket?x=1"), "http://h/a/websocket/longpoll?x=1", "normalizeEndpoint");
      for (const h of ["onopen", "onerror", "onmessage", "onclose"]) {
        if (typeof lp[h] !== "function") fail(h + " should start as a no-op function");
      }
      lp.onopen({});
      lp.timeout = 1234;
      lp.binaryType = "arraybuffer";
      eq([lp.timeout, lp.binaryType], [1234, "arraybuffer"], "socket-assigned properties");
      eq(log.length, 0, "no request in the constructor's tick");
      let closed = null;
      lp.onclose = (e) => (closed = e);
      lp.close();
      if (!(closed instanceof CloseEvent)) fail("onclose gets a CloseEvent");
      eq([closed.type, closed.code, closed.reason, closed.wasClean], ["close", 1005, "", true], "close() defaults");
      eq(lp.readyState, 3, "closed");
      const plain = new api.LongPoll("ws://example.test/socket/websocket", ["phoenix"]);
      const saved = globalThis.CloseEvent;
      globalThis.CloseEvent = undefined;
      let ev = null;
      try {
        plain.onclose = (e) => (ev = e);
        plain.close(4000, "bye", false);
      } finally {
        globalThis.CloseEvent = saved;
      }
      eq(ev, { code: 4000, reason: "bye", wasClean: false }, "a plain object without CloseEvent");
      await sleep(30);
      eq(log.length, 0, "a transport closed before its first poll never polls");
      return [];
    });
  },

  async longpoll_is_the_socket_default_without_websocket(api, base) {
    const saved = globalThis.WebSocket;
    globalThis.WebSocket = undefined;
    let socket;
    try {
      socket = new api.Socket(wsUrl(base), { params: { user_id: "nows" } });
    } finally {
      globalThis.WebSocket = saved;
    }
    if (socket.transport !== api.LongPoll) fail("transport should be LongPoll, got " + (socket.transport && socket.transport.name));
    eq(socket.transport.name, "LongPoll", "class name");
    let open = false;
    socket.onOpen(() => (open = true));
    socket.connect();
    await waitFor(() => open, "open over LongPoll");
    if (!(socket.conn instanceof api.LongPoll)) fail("conn should be a LongPoll");
    const ch = socket.channel(topic("room", "nows"));
    eq(await reply(ch.join()), { status: "ok", response: { user_id: "nows" } }, "join");
    await close(socket);
    return [];
  },

  async longpoll_requests_carry_the_token_and_the_auth_header_on_polls_only(api, base) {
    return recordingXhr(async (log) => {
      const socket = await connected(api, base, { authToken: "s3cret", params: { user_id: "wire" } });
      const ch = socket.channel(topic("room", "wire"));
      const r = await reply(ch.join());
      eq(r.response, { user_id: "wire", auth_token: "s3cret" }, "authToken echoed in the join reply");
      await close(socket);
      const gets = log.filter((x) => x.method === "GET");
      const posts = log.filter((x) => x.method === "POST");
      if (gets.length < 2 || posts.length < 1) fail(`expected polls and a POST, got ${gets.length} GET ${posts.length} POST`);
      if (!gets[0].url.endsWith("/socket/longpoll?user_id=wire&vsn=2.0.0&")) fail("first poll URL " + gets[0].url);
      if (!/\?user_id=wire&vsn=2\.0\.0&token=[^&]+$/.test(gets[1].url)) fail("second poll URL " + gets[1].url);
      for (const g of gets) {
        eq(g.headers, { Accept: "application/json", "X-Phoenix-AuthToken": "s3cret" }, "GET headers");
        eq(g.body, null, "GET body");
      }
      for (const p of posts) {
        eq(p.headers, { "Content-Type": "application/x-ndjson" }, "POST headers (no authToken)");
        if (!/&token=[^&]+$/.test(p.url)) fail("POST URL " + p.url);
      }
      eq(JSON.parse(posts[0].body.split("\n")[0])[3], "phx_join", "the join travels in a POST");
      return [];
    });
  },

  async longpoll_binary_pushes_travel_as_base64_lines(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "lpbin"));
    await reply(ch.join());
    const info = await reply(ch.push("binary_info", new Uint8Array([1, 2, 255, 0, 7]).buffer));
    eq(info, { status: "ok", response: { size: 5, base64: "AQL/AAc=" } }, "the server decoded the base64 line");
    // Server→client binary cannot travel over LongPoll: the server answers {base64}.
    const echo = await reply(ch.push("binary", new Uint8Array([9, 8]).buffer));
    eq(echo, { status: "ok", response: { base64: "CQg=" } }, "binary echo over LongPoll");
    await close(socket);
    return [info.response];
  },

  // phoenix.js uses its own JSON codec over LongPoll (spec §2.1): a custom encode/decode
  // given with transport: LongPoll is never called.
  async longpoll_ignores_a_custom_encode_and_decode(api, base) {
    let calls = 0;
    const socket = await connected(api, base, {
      encode: (_msg, callback) => { calls++; return callback("not a frame"); },
      decode: (_raw, callback) => { calls++; return callback({}); },
    });
    const ch = socket.channel(topic("room", "lpcodec"));
    await reply(ch.join());
    eq(await reply(ch.push("ping", { n: 1 })), { status: "ok", response: { n: 1 } }, "ping over LongPoll");
    eq(calls, 0, "custom codec calls");
    await close(socket);
    return [];
  },

  async longpoll_250_pushes_in_one_tick_go_in_posts_of_100_one_at_a_time(api, base) {
    return recordingXhr(async (log, maxInFlight) => {
      const socket = await connected(api, base);
      const ch = socket.channel(topic("room", "batch"));
      await reply(ch.join());
      const before = log.filter((r) => r.method === "POST").length;
      const replies = [];
      for (let i = 0; i < 250; i++) ch.push("ping", { i }).receive("ok", (r) => replies.push(r.i));
      await waitFor(() => replies.length === 250, "250 replies", 10000);
      eq(replies, Array.from({ length: 250 }, (_, i) => i), "replies in order");
      const posts = log.filter((r) => r.method === "POST").slice(before);
      eq(posts.map((p) => p.body.split("\n").length), [100, 100, 50], "POST sizes");
      const sent = posts.flatMap((p) => p.body.split("\n").map((l) => JSON.parse(l)[4].i));
      eq(sent, Array.from({ length: 250 }, (_, i) => i), "frames in order across POSTs");
      eq(maxInFlight(), 1, "one POST in flight at a time");
      await close(socket);
      return [];
    });
  },

  async longpoll_drop_reconnects_with_a_new_instance_and_rejoins(api, base) {
    const socket = await connected(api, base, { reconnectAfterMs: () => 100 });
    const first = socket.conn;
    if (!(first instanceof api.LongPoll)) fail("conn should be a LongPoll");
    const ch = socket.channel(topic("room", "lpdrop"));
    let joins = 0;
    ch.join().receive("ok", () => joins++);
    await waitFor(() => joins === 1, "join");
    const errors = [];
    const closes = [];
    socket.onError((e) => errors.push(e));
    socket.onClose((e) => closes.push([e.code, e.reason, e.wasClean]));
    await control(base, "drop");
    await waitFor(() => joins === 2, "rejoin", 8000);
    eq(errors[0], 410, "the transport reports the lost session");
    eq(closes[0], [3410, "session_gone", false], "close 3410");
    if (socket.conn === first) fail("a reconnect must use a new LongPoll");
    if (!(socket.conn instanceof api.LongPoll)) fail("the new conn should be a LongPoll");
    eq(await reply(ch.push("ping", { after: "drop" })), { status: "ok", response: { after: "drop" } }, "works after");
    await close(socket);
    return [errors[0], closes[0]];
  },

  async longpoll_server_restart_loses_the_session_and_channels_rejoin(api, base) {
    const socket = await connected(api, base, { reconnectAfterMs: () => 100, rejoinAfterMs: () => 100 });
    const first = socket.conn;
    const ch = socket.channel(topic("room", "restart"));
    let joins = 0;
    ch.join().receive("ok", () => joins++);
    await waitFor(() => joins === 1, "join");
    await control(base, "restart");
    await waitFor(() => joins === 2, "rejoin after the restart", 10000);
    if (socket.conn === first) fail("a new LongPoll after the lost session");
    eq(await reply(ch.push("ping", { after: "restart" })), { status: "ok", response: { after: "restart" } }, "works after");
    await close(socket);
    return [];
  },

  async longpoll_xhr_poll_timeout_reads_as_status_0(api, base) {
    // The server holds polls for 2 s; XHR fires readystatechange(4) before "timeout",
    // so phoenix.js reports 500 / 1011 rather than "timeout" (spec §7.3).
    const { lp, ev } = await timedOutPoll(api, base);
    eq(ev, ["open", ["error", 500], ["close", 1011, "internal server error", false]], "events");
    eq(lp.readyState, 0, "connecting: the socket retries with a new instance");
    return ev;
  },

  async longpoll_over_fetch_when_there_is_no_xhr(api, base) {
    return fetchOnly(null, async () => {
      const socket = await connected(api, base, { authToken: "via-fetch", params: { user_id: "f" } });
      const ch = socket.channel(topic("room", "fetch"));
      eq(await reply(ch.join()), { status: "ok", response: { user_id: "f", auth_token: "via-fetch" } }, "join");
      eq(await reply(ch.push("ping", { n: 1 })), { status: "ok", response: { n: 1 } }, "ping");
      const info = await reply(ch.push("binary_info", new Uint8Array([7]).buffer));
      eq(info.response, { size: 1, base64: "Bw==" }, "binary_info");
      await close(socket);
      // A fetch poll that outlives `timeout` is aborted and reported as "timeout".
      const { ev } = await timedOutPoll(api, base);
      eq(ev, ["open", ["error", "timeout"], ["close", 1005, "timeout", false]], "fetch timeout");
      return [];
    });
  },

  async longpoll_without_xhr_or_fetch_throws(api) {
    const lp = new api.LongPoll("ws://example.test/socket/websocket");
    const saved = { xhr: globalThis.XMLHttpRequest, fetch: globalThis.fetch };
    let msg = "";
    globalThis.XMLHttpRequest = undefined;
    globalThis.fetch = undefined;
    try {
      lp.poll();
    } catch (e) {
      msg = e.message;
    } finally {
      globalThis.XMLHttpRequest = saved.xhr;
      globalThis.fetch = saved.fetch;
    }
    lp.close();
    eq(msg, "No suitable XMLHttpRequest implementation found", "error");
    return [];
  },

  async longpoll_poll_answers_drive_the_state_machine(api) {
    const fake = fakeFetch();
    return fetchOnly(fake.fetch, async () => {
      const { lp, ev } = recordedLongPoll(api);
      eq(fake.calls.length, 0, "no request before the first macrotask");
      await waitFor(() => fake.calls.length === 1, "first poll");
      const c0 = fake.calls[0];
      eq([c0.method, c0.url, c0.headers, c0.body], ["GET", "http://example.test/socket/longpoll?vsn=2.0.0&", { Accept: "application/json" }, null], "first poll");
      c0.answer(JSON.stringify({ status: 410, token: "T1", messages: [] }));
      await waitFor(() => fake.calls.length === 2, "second poll");
      eq(ev, [["open", {}]], "410 without a token opens");
      eq([lp.readyState, lp.endpointURL()], [1, "http://example.test/socket/longpoll?vsn=2.0.0&token=T1"], "open with the session token");
      eq(fake.calls[1].url, "http://example.test/socket/longpoll?vsn=2.0.0&token=T1", "token in the URL");
      // 200: polls again at once; each message in its own macrotask.
      const order = [];
      lp.onmessage = (e) => {
        order.push(e.data);
        Promise.resolve().then(() => order.push("microtask after " + e.data));
      };
      fake.calls[1].answer(JSON.stringify({ status: 200, token: "T1", messages: ["a", "b"] }));
      await waitFor(() => fake.calls.length === 3, "poll after 200");
      await waitFor(() => order.length === 4, "both messages");
      eq(order, ["a", "microtask after a", "b", "microtask after b"], "one macrotask per message");
      lp.onmessage = (e) => ev.push(["message", e.data]);
      // A 200 without messages and one with odd messages: no exception, poll again.
      fake.calls[2].answer(JSON.stringify({ status: 200, token: "T1" }));
      await waitFor(() => fake.calls.length === 4, "poll after a 200 without messages");
      fake.calls[3].answer(JSON.stringify({ status: 200, token: "T1", messages: [1, null, { x: 1 }] }));
      await waitFor(() => fake.calls.length === 5 && ev.length === 4, "odd messages");
      eq(ev.slice(1), [["message", 1], ["message", null], ["message", { x: 1 }]], "odd messages as they are");
      fake.calls[4].answer(JSON.stringify({ status: 204, token: "T1", messages: [] }));
      await waitFor(() => fake.calls.length === 6, "poll after 204");
      // 410 with a token: the session is gone.
      fake.calls[5].answer(JSON.stringify({ status: 410, token: null, messages: [] }));
      await waitFor(() => ev.length === 6, "session gone");
      eq(ev.slice(4), [["error", 410], ["close", 3410, "session_gone", false]], "session gone");
      eq(lp.readyState, 0, "connecting: the socket retries with a new instance");
      await sleep(20);
      eq(fake.calls.length, 6, "no poll after closeAndRetry");
      return [];
    });
  },

  async longpoll_bad_answers_close_and_retry_without_exceptions(api) {
    const fake = fakeFetch();
    return fetchOnly(fake.fetch, async () => {
      const retry = [["error", 500], ["close", 1011, "internal server error", false]];
      const cases = [
        ["empty body", (c) => c.answer(""), retry, 0],
        ["not JSON", (c) => c.answer("<html>oops</html>"), retry, 0],
        ["null", (c) => c.answer("null"), retry, 0],
        ["0", (c) => c.answer("0"), retry, 0],
        ["status 0", (c) => c.answer('{"status":0}'), retry, 0],
        ["status 500", (c) => c.answer('{"status":500}'), retry, 0],
        ["network error", (c) => c.fail(new TypeError("Failed to fetch")), retry, 0],
        ["403", (c) => c.answer('{"status":403}'), [["error", 403], ["close", 1008, "forbidden", false]], 3],
      ];
      const seen = [];
      for (const [name, act, want, state] of cases) {
        const { lp, ev } = recordedLongPoll(api);
        const n = fake.calls.length;
        await waitFor(() => fake.calls.length === n + 1, name + ": poll");
        act(fake.calls[n]);
        await waitFor(() => ev.length === want.length, name + ": events");
        eq(ev, want, name);
        eq(lp.readyState, state, name + ": readyState");
        await sleep(10);
        eq(fake.calls.length, n + 1, name + ": no further request");
        seen.push(name);
      }
      return seen;
    });
  },

  async longpoll_sends_coalesce_per_tick_and_batches_wait_for_their_ack(api) {
    const fake = fakeFetch();
    return fetchOnly(fake.fetch, async () => {
      const { lp, ev } = recordedLongPoll(api, 20000, ["phoenix", "base64url.bearer.phx." + btoa("tok").replace(/=/g, "")]);
      await openFake(fake, lp);
      eq(fake.gets()[1].headers, { Accept: "application/json", "X-Phoenix-AuthToken": "tok" }, "polls carry the authToken");
      lp.send("a");
      lp.send("b");
      eq(fake.posts().length, 0, "sends wait for a macrotask");
      await waitFor(() => fake.posts().length === 1, "first POST");
      const p0 = fake.posts()[0];
      eq([p0.body, p0.headers, p0.url], ["a\nb", { "Content-Type": "application/x-ndjson" }, "http://example.test/socket/longpoll?vsn=2.0.0&token=T"], "one POST for one tick");
      lp.send("c");
      lp.send(new Uint8Array([0, 1, 2, 255]).buffer);
      await sleep(20);
      eq(fake.posts().length, 1, "later sends wait for the ack");
      p0.answer('{"status":200}');
      await waitFor(() => fake.posts().length === 2, "buffered POST");
      eq(fake.posts()[1].body, "c\nAAEC/w==", "buffered sends, binary as base64");
      fake.posts()[1].answer('{"status":200}');
      await sleep(10);
      const lines = Array.from({ length: 250 }, (_, i) => "m" + i);
      for (const l of lines) lp.send(l);
      for (const [k, [from, to]] of [[0, 100], [100, 200], [200, 250]].entries()) {
        await waitFor(() => fake.posts().length === 3 + k, "POST " + k);
        await sleep(10);
        eq(fake.posts().length, 3 + k, "one POST at a time");
        eq(fake.posts()[2 + k].body.split("\n"), lines.slice(from, to), "lines " + from + ".." + to);
        fake.posts()[2 + k].answer('{"status":200}');
      }
      await sleep(10);
      eq(fake.posts().length, 5, "250 lines in 3 POSTs");
      eq(ev, [["open", {}]], "no error so far");
      // A refused batch closes with 1011 and reports its status.
      lp.send("x");
      await waitFor(() => fake.posts().length === 6, "last POST");
      fake.posts()[5].answer('{"status":410}');
      await waitFor(() => ev.length === 3, "refused batch");
      eq(ev.slice(1), [["error", 410], ["close", 1011, "internal server error", false]], "refused batch");
      if (!fake.gets()[1].init.signal.aborted) fail("the pending poll is aborted");
      // And a batch without an answer body reports null.
      const other = recordedLongPoll(api);
      await waitFor(() => fake.gets().length === 3, "other first poll");
      fake.gets()[2].answer(JSON.stringify({ status: 410, token: "U", messages: [] }));
      await waitFor(() => other.lp.readyState === 1, "other open");
      other.lp.send("y");
      await waitFor(() => fake.posts().length === 7, "other POST");
      fake.posts()[6].answer("");
      await waitFor(() => other.ev.length === 3, "empty ack");
      eq(other.ev.slice(1), [["error", null], ["close", 1011, "internal server error", false]], "empty ack");
      return [];
    });
  },

  async longpoll_close_cancels_queued_messages_and_aborts_requests(api) {
    const fake = fakeFetch();
    return fetchOnly(fake.fetch, async () => {
      const { lp, ev } = recordedLongPoll(api);
      await openFake(fake, lp);
      const got = [];
      lp.onmessage = (e) => {
        got.push(e.data);
        if (e.data === "a") lp.close(1000, "bye");
      };
      lp.send("pending");
      fake.gets()[1].answer(JSON.stringify({ status: 200, token: "T", messages: ["a", "b", "c"] }));
      await waitFor(() => got.length > 0, "first message");
      await sleep(30);
      eq(got, ["a"], "the rest is cancelled");
      eq(ev.slice(1), [["close", 1000, "bye", true]], "close event");
      eq(lp.readyState, 3, "closed");
      if (!fake.gets()[2].init.signal.aborted) fail("the next poll is aborted");
      eq(fake.posts().length, 1, "the batch went before the close");
      if (!fake.posts()[0].init.signal.aborted) fail("the pending POST is aborted");
      // A fetch that outlives `timeout` is aborted and reported as "timeout".
      const slow = recordedLongPoll(api, 50);
      await waitFor(() => slow.ev.length === 2, "fetch timeout", 2000);
      eq(slow.ev, [["error", "timeout"], ["close", 1005, "timeout", false]], "fetch timeout");
      return [];
    });
  },
});

/** Runs one scenario by name (the entry point of the browser tests). */
export async function run(name, api, base) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario(api, base);
}
