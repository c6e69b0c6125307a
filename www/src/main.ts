// The phoenix-wasm demo: a chat room with a presence list, typing indicators and the
// connection's status. It uses only the package's public API, exactly as an app written for
// phoenix.js would (`from "phoenix"` → `from "phoenix-wasm"`).
//
// URL parameters: `?name=Ada&room=lobby` joins at once (the join form sets them), and
// `?transport=longpoll` forces the LongPoll transport instead of WebSocket.
import { LongPoll, Presence, Socket } from "phoenix-wasm";
import type { Channel } from "phoenix-wasm";
import { ConnectionWatcher, type ConnState } from "./connection";
import { TypingIndicator, typingText } from "./typing";
import "./style.css";

/** A `new_msg` broadcast of the test server. */
interface ChatMessage {
  body: string;
  user_id: string;
  name?: string;
  at: number;
}

/** A presence meta of the test server. */
interface Meta {
  online_at: number;
  user_id: string;
  device: string;
  phx_ref: string;
  name?: string;
}

interface OnlineUser {
  id: string;
  name: string;
  devices: string[];
  since: number;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

const query = new URLSearchParams(location.search);
const forceLongPoll = query.get("transport") === "longpoll";

/** The user id is the name, normalised: two tabs with the same name are one user with two
 *  devices in the presence list. */
const userIdOf = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, "-");
const cleanRoom = (room: string): string => room.trim().replace(/[^A-Za-z0-9_-]/g, "") || "lobby";

function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge"
    : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  return `${browser} tab`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const logTimeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const LEFT_GRACE_MS = 2000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A stable hue per user, for their name in the message list. */
function hue(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

// ---------------------------------------------------------------------------------------
// Join screen

function showJoin(): void {
  $("join-screen").hidden = false;
  $("chat-screen").hidden = true;
  const name = $<HTMLInputElement>("join-name");
  const room = $<HTMLInputElement>("join-room");
  const longpoll = $<HTMLInputElement>("join-longpoll");
  name.value = query.get("name") ?? sessionStorage.getItem("demo:name") ?? "";
  room.value = query.get("room") ?? "lobby";
  longpoll.checked = forceLongPoll;
  $("join-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ name: name.value.trim(), room: cleanRoom(room.value) });
    if (longpoll.checked) params.set("transport", "longpoll");
    sessionStorage.setItem("demo:name", name.value.trim());
    location.search = params.toString();
  });
  name.focus();
}

// ---------------------------------------------------------------------------------------
// Chat screen

function startChat(name: string, room: string): void {
  $("join-screen").hidden = true;
  $("chat-screen").hidden = false;
  document.title = `#${room} · phoenix-wasm chat`;
  $("room-name").textContent = `#${room}`;
  $("me-name").textContent = name;

  const userId = userIdOf(name);
  const watcher = new ConnectionWatcher(forceLongPoll);
  const socket = new Socket("/socket", {
    params: { user_id: userId, name },
    reconnectAfterMs: watcher.reconnectAfterMs,
    // WebSocket first, LongPoll if it cannot open within 2.5 s (as Phoenix 1.8 apps do),
    // unless `?transport=longpoll` asks for LongPoll outright.
    ...(forceLongPoll ? { transport: LongPoll } : { longPollFallbackMs: 2500 }),
  });
  watcher.attach(socket);

  const channel = socket.channel(`room:${room}`, { name, device: deviceLabel() });
  const presence = new Presence(channel);
  const typing = new TypingIndicator(channel);

  renderStatus(watcher);
  renderPresence(presence, userId, typing);
  wireMessages(channel, userId, typing);

  channel.join()
    .receive("ok", () => watcher.log(`Joined #${room}`, "open"))
    .receive("error", (resp: { reason?: string }) => systemLine(`Could not join #${room}: ${resp.reason ?? "error"}`))
    .receive("timeout", () => watcher.log(`Joining #${room} timed out; retrying`, "reconnecting"));
  channel.onError(() => {
    // The socket dropped (or the channel crashed): phoenix.js rejoins on its own.
    if (socket.isConnected()) watcher.log(`#${room} errored, rejoining`, "reconnecting");
  });

  socket.connect();
  watcher.log(`Connecting via ${forceLongPoll ? "LongPoll (forced by ?transport=longpoll)" : "WebSocket"}`, "connecting");

  $("leave").addEventListener("click", () => {
    // Disconnect once the server answered the leave (at most 1 s): over LongPoll the leave
    // travels in a POST that an immediate disconnect would abort, leaving us listed as
    // online until the session expires.
    let done = false;
    const disconnect = () => {
      if (done) return;
      done = true;
      socket.disconnect(() => {
        const params = new URLSearchParams({ room });
        if (forceLongPoll) params.set("transport", "longpoll");
        location.search = params.toString();
      });
    };
    setTimeout(disconnect, 1000);
    socket.onMessage(({ topic, event }) => {
      if (topic === channel.topic && (event === "phx_reply" || event === "phx_close")) disconnect();
    });
    channel.leave();
  });
}

