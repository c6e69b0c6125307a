// phoenix.js 1.8.16's real runtime surface where @types/phoenix 1.6.7 is missing or wrong
// (spec §10.2), and the negative checks of phoenix-wasm's fixes. Compiled against
// phoenix-wasm only: @types/phoenix rejects the positive half and accepts the negative half,
// which is why tsconfig.types-phoenix.json leaves this file out.
import * as phoenix from "phoenix-wasm";
import { Socket, Channel, LongPoll, Presence, Serializer, Push, Timer, Ajax } from "phoenix-wasm";
import type { PresenceState, MessageRef } from "phoenix-wasm";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type IsAny<T> = 0 extends 1 & T ? true : false;

// ---- §1.1 / §10.2.1: the value exports are exactly phoenix.js's five ----
export type ValueExports = Expect<Equal<keyof typeof phoenix, "Channel" | "LongPoll" | "Presence" | "Serializer" | "Socket">>;

// @ts-expect-error Timer is not exported at runtime (type-only here; @types lets this crash)
new Timer(() => {}, () => 1000);
declare const channel: Channel;
// @ts-expect-error Push is not exported at runtime (type-only here)
new Push(channel, "event", () => ({}), 1000);
// @ts-expect-error Ajax is not exported at runtime (type-only here)
Ajax.appendParams("/x", {});
// @ts-expect-error instanceof needs a value: Push is undefined at runtime
if (channel.join() instanceof Push) console.log("never");

// ---- §2.1 / §2.5 / §10.2.7: options ----
let token = "t1";
const socket = new Socket("/socket", {
  authToken: () => token, // re-evaluated on every (re)connect, since 1.8.9
  transport: class {
    readyState = 0;
    constructor(
      readonly url: string,
      readonly protocols?: string[],
    ) {}
  },
  encode: Serializer.encode.bind(Serializer),
  decode: Serializer.decode.bind(Serializer),
});
token = "t2";
new Socket("/socket", { encode: Serializer.encode, decode: Serializer.decode });
new Socket("/socket", {
  encode(msg, callback) {
    // the encoder receives the message {join_ref, ref, topic, event, payload}
    const { join_ref, ref, topic, event, payload } = msg;
    callback(JSON.stringify([join_ref, ref, topic, event, payload]));
  },
});
// @ts-expect-error authToken is a string or a function returning one
new Socket("/socket", { authToken: () => 42 });
// @ts-expect-error the transport constructor's 2nd argument is the protocols array
new Socket("/socket", { transport: class { constructor(_url: string, _protocols: number) {} } });

// ---- §2.2 / §2.3 / §10.2.8 / §10.2.12: Socket ----
const clock: number = socket.replaceTransport(LongPoll); // 1.8.16 returns the connect clock
const withProtocols: number = socket.replaceTransport(WebSocket);
const chan = socket.channel("room:fn", () => ({ since: Date.now() })); // params as a function
socket.push({ topic: "room:fn", event: "x", payload: {}, ref: socket.makeRef(), join_ref: null }, chan);
const conn = socket.conn; // read-only getter in 1.8.16
if (conn !== null) console.log(conn.readyState);
// @ts-expect-error conn is a read-only getter in 1.8.16
socket.conn = null;
const channels: Channel[] = socket.channels;
const LP: typeof LongPoll = socket.getLongPollTransport();
socket.onMessage(({ join_ref, ref, topic, event, payload }) => console.log(join_ref, ref, topic, event, payload));
socket.onError((_error, transport) => {
  new transport("wss://x/socket/websocket", ["phoenix"]); // the class gets (url, protocols)
});
class MethodPing extends Socket {
  // ping is a method at runtime; overriding it with a method is allowed here (not in @types)
  ping(callback: (latency: number) => void): boolean {
    return super.ping(callback);
  }
}
console.log(clock, withProtocols, channels, LP, MethodPing);

// ---- §3 / §10.2.3–6: Channel ----
// @ts-expect-error a channel needs a socket (the runtime throws without one)
new Channel("room:orphan");
const c = socket.channel("room:1");
c.push("ping"); // payload defaults to {}
c.push("upload", new ArrayBuffer(8)); // binary frame
c.on("msg", (payload, ref, joinRef) => console.log(payload, ref, joinRef));
c.onMessage = (event, payload, ref, joinRef) => (event === "x" ? { ...payload, ref, joinRef } : payload);
export type OnCloseIsAny = Expect<IsAny<ReturnType<Channel["onClose"]>>>; // runtime: undefined
const jr: MessageRef | null | undefined = c.joinRef();
const canPush: boolean = c.canPush();
c.trigger("phx_error", { reason: "test" }, null, jr);
// any status a server replies with is matched (§4)
c.join().receive("ok", () => {}).receive("unauthorized", (resp) => console.log(resp));
console.log(canPush);

// ---- §5: Presence ----
const presence = new Presence(c);
const roster: PresenceState = presence.state;
const lastSeen = new Map<string, number>();
presence.onJoin((id, _current, newPres) => lastSeen.set(id, newPres.metas[0].online_at)); // key is a string
presence.onLeave((id, current) => current.metas.length === 0 && lastSeen.delete(id));
Presence.syncState({}, {}, (key: string) => lastSeen.delete(key), (key: string) => lastSeen.delete(key));
console.log(Object.keys(roster).map((k) => roster[k]?.metas.map((m) => m.phx_ref)));

// ---- §6: Serializer ----
const text: string | ArrayBuffer = Serializer.encode(
  { join_ref: "1", ref: "2", topic: "room:1", event: "ev", payload: { a: 1 } },
  (encoded) => encoded,
);
const decoded = Serializer.decode('[null,null,"room:1","ev",{}]', (msg) => msg);
const topic: string = decoded.topic;
Serializer.decode(new ArrayBuffer(4), (msg) => msg.payload);
const kinds: number[] = [Serializer.KINDS.push, Serializer.KINDS.reply, Serializer.KINDS.broadcast];
console.log(text, topic, kinds, Serializer.HEADER_LENGTH, Serializer.META_LENGTH);
// @ts-expect-error the serializer encodes messages, not bare payloads
Serializer.encode({ a: 1 }, (encoded) => encoded);

// ---- §7 / §10.2.10: LongPoll ----
const lp = new LongPoll("wss://example.com/socket/websocket?vsn=2.0.0", ["phoenix", "base64url.bearer.phx.dDE"]);
lp.closeAndRetry(500, 1011, "internal server error", false);
lp.close(1000, "bye", true);
lp.onmessage = ({ data }) => console.log(data);
lp.onclose = (event) => console.log(event.code);
console.log(lp.readyState, lp.timeout, lp.skipHeartbeat);

// ---- type-only names stay usable as types ----
declare const timer: Timer;
timer.scheduleTimeout();
const pushes: Push[] = [c.leave()];
type AjaxRequest = (typeof Ajax)["request"];
console.log(pushes, {} as AjaxRequest);
