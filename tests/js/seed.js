// The seed's "Advanced Usage Patterns" classes (../shared/seed/presence.md, the Presence page
// of the phoenix client docs), transcribed from TypeScript to JavaScript so that the
// presence scenarios (tests/js/presence_scenarios.js) run them against our package and
// against phoenix 1.8.16, in the browser and in Node.
//
// The transcription only strips types: the `interface UserPresence`, parameter and field
// type annotations, `as`/`: any` casts and the `private` modifiers are gone; TypeScript's
// parameter properties (`constructor(private presence: Presence)`) become the assignments
// TypeScript emits for them (`this.presence = presence`), before the constructor body, and
// typed field declarations without an initializer (`activityCheckInterval`) become plain
// class fields. Every statement, name, callback and constant is the seed's own.
//
// What the seed leaves to the application, and the scenarios supply instead of changing
// these classes:
// - `TypingIndicator` talks to an application channel with events `user_typing`,
//   `user_stopped_typing`, `typing_start` and `typing_stop`; the test server only has
//   `typing` (broadcast to the others with `user_id` and `name`), so the scenario hands it a
//   channel adapter that maps those names onto `typing` (see `seedTypingChannel`).
// - `ActivityMonitor.markUserInactive` dispatches on the global `document`; in Node the
//   scenario provides an `EventTarget` as `document` while the monitor runs.
// - The seed's metas carry `username`, `status` and `device_type`; the test server's carry
//   `user_id`, `device`, `online_at` and `name`, so those fields read as `undefined`
//   (`status` then falls back to 'online', as the seed intends).

export class UserPresenceTracker {
  users = new Map();
  callbacks = [];

  constructor(presence) {
    this.presence = presence;
    this.setupPresenceHandlers();
  }

  setupPresenceHandlers() {
    this.presence.onJoin((id, current, newPresence) => {
      const user = {
        id,
        username: newPresence.metas[0].username,
        status: newPresence.metas[0].status || 'online',
        lastSeen: new Date(newPresence.metas[0].online_at),
        deviceCount: newPresence.metas.length,
        devices: newPresence.metas.map((meta) => meta.device_type)
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
          user.devices = current.metas.map((meta) => meta.device_type);
        }
      }

      this.notifyCallbacks();
    });

    this.presence.onSync(() => {
      this.syncAllUsers();
    });
  }

  syncAllUsers() {
    this.users.clear();

    this.presence.list((id, presence) => {
      const user = {
        id,
        username: presence.metas[0].username,
        status: presence.metas[0].status || 'online',
        lastSeen: new Date(presence.metas[0].online_at),
        deviceCount: presence.metas.length,
        devices: presence.metas.map((meta) => meta.device_type)
      };

      this.users.set(id, user);
    });

    this.notifyCallbacks();
  }

  notifyCallbacks() {
    const userList = Array.from(this.users.values());
    this.callbacks.forEach(callback => callback(userList));
  }

  onUsersChanged(callback) {
    this.callbacks.push(callback);
    // Call immediately with current users
    callback(Array.from(this.users.values()));
  }

  getUser(id) {
    return this.users.get(id);
  }

  getAllUsers() {
    return Array.from(this.users.values());
  }

  getOnlineUsers() {
    return this.getAllUsers().filter(user => user.status !== 'offline');
  }

  getUserCount() {
    return this.users.size;
  }
}

export class TypingIndicator {
  typingUsers = new Set();
  typingTimeouts = new Map();
  callbacks = [];

  constructor(channel) {
    this.channel = channel;
    this.setupTypingHandlers();
  }

  setupTypingHandlers() {
    this.channel.on("user_typing", ({ user_id, username }) => {
      this.typingUsers.add(username);

      // Clear existing timeout
      const existingTimeout = this.typingTimeouts.get(user_id);
      if (existingTimeout) {
        clearTimeout(existingTimeout);
      }

      // Set new timeout (user stops typing after 3 seconds)
      const timeout = setTimeout(() => {
        this.typingUsers.delete(username);
        this.typingTimeouts.delete(user_id);
        this.notifyCallbacks();
      }, 3000);

      this.typingTimeouts.set(user_id, timeout);
      this.notifyCallbacks();
    });

    this.channel.on("user_stopped_typing", ({ username }) => {
      this.typingUsers.delete(username);
      this.notifyCallbacks();
    });
  }

  startTyping(userId) {
    this.channel.push("typing_start", { user_id: userId });
  }

  stopTyping(userId) {
    this.channel.push("typing_stop", { user_id: userId });
  }

  notifyCallbacks() {
    const typingList = Array.from(this.typingUsers);
    this.callbacks.forEach(callback => callback(typingList));
  }

  onTypingChanged(callback) {
    this.callbacks.push(callback);
  }

  getTypingUsers() {
    return Array.from(this.typingUsers);
  }
}

export class ActivityMonitor {
  lastActivity = new Map();
  activityCheckInterval;

  constructor(presence, checkIntervalMs = 30000) {
    this.presence = presence;
    this.checkIntervalMs = checkIntervalMs;
    this.setupActivityMonitoring();
  }

  setupActivityMonitoring() {
    // Track user activity from presence
    this.presence.onJoin((id, current, newPresence) => {
      this.lastActivity.set(id, new Date());
    });

    // Periodically check for inactive users
    this.activityCheckInterval = setInterval(() => {
      this.checkInactiveUsers();
    }, this.checkIntervalMs);
  }

  checkInactiveUsers() {
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

  markUserInactive(userId) {
    // Emit inactive user event or update UI
    document.dispatchEvent(new CustomEvent("user-inactive", {
      detail: { userId }
    }));
  }

  updateUserActivity(userId) {
    this.lastActivity.set(userId, new Date());
  }

  destroy() {
    if (this.activityCheckInterval) {
      clearInterval(this.activityCheckInterval);
    }
  }
}
