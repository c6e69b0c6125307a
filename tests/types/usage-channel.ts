// Channel and Push usage as apps write it against @types/phoenix 1.6.7: join / push /
// receive chains, on / off, onClose / onError, the onMessage override, leave, direct
// construction, and Push used as a type. Only the import line differs from such an app; it
// also compiles against @types/phoenix (tsconfig.types-phoenix.json).
import { Socket, Channel, Push } from "phoenix-wasm";
import type { ChannelState, PushStatus } from "phoenix-wasm";

// ---- ambient declarations the app would have (not part of the API under test) ----
declare const userToken: string;
declare function render(html: string): void;
interface ChatMessage {
  user: string;
  body: string;
}

const socket = new Socket("/socket", { params: { token: userToken } });
socket.connect();

// ---- join with receive chains ----
const channel = socket.channel("room:lobby", { device: "browser" });
channel
  .join()
  .receive("ok", (resp) => console.log("joined", resp))
  .receive("error", ({ reason }) => console.log("unable to join", reason))
  .receive("timeout", () => console.log("networking issue, still waiting"));

const joinPush: Push = channel.join(15000);
joinPush.receive("ok", async (response?: any) => {
  await Promise.resolve(response);
});

// ---- pushes ----
channel
  .push("new_msg", { body: "hello" }, 10000)
  .receive("ok", (reply) => console.log("created message", reply))
  .receive("error", (reasons) => console.log("create failed", reasons))
  .receive("timeout", () => console.log("network trouble"));

const push: Push = channel.push("typing", { typing: true });
push.receive("ok", () => true);
push.send();
push.resend(5000);
const status: PushStatus = "error";
push.receive(status, (response) => response);

function pushAsync<T>(ch: Channel, event: string, payload: object): Promise<T> {
  return new Promise((resolve, reject) => {
    ch.push(event, payload)
      .receive("ok", (resp: T) => resolve(resp))
      .receive("error", (err) => reject(err))
      .receive("timeout", () => reject(new Error("timeout")));
  });
}
pushAsync<{ id: number }>(channel, "create", { title: "x" }).then((r) => r.id);

// ---- bindings ----
const msgRef: number = channel.on("new_msg", (msg) => render(`<p>${msg.user}: ${msg.body}</p>`));
channel.on("typed", (msg: ChatMessage) => render(msg.body));
channel.on("async", async (payload) => {
  await Promise.resolve(payload);
});
channel.on("no_args", () => render(""));
channel.off("new_msg", msgRef);
channel.off("typed");

// ---- close and error hooks ----
const closeRef: number = channel.onClose((payload, ref, joinRef) => console.log("closed", payload, ref, joinRef));
channel.onClose(() => render("left"));
const errorRef: number = channel.onError((reason) => console.log("channel error", reason));
channel.onError(async () => { await Promise.resolve(); });
void closeRef;
void errorRef;

// ---- the onMessage hook, overridden as phoenix documents ----
channel.onMessage = (event, payload, ref) => {
  if (event === "new_msg") return { ...payload, receivedAt: Date.now(), ref };
  return payload;
};
const original = channel.onMessage;
channel.onMessage = (event: string, payload: any, ref: any): any => original.call(channel, event, payload, ref);

// ---- state and topic ----
const chState: ChannelState = channel.state;
if (channel.state === "joined" || chState === "joining") console.log(channel.topic);
const topic: string = channel.topic;
void topic;

// ---- leave ----
channel.leave().receive("ok", () => console.log("left"));
const leavePush: Push = channel.leave(5000);
leavePush.receive("timeout", () => console.log("leave timed out"));

// ---- direct construction ----
const direct = new Channel("room:direct", { a: 1 }, socket);
const dynamic = new Channel("room:dyn", () => ({ token: userToken }), socket);
direct.join();
dynamic.join();

// ---- a class that keeps a channel, as apps do ----
class Room {
  private channel: Channel;
  private pending: Push | null = null;
  constructor(socket: Socket, id: string) {
    this.channel = socket.channel(`room:${id}`);
  }
  enter(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending = this.channel.join().receive("ok", () => resolve()).receive("error", reject);
    });
  }
  say(body: string) {
    return this.channel.push("new_msg", { body });
  }
  exit() {
    this.pending = null;
    return this.channel.leave();
  }
}
new Room(socket, "1").enter().then(() => console.log("entered"));
