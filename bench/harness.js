// The workloads of the benchmark, run inside the bench page (bench/page.html) by bench/run.mjs.
//
// Each workload runs one library ("ours" = pkg/phoenix-wasm.js, "phoenix" = phoenix 1.8.16's
// phoenix.mjs) against a FakeTransport, so the client is measured without a network. Each
// call builds a fresh socket and channel, times only the workload itself with
// performance.now(), checks that the work really happened (counts, payloads, sizes), tears
// the socket down and returns the numbers. The page is cross-origin isolated (run.mjs sends
// COOP/COEP), so performance.now() has 5 µs resolution instead of 100 µs; the browser runs
// with --expose-gc so each timed region starts after a full GC.

const URLS = { ours: "/pkg/phoenix-wasm.js", phoenix: "/phoenix/phoenix.mjs" };
const TOPIC = "room:bench";
// A push timeout that never fires during a run (setTimeout's maximum is 2^31 - 1 ms), so no
// timeout callback of one workload lands in another's timed region.
const NEVER = 2e9;
const now = () => performance.now();
const collect = () => globalThis.gc && globalThis.gc();

// Profiling (run.mjs --profile): the timed region of the row named `profileTag` is bracketed
// with console.profile()/profileEnd(), which the DevTools protocol reports with the profile.
let profileTag = null;
export function setProfileTag(tag) {
  profileTag = tag;
}
const begin = (tag) => profileTag === tag && console.profile(tag);
const end = (tag) => profileTag === tag && console.profileEnd(tag);

export const libs = {};

/** Imports the libraries to compare (both by default), once. */
export async function load(names = Object.keys(URLS)) {
  for (const name of names) libs[name] ??= await import(URLS[name]);
  return Object.keys(libs);
}

// ---------------------------------------------------------------------------------------
// The fake transport: the WebSocket interface phoenix.js and phoenix-wasm use (readyState,
// bufferedAmount, binaryType, send, close, onopen/onmessage/onclose/onerror). It opens on the
// next microtask; `reply(transport, data)` (when set) answers sent frames; `sent` counts
// frames and `doneAt` is the time the `target`-th frame was sent.

export class FakeTransport {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.bufferedAmount = 0;
    this.binaryType = "blob";
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    this.sent = 0;
    this.target = -1;
    this.doneAt = 0;
    this.last = undefined;
    this.reply = replyLifecycle;
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      if (this.onopen) this.onopen({ type: "open" });
    });
  }

  send(data) {
    if (++this.sent === this.target) this.doneAt = now();
    this.last = data;
    if (this.reply) this.reply(this, data);
  }

  close(code, reason) {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    queueMicrotask(() => {
      this.readyState = 3;
      if (this.onclose) this.onclose({ type: "close", code: code ?? 1005, reason: reason ?? "", wasClean: true });
    });
  }

  /** Delivers an inbound frame (a string or an ArrayBuffer), as the browser would. */
  inject(data) {
    this.onmessage({ data });
  }
}

// Answers phx_join, phx_leave and heartbeat with an ok reply on a microtask.
function replyLifecycle(t, data) {
  if (typeof data !== "string") return;
  if (!(data.includes('"phx_join"') || data.includes('"heartbeat"') || data.includes('"phx_leave"'))) return;
  const [joinRef, ref, topic] = JSON.parse(data);
  const reply = JSON.stringify([joinRef, ref, topic, "phx_reply", { status: "ok", response: {} }]);
  queueMicrotask(() => t.readyState === 1 && t.inject(reply));
}

// Answers every pushed text frame with its phx_reply on a microtask. The refs are cut out of
// the frame text (`["<join_ref>","<ref>",...`) so that the replier costs the same, and very
// little, for both libraries.
function replyEveryPush(t, data) {
  const a = data.indexOf(",");
  const b = data.indexOf(",", a + 1);
  const reply = `[${data.slice(1, a)},${data.slice(a + 1, b)},"${TOPIC}","phx_reply",{"status":"ok","response":{}}]`;
  queueMicrotask(() => t.inject(reply));
}