function renderStatus(watcher: ConnectionWatcher): void {
  const pill = $("status");
  watcher.onStatus((status) => {
    pill.textContent = status.text;
    pill.dataset.state = status.state;
    pill.dataset.transport = status.transport ?? "";
    pill.title = status.fallback ? "WebSocket could not connect, so the socket fell back to LongPoll" : "";
  });
  const log = $("conn-log");
  watcher.onLog((text: string, state: ConnState) => {
    const item = el("li", `log-${state}`);
    item.append(el("time", undefined, logTimeFormat.format(new Date())), el("span", undefined, text));
    log.prepend(item);
    while (log.children.length > 8) log.lastElementChild?.remove();
  });
}

function renderPresence(presence: Presence, myId: string, typing: TypingIndicator): void {
  const list = $("users");
  const count = $("online-count");
  let synced = false;

  // "X left" waits a moment: a user whose connection blips (e.g. /control/drop) leaves and
  // comes back within a second, and that is not worth a line in the chat.
  const leaving = new Map<string, ReturnType<typeof setTimeout>>();

  presence.onJoin((id, current: { metas: Meta[] } | undefined, joined: { metas: Meta[] }) => {
    // A new key is a user coming online; more metas for a known key are more devices.
    if (current || id === myId) return;
    const pending = leaving.get(id);
    if (pending !== undefined) {
      clearTimeout(pending);
      leaving.delete(id);
    } else if (synced) {
      systemLine(`${joined.metas[0]?.name ?? id} joined`);
    }
  });
  presence.onLeave((id, current: { metas: Meta[] }, left: { metas: Meta[] }) => {
    if (current.metas.length > 0 || id === myId) return; // still online on another device
    typing.remove(id);
    const name = left.metas[0]?.name ?? id;
    leaving.set(id, setTimeout(() => {
      leaving.delete(id);
      systemLine(`${name} left`);
    }, LEFT_GRACE_MS));
  });
  presence.onSync(() => {
    synced = true;
    const users = presence.list((id, { metas }: { metas: Meta[] }): OnlineUser => ({
      id,
      name: metas.find((m) => m.name)?.name ?? id,
      devices: metas.map((m) => m.device),
      since: Math.min(...metas.map((m) => m.online_at)),
    }));
    users.sort((a, b) => Number(b.id === myId) - Number(a.id === myId) || a.name.localeCompare(b.name));
    count.textContent = String(users.length);
    list.replaceChildren(...users.map((user) => {
      const item = el("li", "user");
      item.dataset.userId = user.id;
      const dot = el("span", "dot");
      dot.style.setProperty("--hue", String(hue(user.id)));
      const who = el("span", "user-name", user.name);
      if (user.id === myId) who.append(el("span", "you", " (you)"));
      const n = user.devices.length;
      const detail = el("span", "user-detail",
        `${n} ${n === 1 ? "device" : "devices"} · online since ${timeFormat.format(new Date(user.since))}`);
      detail.title = user.devices.join(", ");
      item.append(dot, el("span", "user-text"));
      item.lastElementChild?.append(who, detail);
      return item;
    }));
  });
}

function wireMessages(channel: Channel, myId: string, typing: TypingIndicator): void {
  const input = $<HTMLInputElement>("message");
  const indicator = $("typing");

  channel.on("new_msg", (msg: ChatMessage) => {
    typing.remove(msg.user_id);
    addMessage(msg, msg.user_id === myId);
  });
  typing.onTypingChanged((names) => { indicator.textContent = typingText(names); });

  input.addEventListener("input", () => {
    if (input.value.trim()) typing.keystroke();
    else typing.stop();
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    input.value = "";
    typing.stop();
    // Sent now, or buffered by the channel until it is joined again (10 s at most).
    channel.push("new_msg", { body })
      .receive("error", (resp: { reason?: string }) => systemLine(`Not sent: ${resp.reason ?? "error"} — “${body}”`))
      .receive("timeout", () => systemLine(`Not sent (no connection) — “${body}”`));
  });
  input.focus();
}

function scrollToEnd(list: HTMLElement): void {
  list.scrollTop = list.scrollHeight;
}

function addMessage(msg: ChatMessage, mine: boolean): void {
  const list = $("messages");
  const item = el("li", mine ? "message mine" : "message");
  const meta = el("div", "message-meta");
  const author = el("span", "author", msg.name ?? msg.user_id);
  author.style.setProperty("--hue", String(hue(msg.user_id)));
  meta.append(author, el("time", undefined, timeFormat.format(new Date(msg.at))));
  item.append(meta, el("div", "body", msg.body));
  list.append(item);
  scrollToEnd(list);
}

function systemLine(text: string): void {
  const list = $("messages");
  list.append(el("li", "system", text));
  scrollToEnd(list);
}

// ---------------------------------------------------------------------------------------

const name = query.get("name")?.trim();
const room = query.get("room");
if (name && room) startChat(name.slice(0, 24), cleanRoom(room));
else showJoin();
