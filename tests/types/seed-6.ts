// Seed example 6 of shared/seed/presence.md (Presence State Management, usage example), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 6 appears here, in order.
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

// ---- seed block 6, verbatim ----
// Get all users (raw presence data)
const allPresences = presence.list();
console.log("All presences:", allPresences);

// Transform presence data
const users = presence.list((userId, presence) => ({
id: userId,
name: presence.metas[0].username,
status: presence.metas[0].status,
joinedAt: presence.metas[0].online_at,
deviceCount: presence.metas.length,
devices: presence.metas.map(meta => meta.device_type)
}));

// Check if we're waiting for sync
if (presence.inPendingSyncState()) {
console.log("Waiting for presence synchronization...");
showLoadingIndicator();
} else {
console.log(`${users.length} users currently online`);
hideLoadingIndicator();
}
