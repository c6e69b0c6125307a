// The opt-in improvements of issue #11 against the test server, written as a user of
// phoenix-wasm writes them: `api` is `{Socket}` (ours, tests/web_improvements.rs). Each
// scenario takes (api, baseUrl), throws on a failed expectation and returns what it saw.
// Everything here is off by default; the other suites check phoenix.js's defaults.
//
// The /control endpoints act on EVERY client of the server: these scenarios must not run
// concurrently with other suites against the same server.
import {
  close, control, eq, fail, reply, sleep, topic, waitFor, whileHidden, withRandom, wsUrl,
} from "./helpers.js";

/** A connected socket with counters of what its user sees. */
async function connected(api, base, opts = {}) {
  const seen = { opens: 0, closes: [], errors: [], heartbeats: [] };
  const socket = new api.Socket(wsUrl(base), opts);
  socket.onOpen(() => seen.opens++);
  socket.onClose((e) => seen.closes.push(e));
  socket.onError((e) => seen.errors.push(e));
  socket.onHeartbeat((status, latency) => seen.heartbeats.push({ status, latency }));
  socket.connect();
  await waitFor(() => seen.opens === 1, "the first open");
  return { socket, seen };
}

function typeErrorFor(api, opts, name) {
  try {
    new api.Socket("/socket", opts);
  } catch (e) {
    if (!(e instanceof TypeError)) fail(`${name}: expected a TypeError, got ${e}`);
    if (!String(e.message).includes(name)) fail(`${name}: message does not name it: ${e.message}`);
    return e.message;
  }
  fail(`${name}: no error for ${JSON.stringify(opts)}`);
}

