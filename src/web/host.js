// The JavaScript side of phoenix-wasm: the few host operations that are cheaper (or only
// possible) in JS, in ONE module. wasm-bindgen copies every snippet module into the package
// and a page loads each as a separate request; keeping them in one file keeps that to one
// (with more module requests than a browser's 6 connections per host, the test runner's
// page load stalled now and then; for users each file is one more request).
//
// Sections: LongPoll requests (src/web/longpoll.rs), frame encoding (src/web/serializer.rs),
// transport send (src/web/transport.rs), the broadcast router (src/js/router.rs), the
// Presence statics and instance (src/js/presence.rs), the Push class and the Channel
// methods that make it (src/js/push.rs, src/js/channel.rs).

// ---- LongPoll (src/web/longpoll.rs) --------------------------------------------------
const parseJSON = (resp) => {
  if (!resp) return null;
  try { return JSON.parse(resp); } catch { console.log("failed to parse JSON response", resp); return null; }
};
export function request(method, url, headers, body, timeout, done, timedOut) {
  let pending = true;
  const finish = (f, v) => { if (pending) { pending = false; f(v); } };
  const g = globalThis;
  if (g.XMLHttpRequest) {
    const req = new g.XMLHttpRequest();
    req.open(method, url, true);
    req.timeout = timeout;
    for (const [k, v] of Object.entries(headers)) req.setRequestHeader(k, v);
    req.onerror = () => finish(done, null);
    req.onreadystatechange = () => { if (req.readyState === 4) finish(done, parseJSON(req.responseText)); };
    req.ontimeout = () => finish(timedOut);
    req.send(body);
    // Disowned before the abort: an aborted XHR fires readystatechange synchronously, and
    // that callback must not re-enter the transport while it is stopping (it may be
    // stopping from inside its own callback, e.g. disconnect() in onMessage).
    return { abort() { pending = false; req.abort(); } };
  }
  if (g.fetch && g.AbortController) {
    const opts = { method, headers, body };
    let controller = null, timer = null;
    if (timeout) {
      controller = new AbortController();
      timer = setTimeout(() => controller.abort(), timeout);
      opts.signal = controller.signal;
    }
    g.fetch(url, opts)
      .then((r) => r.text())
      .then((text) => { clearTimeout(timer); finish(done, parseJSON(text)); })
      .catch((err) => { clearTimeout(timer); err && err.name === "AbortError" ? finish(timedOut) : finish(done, null); });
    return { abort() { pending = false; clearTimeout(timer); if (controller) controller.abort(); } };
  }
  throw new Error("No suitable XMLHttpRequest implementation found");
}
export function abort(req) { if (req) req.abort(); }
export function closeEvent(code = 1005, reason, wasClean = true) {
  const opts = { code, reason, wasClean };
  return typeof CloseEvent !== "undefined" ? new CloseEvent("close", opts) : opts;
}
export function messageEvent(data) { return { data }; }
export function normalizeEndpoint(endPoint) {
  return endPoint
    .replace("ws://", "http://")
    .replace("wss://", "https://")
    .replace(new RegExp("(.*)\/websocket"), "$1/longpoll");
}
export function unhandled(status) { return new Error(`unhandled poll status ${status}`); }

// ---- Frames (src/web/serializer.rs) --------------------------------------------------
export function encodeFrame(jr, ref, topic, event, payload) {
  return JSON.stringify([jr < 0 ? null : String(jr), ref < 0 ? null : String(ref), topic, event, payload]);
}
// The default serializer's text frame, sent on the transport in the same call (one wasm→JS
// crossing per message instead of three: the ArrayBuffer test, the encoding, the send).
// false: an ArrayBuffer payload, nothing sent (wasm builds the binary frame). What
// JSON.stringify or send throws propagates as it is, as from phoenix.js's `push`.
export function sendText(t, jr, ref, topic, event, payload) {
  if (payload instanceof ArrayBuffer) return false;
  t.send(encodeFrame(jr, ref, topic, event, payload));
  return true;
}
// The message objects phoenix.js hands out, with its key order, each built in one call
// (five keys set from wasm were ten crossings): a decoded message (socket.onMessage
// callbacks), and what a custom `encode` receives — `socket.push`'s argument, which has no
// join_ref for heartbeats and pings.
export function messageObject(join_ref, ref, topic, event, payload) {
  return { join_ref, ref, topic, event, payload };
}
export function outgoingObject(topic, event, payload, ref, join_ref, hasJoinRef) {
  return hasJoinRef ? { topic, event, payload, ref, join_ref } : { topic, event, payload, ref };
}
export function binaryFrame(header, payload) {
  let body;
  try { body = new Uint8Array(payload); } catch (_) { body = new Uint8Array(0); }
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out.buffer;
}

