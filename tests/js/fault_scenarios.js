// Reliability scenarios (issue 10): faults injected by the test server's /control endpoints
// (testserver/README.md) and a few security checks, written as phoenix.js users write code.
// `api` is `{Socket, Presence}` (ours in tests/web_faults.rs); each scenario takes
// (api, baseUrl), throws on a failed expectation and returns a summary of what it saw.
//
// The control endpoints act on EVERY client of the server: these scenarios must not run
// concurrently with other suites against the same server (wasm-bindgen-test runs the tests
// of one file one after another).

import {
  close, control, eq, fail, reply, sleep, topic, waitFor, wsUrl,
} from "./helpers.js";

// The server's own counts. /control/stats answers with `access-control-allow-origin: *`
// so that a test page can read it.
async function stats(base) {
  const r = await fetch(`${base}/control/stats`);
  if (!r.ok) fail("stats: HTTP " + r.status);
  return r.json();
}

/** A socket that records what its user sees: opens, closes, errors, log lines, messages. */
function observed(api, base, opts = {}) {
  const seen = { opens: 0, closes: 0, errors: 0, logs: [], unmatched: [], joinReplies: [] };
  const socket = new api.Socket(wsUrl(base), {
    logger: (kind, msg, data) => seen.logs.push({ kind, msg, data, epoch: seen.opens }),
    ...opts,
  });
  socket.onOpen(() => seen.opens++);
  socket.onClose(() => seen.closes++);
  socket.onError(() => seen.errors++);
  socket.onMessage((m) => {
    const response = m.payload && m.payload.response;
    if (response && response.reason === "unmatched topic") seen.unmatched.push(m.topic);
    if (m.event === "phx_reply" && m.ref !== null && m.ref === m.join_ref) {
      seen.joinReplies.push({ epoch: seen.opens, topic: m.topic, status: m.payload.status });
    }
  });
  return { socket, seen };
}

/** Server counts attributable to `socket`: its channels and sockets disappear on disconnect. */
async function serverView(base, socket, expectChannels) {
  await sleep(100);
  const before = await stats(base);
  await close(socket);
  let after = before;
  const start = Date.now();
  while (Date.now() - start < 3000) {
    after = await stats(base);
    if (before.channels - after.channels >= expectChannels && before.sockets - after.sockets >= 1) break;
    await sleep(20);
  }
  return { sockets: before.sockets - after.sockets, channels: before.channels - after.channels };
}

