// Seed example 2 of shared/seed/presence.md (Presence Constructor, usage example), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 2 appears here, in order.
// Only the import line differs from the seed ("phoenix" -> "phoenix-wasm").

// ---- seed block 2, verbatim except the import line ----
import { Presence, Channel, Socket } from "phoenix-wasm";

const socket = new Socket("/socket");
const channel = socket.channel("room:lobby");

// Basic presence tracking
const presence = new Presence(channel);

// Custom presence event names
const customPresence = new Presence(channel, {
events: {
state: "custom_presence_state",
diff: "custom_presence_diff"
}
});

export {};
