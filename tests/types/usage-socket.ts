// Socket usage as apps write it against @types/phoenix 1.6.7: every option of
// SocketConnectOption and every Socket method and callback. Only the import line differs
// from such an app ("phoenix" -> "phoenix-wasm"); it also compiles against @types/phoenix
// (tsconfig.types-phoenix.json).
import { Socket, LongPoll, Channel } from "phoenix-wasm";
import type { SocketConnectOption, ConnectionState, MessageRef, BinaryType } from "phoenix-wasm";

// ---- ambient declarations the app would have (not part of the API under test) ----
declare const userToken: string;
declare function getToken(): string;
declare function showBanner(text: string): void;

// ---- every option, inline ----
const socket = new Socket("/socket", {
  params: { token: userToken },
  authToken: userToken,
  binaryType: "arraybuffer",
  transport: WebSocket,
  timeout: 10000,
  heartbeatIntervalMs: 30000,
  longPollFallbackMs: 2500,
  longpollerTimeout: 20000,
  encode: (payload, callback) => callback(JSON.stringify(payload)),
  decode: (payload, callback) => callback(JSON.parse(payload)),
  logger: (kind, msg, data) => console.log(`${kind}: ${msg}`, data),
  reconnectAfterMs: (tries) => [10, 50, 100, 150, 200, 250, 500, 1000, 2000][tries - 1] || 5000,
  rejoinAfterMs: (tries) => [1000, 2000, 5000][tries - 1] || 10000,
  vsn: "2.0.0",
  debug: true,
  sessionStorage: window.sessionStorage,
});

// ---- options built separately, typed with the exported interface ----
const binaryType: BinaryType = "blob";
const options: Partial<SocketConnectOption> = {
  params: () => ({ token: getToken(), vsn_client: 2 }),
  transport: LongPoll,
  binaryType,
  logger(kind: string, message: string, data: any) {
    if (kind === "transport") console.debug(message, data);
  },
  encode(payload: object, callback: (encoded: any) => void | Promise<void>) {
    callback(JSON.stringify(payload));
  },
  decode(payload: string, callback: (decoded: any) => void | Promise<void>) {
    const [join_ref, ref, topic, event, body] = JSON.parse(payload);
    callback({ join_ref, ref, topic, event, payload: body });
  },
  sessionStorage: { getItem: (_k: string) => null, setItem: (_k: string, _v: string) => {} },
};
const lpSocket = new Socket("wss://example.com/socket", options);
const plainSocket = new Socket("//example.com/socket");
const asyncSocket = new Socket("/socket", { params: { token: userToken }, transport: LongPoll, timeout: 5000 });

// A custom transport class written for @types' one-argument constructor type.
class TracingWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    console.log("opening", url);
  }
}
new Socket("/socket", { transport: TracingWebSocket });

// ---- lifecycle ----
const proto: string = socket.protocol();
const url: string = socket.endPointURL();
socket.connect();
socket.connect({ token: userToken }); // deprecated but typed
socket.disconnect();
socket.disconnect(() => console.log("disconnected"));
socket.disconnect(async () => { await Promise.resolve(); }, 1000, "bye");
socket.disconnect(undefined, 4000);

const state: ConnectionState = socket.connectionState();
switch (state) {
  case "connecting":
  case "open":
  case "closing":
  case "closed":
    break;
}
if (socket.isConnected()) console.log("connected over", proto, url);

// replaceTransport used as a statement (its result was void in @types)
lpSocket.replaceTransport(LongPoll);
socket.replaceTransport(WebSocket);

// ---- channels ----
const chan: Channel = socket.channel("room:lobby");
const chanWithParams = socket.channel("room:42", { device: "browser", since: 0 });
socket.remove(chan);
void chanWithParams;

// ---- low-level push and logging ----
socket.push({ topic: "room:lobby", event: "ping", payload: {}, ref: socket.makeRef(), join_ref: null });
if (socket.hasLogger()) socket.log("app", "something happened", { at: Date.now() });

// ---- state callbacks ----
const refs: MessageRef[] = [];
refs.push(socket.onOpen(() => console.log("open")));
refs.push(socket.onOpen(async () => { await Promise.resolve(); }));
refs.push(
  socket.onClose((event) => {
    console.log("closed", event.code, event.reason, event.wasClean);
    if (!event.wasClean) showBanner("connection lost");
  }),
);
refs.push(socket.onClose((event: CloseEvent) => void event.code));
refs.push(
  socket.onError((error, transport, establishedConnections) => {
    if (transport === LongPoll && establishedConnections === 0) showBanner("no long-poll either");
    if (typeof error === "number") console.log("HTTP status", error);
    else if (typeof error === "string") console.log("error", error);
    else console.log("event", error.type);
  }),
);
refs.push(
  socket.onError(
    (error: Event | string | number, transport: new (endpoint: string) => object, established: number) =>
      console.log(error, transport.name, established),
  ),
);
refs.push(socket.onError(() => showBanner("error")));
refs.push(socket.onMessage((message) => console.log("message", message)));
refs.push(socket.onMessage((message: object) => void Object.keys(message)));
const ref: MessageRef = socket.makeRef();
const refString: string = ref;
socket.off(refs);
socket.off([refString]);

// ---- ping ----
const sent: boolean = socket.ping((latency) => console.log(`rtt ${latency.toFixed(0)} ms`));
if (!sent) console.log("not connected");
const ping: (callback: (latency: number) => void) => boolean = socket.ping;
void ping;

// ---- subclassing, as some apps do ----
class AppSocket extends Socket {
  constructor(token: string) {
    super("/socket", { params: { token } });
  }
  connect(params?: any): void {
    console.log("connecting");
    super.connect(params);
  }
  ping = (callback: (latency: number) => void): boolean => {
    console.log("ping");
    return Socket.prototype.ping.call(this, callback);
  };
}
new AppSocket(userToken).connect();
void asyncSocket;
void plainSocket;