export const scenarios = {
  // Issue 10: 50 forced drops of every connection in a row. Afterwards every channel is
  // joined exactly once (server and client), no `unmatched topic`, and every push made
  // during an outage is either delivered exactly once or reports its timeout.
  async fifty_drops_in_a_row_leave_every_channel_joined_once_and_lose_no_push(api, base) {
    const { socket, seen } = observed(api, base, {
      reconnectAfterMs: () => 20,
      rejoinAfterMs: () => 20,
      params: { user_id: "dropper" },
    });
    socket.connect();
    const channels = [0, 1, 2].map((i) => socket.channel(topic("room", "drop" + i)));
    const joinOks = channels.map(() => 0);
    channels.forEach((ch, i) => ch.join().receive("ok", () => joinOks[i]++));
    await waitFor(() => joinOks.every((n) => n === 1), "first joins");

    const pushes = []; // {id, outcomes: [...]}
    const pushDuringOutage = (i, round) => {
      const id = `${i}/${round}`;
      const record = { id, outcomes: [] };
      pushes.push(record);
      channels[i]
        .push("ping", { id }, 1500)
        .receive("ok", (r) => record.outcomes.push(r.id === id ? "ok" : "wrong:" + r.id))
        .receive("error", (r) => record.outcomes.push("error:" + JSON.stringify(r)))
        .receive("timeout", () => record.outcomes.push("timeout"));
    };

    let drops = 0;
    for (let round = 0; round < 50; round++) {
      await waitFor(() => socket.isConnected(), "reconnect before drop " + round);
      const closesBefore = seen.closes;
      await control(base, "drop");
      await waitFor(() => seen.closes > closesBefore, "close after drop " + round);
      drops++;
      // During the outage (reconnect after 20 ms): one push on a rotating channel.
      pushDuringOutage(round % channels.length, round);
    }
    // Every channel back, every push settled (timeouts are 1.5 s).
    await waitFor(() => socket.isConnected() && channels.every((c) => c.state === "joined"), "all rejoined");
    await waitFor(() => pushes.every((p) => p.outcomes.length > 0), "every outage push settled", 5000);
    await sleep(300); // a late duplicate outcome would show here

    for (const p of pushes) {
      if (p.outcomes.length !== 1) fail(`push ${p.id}: outcomes ${JSON.stringify(p.outcomes)} (must be exactly one)`);
      if (p.outcomes[0] !== "ok" && p.outcomes[0] !== "timeout") fail(`push ${p.id}: ${p.outcomes[0]}`);
    }
    const delivered = pushes.filter((p) => p.outcomes[0] === "ok").length;
    if (delivered === 0) fail("no outage push was delivered after a reconnect");

    // Client view: no unmatched topic, at most one join reply per topic per connection,
    // and the last connection joined each channel exactly once.
    eq(seen.unmatched, [], "unmatched topic replies");
    const perEpoch = new Map();
    for (const r of seen.joinReplies) {
      const k = r.epoch + " " + r.topic;
      perEpoch.set(k, (perEpoch.get(k) || 0) + 1);
    }
    for (const [k, n] of perEpoch) if (n > 1) fail(`duplicate join on one connection: ${k} ×${n}`);
    const last = seen.opens;
    for (const ch of channels) {
      const replies = seen.joinReplies.filter((r) => r.epoch === last && r.topic === ch.topic);
      eq(replies.map((r) => r.status), ["ok"], `join replies of ${ch.topic} on the last connection`);
    }
    for (const ch of channels) {
      eq(await reply(ch.push("ping", { after: true })), { status: "ok", response: { after: true } }, "ping after");
    }
    eq(socket.channels.length, 3, "the socket still holds three channels");

    // Server view: this socket held exactly three channel processes.
    const server = await serverView(base, socket, 3);
    eq(server, { sockets: 1, channels: 3 }, "server's view of the socket");
    return { drops, opens: seen.opens, pushes: pushes.length, delivered, timedOut: pushes.length - delivered };
  },

  // Issue 10: a dead network (heartbeats unanswered, connects hang) is detected within two
  // heartbeat intervals — counted as heartbeats sent into the void, not milliseconds — and
  // the socket reconnects and the channel rejoins once the network is back.
  async a_dead_network_is_detected_within_two_heartbeats_and_recovers(api, base) {
    const interval = 200;
    const { socket, seen } = observed(api, base, {
      heartbeatIntervalMs: interval,
      reconnectAfterMs: () => 50,
      rejoinAfterMs: () => 50,
    });
    socket.connect();
    const ch = socket.channel(topic("room", "dead"));
    let joins = 0;
    const chErrors = [];
    ch.onError((reason) => chErrors.push({ reason, at: seen.logs.length }));
    ch.join().receive("ok", () => joins++);
    await waitFor(() => joins === 1, "join");
    await sleep(interval * 2); // a heartbeat or two answered
    const mark = seen.logs.length;
    await control(base, "blackhole?ms=1500");
    await waitFor(() => chErrors.length > 0, "the channel errors", 3000);
    const heartbeatsIntoTheVoid = seen.logs
      .slice(mark, chErrors[0].at)
      .filter((l) => l.kind === "push" && l.msg.startsWith("phoenix heartbeat")).length;
    if (heartbeatsIntoTheVoid < 1 || heartbeatsIntoTheVoid > 2) {
      fail(`detected after ${heartbeatsIntoTheVoid} unanswered heartbeats (want 1 or 2)`);
    }
    eq(chErrors[0].reason, { source: "transport", reason: "heartbeat_timeout" }, "channel error reason");
    if (!seen.logs.some((l) => l.kind === "transport" && l.msg === "heartbeat timeout. Attempting to re-establish connection")) {
      fail("no heartbeat-timeout log line");
    }
    await waitFor(() => joins === 2, "rejoin after the network is back", 10000);
    eq(ch.state, "joined", "joined again");
    eq(socket.isConnected(), true, "connected again");
    eq(await reply(ch.push("ping", { alive: 1 })), { status: "ok", response: { alive: 1 } }, "ping after");
    await close(socket);
    return { heartbeatsIntoTheVoid, opens: seen.opens, closes: seen.closes, errors: seen.errors };
  },

  // Issue 10: a restart forgets every session and presence entry. Both clients reconnect,
  // rejoin and rebuild their rosters from the new presence_state: each user present once,
  // with the new phx_ref, and no stale meta from before the restart.
  async a_server_restart_forgets_presence_and_clients_rebuild_it(api, base) {
    const t = topic("room", "restart");
    const opts = { reconnectAfterMs: () => 50, rejoinAfterMs: () => 50 };
    const users = ["ra", "rb"].map((id) => {
      const socket = new api.Socket(wsUrl(base), { ...opts, params: { user_id: id } });
      socket.connect();
      const ch = socket.channel(t, { device: "d-" + id });
      const presence = new api.Presence(ch);
      const u = { id, socket, ch, presence, syncs: 0, joins: 0 };
      presence.onSync(() => u.syncs++);
      ch.join().receive("ok", () => u.joins++);
      return u;
    });
    const roster = (u) =>
      u.presence.list((id, { metas }) => ({ id, refs: metas.map((m) => m.phx_ref), devices: metas.map((m) => m.device) }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    const complete = (u) => {
      const r = roster(u);
      return r.length === 2 && r.every((e) => e.refs.length === 1);
    };
    await waitFor(() => users.every((u) => u.joins === 1 && complete(u)), "both users see both");
    const before = roster(users[0]);
    eq(roster(users[1]), before, "both rosters agree");
    const syncsBefore = users.map((u) => u.syncs);

    await control(base, "restart");
    await waitFor(() => users.every((u) => u.joins === 2), "both rejoin", 10000);
    await waitFor(
      () => users.every((u, i) => u.syncs > syncsBefore[i] && complete(u) &&
        roster(u).every((e, k) => e.refs[0] !== before[k].refs[0])),
      "rosters rebuilt with the new presence refs", 10000);
    const after = roster(users[0]);
    eq(roster(users[1]), after, "both rosters agree after the restart");
    eq(after.map((e) => [e.id, e.devices]), [["ra", ["d-ra"]], ["rb", ["d-rb"]]], "users and devices");

    // And the rebuilt rosters keep following diffs.
    await close(users[1].socket);
    await waitFor(() => roster(users[0]).length === 1, "rb's leave after the restart");
    eq(roster(users[0]).map((e) => e.id), ["ra"], "roster after rb left");
    await close(users[0].socket);
    return { before, after };
  },

  // Issue 10: garbage frames (bad JSON, wrong arity, unknown binary kind, truncated binary)
  // are each logged and dropped; the connection and the messages after them are unaffected.
  async garbage_frames_are_logged_and_dropped_and_later_messages_arrive(api, base) {
    const { socket, seen } = observed(api, base);
    socket.connect();
    const ch = socket.channel(topic("room", "garbage"));
    const shouts = [];
    let chErrors = 0;
    ch.onError(() => chErrors++);
    ch.on("shout", (p) => shouts.push(p));
    eq((await reply(ch.join())).status, "ok", "join");
    const opensBefore = seen.opens;
    await control(base, "garbage?n=5");
    const dropped = () => seen.logs.filter((l) => l.kind === "transport" && l.msg.startsWith("dropping malformed frame")).length;
    await waitFor(() => dropped() === 20, "20 malformed frames logged (5 rounds × 4)", 5000);
    const reasons = [...new Set(seen.logs.filter((l) => l.msg.startsWith("dropping malformed frame")).map((l) => l.msg))].sort();
    if (reasons.length < 3) fail("expected several kinds of malformed frame, got " + JSON.stringify(reasons));
    ch.push("shout", { after: "garbage" });
    await waitFor(() => shouts.length === 1, "a broadcast after the garbage");
    eq(shouts, [{ after: "garbage" }], "broadcast");
    eq(await reply(ch.push("ping", { after: true })), { status: "ok", response: { after: true } }, "ping after");
    const bin = await reply(ch.push("binary", new Uint8Array([4, 2]).buffer));
    eq(Array.from(new Uint8Array(bin.response)), [4, 2], "binary reply after binary garbage");
    await sleep(100);
    eq(dropped(), 20, "nothing else dropped");
    eq([seen.closes, seen.errors, seen.opens - opensBefore, chErrors], [0, 0, 0, 0], "closes, errors, reopens, channel errors");
    eq(ch.state, "joined", "still joined");
    await close(socket);
    return reasons;
  },

  // Issue 10, security: the authToken travels only in Sec-WebSocket-Protocol, never in
  // the URL or a log line; params are URL-encoded.
  async auth_token_stays_out_of_urls_and_logs_and_params_are_encoded(api, base) {
    const token = "s3cret-Tok3n";
    const b64 = btoa(token).replace(/=/g, "");
    const { socket, seen } = observed(api, base, {
      authToken: () => token,
      params: { a: "x&y=z", "k y": "ü/?#", user_id: "sec" },
    });
    const url = socket.endPointURL();
    if (!url.includes("a=x%26y%3Dz")) fail("params are not URL-encoded: " + url);
    if (!url.includes("k%20y=%C3%BC%2F%3F%23")) fail("keys and non-ASCII are not URL-encoded: " + url);
    socket.connect();
    const ch = socket.channel(topic("room", "sec"));
    const joined = await reply(ch.join());
    // The server echoes the token it decoded: proof that it travelled (in the subprotocol).
    eq(joined.response.auth_token, token, "the server received the token");
    await reply(ch.push("ping", { x: 1 }));
    await close(socket);
    for (const u of [url, socket.endPointURL()]) {
      if (u.includes(token) || u.includes(b64)) fail("token in the URL: " + u);
    }
    // Log lines: the text of every line, and the data of every line except inbound
    // payloads (the join reply carries the server's echo of the token, which is the
    // server's choice, not a leak by the client).
    for (const l of seen.logs) {
      const text = l.kind + " " + l.msg;
      if (text.includes(token) || text.includes(b64)) fail("token in a log line: " + text);
      if (l.kind !== "receive") {
        let data = "";
        try { data = JSON.stringify(l.data) || ""; } catch (_) { data = String(l.data); }
        if (data.includes(token) || data.includes(b64)) fail("token in log data: " + text + " " + data);
      }
    }
    if (!seen.logs.some((l) => l.kind === "transport" && l.msg.includes("connected to"))) fail("no connect log line");
    return { url, lines: seen.logs.length };
  },

  // Issue 10, security: nothing from the server is evaluated. Payloads with markup, script
  // text and prototype keys come back as inert data; no global and no prototype changes.
  async nothing_from_the_server_is_evaluated(api, base) {
    globalThis.__phx_pwned = undefined;
    const socket = new api.Socket(wsUrl(base), {});
    socket.connect();
    const ch = socket.channel(topic("room", "eval"));
    eq((await reply(ch.join())).status, "ok", "join");
    const hostile = JSON.parse(
      '{"html":"<img src=x onerror=\\"globalThis.__phx_pwned=1\\">","js":"globalThis.__phx_pwned=2",' +
      '"fn":"function(){globalThis.__phx_pwned=3}","__proto__":{"polluted":true},' +
      '"constructor":{"prototype":{"polluted":true}}}');
    const got = [];
    ch.on("shout", (p) => got.push(p));
    ch.push("shout", hostile);
    const echoed = await reply(ch.push("ping", hostile));
    await waitFor(() => got.length === 1, "the hostile broadcast");
    for (const p of [echoed.response, got[0]]) {
      eq(typeof p.html, "string", "markup stays a string");
      eq(typeof p.fn, "string", "function text stays a string");
      if (!Object.prototype.hasOwnProperty.call(p, "__proto__")) fail("__proto__ must stay an own data key");
    }
    await sleep(50);
    eq(globalThis.__phx_pwned, undefined, "no script ran");
    eq(({}).polluted, undefined, "Object.prototype untouched");
    eq(Object.prototype.polluted, undefined, "Object.prototype untouched");
    await close(socket);
    return echoed.response;
  },
};

/** Runs one scenario by name (the entry point of the browser tests). */
export async function run(name, api, base) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario(api, base);
}
