// End-to-end test of the demo (www/): two (and more) users in Debian's Chromium, driven by
// playwright-core, against the test server serving www/dist and pkg/.
//
//   bash scripts/build-www.sh && node --test tests/e2e/      (scripts/test.sh does both)
//
// The test starts its own server (target/debug/testserver, or TESTSERVER_BIN) unless
// PHX_DEMO_URL points at a running one that serves www/dist — beware that the test calls
// /control/drop, which cuts every client of that server off. Screenshots go to
// test-output/e2e/.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, execSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const shots = path.join(root, "test-output", "e2e");
const ROOM = "e2e";

let server; // the child process, when we started one
let base; // http://127.0.0.1:PORT
let browser;
const contexts = [];
const pageErrors = [];
const pages = {}; // ada, grace, linus, ada2

async function startServer() {
  if (process.env.PHX_DEMO_URL) return process.env.PHX_DEMO_URL.replace(/\/$/, "");
  const dist = path.join(root, "www", "dist", "index.html");
  if (!existsSync(dist)) throw new Error("www/dist is missing: run `bash scripts/build-www.sh` first");
  const bin = process.env.TESTSERVER_BIN || path.join(root, "target", "debug", "testserver");
  server = spawn(bin, ["--port", "0", "--static", "www/dist", "--pkg", "pkg"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`testserver did not start: ${out}`)), 10000);
    server.once("exit", (code) => reject(new Error(`testserver exited with ${code}`)));
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/testserver ready (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

/** A user in their own browser context (their own window, storage and connection). */
async function openUser(key, query) {
  const context = await browser.newContext({ viewport: { width: 760, height: 560 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on("pageerror", (err) => pageErrors.push(`${key}: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") pageErrors.push(`${key} console: ${msg.text()}`);
  });
  await page.goto(`${base}/${query}`);
  pages[key] = page;
  return page;
}

const shot = (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`) });
const user = (page, id) => page.locator(`#users li[data-user-id="${id}"]`);
const waitOpen = (page) => page.waitForSelector('#status[data-state="open"]');
const messageBodies = (page) => page.locator("#messages .message .body").allTextContents();

async function send(page, text) {
  await page.fill("#message", text);
  await page.press("#message", "Enter");
}

async function waitForMessage(page, text) {
  await page.locator("#messages .message .body", { hasText: text }).waitFor();
}

/** Records every text and state the status pill shows, from now on (a MutationObserver in the
 *  page), so a state that lasts only a few milliseconds is not missed. */
async function recordStatus(page) {
  await page.evaluate(() => {
    const pill = document.getElementById("status");
    window.__statusSeen = [];
    new MutationObserver(() => window.__statusSeen.push(`${pill.dataset.state}: ${pill.textContent}`))
      .observe(pill, { attributes: true, childList: true, characterData: true, subtree: true });
  });
}

describe("demo: chat with presence, typing and connection status", { timeout: 120000 }, () => {
  before(async () => {
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    base = await startServer();
    const executablePath = execSync("command -v chromium", { shell: "/bin/bash" }).toString().trim();
    browser = await chromium.launch({
      executablePath,
      args: [
        "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
      ],
    });
  });

  after(async () => {
    // On failure the last state of every open page is the most useful evidence.
    for (const [key, page] of Object.entries(pages)) {
      if (!page.isClosed()) await shot(page, `last-${key}`).catch(() => {});
    }
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    if (server) {
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
    }
  });

  it("the join form leads to the chat", async () => {
    const ada = await openUser("ada", "");
    await ada.waitForSelector("#join-form");
    await shot(ada, "01-join-form");
    await ada.fill("#join-name", "Ada");
    await ada.fill("#join-room", ROOM);
    await ada.click('#join-form button[type="submit"]');
    await ada.waitForURL(/name=Ada/);
    await waitOpen(ada);
    assert.equal(await ada.textContent("#status"), "Connected · WebSocket");
    assert.equal(await ada.textContent("#room-name"), `#${ROOM}`);
  });

  it("each user sees the other in the presence list", async () => {
    const grace = await openUser("grace", `?name=Grace&room=${ROOM}`);
    await waitOpen(grace);
    const { ada } = pages;
    await user(ada, "grace").waitFor();
    await user(grace, "ada").waitFor();
    for (const page of [ada, grace]) {
      assert.equal(await page.textContent("#online-count"), "2");
      const ids = await page.locator("#users li").evaluateAll((lis) => lis.map((li) => li.dataset.userId));
      assert.deepEqual(ids.sort(), ["ada", "grace"]);
    }
    const detail = await user(ada, "grace").textContent();
    assert.match(detail, /Grace1 device · online since \d/);
    assert.match(await user(ada, "ada").textContent(), /Ada \(you\)/);
    await ada.locator("#messages .system", { hasText: "Grace joined" }).waitFor();
  });

  it("they exchange messages", async () => {
    const { ada, grace } = pages;
    await send(ada, "Hello from Ada");
    await waitForMessage(grace, "Hello from Ada");
    await waitForMessage(ada, "Hello from Ada");
    await send(grace, "Hi Ada, Grace here");
    await waitForMessage(ada, "Hi Ada, Grace here");
    await waitForMessage(grace, "Hi Ada, Grace here");
    assert.deepEqual(await messageBodies(ada), ["Hello from Ada", "Hi Ada, Grace here"]);
    assert.deepEqual(await messageBodies(grace), ["Hello from Ada", "Hi Ada, Grace here"]);
    // Own messages are marked, and the author's name comes from the server's broadcast.
    assert.equal(await ada.locator("#messages .message.mine .body").textContent(), "Hello from Ada");
    assert.equal(await grace.locator("#messages .message:not(.mine) .author").textContent(), "Ada");
  });

  it("one sees the other typing, until they stop", async () => {
    const { ada, grace } = pages;
    await grace.locator("#message").pressSequentially("I am wri", { delay: 40 });
    await ada.waitForFunction(() => document.getElementById("typing").textContent === "Grace is typing…");
    assert.equal(await grace.textContent("#typing"), "", "nobody else is typing for Grace");
    await shot(ada, "02-ada-sees-grace-typing");
    await shot(grace, "02-grace-typing");
    // 1 s without a key: Grace's page says she stopped.
    await ada.waitForFunction(() => document.getElementById("typing").textContent === "", null, { timeout: 5000 });
    await grace.fill("#message", "");
  });

  it("after /control/drop both pages show reconnecting, then recover with presence and chat intact", async () => {
    const { ada, grace } = pages;
    await recordStatus(ada);
    await recordStatus(grace);
    const res = await fetch(`${base}/control/drop`, { method: "POST" });
    assert.equal(res.status, 200);
    for (const page of [ada, grace]) {
      await page.waitForFunction(() => window.__statusSeen.some((s) => s.startsWith("reconnecting: ")));
      await page.waitForFunction(() => window.__statusSeen.at(-1) === "open: Connected · WebSocket");
      const seen = await page.evaluate(() => window.__statusSeen);
      assert.ok(seen.some((s) => /^reconnecting: Reconnecting… \(attempt 1\)$/.test(s)), seen.join(" | "));
      const log = await page.locator("#conn-log li").allTextContents();
      assert.ok(log.some((l) => /Connection lost \(code 1006\), reconnecting \(attempt 1\)/.test(l)), log.join(" | "));
      assert.ok(log.some((l) => /Reconnected via WebSocket on attempt 1/.test(l)), log.join(" | "));
    }
    // Presence: both are back in both lists (the channels rejoined and resynced).
    await user(ada, "grace").waitFor();
    await user(grace, "ada").waitFor();
    await ada.waitForFunction(() => document.getElementById("online-count").textContent === "2");
    await grace.waitForFunction(() => document.getElementById("online-count").textContent === "2");
    // Chat: the history is still there, and new messages flow both ways.
    assert.deepEqual(await messageBodies(ada), ["Hello from Ada", "Hi Ada, Grace here"]);
    await send(grace, "Still here after the drop");
    await waitForMessage(ada, "Still here after the drop");
    await send(ada, "Me too");
    await waitForMessage(grace, "Me too");
    await shot(ada, "03-ada-after-reconnect");
    await shot(grace, "03-grace-after-reconnect");
  });

  it("?transport=longpoll connects over LongPoll and joins the same room", async () => {
    const linus = await openUser("linus", `?name=Linus&room=${ROOM}&transport=longpoll`);
    await waitOpen(linus);
    assert.equal(await linus.textContent("#status"), "Connected · LongPoll");
    assert.equal(await linus.getAttribute("#status", "data-transport"), "LongPoll");
    await user(linus, "ada").waitFor();
    await user(linus, "grace").waitFor();
    await user(pages.ada, "linus").waitFor();
    await send(linus, "Hello over LongPoll");
    await waitForMessage(pages.ada, "Hello over LongPoll");
    await waitForMessage(linus, "Hello over LongPoll");
    await send(pages.grace, "Welcome, Linus");
    await waitForMessage(linus, "Welcome, Linus");
    await shot(linus, "04-linus-longpoll");
  });

  it("a WebSocket that never answers falls back to LongPoll, and Leave leaves", async () => {
    // Playwright answers this user's WebSocket itself and never replies: the socket opens but
    // fails the fallback's health-check ping, so after longPollFallbackMs (2.5 s) it switches.
    const context = await browser.newContext({ viewport: { width: 760, height: 560 } });
    contexts.push(context);
    await context.routeWebSocket(/\/socket\/websocket/, () => {});
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(`hopper: ${err.message}`));
    pages.hopper = page;
    await page.goto(`${base}/?name=Hopper&room=${ROOM}`);
    await page.waitForFunction(() => document.getElementById("status").textContent === "Connected · LongPoll fallback",
      null, { timeout: 20000 });
    const log = await page.locator("#conn-log li").allTextContents();
    assert.ok(log.some((l) => l.includes("Connected via LongPoll (fallen back from WebSocket)")), log.join(" | "));
    await user(page, "ada").waitFor({ timeout: 15000 });
    await user(pages.ada, "hopper").waitFor();
    await send(page, "Hello after falling back");
    await waitForMessage(pages.ada, "Hello after falling back");
    await shot(page, "05-hopper-longpoll-fallback");
    await page.click("#leave");
    await page.waitForSelector("#join-form");
    assert.equal(await page.inputValue("#join-room"), ROOM);
    await user(pages.ada, "hopper").waitFor({ state: "detached" });
  });

  it("the same name in a second tab counts as a second device", async () => {
    const ada2 = await openUser("ada2", `?name=Ada&room=${ROOM}`);
    await waitOpen(ada2);
    const { grace } = pages;
    await user(grace, "ada").filter({ hasText: "2 devices" }).waitFor();
    await shot(grace, "06-grace-sees-ada-on-two-devices");
    await ada2.close();
    await user(grace, "ada").filter({ hasText: "1 device ·" }).waitFor();
  });

  it("a user who closes the tab disappears from the others' lists", async () => {
    const { ada, grace, linus } = pages;
    await grace.close();
    await user(ada, "grace").waitFor({ state: "detached" });
    await ada.locator("#messages .system", { hasText: "Grace left" }).waitFor();
    await user(linus, "grace").waitFor({ state: "detached" });
    await ada.waitForFunction(() => document.getElementById("online-count").textContent === "2");
    await shot(ada, "07-ada-after-grace-left");
  });

  it("no page logged an error", () => {
    assert.deepEqual(pageErrors, []);
  });
});
