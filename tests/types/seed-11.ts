// Seed example 11 of shared/seed/presence.md (Advanced Usage Patterns: Activity Monitoring), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 11 appears here, in order.
// The seed's code is unchanged. It has no import line; the setup section imports from
// "phoenix-wasm" what the snippet uses and declares the rest of its context.

// ---- setup (not part of the seed): the import, the presence the snippet uses and NodeJS.Timeout ----
import type { Presence } from "phoenix-wasm";
declare const presence: Presence;
// The snippet types timer handles as NodeJS.Timeout without importing @types/node; in a
// browser build they are what setTimeout / setInterval return.
declare namespace NodeJS {
  type Timeout = ReturnType<typeof setTimeout>;
}

// ---- seed block 11, verbatim ----
class ActivityMonitor {
private lastActivity: Map<string, Date> = new Map();
private activityCheckInterval: NodeJS.Timeout;

constructor(private presence: Presence, private checkIntervalMs = 30000) {
this.setupActivityMonitoring();
}

private setupActivityMonitoring() {
// Track user activity from presence
this.presence.onJoin((id, current, newPresence) => {
this.lastActivity.set(id, new Date());
});

// Periodically check for inactive users
this.activityCheckInterval = setInterval(() => {
this.checkInactiveUsers();
}, this.checkIntervalMs);
}

private checkInactiveUsers() {
const now = new Date();
const inactiveThreshold = 5 * 60 * 1000; // 5 minutes

this.presence.list((id, presence) => {
const lastSeen = this.lastActivity.get(id) || new Date(presence.metas[0].online_at);
const timeSinceActivity = now.getTime() - lastSeen.getTime();

if (timeSinceActivity > inactiveThreshold) {
console.log(`User ${id} has been inactive for ${Math.round(timeSinceActivity / 60000)} minutes`);
this.markUserInactive(id);
}
});
}

private markUserInactive(userId: string) {
// Emit inactive user event or update UI
document.dispatchEvent(new CustomEvent("user-inactive", {
detail: { userId }
}));
}

updateUserActivity(userId: string) {
this.lastActivity.set(userId, new Date());
}

destroy() {
if (this.activityCheckInterval) {
clearInterval(this.activityCheckInterval);
}
}
}

// Usage
const activityMonitor = new ActivityMonitor(presence);

// Update activity on user actions
document.addEventListener("click", () => {
activityMonitor.updateUserActivity("current_user_id");
});

document.addEventListener("keypress", () => {
activityMonitor.updateUserActivity("current_user_id");
});
