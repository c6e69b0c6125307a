// Presence against the test server in Node (issue 5): every scenario of
// tests/js/presence_scenarios.js (including the seed's classes, tests/js/seed.js) runs with
// `ws` as the transport, once with the official phoenix 1.8.16 and once with our package
// (ESM and CommonJS entries). phoenix passing them proves the expectations; ours passing
// them proves the behaviour matches.
//
// One scenario POSTs /control/drop, which cuts every connection of the server, and
// `node --test tests/node/` runs the files of this directory in parallel: so this file
// always starts its own server (TESTSERVER_BIN or target/debug/testserver; build it with
// `cargo build -p testserver`) rather than sharing PHX_TEST_URL's with package.test.mjs.
// PRESENCE_TEST_URL points it at a running server instead.
import { test, describe, before, after } from "node:test";
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import WebSocket from "ws";
import * as phoenix from "phoenix";
import * as ours from "../../pkg/phoenix-wasm.js";
import { scenarios } from "../js/presence_scenarios.js";

const require = createRequire(import.meta.url);
const oursCjs = require("../../pkg/phoenix-wasm.cjs");

let base = process.env.PRESENCE_TEST_URL;
let server;

before(async () => {
  if (base) return;
  const bin = process.env.TESTSERVER_BIN ?? "target/debug/testserver";
  server = spawn(bin, ["--port", "0", "--longpoll-window-ms", "2000"], { stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((resolve, reject) => {
    server.stdout.on("data", (d) => {
      const m = /testserver ready (http:\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    server.on("error", reject);
    server.on("exit", () => reject(new Error(`${bin} exited`)));
  });
});
after(() => server?.kill());

/** `{Socket, Presence}` with `ws` as the default transport (Node 20 has no global WebSocket). */
function api(mod) {
  const Socket = function (endPoint, opts = {}) {
    return new mod.Socket(endPoint, { transport: WebSocket, ...opts });
  };
  return { Socket, Presence: mod.Presence };
}

const clients = { "phoenix 1.8.16": phoenix, "phoenix-wasm (ESM)": ours, "phoenix-wasm (CJS)": oursCjs };

for (const [name, mod] of Object.entries(clients)) {
  describe(`presence: ${name}`, () => {
    for (const scenario of Object.keys(scenarios)) {
      test(scenario, async () => {
        await scenarios[scenario](api(mod), base);
      });
    }
  });
}
