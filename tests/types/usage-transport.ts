// LongPoll, Timer, Ajax and the type-only names as apps use them against @types/phoenix
// 1.6.7. Push, Timer and Ajax are not exported by phoenix.js at runtime (spec §1.1), so
// working apps use them only as types; that is what this file does. Only the import line
// differs from such an app; it also compiles against @types/phoenix.
import { Socket, LongPoll, Presence, Channel, Push, Timer, Ajax } from "phoenix-wasm";
import type {
  PushStatus,
  ChannelState,
  BinaryType,
  ConnectionState,
  SocketConnectOption,
  MessageRef,
  PresenceOnJoinCallback,
  PresenceOnLeaveCallback,
  PresenceOpts,
} from "phoenix-wasm";

// ---- LongPoll as the transport ----
const socket = new Socket("/socket", { transport: LongPoll, longpollerTimeout: 30000 });
socket.connect();
const fallback = new Socket("/socket", { longPollFallbackMs: 3000 });
fallback.replaceTransport(LongPoll);

// ---- LongPoll's own methods ----
const lp = new LongPoll("wss://example.com/socket/websocket?vsn=2.0.0");
const pollUrl: string = lp.normalizeEndpoint("wss://example.com/socket/websocket");
const withToken: string = lp.endpointURL();
lp.poll();
lp.send(JSON.stringify([null, "1", "phoenix", "heartbeat", {}]));
lp.ontimeout();
lp.closeAndRetry();
lp.close();
lp.close(1000, "normal");
console.log(pollUrl, withToken);

// ---- Timer, as a type (e.g. a helper that drives phoenix's backoff timers) ----
function restart(timer: Timer) {
  timer.reset();
  timer.scheduleTimeout();
}
type TimerClass = typeof Timer;
declare const TimerImpl: TimerClass;
const backoff = new TimerImpl(() => console.log("retry"), (tries) => Math.min(30000, 2 ** tries * 100));
restart(backoff);
const asyncTimer = new TimerImpl(async () => { await Promise.resolve(); }, () => 1000);
restart(asyncTimer);

// ---- Push, as a type ----
const channel: Channel = socket.channel("room:1");
const pending: Push[] = [channel.join(), channel.push("a", {})];
pending.forEach((p: Push) => p.receive("ok", () => {}));

// ---- Ajax, as a type ----
type AjaxClass = typeof Ajax;
declare const AjaxImpl: AjaxClass;
const qs: string = AjaxImpl.serialize({ a: 1, b: { c: "d" } }, "");
const full: string = AjaxImpl.appendParams("/socket/longpoll", { vsn: "2.0.0" });
console.log(qs, full);

// ---- every exported type name, used ----
const statuses: PushStatus[] = ["ok", "error", "timeout"];
const states: ChannelState[] = ["closed", "errored", "joined", "joining", "leaving"];
const binary: BinaryType[] = ["arraybuffer", "blob"];
const conns: ConnectionState[] = ["connecting", "open", "closing", "closed"];
const allOptions: SocketConnectOption = {
  authToken: "t",
  binaryType: "arraybuffer",
  params: {},
  transport: WebSocket,
  timeout: 1,
  heartbeatIntervalMs: 1,
  longPollFallbackMs: 1,
  longpollerTimeout: 1,
  encode: (payload, cb) => cb(payload),
  decode: (payload, cb) => cb(payload),
  logger: () => {},
  reconnectAfterMs: () => 1,
  rejoinAfterMs: () => 1,
  vsn: "2.0.0",
  debug: false,
  sessionStorage: sessionStorage,
};
new Socket("/socket", allOptions);
const messageRef: MessageRef = socket.makeRef();
const join: PresenceOnJoinCallback = () => {};
const leave: PresenceOnLeaveCallback = () => {};
const presenceOpts: PresenceOpts = {};
const presence: Presence = new Presence(channel, presenceOpts);
Presence.syncDiff({}, { joins: {}, leaves: {} }, join, leave);
console.log(statuses, states, binary, conns, messageRef, presence);
