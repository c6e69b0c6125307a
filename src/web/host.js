// The JavaScript side of phoenix-wasm: the few host operations that are cheaper (or only
// possible) in JS, in ONE module. wasm-bindgen copies every snippet module into the package
// and a page loads each as a separate request; keeping them in one file keeps that to one
// (with more module requests than a browser's 6 connections per host, the test runner's
// page load stalled now and then; for users each file is one more request).
//
// Sections: LongPoll requests (src/web/longpoll.rs), frame encoding (src/web/serializer.rs),
// transport send (src/web/transport.rs), Push chaining and thenables (src/js/push.rs).

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
export function binaryFrame(header, payload) {
  let body;
  try { body = new Uint8Array(payload); } catch (_) { body = new Uint8Array(0); }
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out.buffer;
}

// ---- Transport (src/web/transport.rs) ------------------------------------------------
export function send(t, data) { t.send(data); }
export function eventData(e) { return e.data; }

// ---- Payloads (src/web/payload.rs) ---------------------------------------------------
export function isThenable(v) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try { return typeof v.then === "function"; } catch (_) { return false; }
}

// ---- Push (src/js/push.rs) -----------------------------------------------------------
export function chainable(obj, name) {
  const proto = Object.getPrototypeOf(obj);
  const f = proto[name];
  if (f.__chainable) return;
  const g = function (...args) { f.apply(this, args); return this; };
  g.__chainable = true;
  proto[name] = g;
}
function pushError(push, status, response) {
  const what = status === 'timeout' ? 'timed out' : 'failed';
  const err = new Error(`push "${push.event}" ${what}`);
  err.name = 'PushError';
  err.status = status;
  err.response = response;
  return err;
}
export function thenable(obj) {
  const proto = Object.getPrototypeOf(obj);
  if (Object.prototype.hasOwnProperty.call(proto, 'then')) return;
  const settled = new WeakMap();
  Object.defineProperty(proto, 'then', {
    configurable: true,
    get() {
      let awaitable = false;
      try { awaitable = this.__awaitable; } catch (_) { /* Push.prototype itself */ }
      if (!awaitable) return undefined;
      const push = this;
      return function then(onFulfilled, onRejected) {
        let p = settled.get(push);
        if (!p) {
          p = new Promise((resolve, reject) => {
            push.receive('ok', resolve);
            push.receive('error', (r) => reject(pushError(push, 'error', r)));
            push.receive('timeout', (r) => reject(pushError(push, 'timeout', r)));
          });
          settled.set(push, p);
        }
        return p.then(onFulfilled, onRejected);
      };
    },
  });
}
