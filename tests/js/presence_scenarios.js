// Presence scenarios against the test server's `room:*` channels (issue 5), written the way
// phoenix.js users write code and run against any implementation of its API: `api` is
// `{Socket, Presence}` (ours in the browser, tests/web_presence_server.rs; ours or phoenix
// 1.8.16 in Node, tests/node/presence.test.mjs). Each scenario takes (api, baseUrl), throws
// on a failed expectation and returns a log of what the user saw.
//
// What the server does (testserver/README.md): a `room:*` join tracks the user (the
// `user_id` connect param) with a meta {online_at, user_id, device (join param), phx_ref}
// (+ name); the diff is broadcast to the topic and reaches the joiner *before* its
// presence_state. `update_presence` {device} broadcasts a leave and a join for the key (the
// new meta with `phx_ref_prev`); a channel leave or a closed socket broadcasts a leave.
// Server JSON has no promised key order: comparisons sort keys (`eq`), and user names are
// chosen so that the server's (sorted) state order is also the join order.
//
// This module imports only ./seed.js and ./helpers.js, which tests/web_presence_server.rs
// and tests/web_common name, so wasm-bindgen copies them beside it.
import { UserPresenceTracker, TypingIndicator, ActivityMonitor } from "./seed.js";

import {
  canonical, close, control, eq, fail, reply, sleep, topic as roomTopic, waitFor as waitForMs,
  wsUrl,
} from "./helpers.js";

const topic = (name) => roomTopic("room", `presence-${name}`);
const waitFor = (pred, what, ms = 5000) => waitForMs(pred, what, ms);

async function connected(api, base, opts) {
  const socket = new api.Socket(wsUrl(base), opts);
  let open = false;
  socket.onOpen(() => (open = true));
  socket.connect();
  await waitFor(() => open, "socket open");
  return socket;
}

const devices = (presence) => (presence ? presence.metas.map((m) => m.device) : null);
// `key:device+device` for each presence, in list() order.
const roster = (presence) => presence.list((key, p) => `${key}:${p.metas.map((m) => m.device).join("+")}`);
// Server-generated values replaced, for comparisons with expected structures.
const masked = (value) =>
  JSON.parse(JSON.stringify(value, (k, v) => (k === "phx_ref" || k === "phx_ref_prev" || k === "online_at" ? "*" : v)));

/**
 * A user in a room: a socket (connect params {user_id, name?}), a channel joined with
 * {device}, a Presence on it created before the join, and a log of its callbacks, each
 * recorded when it runs: ["join"|"leave", key, current's devices (null: undefined),
 * the new/left presence's devices] and ["sync", roster]. `raw` keeps JSON copies.
 */
async function member(api, base, t, user, device, { params = {}, socket: socketOpts = {}, before } = {}) {
  const socket = await connected(api, base, { params: { user_id: user, ...params }, ...socketOpts });
  const channel = socket.channel(t, { device });
  const m = { socket, channel, log: [], raw: [], syncs: 0 };
  if (before) before(m);
  const presence = new api.Presence(channel);
  m.presence = presence;
  presence.onJoin((key, current, p) => {
    m.log.push(["join", key, devices(current), devices(p)]);
    m.raw.push(["join", key, JSON.parse(JSON.stringify(current ?? null)), JSON.parse(JSON.stringify(p))]);
  });
  presence.onLeave((key, current, p) => {
    m.log.push(["leave", key, devices(current), devices(p)]);
    m.raw.push(["leave", key, JSON.parse(JSON.stringify(current)), JSON.parse(JSON.stringify(p))]);
  });
  presence.onSync(() => {
    m.syncs++;
    m.log.push(["sync", roster(presence)]);
  });
  const r = await reply(channel.join());
  eq(r, { status: "ok", response: { user_id: user } }, `${user} joins`);
  return m;
}

