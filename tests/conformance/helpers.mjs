// Shared helpers of the conformance suite: start (or find) the test server, open
// official phoenix.js 1.8.16 sockets over either transport, and turn callbacks into
// promises. Not a test file itself (node --test only runs *.test.mjs here).
//
// The server: env PHX_TEST_URL (e.g. http://127.0.0.1:4010) if set; otherwise each
// test file starts its own `target/debug/testserver --port 0` (or env
// TESTSERVER_BIN), reads the ready line, and kills it by pid when the file ends.
//
// Debugging: env TESTSERVER_ARGS adds arguments to spawned servers (e.g. --verbose)
// and env TESTSERVER_LOG names a file their stderr is appended to when they stop.
//
// Waits never assert timings: `within` only turns a hang into a failure that says
// what was being waited for.

import {spawn} from "node:child_process";
import {once} from "node:events";
import {appendFileSync, existsSync} from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {Socket, LongPoll} from "phoenix";
import WebSocket from "ws";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TESTSERVER_BIN = process.env.TESTSERVER_BIN || path.join(ROOT, "target/debug/testserver");

/// LongPoll window of a server this suite starts: short, so a 204 is seen quickly.
export const SPAWNED_WINDOW_MS = 1500;

/** Starts `testserver --port 0 ...args` and resolves once it printed its ready line. */
export async function spawnServer(args = []) {
  if (!existsSync(TESTSERVER_BIN)) {
    throw new Error(`${TESTSERVER_BIN} not found: run \`cargo build -p testserver\` or set PHX_TEST_URL`);
  }
  const extra = (process.env.TESTSERVER_ARGS || "").split(/\s+/).filter(Boolean);
  const child = spawn(TESTSERVER_BIN, ["--port", "0", ...args, ...extra], {stdio: ["ignore", "pipe", "pipe"]});
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^testserver ready (\S+) ws=\S+ longpoll=\S+ control=\S+\n/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`testserver exited (${code}) before ready: ${stderr}`)));
  });
  return {
    url,
    owned: true,
    pid: child.pid,
    stderr: () => stderr,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode !== null) return;
      process.kill(child.pid, "SIGTERM");
      await once(child, "exit");
      if (process.env.TESTSERVER_LOG) appendFileSync(process.env.TESTSERVER_LOG, stderr);
    },
  };
}

/** The server under test: PHX_TEST_URL, or one spawned for this file. */
export async function startServer() {
  const external = process.env.PHX_TEST_URL;
  if (external) {
    return {url: external.replace(/\/$/, ""), owned: false, stderr: () => "", async stop() {}};
  }
  return spawnServer(["--longpoll-window-ms", String(SPAWNED_WINDOW_MS)]);
}

export const wsBase = (server) => server.url.replace(/^http/, "ws");

