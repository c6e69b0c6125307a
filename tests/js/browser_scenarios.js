// Browser-only behaviour against the test server: the LongPoll fallback (spec §2.6) and
// the page lifecycle (§2.7). `api` is {Socket, LongPoll}; each scenario throws on a failed
// expectation.

import { close, fail, sleep, waitFor, wsUrl } from "./helpers.js";

/** An in-memory sessionStorage, so tests do not see each other's memo. */
function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
}

/** A WebSocket whose upgrade always fails (nothing listens on port 9). */
class RefusedWebSocket extends WebSocket {
  constructor(_url, protocols) {
    super("ws://127.0.0.1:9/socket/websocket", protocols);
  }
}

async function joinedOver(socket, topicName) {
  const ch = socket.channel(`${topicName}-${Date.now().toString(36)}`);
  let joined = false;
  ch.join().receive("ok", () => (joined = true));
  await waitFor(() => joined, "join");
  return ch;
}

export const scenarios = {
  // One timer for every deadline (ARCHITECTURE.md): a push's timeout must not cost a
  // setTimeout, nor its reply a clearTimeout. phoenix.js makes one of each per push.
  async push_reply_round_trips_arm_no_timer_per_push(api, base) {
    const socket = new api.Socket(wsUrl(base));
    let open = false;
    socket.onOpen(() => (open = true));
    socket.connect();
    await waitFor(() => open, "open");
    const ch = await joinedOver(socket, "room:timers");
    const { setTimeout: set, clearTimeout: clear } = globalThis;
    let sets = 0, clears = 0;
    globalThis.setTimeout = function (...args) { sets++; return set.apply(this, args); };
    globalThis.clearTimeout = function (...args) { clears++; return clear.apply(this, args); };
    try {
      for (let i = 0; i < 50; i++) {
        await new Promise((resolve, reject) =>
          ch.push("ping", { i }).receive("ok", resolve).receive("error", reject).receive("timeout", reject));
      }
    } finally {
      globalThis.setTimeout = set;
      globalThis.clearTimeout = clear;
    }
    if (sets + clears > 4) fail(`50 push/reply round trips called setTimeout ${sets} and clearTimeout ${clears} times`);
    await close(socket);
    return { sets, clears };
  },

  async a_refused_websocket_falls_back_to_longpoll_and_is_remembered(api, base) {
    const storage = memoryStorage();
    const logs = [];
    const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", {
      transport: RefusedWebSocket,
      longPollFallbackMs: 2000,
      sessionStorage: storage,
      logger: (kind, msg) => logs.push(`${kind}: ${msg}`),
    });
    socket.connect();
    await joinedOver(socket, "room:fallback");
    if (socket.transport !== api.LongPoll) throw new Error("transport should now be LongPoll");
    if (!(socket.conn instanceof api.LongPoll)) throw new Error("conn should be a LongPoll");
    if (storage.getItem("phx:fallback:LongPoll") !== "true") throw new Error("fallback not remembered");
    if (!logs.includes("transport: falling back to LongPoll...")) throw new Error(logs.join(" | "));
    if (!logs.includes("transport: established LongPoll fallback")) throw new Error(logs.join(" | "));
    await new Promise((r) => socket.disconnect(r));

    // "Reload": a new socket with the same storage goes to LongPoll without trying.
    let constructed = 0;
    class CountingWebSocket extends WebSocket {
      constructor(url, protocols) { constructed++; super(url, protocols); }
    }
    const again = new api.Socket(base.replace(/^http/, "ws") + "/socket", {
      transport: CountingWebSocket,
      longPollFallbackMs: 2000,
      sessionStorage: storage,
    });
    again.connect();
    await joinedOver(again, "room:memo");
    if (constructed !== 0) throw new Error("the memo must skip the WebSocket");
    await new Promise((r) => again.disconnect(r));
  },

  async a_blackholed_websocket_falls_back_after_the_threshold(api, base) {
    const storage = memoryStorage();
    await fetch(`${base}/control/blackhole?ms=1500`, { method: "POST", mode: "no-cors" }).catch(() => {});
    const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", {
      longPollFallbackMs: 400,
      sessionStorage: storage,
    });
    socket.connect();
    await joinedOver(socket, "room:blackhole");
    if (socket.transport !== api.LongPoll) throw new Error("should have fallen back");
    await new Promise((r) => socket.disconnect(r));
  },

  async a_healthy_websocket_stays_and_is_not_remembered(api, base) {
    const storage = memoryStorage();
    const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", {
      longPollFallbackMs: 2000,
      sessionStorage: storage,
    });
    socket.connect();
    await joinedOver(socket, "room:healthy");
    await sleep(2300);
    if (socket.transport === api.LongPoll) throw new Error("should have stayed on WebSocket");
    if (storage.items.size !== 0) throw new Error("nothing to remember");
    await new Promise((r) => socket.disconnect(r));
  },

  async a_throwing_session_storage_is_never_fatal(api, base) {
    const throwing = {
      getItem() { throw new Error("SecurityError"); },
      setItem() { throw new Error("SecurityError"); },
    };
    const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", {
      transport: RefusedWebSocket,
      longPollFallbackMs: 1000,
      sessionStorage: throwing,
    });
    socket.connect();
    await joinedOver(socket, "room:storage");
    await new Promise((r) => socket.disconnect(r));
  },
};