/** A connected socket with a joined channel on a fresh FakeTransport. */
async function joined(lib) {
  const { Socket } = libs[lib];
  const box = {};
  class Transport extends FakeTransport {
    constructor(url, protocols) {
      super(url, protocols);
      box.t = this;
    }
  }
  const socket = new Socket("ws://bench.invalid/socket", { transport: Transport });
  socket.connect();
  const channel = socket.channel(TOPIC, {});
  await new Promise((resolve, reject) => {
    channel.join().receive("ok", resolve).receive("error", reject).receive("timeout", () => reject(new Error("join timeout")));
  });
  return { socket, channel, t: box.t };
}

// Pushes that are never answered are not cleaned up: with a 2·10⁹ ms timeout they keep
// their socket alive (phoenix.js: one setTimeout per push; ours: the engine's deadline keeps
// the socket), and answering 100k of them costs O(pushes²) in both (each reply scans the
// channel's bindings). run.mjs gives every workload a fresh page instead.
function teardown(s) {
  s.t.reply = null;
  s.socket.disconnect();
}

function check(cond, what) {
  if (!cond) throw new Error(`bench check failed: ${what}`);
}

/** Waits (macrotask by macrotask) until cond() holds; for libraries that dispatch later. */
async function until(cond, what) {
  const deadline = now() + 30000;
  while (!cond()) {
    if (now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 0));
  }
}

const cache = new Map();
const cached = (key, make) => {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key);
};

// ---------------------------------------------------------------------------------------
// Workloads. Each returns { ms } (the timed region) plus extra numbers.

/** n inbound text broadcasts → one channel.on callback each. */
async function inbound(lib, { n }) {
  const frames = cached(`text:${n}`, () =>
    Array.from({ length: n }, (_, i) => `[null,null,"${TOPIC}","msg",{"body":"hello world","i":${i}}]`));
  const s = await joined(lib);
  let count = 0;
  let last = -1;
  let t1 = 0;
  s.channel.on("msg", (payload) => {
    last = payload.i;
    if (++count === n) t1 = now();
  });
  const t = s.t;
  collect();
  begin("inbound");
  const t0 = now();
  for (let i = 0; i < n; i++) t.onmessage({ data: frames[i] });
  if (count < n) await until(() => count >= n, "inbound callbacks");
  end("inbound");
  check(count === n && last === n - 1, `inbound: ${count} callbacks, last i ${last}`);
  teardown(s);
  return { ms: t1 - t0 };
}

/**
 * Times n pushes made by `pushOne(channel, i)` until the transport has sent n frames (the
 * Push objects are kept, as a caller that waits on them would). Returns the time and the
 * last frame sent.
 */
async function timedPushes(lib, tag, n, pushOne) {
  const s = await joined(lib);
  const t = s.t;
  t.reply = null;
  t.sent = 0;
  t.target = n;
  const pushes = new Array(n);
  const channel = s.channel;
  collect();
  begin(tag);
  const t0 = now();
  for (let i = 0; i < n; i++) pushes[i] = pushOne(channel, i);
  if (t.sent < n) await until(() => t.sent >= n, `${tag} sends`);
  end(tag);
  const out = { ms: t.doneAt - t0, sent: t.sent, last: t.last };
  teardown(s);
  return out;
}

/** n channel.push calls → n transport.send calls (text frames). */
async function push(lib, { n }) {
  const r = await timedPushes(lib, "push", n, (channel, i) => channel.push("evt", { body: "hello world", i }, NEVER));
  check(r.sent === n && JSON.parse(r.last)[4].i === n - 1, `push: ${r.sent} sends`);
  return { ms: r.ms };
}

/** n sequential round trips: push, the transport replies on a microtask, receive("ok") pushes the next. */
async function roundtrip(lib, { n }) {
  const s = await joined(lib);
  s.t.reply = replyEveryPush;
  const channel = s.channel;
  let i = 0;
  let t1 = 0;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  const next = () => {
    if (i++ === n) {
      t1 = now();
      resolve();
      return;
    }
    channel.push("rt", { i }, NEVER).receive("ok", next);
  };
  collect();
  begin("roundtrip");
  const t0 = now();
  next();
  await done;
  end("roundtrip");
  check(i === n + 1, `roundtrip: ${i - 1} replies`);
  teardown(s);
  return { ms: t1 - t0 };
}

