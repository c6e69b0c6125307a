// Seed example 8 of shared/seed/presence.md (Static Presence Methods, usage example), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 8 appears here, in order.
// The seed's code is unchanged. It has no import line; the setup section imports from
// "phoenix-wasm" what the snippet uses and declares the rest of its context.

// ---- setup (not part of the seed): the import and the channel the snippet uses ----
import { Presence } from "phoenix-wasm";
import type { Channel } from "phoenix-wasm";
declare const channel: Channel;

// ---- seed block 8, verbatim ----
// Manual presence state management
let presenceState = {};

// Handle Phoenix presence_state events manually
channel.on("presence_state", (state) => {
const onJoin = (id: string, current: any, newPresence: any) => {
console.log("Manual join:", id, newPresence);
};

const onLeave = (id: string, current: any, leftPresence: any) => {
console.log("Manual leave:", id, leftPresence);
};

presenceState = Presence.syncState(presenceState, state, onJoin, onLeave);
renderPresenceList();
});

// Handle Phoenix presence_diff events manually
channel.on("presence_diff", (diff) => {
presenceState = Presence.syncDiff(presenceState, diff);
renderPresenceList();
});

function renderPresenceList() {
const users = Presence.list(presenceState, (id, presence) => ({
id,
name: presence.metas[0].username
}));

console.log("Current users:", users);
}