export const scenarios = {
  async full_jitter_reconnects_after_a_random_share_of_the_schedule(api, base) {
    // Without jitter this socket would wait 60 s; a random draw of 0.001 makes it 60 ms.
    return withRandom(0.001, async () => {
      const { socket, seen } = await connected(api, base, {
        reconnectAfterMs: () => 60_000,
        reconnectJitter: "full",
      });
      await control(base, "drop");
      await waitFor(() => seen.opens === 2, "the jittered reconnect", 5000);
      eq(socket.stats().reconnects.close, 1, "reconnects counted as close");
      await close(socket);
      return socket.stats();
    });
  },

  async hidden_tabs_reconnect_after_the_deferral_only_when_opted_in(api, base) {
    return withRandom(0.5, () =>
      whileHidden(async (becomeVisible) => {
        const deferred = await connected(api, base, { hiddenReconnectDeferMs: 400 });
        const plain = await connected(api, base);
        await control(base, "drop");
        await waitFor(() => deferred.seen.opens === 2, "the deferred reconnect while hidden", 5000);
        eq(document.visibilityState, "hidden", "still hidden");
        await sleep(300);
        eq(plain.seen.opens, 1, "phoenix.js behaviour: no reconnect while hidden");
        becomeVisible();
        await waitFor(() => plain.seen.opens === 2, "the plain socket on visible", 5000);
        await close(deferred.socket);
        await close(plain.socket);
        return { deferred: deferred.socket.stats().reconnects, plain: plain.socket.stats().reconnects };
      }));
  },

  async heartbeat_timeout_and_on_heartbeat_report_a_dead_network(api, base) {
    const { socket, seen } = await connected(api, base, {
      heartbeatIntervalMs: 300,
      heartbeatTimeoutMs: 250,
      reconnectAfterMs: () => 50,
    });
    await waitFor(() => seen.heartbeats.some((h) => h.status === "ok"), "a heartbeat reply");
    const ok = seen.heartbeats.find((h) => h.status === "ok");
    if (typeof ok.latency !== "number" || ok.latency < 0) fail(`latency ${ok.latency}`);
    eq(seen.heartbeats[0], { status: "sent" }, "the first event");
    if (typeof socket.stats().rttMs !== "number") fail("stats().rttMs after a reply");
    await control(base, "blackhole?ms=1200");
    await waitFor(() => seen.heartbeats.some((h) => h.status === "timeout"), "the timeout");
    await waitFor(() => seen.opens >= 2, "the reconnect after the dead network", 10_000);
    const stats = socket.stats();
    if (stats.reconnects.heartbeatTimeout < 1) fail(`stats ${JSON.stringify(stats)}`);
    await close(socket);
    return { heartbeats: seen.heartbeats.map((h) => h.status), stats };
  },

  async the_online_event_probes_the_connection_at_once_when_opted_in(api, base) {
    const probing = await connected(api, base, { probeOnOnline: true });
    const plain = await connected(api, base);
    window.dispatchEvent(new Event("online"));
    await waitFor(() => probing.seen.heartbeats.some((h) => h.status === "ok"), "the probe's reply", 3000);
    eq(probing.seen.heartbeats[0], { status: "sent" }, "the probe went out");
    await sleep(200);
    eq(plain.seen.heartbeats, [], "no probe without the option");
    await close(probing.socket);
    await close(plain.socket);
    return probing.seen.heartbeats;
  },

  async async_params_and_auth_token_are_awaited_before_every_connect(api, base) {
    let calls = 0;
    let tokens = 0;
    const { socket, seen } = await connected(api, base, {
      params: async () => {
        await sleep(20);
        return { user_id: `async-${++calls}` };
      },
      authToken: () => sleep(10).then(() => `tok-${++tokens}`),
      reconnectAfterMs: () => 20,
    });
    const channel = socket.channel(topic("room", "async"));
    const replies = [];
    channel.join().receive("ok", (r) => replies.push(r));
    await waitFor(() => replies.length === 1, "the join");
    eq(replies[0], { user_id: "async-1", auth_token: "tok-1" }, "first connection");
    await control(base, "drop");
    await waitFor(() => replies.length === 2, "the rejoin");
    eq(replies[1], { user_id: "async-2", auth_token: "tok-2" }, "params re-awaited on reconnect");
    eq(seen.opens, 2, "opens");
    await close(socket);
    return replies;
  },

  async async_channel_params_are_awaited_before_every_join_and_a_rejection_retries(api, base) {
    const { socket } = await connected(api, base, { rejoinAfterMs: () => 50 });
    let calls = 0;
    const channel = socket.channel(topic("room", "async-join"), async () => {
      await sleep(10);
      calls++;
      if (calls === 1) throw new Error("token service down");
      return { user_id: `join-${calls}` };
    });
    const seen = [];
    channel
      .join()
      .receive("error", (e) => seen.push(["error", e instanceof Error ? e.message : e]))
      .receive("ok", (r) => seen.push(["ok", r.user_id]));
    await waitFor(() => seen.some(([s]) => s === "ok"), "the retried join", 5000);
    eq(seen, [["error", "token service down"], ["ok", "join-2"]], "join replies");
    eq(channel.state, "joined", "channel state");
    await close(socket);
    return seen;
  },

  async a_rejected_auth_token_fails_the_attempt_and_the_backoff_retries(api, base) {
    let calls = 0;
    const socket = new api.Socket(wsUrl(base), {
      authToken: () => (++calls === 1 ? Promise.reject(new Error("no token yet")) : Promise.resolve("late")),
      reconnectAfterMs: () => 30,
    });
    const seen = { errors: [], closes: [], opens: 0 };
    socket.onError((e) => seen.errors.push(e instanceof Error ? e.message : String(e)));
    socket.onClose((e) => seen.closes.push(e.code));
    socket.onOpen(() => seen.opens++);
    socket.connect();
    await waitFor(() => seen.opens === 1, "the retried connect", 5000);
    eq(seen.errors, ["no token yet"], "onError got the rejection");
    eq(seen.closes, [1006], "onClose got an abnormal close");
    eq(calls, 2, "authToken calls");
    await close(socket);
    return seen;
  },

  async awaitable_pushes_resolve_with_the_reply_and_reject_with_push_errors(api, base) {
    const { socket } = await connected(api, base, { awaitablePushes: true });
    const channel = socket.channel(topic("room", "await"));
    const joined = await channel.join();
    if (typeof joined.user_id !== "string") fail(`join resolved with ${JSON.stringify(joined)}`);
    eq(await channel.push("ping", { a: 1 }), { a: 1 }, "push resolves with the response");
    const both = channel.push("ping", { b: 2 });
    let viaReceive = null;
    both.receive("ok", (r) => (viaReceive = r));
    eq(await both, { b: 2 }, "await");
    eq(viaReceive, { b: 2 }, "receive on the same push");
    const failures = [];
    for (const [event, timeout] of [["error_reply", undefined], ["noreply", 100]]) {
      try {
        await channel.push(event, {}, timeout);
        fail(`${event} resolved`);
      } catch (e) {
        if (!(e instanceof Error)) fail(`rejected with a non-Error ${e}`);
        failures.push({ name: e.name, status: e.status, response: e.response });
      }
    }
    eq(failures, [
      { name: "PushError", status: "error", response: { reason: "nope" } },
      { name: "PushError", status: "timeout", response: {} },
    ], "rejections");
    eq(await channel.leave(), {}, "leave resolves");
    await close(socket);
    return failures;
  },

  async pushes_are_not_thenables_by_default(api, base) {
    const { socket } = await connected(api, base);
    const channel = socket.channel(topic("room", "plain"));
    const push = channel.join();
    eq(typeof push.then, "undefined", "no then");
    const awaited = await push;
    if (awaited !== push) fail("await gave something else than the push itself");
    await reply(push);
    await close(socket);
    return "ok";
  },

  async bounded_buffers_drop_count_and_report_while_offline(api, base) {
    const socket = new api.Socket(wsUrl(base), { pushBufferLimit: 1, sendBufferLimit: 1, bufferDropPolicy: "newest" });
    const channel = socket.channel(topic("room", "bounded"));
    channel.join(); // the join waits in the send buffer (1 of 1)
    const a = reply(channel.push("ping", { n: 1 }));
    const b = reply(channel.push("ping", { n: 2 })); // refused: the push buffer holds 1
    eq(await b, { status: "error", response: { reason: "buffer_full" } }, "refused push");
    socket.push({ topic: "phoenix", event: "heartbeat", payload: {}, ref: socket.makeRef() }); // refused
    let stats = socket.stats();
    eq([stats.buffered, stats.dropped], [{ send: 1, push: 1 }, { send: 1, push: 1 }], "while offline");
    socket.connect();
    eq(await a, { status: "ok", response: { n: 1 } }, "the buffered push after the join");
    stats = socket.stats();
    eq([stats.buffered, stats.dropped], [{ send: 0, push: 0 }, { send: 1, push: 1 }], "after");
    await close(socket);
    return stats;
  },

  async bad_improvement_options_throw_type_errors_naming_them(api) {
    return [
      typeErrorFor(api, { reconnectJitter: "sometimes" }, "reconnectJitter"),
      typeErrorFor(api, { heartbeatTimeoutMs: "soon" }, "heartbeatTimeoutMs"),
      typeErrorFor(api, { hiddenReconnectDeferMs: -1 }, "hiddenReconnectDeferMs"),
      typeErrorFor(api, { sendBufferLimit: -1 }, "sendBufferLimit"),
      typeErrorFor(api, { pushBufferLimit: 1.5 }, "pushBufferLimit"),
      typeErrorFor(api, { bufferDropPolicy: "random" }, "bufferDropPolicy"),
    ];
  },
};

/** Runs one scenario by name (the entry point of the browser tests). */
export async function run(name, api, base) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario(api, base);
}