Object.assign(scenarios, {
  async disconnect_inside_a_callback_over_longpoll_raises_nothing(api, base) {
    const errors = [];
    const onerr = (e) => errors.push(String((e.error && e.error.message) || e.message || e.reason));
    window.addEventListener("error", onerr);
    window.addEventListener("unhandledrejection", onerr);
    try {
      const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", { transport: api.LongPoll });
      let closed = false;
      let done = false;
      socket.onClose(() => (closed = true));
      const ch = socket.channel(`room:lp-disconnect-${Date.now().toString(36)}`);
      // disconnect() from inside a callback delivered by the LongPoll transport itself:
      // stopping aborts its pending poll, whose XHR reports the abort synchronously.
      ch.join().receive("ok", () => socket.disconnect(() => (done = true)));
      socket.connect();
      await waitFor(() => closed && done, "disconnect from inside the join reply");
      await sleep(300);
    } finally {
      window.removeEventListener("error", onerr);
      window.removeEventListener("unhandledrejection", onerr);
    }
    if (errors.length) throw new Error("errors: " + errors.join(" | "));
  },

  async pagehide_disconnects_and_pageshow_reconnects_and_rejoins(api, base) {
    const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", {});
    let opens = 0;
    let closes = 0;
    socket.onOpen(() => opens++);
    socket.onClose(() => closes++);
    socket.connect();
    const ch = await joinedOver(socket, "room:pagehide");
    window.dispatchEvent(new Event("pagehide"));
    await waitFor(() => closes === 1, "pagehide disconnect");
    await sleep(200);
    if (socket.isConnected()) throw new Error("still connected after pagehide");
    window.dispatchEvent(new Event("pageshow"));
    await waitFor(() => opens === 2, "pageshow reconnect");
    await waitFor(() => ch.state === "joined", "rejoin after pageshow");
    await new Promise((r) => socket.disconnect(r));
  },

  async becoming_visible_reconnects_at_once_after_an_unclean_close(api, base) {
    const socket = new api.Socket(base.replace(/^http/, "ws") + "/socket", {
      reconnectAfterMs: () => 60_000, // only the visibility change can bring it back in time
    });
    let opens = 0;
    socket.onOpen(() => opens++);
    socket.connect();
    await waitFor(() => opens === 1, "open");
    const hidden = Object.getOwnPropertyDescriptor(Document.prototype, "visibilityState");
    try {
      Object.defineProperty(document, "visibilityState", { get: () => "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
      await fetch(`${base}/control/drop`, { method: "POST", mode: "no-cors" }).catch(() => {});
      await waitFor(() => !socket.isConnected(), "the drop");
      Object.defineProperty(document, "visibilityState", { get: () => "visible", configurable: true });
      document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
      await waitFor(() => opens === 2, "reconnect on visible", 3000);
    } finally {
      delete document.visibilityState;
      if (hidden) Object.defineProperty(Document.prototype, "visibilityState", hidden);
    }
    await new Promise((r) => socket.disconnect(r));
  },
});

export async function run(name, api, base) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario(api, base);
}
