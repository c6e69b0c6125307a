// Channel behaviour checked identically over both transports with the official
// phoenix.js client: websocket.test.mjs and longpoll.test.mjs call
// `channelScenarios(transport)`. Transport-specific checks live in those files.

import {after, afterEach, before, describe, test} from "node:test";
import assert from "node:assert/strict";
import {Presence} from "phoenix";
import {NO_REPLY_TIMEOUT, Clients, collect, control, eventually, join, push, startServer, topic, within} from "./helpers.mjs";

export function channelScenarios(transport) {
  let server;
  let clients;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });
  afterEach(async () => { await clients?.cleanup(); });
  const fresh = () => (clients = new Clients(server, transport));
  const ctx = {get server() { return server; }, fresh};

  describe(`channels over ${transport}`, () => {
    test("join ok answers {user_id} from the user_id connect param", async () => {
      const socket = await fresh().connected({params: {user_id: "alice"}});
      const reply = await join(socket.channel(topic("room", "join"), {device: "node"}));
      assert.deepEqual(reply, {status: "ok", response: {user_id: "alice"}});
    });

    test("user_id falls back to the join param, then to a generated id", async () => {
      const socket = await fresh().connected();
      const a = await join(socket.channel(topic("room", "uid"), {user_id: "from-join"}));
      assert.deepEqual(a.response, {user_id: "from-join"});
      const b = await join(socket.channel(topic("room", "uid")));
      assert.match(b.response.user_id, /^anon-\d+$/);
    });

    test("room:forbidden is refused with {reason: unauthorized}", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel("room:forbidden");
      const reply = await join(channel);
      assert.deepEqual(reply, {status: "error", response: {reason: "unauthorized"}});
      channel.leave();
    });

    test("lobby join is ok and pushes no presence_state", async () => {
      const socket = await fresh().connected({params: {user_id: "lob"}});
      const channel = socket.channel(topic("lobby", "l"));
      const states = collect(channel, "presence_state");
      assert.deepEqual(await join(channel), {status: "ok", response: {user_id: "lob"}});
      // A reply that comes after anything the join could have sent.
      assert.equal((await push(channel, "ping", {})).status, "ok");
      assert.deepEqual(states, []);
    });

    test("ping replies ok with the same payload", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "ping"));
      await join(channel);
      const payload = {a: 1, nested: {b: [1, "two", null]}, s: "é"};
      assert.deepEqual(await push(channel, "ping", payload), {status: "ok", response: payload});
    });

    test("error_reply replies error {reason: nope}", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "err"));
      await join(channel);
      assert.deepEqual(await push(channel, "error_reply"), {status: "error", response: {reason: "nope"}});
    });

    test("unknown event replies error {reason, event}", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "unknown"));
      await join(channel);
      assert.deepEqual(await push(channel, "no_such_event"), {
        status: "error",
        response: {reason: "unknown event", event: "no_such_event"},
      });
    });

    test("noreply never replies: the push times out", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "noreply"));
      await join(channel);
      assert.deepEqual(await push(channel, "noreply", {}, 200), {status: "timeout"});
      // The channel is still usable.
      assert.equal((await push(channel, "ping", {})).status, "ok");
    });

    test("shout is broadcast to every subscriber, sender included, without a reply", async () => {
      const t = topic("room", "shout");
      const c = fresh();
      const [s1, s2] = [await c.connected(), await c.connected()];
      const [ch1, ch2] = [s1.channel(t), s2.channel(t)];
      await join(ch1);
      await join(ch2);
      const got1 = collect(ch1, "shout");
      const got2 = collect(ch2, "shout");
      ch1.push("shout", {text: "hello"}, NO_REPLY_TIMEOUT);
      await eventually(() => got1.length === 1 && got2.length === 1, "shout on both clients");
      assert.deepEqual(got1, [{text: "hello"}]);
      assert.deepEqual(got2, [{text: "hello"}]);
    });

    test("bulk {n: 50} pushes msg {i} 1..50 in order before its reply", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "bulk"));
      await join(channel);
      const msgs = collect(channel, "msg");
      const reply = await push(channel, "bulk", {n: 50});
      assert.deepEqual(reply, {status: "ok", response: {n: 50}});
      assert.deepEqual(msgs.map((m) => m.i), Array.from({length: 50}, (_, i) => i + 1));
    });

    test("binary_info with a binary payload answers {size, base64}", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "bininfo"));
      await join(channel);
      const reply = await push(channel, "binary_info", new Uint8Array([1, 2, 255]).buffer);
      assert.deepEqual(reply, {status: "ok", response: {size: 3, base64: "AQL/"}});
      const json = await push(channel, "binary_info", {not: "binary"});
      assert.deepEqual(json, {status: "error", response: {reason: "expected binary payload"}});
    });

    test("binary with a JSON payload is refused", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "binjson"));
      await join(channel);
      assert.deepEqual(await push(channel, "binary", {}), {
        status: "error",
        response: {reason: "expected binary payload"},
      });
    });

    test("crash: phx_error {reason: channel_crash}, then phoenix.js rejoins", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "crash"));
      const errors = [];
      channel.onError((reason) => errors.push(reason));
      let joins = 0;
      const firstJoin = new Promise((resolve) => {
        channel.join().receive("ok", () => { joins += 1; resolve(); });
      });
      await within(firstJoin, "first join");
      const firstJoinRef = channel.joinRef();
      channel.push("crash", {}, NO_REPLY_TIMEOUT);
      await eventually(() => joins === 2, "automatic rejoin after the crash");
      assert.deepEqual(errors, [{reason: "channel_crash"}]);
      assert.equal(channel.state, "joined");
      assert.notEqual(channel.joinRef(), firstJoinRef);
      assert.equal((await push(channel, "ping", {x: 1})).status, "ok");
    });

    test("stop replies ok, then phx_close closes the channel", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "stop"));
      await join(channel);
      const closed = new Promise((resolve) => channel.onClose(resolve));
      assert.deepEqual(await push(channel, "stop"), {status: "ok", response: {}});
      await within(closed, "phx_close");
      assert.equal(channel.state, "closed");
    });

    test("leave replies ok and closes the channel", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "leave"));
      await join(channel);
      const left = await within(
        new Promise((resolve) => channel.leave().receive("ok", () => resolve("ok"))),
        "leave reply",
      );
      assert.equal(left, "ok");
      assert.equal(channel.state, "closed");
    });

    test("presence: state and diffs with two clients (Presence onJoin/onLeave/list)", async () => {
      const t = topic("room", "presence");
      const c = fresh();
      const s1 = await c.connected({params: {user_id: "p1"}});
      const s2 = await c.connected({params: {user_id: "p2"}});
      const ch1 = s1.channel(t, {device: "laptop", name: "Pat One"});
      const presence = new Presence(ch1);
      const joined = [];
      const left = [];
      presence.onJoin((id, current, newPres) => joined.push({id, metas: newPres.metas}));
      presence.onLeave((id, current, leftPres) => left.push({id, metas: leftPres.metas}));
      await join(ch1);
      await eventually(() => presence.list().length === 1, "own presence in the list");
      const own = presence.list((id, {metas}) => ({id, metas}))[0];
      assert.equal(own.id, "p1");
      assert.equal(own.metas.length, 1);
      const meta = own.metas[0];
      assert.equal(meta.user_id, "p1");
      assert.equal(meta.device, "laptop");
      assert.equal(meta.name, "Pat One");
      assert.equal(typeof meta.phx_ref, "string");
      assert.ok(Number.isInteger(meta.online_at) && meta.online_at > 1.6e12, "online_at is ms since epoch");

      const ch2 = s2.channel(t);
      await join(ch2);
      await eventually(() => presence.list().length === 2, "second client in the list");
      const second = joined.find((j) => j.id === "p2");
      assert.equal(second.metas[0].device, "unknown");
      assert.notEqual(second.metas[0].phx_ref, meta.phx_ref);

      ch2.leave();
      await eventually(() => left.length === 1, "leave of the second client");
      assert.equal(left[0].id, "p2");
      assert.deepEqual(presence.list((id) => id), ["p1"]);
    });

    test("the joiner's own presence_diff arrives before its presence_state", async () => {
      const socket = await fresh().connected({params: {user_id: "order"}});
      const channel = socket.channel(topic("room", "order"));
      const seen = [];
      channel.on("presence_diff", () => seen.push("presence_diff"));
      channel.on("presence_state", () => seen.push("presence_state"));
      await join(channel);
      await eventually(() => seen.length === 2, "diff and state");
      assert.deepEqual(seen, ["presence_diff", "presence_state"]);
    });

    /** Users `a` and `b` in one room; `a` watches with Presence (events: [kind, id, metas]). */
    async function watchedPair(name, [a, b], params2 = {}, opts2 = {}) {
      const t = topic("room", name);
      const c = fresh();
      const s1 = await c.connected({params: {user_id: a}});
      const s2 = await c.connected({params: {user_id: b}, ...opts2});
      const ch1 = s1.channel(t);
      const presence = new Presence(ch1);
      const events = [];
      presence.onJoin((id, current, p) => events.push(["join", id, p.metas]));
      presence.onLeave((id, current, p) => events.push(["leave", id, p.metas]));
      await join(ch1);
      const ch2 = s2.channel(t, params2);
      await join(ch2);
      await eventually(() => presence.list().length === 2, "both present");
      const metasOf = (id) => presence.list((key, {metas}) => ({key, metas})).find((p) => p.key === id)?.metas;
      return {t, c, ch2, presence, events, metasOf};
    }

    test("update_presence: a leave and a join for the key, new meta with phx_ref_prev", async () => {
      const {ch2, events, metasOf} = await watchedPair("update", ["u1", "u2"], {device: "web"});
      const before = metasOf("u2")[0];
      events.length = 0;
      assert.deepEqual(await push(ch2, "update_presence", {device: "phone"}), {status: "ok", response: {}});
      await eventually(() => events.length === 2, "update diff");
      const join_ = events.find((e) => e[0] === "join");
      const leave = events.find((e) => e[0] === "leave");
      assert.equal(join_[1], "u2");
      assert.equal(leave[1], "u2");
      assert.equal(leave[2][0].phx_ref, before.phx_ref);
      assert.equal(join_[2][0].device, "phone");
      assert.equal(join_[2][0].phx_ref_prev, before.phx_ref);
      assert.notEqual(join_[2][0].phx_ref, before.phx_ref);
      const after = metasOf("u2");
      assert.equal(after.length, 1);
      assert.equal(after[0].device, "phone");
    });

    test("leave_presence and track_presence untrack and track again", async () => {
      const {ch2, presence, metasOf} = await watchedPair("track", ["t1", "t2"]);
      assert.deepEqual(await push(ch2, "leave_presence"), {status: "ok", response: {}});
      await eventually(() => presence.list().length === 1, "t2 untracked");
      assert.deepEqual(await push(ch2, "track_presence", {device: "tablet"}), {status: "ok", response: {}});
      await eventually(() => presence.list().length === 2, "t2 tracked again");
      assert.equal(metasOf("t2")[0].device, "tablet");
      const again = await push(ch2, "track_presence");
      assert.deepEqual(again, {status: "error", response: {reason: "already tracked"}});
    });

    test("presence leaves when a channel crashes and when a socket disconnects", async () => {
      // No rejoin of the crashed channel during the test: it would track again.
      const {t, c, ch2, presence, events} = await watchedPair("pleave", ["w1", "w2"], {}, {rejoinAfterMs: () => 60_000});
      const left = () => events.filter((e) => e[0] === "leave").map((e) => e[1]);
      ch2.push("crash", {}, NO_REPLY_TIMEOUT);
      await eventually(() => left().length === 1, "leave after crash");
      assert.deepEqual(left(), ["w2"]);

      const s3 = await c.connected({params: {user_id: "w3"}});
      await join(s3.channel(t));
      await eventually(() => presence.list().length === 2, "w3 present");
      s3.disconnect();
      // A LongPoll client that stops polling says nothing: its session (and presence)
      // ends when the server's expiry notices, after up to 2 poll windows.
      const {longpoll_window_ms: windowMs} = await control(server, "stats", "GET");
      const wait = transport === "longpoll" ? 2 * windowMs + 5000 : 8000;
      await eventually(() => left().length === 2, "leave after disconnect", wait);
      assert.deepEqual(left(), ["w2", "w3"]);
    });

    test("new_msg is broadcast with name and server time; typing reaches only the others", async () => {
      const t = topic("room", "chat");
      const c = fresh();
      const s1 = await c.connected({params: {user_id: "c1"}});
      const s2 = await c.connected({params: {user_id: "c2"}});
      const ch1 = s1.channel(t, {name: "Ann"});
      const ch2 = s2.channel(t);
      await join(ch1);
      await join(ch2);
      const msgs1 = collect(ch1, "new_msg");
      const msgs2 = collect(ch2, "new_msg");
      const typing1 = collect(ch1, "typing");
      const typing2 = collect(ch2, "typing");
      assert.equal((await push(ch1, "new_msg", {body: "hi"})).status, "ok");
      await eventually(() => msgs2.length === 1, "new_msg on the other client");
      assert.equal(msgs1.length, 1);
      for (const m of [msgs1[0], msgs2[0]]) {
        assert.equal(m.body, "hi");
        assert.equal(m.user_id, "c1");
        assert.equal(m.name, "Ann");
        assert.ok(Number.isInteger(m.at) && m.at > 1.6e12);
      }
      assert.equal((await push(ch1, "typing", {typing: true})).status, "ok");
      await eventually(() => typing2.length === 1, "typing on the other client");
      assert.deepEqual(typing2, [{typing: true, user_id: "c1", name: "Ann"}]);
      assert.deepEqual(typing1, []);
    });

    test("disconnect_me closes every socket of the user; phoenix.js reconnects and rejoins", async () => {
      const c = fresh();
      const user = `dm-${transport}`;
      const s1 = await c.connected({params: {user_id: user}});
      const s2 = await c.connected({params: {user_id: user}});
      const bystander = await c.connected({params: {user_id: "someone-else"}});
      const closes = [0, 0, 0];
      [s1, s2, bystander].forEach((s, i) => s.onClose(() => { closes[i] += 1; }));
      const channels = [s1, s2].map((s) => s.channel(topic("room", "dm")));
      const joins = [0, 0];
      await Promise.all(channels.map((ch, i) => within(
        new Promise((resolve) => ch.join().receive("ok", () => { joins[i] += 1; resolve(); })),
        "join",
      )));
      assert.deepEqual(await push(channels[0], "disconnect_me"), {status: "ok", response: {}});
      await eventually(() => closes[0] >= 1 && closes[1] >= 1, "both sockets of the user closed");
      await eventually(() => joins[0] === 2 && joins[1] === 2, "both channels rejoined");
      assert.equal(closes[2], 0);
      assert.ok(bystander.isConnected());
    });

    test("control drop: the client reconnects and rejoins", async () => {
      const socket = await fresh().connected();
      const channel = socket.channel(topic("room", "drop"));
      let joins = 0;
      await within(new Promise((resolve) => channel.join().receive("ok", () => { joins += 1; resolve(); })), "join");
      let closes = 0;
      socket.onClose(() => { closes += 1; });
      const res = await control(server, "drop");
      assert.equal(res.ok, true);
      assert.ok(res.closed >= 1);
      await eventually(() => joins === 2, "rejoin after drop");
      assert.ok(closes >= 1);
      assert.equal((await push(channel, "ping", {after: "drop"})).response.after, "drop");
    });
  });

  return ctx;
}

/** After every socket of a file closed, an owned server holds nothing. */
export async function assertNoLeaks(server) {
  if (!server.owned) return;
  let stats;
  const zero = async () => {
    for (;;) {
      stats = await control(server, "stats", "GET");
      if (stats.sockets === 0 && stats.channels === 0 && stats.presence_entries === 0 && stats.topics === 0) {
        return stats;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  // LongPoll sessions end only when their client stops polling for 2 windows.
  const {longpoll_window_ms: windowMs} = await control(server, "stats", "GET");
  await within(zero(), "server back to zero sockets, channels and presence", 2 * windowMs + 8000).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(stats)}`);
  });
}
