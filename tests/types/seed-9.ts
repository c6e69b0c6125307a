// Seed example 9 of shared/seed/presence.md (Advanced Usage Patterns: User Status Tracking), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 9 appears here, in order.
// The seed's code is unchanged. It has no import line; the setup section imports from
// "phoenix-wasm" what the snippet uses and declares the rest of its context.

// ---- setup (not part of the seed): the import, the presence the snippet uses and its UI helper ----
import type { Presence } from "phoenix-wasm";
declare const presence: Presence;
declare function renderUserList(users: unknown[]): void;

// ---- seed block 9, verbatim ----
interface UserPresence {
id: string;
username: string;
status: 'online' | 'away' | 'busy' | 'offline';
lastSeen: Date;
deviceCount: number;
devices: string[];
}

class UserPresenceTracker {
private users: Map<string, UserPresence> = new Map();
private callbacks: Array<(users: UserPresence[]) => void> = [];

constructor(private presence: Presence) {
this.setupPresenceHandlers();
}

private setupPresenceHandlers() {
this.presence.onJoin((id, current, newPresence) => {
const user: UserPresence = {
id,
username: newPresence.metas[0].username,
status: newPresence.metas[0].status || 'online',
lastSeen: new Date(newPresence.metas[0].online_at),
deviceCount: newPresence.metas.length,
devices: newPresence.metas.map((meta: any) => meta.device_type)
};

this.users.set(id, user);
this.notifyCallbacks();
});

this.presence.onLeave((id, current, leftPresence) => {
if (current.metas.length === 0) {
// User completely offline
const user = this.users.get(id);
if (user) {
user.status = 'offline';
user.lastSeen = new Date();
user.deviceCount = 0;
user.devices = [];
}
} else {
// User still has some devices online
const user = this.users.get(id);
if (user) {
user.deviceCount = current.metas.length;
user.devices = current.metas.map((meta: any) => meta.device_type);
}
}

this.notifyCallbacks();
});

this.presence.onSync(() => {
this.syncAllUsers();
});
}

private syncAllUsers() {
this.users.clear();

this.presence.list((id, presence) => {
const user: UserPresence = {
id,
username: presence.metas[0].username,
status: presence.metas[0].status || 'online',
lastSeen: new Date(presence.metas[0].online_at),
deviceCount: presence.metas.length,
devices: presence.metas.map((meta: any) => meta.device_type)
};

this.users.set(id, user);
});

this.notifyCallbacks();
}

private notifyCallbacks() {
const userList = Array.from(this.users.values());
this.callbacks.forEach(callback => callback(userList));
}

onUsersChanged(callback: (users: UserPresence[]) => void) {
this.callbacks.push(callback);
// Call immediately with current users
callback(Array.from(this.users.values()));
}

getUser(id: string): UserPresence | undefined {
return this.users.get(id);
}

getAllUsers(): UserPresence[] {
return Array.from(this.users.values());
}

getOnlineUsers(): UserPresence[] {
return this.getAllUsers().filter(user => user.status !== 'offline');
}

getUserCount(): number {
return this.users.size;
}
}

// Usage
const userTracker = new UserPresenceTracker(presence);

userTracker.onUsersChanged((users) => {
console.log(`${users.length} users tracked`);
console.log(`${userTracker.getOnlineUsers().length} users online`);

// Update UI
renderUserList(users);
});