// The envelope of a parsed text frame for wasm in one string (src/web/serializer.rs
// decode_parsed): "!" not an array, "#<n>" fewer than five elements, else for each of
// join_ref, ref, topic and event "n" (null or undefined), "o" (another type) or
// "s<length>:<text>".
export function frameEnvelope(f) {
  if (!Array.isArray(f)) return "!";
  if (f.length < 5) return "#" + f.length;
  let out = "";
  for (let i = 0; i < 4; i++) {
    const v = f[i];
    out += v === null || v === undefined ? "n" : typeof v === "string" ? "s" + v.length + ":" + v : "o";
  }
  return out;
}
// phoenix.js's log line of socket.push(data), with whatever the caller's refs are.
export function pushLogLine(d) { return `${d.topic} ${d.event} (${d.join_ref}, ${d.ref})`; }

// ---- Transport (src/web/transport.rs) ------------------------------------------------
export function send(t, data) { t.send(data); }
export function eventData(e) { return e.data; }

// ---- Broadcast router (src/js/router.rs) ---------------------------------------------
// Routes of plain broadcasts (ref null) that the engine computed: topic → event → per
// member channel {jr: its join ref or null, cbs: its callbacks}. Valid for connection
// `conn` until the engine changes (then routerClear). Anything else goes to wasm.
// `bin` caches the last binary header seen with its route, so a stream of binary frames of
// one topic and event decodes no string.
export function newRouter() { return { conn: -1, routes: new Map(), bin: null, topic: null, event: null, route: null }; }
export function routerClear(r) { r.conn = -1; r.routes = new Map(); r.bin = null; r.route = null; }
export function routeSet(r, conn, topic, event, joinRefs, callbacks) {
  if (r.conn !== conn) { r.conn = conn; r.routes = new Map(); }
  r.bin = null;
  r.route = null;
  let byEvent = r.routes.get(topic);
  if (byEvent === undefined) { byEvent = new Map(); r.routes.set(topic, byEvent); }
  const route = [];
  for (let i = 0; i < joinRefs.length; i++) route.push({ jr: joinRefs[i], cbs: callbacks[i] });
  byEvent.set(event, route);
}
// The last text route found is checked first: a stream of one topic and event then costs
// two string compares instead of two hash lookups.
function routeOf(r, topic, event) {
  if (r.route !== null && topic === r.topic && event === r.event) return r.route;
  const byEvent = r.routes.get(topic);
  const route = byEvent === undefined ? undefined : byEvent.get(event);
  if (route !== undefined) { r.topic = topic; r.event = event; r.route = route; }
  return route;
}
// phoenix.js's onConnMessage → isMember → trigger, for a broadcast with a route.
// Exceptions of callbacks: the others still run; the first is rethrown in a microtask, as
// the engine's drain does.
function dispatch(route, jr, payload) {
  let error, threw = false;
  for (let i = 0; i < route.length; i++) {
    const ch = route[i];
    if (jr && jr !== ch.jr) continue; // outdated join ref (logged only with a logger, which has no routes)
    const cbs = ch.cbs, cbJr = jr || ch.jr;
    for (let j = 0; j < cbs.length; j++) {
      try { cbs[j](payload, null, cbJr); } catch (err) { if (!threw) { threw = true; error = err; } }
    }
  }
  if (threw) queueMicrotask(() => { throw error; });
}
// Binary frames without a ref (spec §6.2): kind 2 `[2][topic][event]` (a broadcast) and
// kind 0 `[0][join_ref][topic][event]` (a server push), each string preceded in the header
// by its byte length. Returns {head, jr, route} for a routed one, else undefined. Strings
// that are not valid UTF-8 go to wasm, which drops the frame as the engine does.
const utf8 = new TextDecoder("utf-8", { fatal: true });
function binaryRoute(r, buf) {
  const b = new Uint8Array(buf);
  const kind = b[0], hl = kind === 2 ? 3 : kind === 0 ? 4 : 0;
  if (hl === 0 || b.length < hl) return undefined;
  let start = hl;
  for (let i = 1; i < hl; i++) start += b[i];
  if (b.length < start) return undefined;
  const c = r.bin;
  if (c !== null && c.head.length === start) {
    const head = c.head;
    let i = 0;
    while (i < start && head[i] === b[i]) i++;
    if (i === start) return c;
  }
  let at = hl, jr = null;
  const text = (n) => { const s = utf8.decode(b.subarray(at, at + n)); at += n; return s; };
  try {
    if (kind === 0) jr = text(b[1]);
    const topic = text(b[hl - 2]), event = text(b[hl - 1]);
    const route = routeOf(r, topic, event);
    if (route === undefined) return undefined;
    return (r.bin = { head: b.slice(0, start), jr, route });
  } catch (_) {
    return undefined;
  }
}
export function messageHandler(r, conn, slow) {
  return function onmessage(e) {
    const data = e.data;
    if (typeof data !== "string") {
      const c = r.conn === conn && data instanceof ArrayBuffer ? binaryRoute(r, data) : undefined;
      if (c === undefined) return slow(e, undefined);
      return dispatch(c.route, c.jr, data.slice(c.head.length));
    }
    // Text is parsed here whether or not a route may take it: wasm then gets the parsed
    // frame and reads neither the event nor the text.
    let f;
    try { f = JSON.parse(data); } catch (_) { return slow(e, undefined); }
    if (r.conn !== conn) return slow(e, f);
    // A text frame [jr, null, topic, event, payload].
    if (!Array.isArray(f) || f.length < 5 || f[1] !== null) return slow(e, f);
    const jr = f[0], topic = f[2], event = f[3];
    if ((jr !== null && typeof jr !== "string") || typeof topic !== "string" || typeof event !== "string") return slow(e, f);
    const route = routeOf(r, topic, event);
    if (route === undefined) return slow(e, f);
    dispatch(route, jr, f[4]);
  };
}

