// Small helpers shared by the scenario files (tests/js/*_scenarios.js, scenarios.js), in the
// browser and in Node. wasm-bindgen copies this file for the browser tests because
// tests/web_common names it in an extern block.

let unique = 0;
export const topic = (prefix, name) => `${prefix}:${name}-${Date.now().toString(36)}-${++unique}`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const wsUrl = (base) => base.replace(/^http/, "ws") + "/socket";

export function fail(msg) {
  throw new Error(msg);
}

/** JSON with object keys sorted: servers do not promise key order. */
export function canonical(value) {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) && !(v instanceof ArrayBuffer)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v);
}

export function eq(actual, expected, what) {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

export async function waitFor(pred, what, ms = 8000) {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > ms) fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * POST /control/<what>. The test page is on another origin: a no-cors POST still reaches
 * the server. The browser may report the opaque answer as a network error; the effect is
 * checked by what the sockets see.
 */
export async function control(base, what) {
  const init = typeof window === "undefined" ? { method: "POST" } : { method: "POST", mode: "no-cors" };
  await fetch(`${base}/control/${what}`, init).catch(() => {});
}

/** The first reply of a push as `{status, response}`. */
export function reply(push) {
  return new Promise((resolve) => {
    push
      .receive("ok", (response) => resolve({ status: "ok", response }))
      .receive("error", (response) => resolve({ status: "error", response }))
      .receive("timeout", (response) => resolve({ status: "timeout", response }));
  });
}

export async function close(socket) {
  await new Promise((resolve) => socket.disconnect(resolve));
}

/** Runs `f` with `Math.random` returning `value`, then restores it. */
export async function withRandom(value, f) {
  const random = Math.random;
  Math.random = () => value;
  try {
    return await f();
  } finally {
    Math.random = random;
  }
}

/** Runs `f` while `document.visibilityState` reads "hidden", then makes it visible again. */
export async function whileHidden(f) {
  const set = (state) => {
    Object.defineProperty(document, "visibilityState", { get: () => state, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new Event("visibilitychange"));
  };
  set("hidden");
  try {
    return await f(() => set("visible"));
  } finally {
    delete document.visibilityState;
  }
}
