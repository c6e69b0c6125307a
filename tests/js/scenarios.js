// Scenarios written the way phoenix.js users write code, run against any implementation of
// its API: `api` is `{Socket}` (ours in the browser tests, phoenix 1.8.16 or ours in Node).
// Each scenario takes (api, baseUrl) — baseUrl like "http://127.0.0.1:4010" — throws on
// a failed expectation and returns a log of what the user saw.

let unique = 0;
const topic = (prefix, name) => `${prefix}:${name}-${Date.now().toString(36)}-${++unique}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fail(msg) {
  throw new Error(msg);
}

// JSON with object keys sorted: servers do not promise key order.
function canonical(value) {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v);
}

function eq(actual, expected, what) {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

async function waitFor(pred, what, ms = 5000) {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > ms) fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function wsUrl(base) {
  return base.replace(/^http/, "ws") + "/socket";
}

async function control(base, what) {
  // The test page is on another origin: a no-cors POST still reaches the server.
  // The browser may report the opaque answer as a network error; the effect is checked
  // by what the sockets see.
  const init = typeof window === "undefined" ? { method: "POST" } : { method: "POST", mode: "no-cors" };
  await fetch(`${base}/control/${what}`, init).catch(() => {});
}

function socketFor(api, base, opts = {}) {
  return new api.Socket(wsUrl(base), opts);
}

async function connected(api, base, opts) {
  const socket = socketFor(api, base, opts);
  let open = false;
  socket.onOpen(() => (open = true));
  socket.connect();
  await waitFor(() => open, "socket open");
  return socket;
}

function reply(push) {
  return new Promise((resolve) => {
    push
      .receive("ok", (response) => resolve({ status: "ok", response }))
      .receive("error", (response) => resolve({ status: "error", response }))
      .receive("timeout", (response) => resolve({ status: "timeout", response }));
  });
}

async function close(socket) {
  await new Promise((resolve) => socket.disconnect(resolve));
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
        ch.join().receive("ok", () => {
          log.push("joined");
          // push() inside receive(), leave() inside the push's receive()
          ch.push("ping", { x: 1 }).receive("ok", () => {
            log.push("pinged");
            ch.leave();
            log.push("left:" + ch.state);
          });
        });
        // push() inside on()
        ch.on("shout", () => log.push("shout"));
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

  async a_throwing_callback_does_not_corrupt_the_socket(api, base) {
    const socket = await connected(api, base);
    const ch = socket.channel(topic("room", "throw"));
    await reply(ch.join());
    let seen = 0;
    ch.on("shout", () => { seen++; throw new Error("user bug"); });
    // phoenix.js lets the error escape to the event loop; swallow it for the test.
    const onerr = (e) => { if (String(e.message || e.reason).includes("user bug")) e.preventDefault?.(); };
    globalThis.addEventListener?.("error", onerr);
    globalThis.addEventListener?.("unhandledrejection", onerr);
    ch.push("shout", { n: 1 });
    await waitFor(() => seen === 1, "first shout");
    eq(await reply(ch.push("ping", { still: "works" })), { status: "ok", response: { still: "works" } }, "after throw");
    globalThis.removeEventListener?.("error", onerr);
    globalThis.removeEventListener?.("unhandledrejection", onerr);
    await close(socket);
    return [];
  },
};

/** Runs one scenario by name (the entry point of the browser tests). */
export async function run(name, api, base) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario(api, base);
}