// ---- Payloads (src/web/payload.rs) ---------------------------------------------------
// A reply's status and response (src/web/payload.rs), as phoenix.js's matchReceive reads
// them but never throwing. A status crosses as its index in STATUSES (0 none; the order of
// core::payload::USUAL_STATUSES), or as 4 with the string beside it (replyStatusText here,
// `otherStatus` in pushSettled).
const STATUSES = [undefined, "ok", "error", "timeout"];
const OTHER_STATUS = 4;
let statusText = "";
const isObjectLike = (v) => v !== null && (typeof v === "object" || typeof v === "function");
export function replyStatus(p) {
  if (!isObjectLike(p)) return 0;
  let s;
  try { s = p.status; } catch (_) { return 0; }
  if (typeof s !== "string") return 0;
  const code = STATUSES.indexOf(s);
  if (code > 0) return code;
  statusText = s;
  return OTHER_STATUS;
}
export function replyStatusText() { const s = statusText; statusText = ""; return s; }
export function replyResponse(p) {
  if (!isObjectLike(p)) return undefined;
  try { return p.response; } catch (_) { return undefined; }
}
export function isThenable(v) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try { return typeof v.then === "function"; } catch (_) { return false; }
}

// ---- Presence (src/js/presence.rs) --------------------------------------------------
// syncDiff's per-key meta work (spec §5) on the instance's JS objects, one call per key
// instead of a wasm→JS call per property read; the roster (which keys, in which order, with
// which presence object) stays in Rust. Refs are matched with a Set: the refs looked up come
// from a JSON clone (never NaN), so `has` answers as phoenix.js's `indexOf(ref) < 0` does.
//
// A diff is planned once: plan = [joins, leaves, joinKeys, leaveKeys, the error of listing
// the leaves (thrown after the joins, as phoenix.js would), the clone a failed join left],
// and the key texts go to the roster as one string: `<join count>:` then `<length>:<key>`
// per join key, then the same for the leaves (`E:` when they could not be listed). Each
// key's work is then one call that reads its key and presence from the plan.
export function presenceDiffPlan(diff, plan) {
  const { joins, leaves } = jsonClone(diff);
  const joinKeys = Object.getOwnPropertyNames(joins);
  plan[0] = joins; plan[1] = leaves; plan[2] = joinKeys;
  let text = keyList(joinKeys);
  try {
    plan[3] = Object.getOwnPropertyNames(leaves);
    text += keyList(plan[3]);
  } catch (e) {
    plan[4] = e;
    text += "E:";
  }
  return text;
}
function keyList(keys) {
  let text = keys.length + ":";
  for (let i = 0; i < keys.length; i++) text += keys[i].length + ":" + keys[i];
  return text;
}
// `fresh`: clone the joined presence for the state, as phoenix.js does, because `onJoin`
// gets the diff's own object as `newPresence`; without an `onJoin` nothing else can see the
// diff's (already cloned) object, so the state takes it as it is.
export function planJoin(plan, i, current, fresh) {
  const p = fresh ? jsonClone(plan[0][plan[2][i]]) : plan[0][plan[2][i]];
  plan[5] = p;
  return joinInto(current, p);
}
export function planOnJoin(onJoin, plan, i, current) {
  const key = plan[2][i];
  onJoin(key, current, plan[0][key]);
}
export function planLeave(plan, i, current, onLeave) {
  if (!current) return false;
  const key = plan[3][i];
  return leaveKey(key, current, plan[1][key], onLeave);
}
export function pendingSync(joinRef, channel) { return !joinRef || joinRef !== channel.joinRef(); }
export function callOnSync(onSync) { onSync(); }
// syncDiff's join onto `p`, the state's fresh clone of the joined presence: the current
// metas whose ref did not rejoin go in front.
function joinInto(current, p) {
  if (current) {
    const refs = refsOf(p.metas);
    const kept = current.metas.filter(notIn(refs));
    if (kept.length > 0) p.metas = kept.concat(p.metas);
  }
  return p;
}
// syncDiff's leave of one key (the instance's diffs and state frames, and the static):
// the metas whose ref left go, then onLeave; true when no meta is left (the key goes).
export function leaveKey(key, current, left, onLeave) {
  const refs = refsOf(left.metas);
  current.metas = current.metas.filter(notIn(refs));
  if (onLeave !== undefined) onLeave(key, current, left);
  return current.metas.length === 0;
}
// The statics (spec §5.2) on the caller's own objects, step by step as phoenix.js takes
// them: the same JSON clones, null-prototype objects, property reads and `map`/`filter`
// calls, the same mutations and callback arguments. `phx_ref`s compare as `indexOf` does
// (`===`, so NaN never matches); long meta lists use a Set for it.

