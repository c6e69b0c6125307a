// Seed example 4 of shared/seed/presence.md (Presence Event Handlers, usage example), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 4 appears here, in order.
// The seed's code is unchanged. It has no import line; the setup section imports from
// "phoenix-wasm" what the snippet uses and declares the rest of its context.

// ---- setup (not part of the seed): the presence the snippet uses, and its UI helpers ----
import type { Presence } from "phoenix-wasm";
declare const presence: Presence;
declare function updateUserList(): void;
declare function showNotification(message: string): void;
declare function renderUserList(users: unknown[]): void;
declare function showLoadingIndicator(): void;
declare function hideLoadingIndicator(): void;

// ---- seed block 4, verbatim ----
// Handle user joins
presence.onJoin((id, current, newPresence) => {
if (current) {
console.log(`User ${id} presence updated:`, newPresence);
} else {
console.log(`User ${id} joined:`, newPresence);
}

// Update UI
updateUserList();
showNotification(`${newPresence.metas[0].username} is now online`);
});

// Handle user leaves
presence.onLeave((id, current, leftPresence) => {
if (current.metas.length === 0) {
console.log(`User ${id} left entirely:`, leftPresence);
showNotification(`${leftPresence.metas[0].username} went offline`);
} else {
console.log(`User ${id} left from some devices:`, leftPresence);
}

updateUserList();
});

// Handle presence sync
presence.onSync(() => {
console.log("Presence state synchronized");

// Update the entire user list
const users = presence.list((id, presence) => ({
id,
username: presence.metas[0].username,
online_at: presence.metas[0].online_at,
device_count: presence.metas.length
}));

renderUserList(users);
});
