// Negative checks that hold for phoenix-wasm and for @types/phoenix 1.6.7 alike: each
// `@ts-expect-error` line must fail to compile, otherwise tsc reports the unused directive
// and the suite fails. This is what makes the suite fail in both directions.
import { Socket, Presence } from "phoenix-wasm";
import type { ConnectionState, ChannelState, BinaryType } from "phoenix-wasm";

// @ts-expect-error the endpoint is required
new Socket();

// @ts-expect-error the endpoint is a string
new Socket(42);

const socket = new Socket("/socket");

// @ts-expect-error options are spelled exactly (heartbeatIntervalMs)
new Socket("/socket", { heartbeatIntervalMS: 1000 });

// @ts-expect-error timeout is a number of ms
new Socket("/socket", { timeout: "10s" });

// @ts-expect-error binaryType is "arraybuffer" or "blob"
new Socket("/socket", { binaryType: "text" });

// @ts-expect-error reconnectAfterMs returns a number
new Socket("/socket", { reconnectAfterMs: (tries: number) => `${tries}` });

// @ts-expect-error the topic is required
socket.channel();

const channel = socket.channel("room:lobby");

// @ts-expect-error the event is required
channel.push();

// @ts-expect-error the event is a string
channel.on(1, () => {});

// @ts-expect-error receive needs a callback
channel.join().receive("ok");

// @ts-expect-error off takes an array of refs
socket.off("1");

// @ts-expect-error ping returns a boolean
const sent: string = socket.ping(() => {});

// @ts-expect-error not a ConnectionState
const cs: ConnectionState = "opening";

// @ts-expect-error not a ChannelState
const st: ChannelState = "left";

// @ts-expect-error not a BinaryType
const bt: BinaryType = "text";

// @ts-expect-error Presence needs a channel
new Presence();

// @ts-expect-error onSync's callback gets no arguments
new Presence(channel).onSync((state: object) => console.log(state));

// @ts-expect-error the chooser's key is a string
Presence.list({}, (key: number) => key);

// @ts-expect-error the socket's onOpen callback gets no arguments
socket.onOpen((event: Event) => console.log(event));

console.log(sent, cs, st, bt);