// `JSON.parse(JSON.stringify(value))` without the text: phoenix.js's `clone`, which every
// diff, joined presence and left presence goes through. Plain data (what `JSON.parse`
// makes: strings, booleans, numbers, null, arrays, objects whose prototype is
// `Object.prototype` or null) is copied directly, 4–5× faster on a diff; any other value is
// handed to JSON itself at its own position (`{[key]: value}`, so `toJSON(key)` gets the
// same key), and so is anything nested deeper than 64 levels (a cycle then throws JSON's
// TypeError). Same result as the round trip: -0 and non-finite numbers as JSON writes them,
// `undefined`/functions/symbols dropped from objects and null in arrays, Dates and wrapper
// objects as JSON converts them, `__proto__` an own key, the same key order; properties
// are read once each, in JSON's order. The one difference: a value JSON has to convert
// (one with `toJSON`, say) has its `toJSON` looked up twice.
export function jsonClone(value) {
  const out = cloneAt(value, "", 0);
  return out === SKIP ? JSON.parse(undefined) : out; // JSON.parse(undefined) throws, as the round trip does
}
const SKIP = Symbol("skip");
const MAX_DEPTH = 64;
const objectProto = Object.prototype;
function cloneAt(value, key, depth) {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return value - value === 0 ? value + 0 : null; // finite (-0 → 0); NaN, ±Infinity → null
    case "undefined":
    case "symbol":
      return SKIP;
    case "object":
      if (value === null) return null;
      if (depth < MAX_DEPTH && typeof value.toJSON !== "function") {
        if (Array.isArray(value)) {
          const n = value.length, out = [];
          for (let i = 0; i < n; i++) {
            const v = cloneAt(value[i], i, depth + 1);
            out.push(v === SKIP ? null : v);
          }
          return out;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto === objectProto || (proto === null && !isRawJSON(value))) {
          const keys = Object.keys(value), out = {};
          for (let i = 0; i < keys.length; i++) {
            const k = keys[i], v = cloneAt(value[k], k, depth + 1);
            if (v === SKIP) continue;
            if (k === "__proto__") Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
            else out[k] = v;
          }
          return out;
        }
      }
      return throughJSON(value, key);
    default: // function, bigint: JSON decides (a function's toJSON, a BigInt's TypeError)
      return throughJSON(value, key);
  }
}
function throughJSON(value, key) {
  const k = String(key);
  const holder = JSON.parse(JSON.stringify({ [k]: value }));
  return Object.prototype.hasOwnProperty.call(holder, k) ? holder[k] : SKIP;
}
const isRawJSON = typeof JSON.isRawJSON === "function" ? JSON.isRawJSON : () => false;
function nullProto(obj) {
  if (Object.getPrototypeOf(obj) === null) return obj;
  const out = Object.create(null);
  Object.getOwnPropertyNames(obj).forEach((key) => { out[key] = obj[key]; });
  return out;
}
function refsOf(metas) { return metas.map((m) => m.phx_ref); }
// The filter `m => refs.indexOf(m.phx_ref) < 0`.
function notIn(refs) {
  if (refs.length <= 8) return (m) => refs.indexOf(m.phx_ref) < 0;
  const set = new Set(refs);
  return (m) => { const r = m.phx_ref; return r !== r || !set.has(r); };
}
function noop() {}
export function presenceSyncState(currentState, newState, onJoin, onLeave) {
  const state = nullProto(jsonClone(currentState));
  newState = nullProto(newState);
  const joins = Object.create(null), leaves = Object.create(null);
  Object.getOwnPropertyNames(state).forEach((key) => {
    const presence = state[key];
    if (!newState[key]) leaves[key] = presence;
  });
  Object.getOwnPropertyNames(newState).forEach((key) => {
    const newPresence = newState[key], current = state[key];
    if (!current) {
      joins[key] = newPresence;
      return;
    }
    const newRefs = refsOf(newPresence.metas), curRefs = refsOf(current.metas);
    const joined = newPresence.metas.filter(notIn(curRefs));
    const left = current.metas.filter(notIn(newRefs));
    if (joined.length > 0) {
      joins[key] = newPresence;
      newPresence.metas = joined;
    }
    if (left.length > 0) {
      leaves[key] = jsonClone(current);
      leaves[key].metas = left;
    }
  });
  return presenceSyncDiff(state, { joins, leaves }, onJoin, onLeave);
}
export function presenceSyncDiff(state, diff, onJoin, onLeave) {
  state = nullProto(state);
  const { joins, leaves } = jsonClone(diff);
  if (!onJoin) onJoin = noop;
  if (!onLeave) onLeave = noop;
  Object.getOwnPropertyNames(joins).forEach((key) => {
    const newPresence = joins[key], current = state[key];
    state[key] = jsonClone(newPresence);
    if (current) {
      const joinedRefs = refsOf(state[key].metas);
      state[key].metas.unshift(...current.metas.filter(notIn(joinedRefs)));
    }
    onJoin(key, current, newPresence);
  });
  Object.getOwnPropertyNames(leaves).forEach((key) => {
    const leftPresence = leaves[key], current = state[key];
    if (current && leaveKey(key, current, leftPresence, onLeave)) delete state[key];
  });
  return state;
}
export function presenceList(presences, chooser) {
  if (!chooser) chooser = (key, presence) => presence;
  return Object.getOwnPropertyNames(presences).map((key) => chooser(key, presences[key]));
}
// The instance's second state frame, for a key whose refs changed (see presenceChanged in
// src/js/presence.rs): syncState's comparison, the state's copy, the leave's clone, and
// the join merged onto the copy.
export function presenceChanged(current, incoming) {
  const newRefs = refsOf(incoming.metas), curRefs = refsOf(current.metas);
  const joined = incoming.metas.filter(notIn(curRefs));
  const left = current.metas.filter(notIn(newRefs));
  if (joined.length === 0 && left.length === 0) return undefined;
  const stateCopy = jsonClone(current);
  let leftPresence = null, merged = null;
  if (left.length > 0) {
    leftPresence = jsonClone(current);
    leftPresence.metas = jsonClone(left);
  }
  if (joined.length > 0) {
    incoming.metas = joined;
    merged = joinInto(stateCopy, jsonClone(incoming));
  }
  return [stateCopy, leftPresence, merged];
}