const synced = (m, what, pred) => waitFor(() => !m.presence.inPendingSyncState() && pred(roster(m.presence)), what);
const rosterIs = (m, expected, what) => synced(m, what, (r) => canonical(r) === canonical(expected));

// ---- the Typing channel of the seed's TypingIndicator -------------------------------------
// The seed's TypingIndicator expects an application channel with `user_typing` /
// `user_stopped_typing` broadcasts and `typing_start` / `typing_stop` pushes. The test
// server has one `typing` event (broadcast to the others with `user_id` and `name` added),
// so this adapter is that application contract: the pushes become `typing` {typing: bool}
// and the broadcasts are routed back by that flag.
function seedTypingChannel(channel) {
  return {
    on(event, callback) {
      const want = { user_typing: true, user_stopped_typing: false }[event];
      if (want === undefined) return channel.on(event, callback);
      return channel.on("typing", (p) => {
        if (p.typing === want) callback({ user_id: p.user_id, username: p.name });
      });
    },
    push(event, payload) {
      const typing = { typing_start: true, typing_stop: false }[event];
      if (typing === undefined) return channel.push(event, payload);
      return channel.push("typing", { ...payload, typing });
    },
  };
}

export const scenarios = {
  // Two clients see each other join (onJoin) and leave (onLeave) — one by leaving the
  // channel, one by closing its socket — with list() in JS key order and onSync after each.
  async two_clients_see_each_other_join_and_leave(api, base) {
    const t = topic("two");
    const alice = await member(api, base, t, "alice", "a-laptop");
    await rosterIs(alice, ["alice:a-laptop"], "alice's own state");
    // The own diff arrives before the state: held, then applied after it (a second onJoin
    // for the same meta, no duplicate).
    eq(alice.log, [
      ["join", "alice", null, ["a-laptop"]],
      ["join", "alice", ["a-laptop"], ["a-laptop"]],
      ["sync", ["alice:a-laptop"]],
    ], "alice's callbacks for her own join");

    const bob = await member(api, base, t, "bob", "b-phone");
    await rosterIs(bob, ["alice:a-laptop", "bob:b-phone"], "bob's state");
    await rosterIs(alice, ["alice:a-laptop", "bob:b-phone"], "alice sees bob");
    eq(bob.log, [
      ["join", "alice", null, ["a-laptop"]],
      ["join", "bob", null, ["b-phone"]],
      ["join", "bob", ["b-phone"], ["b-phone"]],
      ["sync", ["alice:a-laptop", "bob:b-phone"]],
    ], "bob's callbacks");
    // Both views hold the same presences, phx_refs included.
    eq(bob.presence.list(), alice.presence.list(), "same list() on both clients");
    eq(masked(alice.presence.list()), [
      { metas: [{ device: "a-laptop", online_at: "*", phx_ref: "*", user_id: "alice" }] },
      { metas: [{ device: "b-phone", online_at: "*", phx_ref: "*", user_id: "bob" }] },
    ], "list() contents");
    for (const p of alice.presence.list()) {
      const meta = p.metas[0];
      if (typeof meta.phx_ref !== "string" || typeof meta.online_at !== "number") fail(`meta ${canonical(meta)}`);
    }

    // An integer-like key lists first (JS own-property order), whatever the join order.
    const n42 = await member(api, base, t, "42", "n-tab");
    await rosterIs(alice, ["42:n-tab", "alice:a-laptop", "bob:b-phone"], "alice sees 42 first");
    await rosterIs(n42, ["42:n-tab", "alice:a-laptop", "bob:b-phone"], "42's own view");
    eq(alice.presence.list((key, p) => [key, p.metas.length]), [["42", 1], ["alice", 1], ["bob", 1]], "list(chooser)");

    await reply(bob.channel.leave());
    await rosterIs(alice, ["42:n-tab", "alice:a-laptop"], "bob left the channel");
    await close(n42.socket);
    await rosterIs(alice, ["alice:a-laptop"], "42 closed its socket");
    eq(alice.log.slice(3), [
      ["join", "bob", null, ["b-phone"]],
      ["sync", ["alice:a-laptop", "bob:b-phone"]],
      ["join", "42", null, ["n-tab"]],
      ["sync", ["42:n-tab", "alice:a-laptop", "bob:b-phone"]],
      ["leave", "bob", [], ["b-phone"]],
      ["sync", ["42:n-tab", "alice:a-laptop"]],
      ["leave", "42", [], ["n-tab"]],
      ["sync", ["alice:a-laptop"]],
    ], "alice's callbacks for the others");
    eq(alice.syncs, 5, "onSync once per state or applied diff");
    await close(alice.socket);
    await close(bob.socket);
    return alice.log;
  },

  // One user_id on two sockets: one key with two metas; each device's leave is a partial
  // leave until the last one, and then the key is gone.
  async one_user_on_two_devices_is_one_key_with_two_metas(api, base) {
    const t = topic("devices");
    const obs = await member(api, base, t, "obs", "o-desk");
    await rosterIs(obs, ["obs:o-desk"], "observer synced");
    const phone = await member(api, base, t, "dana", "phone");
    await rosterIs(obs, ["obs:o-desk", "dana:phone"], "dana's phone");
    const laptop = await member(api, base, t, "dana", "laptop");
    await rosterIs(obs, ["obs:o-desk", "dana:phone+laptop"], "dana's two devices");
    await rosterIs(laptop, ["dana:phone+laptop", "obs:o-desk"], "the laptop's view");
    await rosterIs(phone, ["dana:phone+laptop", "obs:o-desk"], "the phone's view");
    const dana = obs.presence.list((key, p) => (key === "dana" ? p : null)).filter(Boolean);
    eq(dana.length, 1, "one key for dana");
    eq(dana[0].metas.map((m) => m.user_id), ["dana", "dana"], "two metas of the same user");
    if (dana[0].metas[0].phx_ref === dana[0].metas[1].phx_ref) fail("two metas with distinct phx_refs");

    await reply(phone.channel.leave());
    await rosterIs(obs, ["obs:o-desk", "dana:laptop"], "the phone left");
    await reply(laptop.channel.leave());
    await rosterIs(obs, ["obs:o-desk"], "the laptop left");
    eq(obs.log.slice(3), [
      ["join", "dana", null, ["phone"]],
      ["sync", ["obs:o-desk", "dana:phone"]],
      ["join", "dana", ["phone"], ["laptop"]],
      ["sync", ["obs:o-desk", "dana:phone+laptop"]],
      ["leave", "dana", ["laptop"], ["phone"]], // current.metas.length === 1
      ["sync", ["obs:o-desk", "dana:laptop"]],
      ["leave", "dana", [], ["laptop"]], // current.metas.length === 0
      ["sync", ["obs:o-desk"]],
    ], "observer's callbacks");
    const leaves = obs.raw.filter((e) => e[0] === "leave");
    eq(leaves.map(([, key, current, left]) => [key, current.metas.length, left.metas.length]),
      [["dana", 1, 1], ["dana", 0, 1]], "onLeave's current and left metas");
    eq(obs.presence.list().length, 1, "dana is gone from list()");
    if ("dana" in obs.presence.state) fail("dana is still in presence.state");
    await close(obs.socket);
    await close(phone.socket);
    await close(laptop.socket);
    return obs.log;
  },

  // `update_presence` is a leave and a join of the same key in one diff: all joins first
  // (the new meta, with phx_ref_prev), then the leave of the old meta; the key keeps its place.
  async update_presence_is_a_join_then_a_leave_with_phx_ref_prev(api, base) {
    const t = topic("update");
    const obs = await member(api, base, t, "obs", "o-desk");
    await rosterIs(obs, ["obs:o-desk"], "observer synced");
    const erin = await member(api, base, t, "erin", "phone");
    await rosterIs(obs, ["obs:o-desk", "erin:phone"], "erin joined");
    await rosterIs(erin, ["erin:phone", "obs:o-desk"], "erin synced");
    const oldRef = obs.presence.list()[1].metas[0].phx_ref;
    const before = obs.log.length;
    eq(await reply(erin.channel.push("update_presence", { device: "tablet" })), { status: "ok", response: {} }, "update reply");
    await rosterIs(obs, ["obs:o-desk", "erin:tablet"], "the update");
    await rosterIs(erin, ["erin:tablet", "obs:o-desk"], "erin sees her update");
    eq(obs.log.slice(before), [
      ["join", "erin", ["phone"], ["tablet"]],
      ["leave", "erin", ["tablet"], ["phone"]],
      ["sync", ["obs:o-desk", "erin:tablet"]],
    ], "observer's callbacks");
    const [join, leave] = obs.raw.slice(-2);
    eq(join[3].metas[0].phx_ref_prev, oldRef, "the new meta's phx_ref_prev");
    if (join[3].metas[0].phx_ref === oldRef) fail("the new meta has a new phx_ref");
    eq(join[2].metas[0].phx_ref, oldRef, "onJoin's current is the old presence");
    eq(leave[3].metas.map((m) => m.phx_ref), [oldRef], "the left meta");
    const now = obs.presence.list()[1].metas;
    eq(now.length, 1, "one meta after the update");
    eq(now[0].phx_ref_prev, oldRef, "state keeps phx_ref_prev");
    eq(obs.presence.list(), erin.presence.list((key, p) => p).reverse(), "both views agree");
    await close(obs.socket);
    await close(erin.socket);
    return obs.log;
  },

  // The joiner's own diff arrives before its presence_state: it is held (pendingDiffs,
  // inPendingSyncState() true, no callback), then applied after the state.
  async own_diff_before_the_state_is_held_then_applied(api, base) {
    const t = topic("own");
    const seen = [];
    const probe = (m, when, event) => {
      const p = m.presence;
      seen.push([when, event, p.inPendingSyncState(), p.pendingDiffs.length, roster(p), m.log.length]);
    };
    let pendingBeforeJoin;
    const me = await member(api, base, t, "fay", "f-laptop", {
      before: (m) => {
        // Bound before the Presence: runs before it handles each event; the second pair after.
        m.channel.on("presence_diff", () => probe(m, "before", "diff"));
        m.channel.on("presence_state", () => probe(m, "before", "state"));
        queueMicrotask(() => {
          m.channel.on("presence_diff", () => probe(m, "after", "diff"));
          m.channel.on("presence_state", () => probe(m, "after", "state"));
          pendingBeforeJoin = m.presence.inPendingSyncState();
        });
      },
    });
    await rosterIs(me, ["fay:f-laptop"], "own state");
    eq(pendingBeforeJoin, true, "inPendingSyncState() before any state");
    eq(seen, [
      ["before", "diff", true, 0, [], 0],
      ["after", "diff", true, 1, [], 0],
      ["before", "state", true, 1, [], 0],
      ["after", "state", false, 0, ["fay:f-laptop"], 3],
    ], "pending state around the own diff and the state");
    eq(me.log, [
      ["join", "fay", null, ["f-laptop"]],
      ["join", "fay", ["f-laptop"], ["f-laptop"]],
      ["sync", ["fay:f-laptop"]],
    ], "callbacks");
    eq(me.presence.list()[0].metas.length, 1, "the held diff adds no duplicate meta");
    await close(me.socket);
    return seen;
  },

  // After a socket drop the channel rejoins with a new join ref: inPendingSyncState() is
  // true until the new state, diffs in between are held, and the list is rebuilt without
  // duplicates.
  async after_a_drop_the_rejoin_waits_for_the_new_state(api, base) {
    const t = topic("drop");
    const seen = [];
    const probe = (m, event) =>
      seen.push([event, m.presence.inPendingSyncState(), m.channel.joinRef(), roster(m.presence)]);
    const socketOpts = { reconnectAfterMs: () => 100, rejoinAfterMs: () => 100 };
    const gus = await member(api, base, t, "gus", "g-laptop", {
      socket: socketOpts,
      before: (m) => {
        m.channel.on("presence_diff", () => probe(m, "diff"));
        m.channel.on("presence_state", () => probe(m, "state"));
      },
    });
    await rosterIs(gus, ["gus:g-laptop"], "gus synced");
    const hal = await member(api, base, t, "hal", "h-phone", { socket: socketOpts });
    await rosterIs(gus, ["gus:g-laptop", "hal:h-phone"], "gus sees hal");
    const firstJoinRef = gus.channel.joinRef();
    const halJoinRef = hal.channel.joinRef();
    const oldRefs = gus.presence.list().map((p) => p.metas[0].phx_ref);
    const mark = seen.length;
    let reopened = 0;
    gus.socket.onOpen(() => reopened++);

    await control(base, "drop");
    await waitFor(() => reopened > 0 && gus.channel.joinRef() !== firstJoinRef, "gus reconnects and rejoins");
    await waitFor(() => hal.channel.state === "joined" && hal.channel.joinRef() !== halJoinRef, "hal rejoins");
    await synced(gus, "gus sees both again", (r) => r.length === 2 && gus.presence.list().every((p) => !oldRefs.includes(p.metas[0].phx_ref)));
    await sleep(100); // any straggling diff
    eq(roster(gus.presence), ["gus:g-laptop", "hal:h-phone"], "the list after the rejoin");
    for (const p of gus.presence.list()) {
      eq(p.metas.length, 1, "one meta per key, no duplicates");
      if (oldRefs.includes(p.metas[0].phx_ref)) fail("a meta from before the drop survived");
    }

    // Between the rejoin and its state, every event found the Presence pending.
    const after = seen.slice(mark);
    const stateAt = after.findIndex((e) => e[0] === "state");
    if (stateAt < 0) fail(`no state after the rejoin: ${canonical(after)}`);
    const ownDiff = after.findIndex((e) => e[0] === "diff" && e[1]);
    if (ownDiff < 0 || ownDiff > stateAt) fail(`the own diff should come first and be held: ${canonical(after)}`);
    for (const e of after.slice(0, stateAt + 1)) {
      eq(e[1], true, `pending before the new state (${canonical(e)})`);
      eq(e[2], gus.channel.joinRef(), "events of the new join");
    }
    // While pending, the Presence keeps the state from before the drop.
    eq(after[stateAt][3], ["gus:g-laptop", "hal:h-phone"], "the old list until the new state");
    eq(gus.presence.inPendingSyncState(), false, "synced after the new state");
    await close(gus.socket);
    await close(hal.socket);
    return after;
  },

  // ---- the seed's classes (tests/js/seed.js) ---------------------------------------------

  // UserPresenceTracker: joins, a user on two devices, a device leaving while the other
  // stays, an update through `update_presence`, and full leaves.
  async seed_user_presence_tracker(api, base) {
    const t = topic("tracker");
    const snaps = [];
    let tracker;
    const obs = await member(api, base, t, "obs", "o-desk", {
      before: (m) => {
        queueMicrotask(() => {
          tracker = new UserPresenceTracker(m.presence); // replaces member()'s callbacks
          tracker.onUsersChanged((users) =>
            snaps.push(users.map((u) => ({ ...u, lastSeen: u.lastSeen.getTime() }))));
        });
      },
    });
    const users = () => tracker.getAllUsers().map((u) => `${u.id}:${u.status}:${u.deviceCount}`);
    const usersAre = (expected, what) => waitFor(() => canonical(users()) === canonical(expected), what);
    await usersAre(["obs:online:1"], "the observer itself");
    eq(snaps[0], [], "onUsersChanged calls back at once");

    const phone = await member(api, base, t, "ivy", "phone");
    await usersAre(["obs:online:1", "ivy:online:1"], "ivy's phone");
    const ivyMeta = obs.presence.list()[1].metas[0];
    const ivy = tracker.getUser("ivy");
    eq({ ...ivy, lastSeen: ivy.lastSeen.getTime() },
      { id: "ivy", username: undefined, status: "online", lastSeen: ivyMeta.online_at, deviceCount: 1, devices: [undefined] },
      "ivy as the tracker sees her");
    const laptop = await member(api, base, t, "ivy", "laptop");
    await usersAre(["obs:online:1", "ivy:online:2"], "ivy's second device");
    eq(tracker.getUser("ivy").devices.length, 2, "two devices");
    const jon = await member(api, base, t, "jon", "desk");
    await usersAre(["obs:online:1", "ivy:online:2", "jon:online:1"], "jon");
    eq(tracker.getUserCount(), 3, "getUserCount");

    // A device leaves while the other stays: the seed's `current.metas.length > 0` branch.
    let mark = snaps.length;
    await reply(phone.channel.leave());
    await usersAre(["obs:online:1", "ivy:online:1", "jon:online:1"], "ivy's phone left");
    const partial = snaps.slice(mark).map((s) => s.find((u) => u.id === "ivy"));
    eq(partial.map((u) => [u.status, u.deviceCount, u.devices.length]),
      [["online", 1, 1], ["online", 1, 1]], "onLeave with one device left, then onSync");

    // An update: leave + join of jon's key; the tracker never sees him offline.
    mark = snaps.length;
    const jonRef = obs.presence.list()[2].metas[0].phx_ref;
    eq((await reply(jon.channel.push("update_presence", { device: "desk2" }))).status, "ok", "update_presence");
    await waitFor(() => obs.presence.list()[2].metas[0].phx_ref !== jonRef, "jon's update");
    await usersAre(["obs:online:1", "ivy:online:1", "jon:online:1"], "after jon's update");
    const jonMeta = obs.presence.list()[2].metas[0];
    eq(tracker.getUser("jon").lastSeen.getTime(), jonMeta.online_at, "lastSeen from the new meta");
    const during = snaps.slice(mark).map((s) => s.find((u) => u.id === "jon"));
    eq(during.map((u) => [u.status, u.deviceCount]), [["online", 1], ["online", 1], ["online", 1]],
      "onJoin, onLeave (one meta left), onSync");

    // Full leaves: offline with no devices in onLeave, then gone after onSync.
    mark = snaps.length;
    await close(jon.socket);
    await usersAre(["obs:online:1", "ivy:online:1"], "jon left");
    const gone = snaps.slice(mark);
    eq(gone.map((s) => s.map((u) => `${u.id}:${u.status}:${u.deviceCount}:${u.devices.length}`)), [
      ["obs:online:1:1", "ivy:online:1:1", "jon:offline:0:0"],
      ["obs:online:1:1", "ivy:online:1:1"],
    ], "jon goes offline, then sync drops him");
    eq(tracker.getUser("jon"), undefined, "getUser of a gone user");
    await reply(laptop.channel.leave());
    await usersAre(["obs:online:1"], "ivy left");
    eq(tracker.getOnlineUsers().map((u) => u.id), ["obs"], "getOnlineUsers");
    await close(obs.socket);
    await close(phone.socket);
    await close(laptop.socket);
    return snaps.map((s) => s.map((u) => `${u.id}:${u.status}:${u.deviceCount}`));
  },

  // TypingIndicator over the server's `typing` broadcast (see seedTypingChannel).
  async seed_typing_indicator(api, base) {
    const t = topic("typing");
    const kim = await member(api, base, t, "kim", "k-laptop", { params: { name: "Kim" } });
    const lee = await member(api, base, t, "lee", "l-phone", { params: { name: "Lee" } });
    const kimTyping = new TypingIndicator(seedTypingChannel(kim.channel));
    const leeTyping = new TypingIndicator(seedTypingChannel(lee.channel));
    const changes = [];
    leeTyping.onTypingChanged((users) => changes.push(users));
    kimTyping.onTypingChanged((users) => changes.push(["kim sees", ...users]));

    kimTyping.startTyping("kim");
    await waitFor(() => changes.length === 1, "lee sees kim typing");
    eq(leeTyping.getTypingUsers(), ["Kim"], "kim is typing");
    kimTyping.stopTyping("kim");
    await waitFor(() => changes.length === 2, "kim stopped");
    eq(leeTyping.getTypingUsers(), [], "nobody is typing");

    // Without a stop, the 3 s timeout clears it.
    const started = Date.now();
    kimTyping.startTyping("kim");
    await waitFor(() => changes.length === 3, "kim types again");
    await waitFor(() => changes.length === 4, "the 3 s timeout", 6000);
    const after = Date.now() - started;
    if (after < 2900) fail(`cleared after ${after} ms`);
    eq(changes, [["Kim"], [], ["Kim"], []], "typing changes (the sender does not see its own)");
    await close(kim.socket);
    await close(lee.socket);
    return changes;
  },

  // ActivityMonitor: onJoin records activity, the periodic check reports users inactive for
  // more than 5 minutes through `document`, updateUserActivity and destroy().
  async seed_activity_monitor(api, base) {
    const t = topic("activity");
    let monitor;
    let tracker;
    const obs = await member(api, base, t, "obs", "o-desk", {
      before: (m) => {
        queueMicrotask(() => {
          monitor = new ActivityMonitor(m.presence, 20);
          // A second Presence on the same channel: onJoin replaces a single callback, so a
          // tracker and a monitor each need their own.
          tracker = new UserPresenceTracker(new api.Presence(m.channel));
        });
      },
    });
    const mia = await member(api, base, t, "mia", "m-phone");
    await waitFor(() => monitor.lastActivity.has("mia") && tracker.getUserCount() === 2, "mia's join is recorded");
    eq([...monitor.lastActivity.keys()], ["obs", "mia"], "activity recorded by onJoin");

    // No `document` in Node: an EventTarget stands in while the monitor runs.
    const shim = typeof document === "undefined";
    if (shim) globalThis.document = new EventTarget();
    const inactive = [];
    const listener = (e) => inactive.push(e.detail.userId);
    document.addEventListener("user-inactive", listener);
    try {
      await sleep(100);
      eq(inactive, [], "nobody is inactive");
      monitor.lastActivity.set("mia", new Date(Date.now() - 6 * 60 * 1000));
      await waitFor(() => inactive.length >= 2, "mia reported inactive");
      if (!inactive.every((id) => id === "mia")) fail(`inactive: ${inactive}`);
      monitor.updateUserActivity("mia");
      await sleep(60);
      const count = inactive.length;
      await sleep(100);
      eq(inactive.length, count, "active again after updateUserActivity");
      // Without a recorded activity the monitor falls back to the meta's online_at (recent).
      monitor.lastActivity.delete("obs");
      await sleep(100);
      eq(inactive.length, count, "online_at is recent");
      monitor.destroy();
      monitor.lastActivity.set("mia", new Date(0));
      await sleep(100);
      eq(inactive.length, count, "no check after destroy()");
    } finally {
      document.removeEventListener("user-inactive", listener);
      if (shim) delete globalThis.document;
      monitor.destroy();
    }
    eq(tracker.getAllUsers().map((u) => u.id), ["obs", "mia"], "the tracker beside the monitor");
    await close(obs.socket);
    await close(mia.socket);
    return inactive;
  },
};

export async function run(name, api, base) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario(api, base);
}