/** A kind-2 (broadcast) binary frame of spec §6.2 with a `size`-byte payload. */
function broadcastFrame(event, size, seed) {
  const enc = new TextEncoder();
  const topic = enc.encode(TOPIC);
  const ev = enc.encode(event);
  const buf = new ArrayBuffer(3 + topic.length + ev.length + size);
  const u8 = new Uint8Array(buf);
  u8[0] = 2;
  u8[1] = topic.length;
  u8[2] = ev.length;
  u8.set(topic, 3);
  u8.set(ev, 3 + topic.length);
  for (let i = 0; i < size; i++) u8[3 + topic.length + ev.length + i] = (i * 31 + seed) & 255;
  return buf;
}

/** n inbound 1 KB binary broadcasts → one channel.on callback each with an ArrayBuffer. */
async function binaryDecode(lib, { n, size = 1024 }) {
  const frames = cached(`bin:${size}`, () => Array.from({ length: 8 }, (_, k) => broadcastFrame("bin", size, k)));
  const s = await joined(lib);
  s.t.binaryType = "arraybuffer";
  let count = 0;
  let bytes = 0;
  let t1 = 0;
  s.channel.on("bin", (payload) => {
    bytes += payload.byteLength;
    if (++count === n) t1 = now();
  });
  const t = s.t;
  collect();
  begin("binaryDecode");
  const t0 = now();
  for (let i = 0; i < n; i++) t.onmessage({ data: frames[i & 7] });
  if (count < n) await until(() => count >= n, "binary callbacks");
  end("binaryDecode");
  check(count === n && bytes === n * size, `binary decode: ${count} callbacks, ${bytes} bytes`);
  teardown(s);
  return { ms: t1 - t0 };
}

/** n pushes of a 1 KB ArrayBuffer → n binary frames sent. */
async function binaryEncode(lib, { n, size = 1024 }) {
  const payload = cached(`payload:${size}`, () => new Uint8Array(size).map((_, i) => i & 255).buffer);
  const r = await timedPushes(lib, "binaryEncode", n, (channel) => channel.push("bin", payload, NEVER));
  const last = r.last;
  check(r.sent === n && last instanceof ArrayBuffer && last.byteLength > size && new Uint8Array(last)[0] === 0,
    `binary encode: ${r.sent} sends, last ${last && last.byteLength} bytes`);
  return { ms: r.ms };
}

// Presence: the body of a presence_state with n keys (one meta each), and the two diffs that
// alternate (1 join + 1 leave each, so the roster keeps n keys).
const meta = (ref, i) => `{"metas":[{"phx_ref":"${ref}","name":"user ${i}","online_at":1700000000000}]}`;
function stateBody(n) {
  return cached(`state:${n}`, () => {
    const parts = new Array(n);
    for (let i = 0; i < n; i++) parts[i] = `"user:${i}":${meta(`F${i}`, i)}`;
    return `{${parts.join(",")}}`;
  });
}
const diffBodies = [
  `{"joins":{"user:new":${meta("Fnew", -1)}},"leaves":{"user:0":${meta("F0", 0)}}}`,
  `{"joins":{"user:0":${meta("F0", 0)}},"leaves":{"user:new":${meta("Fnew", -1)}}}`,
];

/**
 * One Presence with n keys: the presence_state frame → onSync (timed), `diffs` diffs →
 * onSync each (timed, per diff), list() and list(chooser) (timed, per call), and the same
 * presence_state again, as after a reconnect (timed).
 */