/** Rejects with `what` if `promise` has not settled after `ms`. */
export function within(promise, what, ms = 8000) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting for: ${what}`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Resolves once `predicate()` is truthy (checked on every macrotask). */
export function eventually(predicate, what, ms = 8000) {
  return within(
    new Promise((resolve) => {
      const check = () => {
        const v = predicate();
        if (v) resolve(v);
        else setTimeout(check, 10);
      };
      check();
    }),
    what,
    ms,
  );
}

let unique = 0;
/** A topic no other test uses. */
export const topic = (prefix, name) => `${prefix}:${name}-${process.pid}-${++unique}`;

export const TRANSPORTS = {websocket: WebSocket, longpoll: LongPoll};

/**
 * Opens sockets and closes them all in `cleanup()`. Fast reconnect and rejoin so
 * the recovery tests do not wait for phoenix.js' default back-off.
 */
export class Clients {
  constructor(server, transport) {
    this.server = server;
    this.transport = transport;
    this.sockets = [];
    this.raws = [];
  }

  socket(opts = {}) {
    const socket = new Socket(`${wsBase(this.server)}/socket`, {
      transport: TRANSPORTS[this.transport],
      reconnectAfterMs: () => 50,
      rejoinAfterMs: () => 50,
      ...opts,
    });
    this.sockets.push(socket);
    return socket;
  }

  /** A connected socket. */
  async connected(opts = {}) {
    const socket = this.socket(opts);
    const open = new Promise((resolve) => socket.onOpen(resolve));
    socket.connect();
    await within(open, `${this.transport} socket open`);
    return socket;
  }

  /** A raw `ws` connection (WebSocket only), frames collected in `.frames`. */
  async raw(query = "vsn=2.0.0", protocols = undefined) {
    const ws = new WebSocket(`${wsBase(this.server)}/socket/websocket?${query}`, protocols);
    ws.binaryType = "arraybuffer";
    const raw = new RawClient(ws);
    this.raws.push(raw);
    await within(once(ws, "open"), "raw websocket open");
    return raw;
  }

  async cleanup() {
    for (const s of this.sockets) {
      // A pending channel rejoin timer would keep the test process alive: phoenix.js
      // only cancels it on a socket error, not on disconnect.
      for (const ch of s.channels) ch.rejoinTimer.reset();
      s.disconnect();
    }
    for (const r of this.raws) r.ws.terminate();
    this.sockets = [];
    this.raws = [];
  }
}

/** A raw WebSocket client that records every frame it receives. */
export class RawClient {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    ws.on("message", (data, isBinary) => {
      this.frames.push(isBinary ? new Uint8Array(data) : data.toString());
      this.waiters = this.waiters.filter((w) => !w());
    });
  }

  send(frame) {
    this.ws.send(typeof frame === "string" || frame instanceof Uint8Array ? frame : JSON.stringify(frame));
  }

  /** Resolves with the frames received once `count` frames arrived in total. */
  waitFrames(count, what = `${count} frames`) {
    return within(
      new Promise((resolve) => {
        const done = () => {
          if (this.frames.length >= count) {
            resolve(this.frames.slice());
            return true;
          }
          return false;
        };
        if (!done()) this.waiters.push(done);
      }),
      what,
    );
  }

  /** Sends `frame` and resolves with the first text frame matching `pred` after it. */
  async request(frame, pred, what) {
    const start = this.frames.length;
    this.send(frame);
    const match = () => this.frames.slice(start).find((f) => typeof f === "string" && pred(JSON.parse(f)));
    return within(
      new Promise((resolve) => {
        const done = () => {
          const m = match();
          if (m) resolve(m);
          return !!m;
        };
        if (!done()) this.waiters.push(done);
      }),
      what,
    );
  }
}

/**
 * Push timeout for events that never get a reply (shout, crash): phoenix.js keeps a
 * push's timer (10 s by default) even after disconnect, which would hold the test
 * process open; a short one just fires a harmless "timeout".
 */
export const NO_REPLY_TIMEOUT = 200;

/** Joins and resolves with {status, response} ("ok", "error" or "timeout"). */
export function join(channel) {
  return within(
    new Promise((resolve) => {
      channel
        .join()
        .receive("ok", (response) => resolve({status: "ok", response}))
        .receive("error", (response) => resolve({status: "error", response}))
        .receive("timeout", () => resolve({status: "timeout"}));
    }),
    `join ${channel.topic}`,
  );
}

/** Pushes and resolves with {status, response}. */
export function push(channel, event, payload = {}, timeout) {
  return within(
    new Promise((resolve) => {
      channel
        .push(event, payload, timeout)
        .receive("ok", (response) => resolve({status: "ok", response}))
        .receive("error", (response) => resolve({status: "error", response}))
        .receive("timeout", () => resolve({status: "timeout"}));
    }),
    `reply to ${event} on ${channel.topic}`,
  );
}

/** Collects every `event` payload of a channel. */
export function collect(channel, event) {
  const seen = [];
  channel.on(event, (payload) => seen.push(payload));
  return seen;
}

/** POST /control/<path>, or GET for stats. */
export async function control(server, pathAndQuery, method = "POST") {
  const res = await fetch(`${server.url}/control/${pathAndQuery}`, {method});
  return res.json();
}

export const bytes = (buf) => Array.from(new Uint8Array(buf));