// The instance's roster keeps key texts, not JS key strings (they were most of its JS heap
// at 100k keys); these make the strings again, all in one call, when list(chooser) or
// `state` needs them.
export function splitKeys(text, lens) {
  const keys = new Array(lens.length);
  for (let i = 0, at = 0; i < lens.length; i++) keys[i] = text.substring(at, (at += lens[i]));
  return keys;
}
export function chooseEach(chooser, keys, presences) {
  for (let i = 0; i < presences.length; i++) presences[i] = chooser(keys[i], presences[i]);
  return presences;
}
export function nullProtoObject(keys, values) {
  const o = Object.create(null);
  for (let i = 0; i < keys.length; i++) o[keys[i]] = values[i];
  return o;
}
export function arrayOf(values) { return values; }
export function totalLength(keys) {
  let n = 0;
  for (let i = 0; i < keys.length; i++) n += keys[i].length;
  return n;
}

// ---- Push (src/js/push.rs) -----------------------------------------------------------
// phoenix.js's Push as a plain JS object, so that it owns nothing in wasm and needs no
// finalizer: the engine has the push while it is in flight and tells this object of every
// reply or timeout (pushSettled), and the hooks run here, as in phoenix.js. The channel's
// hidden `__push*` methods reach the engine; once the engine freed a settled push, its
// getters answer from the last reply and send()/resend() put it in flight again.
const NO_KEY = 4294967295;
export class Push {
  constructor(channel, event, payload, timeout) {
    this.channel = channel;
    this.event = event;
    this.recHooks = [];
    this._payload = payload;
    this._timeout = timeout;
    this._i = NO_KEY;
    this._g = NO_KEY;
    this._awaitable = false;
    this._last = null; // the last reply: {status, response, ref, sent, timeout}
    this._kept = false; // sent again after a reply: `receivedResp` is still that reply
    this._promise = null;
  }
  receive(status, callback) {
    // Before the first reply nothing can have been received: no wasm call.
    const resp = this._last === null ? null : this.receivedResp;
    if (resp !== null && resp.status === status) callback(resp.response);
    this.recHooks.push({ status, callback });
    return this;
  }
  send() {
    if (this.channel.__pushSend(this._i, this._g)) return;
    if (this._last !== null && this._last.status === "timeout") return;
    this._kept = this._last !== null;
    this.channel.__pushRevive(this.event, this._payload, this.timeout, this);
  }
  resend(timeout) {
    if (this.channel.__pushResend(this._i, this._g, timeout)) return;
    this._last = null; // reset(): no ref, no reply, not sent
    this._kept = false;
    this._timeout = timeout;
    this.channel.__pushRevive(this.event, this._payload, timeout, this);
  }
  get ref() {
    const s = this.channel.__pushState(this._i, this._g);
    if (s !== undefined) return s[0];
    return this._last !== null ? this._last.ref : undefined;
  }
  get sent() {
    const s = this.channel.__pushState(this._i, this._g);
    if (s !== undefined) return s[1];
    return this._last !== null && this._last.sent;
  }
  get timeout() {
    const s = this.channel.__pushState(this._i, this._g);
    if (s !== undefined) return s[2];
    return this._last !== null ? this._last.timeout : this._timeout;
  }
  get receivedResp() {
    const s = this.channel.__pushState(this._i, this._g);
    if (s !== undefined && (s[3] !== null || !this._kept)) return s[3];
    const last = this._last;
    return last === null ? null : { status: last.status, response: last.response };
  }
  // With the socket option `awaitablePushes` (issue #11) a push is a thenable: the
  // promise settles once, on the first `ok` (the response), `error` or `timeout` (a
  // PushError with `status` and `response`); `receive` keeps working on the same object.
  // Without it `then` is undefined, so `await push` is the push itself, as in phoenix.js.
  get then() {
    if (!this._awaitable) return undefined;
    const push = this;
    return function then(onFulfilled, onRejected) {
      if (push._promise === null) {
        push._promise = new Promise((resolve, reject) => {
          push.receive("ok", resolve);
          push.receive("error", (r) => reject(pushError(push, "error", r)));
          push.receive("timeout", (r) => reject(pushError(push, "timeout", r)));
        });
      }
      return push._promise.then(onFulfilled, onRejected);
    };
  }
}
export function setPushKey(push, index, generation) {
  push._i = index;
  push._g = generation;
}
export function pushResp(status, response) { return { status, response }; }
// A reply or timeout reached the push (Callback::Settle): phoenix.js's matchReceive. Every
// hook of the status runs; the first exception is rethrown after them, as the driver does
// for the callbacks of one message. The status comes as replyStatus numbers it, so a reply
// converts no string.
export function pushSettled(push, code, otherStatus, response, ref, sent, timeout) {
  if (push === undefined) return;
  const status = code === OTHER_STATUS ? otherStatus : STATUSES[code];
  push._last = { status, response, ref: ref < 0 ? null : String(ref), sent, timeout };
  push._kept = false;
  let failed = false, error;
  for (const hook of push.recHooks.filter((h) => h.status === status)) {
    try {
      hook.callback(response);
    } catch (e) {
      if (!failed) { failed = true; error = e; }
    }
  }
  if (failed) throw error;
}
// Channel.prototype's join, leave, push and joinPush (src/js/channel.rs): they make the
// Push objects, which the wasm side cannot (it does not see `this`).
const joinPushes = new WeakMap();
function joinPushOf(channel) {
  let push = joinPushes.get(channel);
  if (push === undefined) {
    push = new Push(channel, "phx_join", undefined, undefined);
    joinPushes.set(channel, push);
    push._awaitable = channel.__joinOwn(push);
  }
  return push;
}
export function joinPushIfMade(channel) { return joinPushes.get(channel); }
export function installChannelMethods(channel) {
  const proto = Object.getPrototypeOf(channel);
  const methods = {
    join(timeout) {
      this.__join(timeoutArg(timeout));
      return joinPushOf(this);
    },
    leave(timeout) {
      const push = new Push(this, "phx_leave", {}, timeout);
      push._awaitable = this.__leave(timeoutArg(timeout), push);
      return push;
    },
    push(event, payload, timeout) {
      if (!payload) payload = {};
      const push = new Push(this, event, payload, timeout);
      push._awaitable = this.__push(event, payload, timeoutArg(timeout), push, Date.now());
      return push;
    },
  };
  for (const name of Object.keys(methods)) {
    Object.defineProperty(proto, name, { value: methods[name], writable: true, configurable: true });
  }
  Object.defineProperty(proto, "joinPush", { get() { return joinPushOf(this); }, configurable: true });
}
// A push timeout as the engine takes it: a finite number ≥ 0, else -1 (the channel's).
function timeoutArg(t) { return typeof t === "number" && t >= 0 && t !== Infinity ? t : -1; }
function pushError(push, status, response) {
  const what = status === 'timeout' ? 'timed out' : 'failed';
  const err = new Error(`push "${push.event}" ${what}`);
  err.name = 'PushError';
  err.status = status;
  err.response = response;
  return err;
}