async function presence(lib, { n, diffs, listReps }) {
  const s = await joined(lib);
  const p = new libs[lib].Presence(s.channel);
  let syncs = 0;
  let tSync = 0;
  p.onSync(() => {
    syncs++;
    tSync = now();
  });
  const jr = JSON.stringify(s.channel.joinRef());
  const frame = `[${jr},null,"${TOPIC}","presence_state",${stateBody(n)}]`;
  const diffFrames = diffBodies.map((d) => `[${jr},null,"${TOPIC}","presence_diff",${d}]`);
  const t = s.t;
  const out = {};

  collect();
  begin(`presence.state@${n}`);
  let t0 = now();
  t.onmessage({ data: frame });
  if (syncs < 1) await until(() => syncs >= 1, "presence sync");
  end(`presence.state@${n}`);
  out.state = tSync - t0;
  check(p.list().length === n, `presence: ${p.list().length} keys after the state, want ${n}`);

  collect();
  begin(`presence.diff@${n}`);
  t0 = now();
  for (let k = 0; k < diffs; k++) t.onmessage({ data: diffFrames[k & 1] });
  if (syncs < 1 + diffs) await until(() => syncs >= 1 + diffs, "presence diffs");
  end(`presence.diff@${n}`);
  out.diff = (tSync - t0) / diffs;
  const keys = p.list((id) => id);
  check(keys.length === n && keys.includes("user:0") && !keys.includes("user:new"), "presence: roster after the diffs");

  let list;
  collect();
  begin(`presence.list@${n}`);
  t0 = now();
  for (let r = 0; r < listReps; r++) list = p.list();
  out.list = (now() - t0) / listReps;
  end(`presence.list@${n}`);
  check(list.length === n && list[n - 1].metas.length === 1, "presence: list()");

  collect();
  begin(`presence.listChooser@${n}`);
  t0 = now();
  for (let r = 0; r < listReps; r++) list = p.list((id, { metas }) => ({ id, count: metas.length }));
  out.listChooser = (now() - t0) / listReps;
  end(`presence.listChooser@${n}`);
  check(list.length === n && list[0].count === 1, "presence: list(chooser)");
  list = null;

  collect();
  const before = syncs;
  begin(`presence.resync@${n}`);
  t0 = now();
  t.onmessage({ data: frame });
  if (syncs <= before) await until(() => syncs > before, "presence resync");
  end(`presence.resync@${n}`);
  out.resync = tSync - t0;
  check(p.list().length === n, "presence: keys after the resync");

  teardown(s);
  out.ms = out.state;
  return out;
}

export const workloads = { inbound, push, roundtrip, binaryDecode, binaryEncode, presence };

/** Runs one workload for one library. */
export async function run(workload, lib, params) {
  await load([lib]);
  return workloads[workload](lib, params);
}

// ---------------------------------------------------------------------------------------
// Memory and startup: each runs in a fresh page (run.mjs), one library per page.

/** Step 1 of the memory measurement: a joined channel with a Presence, and the frame ready. */
export async function memoryPrepare(lib, { n }) {
  await load([lib]);
  const s = await joined(lib);
  const p = new libs[lib].Presence(s.channel);
  let synced = false;
  p.onSync(() => (synced = true));
  const frame = `[${JSON.stringify(s.channel.joinRef())},null,"${TOPIC}","presence_state",${stateBody(n)}]`;
  cache.clear();
  globalThis.__mem = { s, p, frame, n, synced: () => synced };
}

/** Step 2: deliver the state; the frame text is dropped, the Presence is kept alive. */
export async function memoryDeliver() {
  const m = globalThis.__mem;
  m.s.t.onmessage({ data: m.frame });
  if (!m.synced()) await until(m.synced, "presence sync");
  m.frame = null;
}

/** Step 3, after the heap was measured: check the roster really holds n keys. */
export function memoryCheck() {
  const m = globalThis.__mem;
  return m.p.list().length === m.n;
}

// Ours instantiates its wasm when its (single-module) entry is imported; the memory row
// reads that instance's memory, so the constructor is wrapped to keep every instance made
// in the page. Nothing else changes: the same constructor runs, once per import.
const wasmInstances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    wasmInstances.push(instance);
    return instance;
  },
});

/** Bytes of ours' wasm linear memory (0 for phoenix.js, or before it is loaded). */
export async function wasmMemoryBytes(lib) {
  if (lib !== "ours" || !libs.ours || wasmInstances.length !== 1) return 0;
  return wasmInstances[0].exports.memory.buffer.byteLength;
}

/** Import → new Socket → connect → onOpen over the FakeTransport, in a page that has not loaded the library. */
export async function startup(lib) {
  const t0 = now();
  const mod = await import(URLS[lib]);
  const socket = new mod.Socket("ws://bench.invalid/socket", { transport: FakeTransport });
  await new Promise((resolve) => {
    socket.onOpen(resolve);
    socket.connect();
  });
  const ms = now() - t0;
  socket.disconnect();
  return { ms };
}
