// Seed example 10 of shared/seed/presence.md (Advanced Usage Patterns: Typing Indicators), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 10 appears here, in order.
// The seed's code is unchanged. It has no import line; the setup section imports from
// "phoenix-wasm" what the snippet uses and declares the rest of its context.

// ---- setup (not part of the seed): the import, the channel the snippet uses and NodeJS.Timeout ----
import type { Channel } from "phoenix-wasm";
declare const channel: Channel;
// The snippet types timer handles as NodeJS.Timeout without importing @types/node; in a
// browser build they are what setTimeout / setInterval return.
declare namespace NodeJS {
  type Timeout = ReturnType<typeof setTimeout>;
}

// ---- seed block 10, verbatim ----
class TypingIndicator {
private typingUsers: Set<string> = new Set();
private typingTimeouts: Map<string, NodeJS.Timeout> = new Map();
private callbacks: Array<(users: string[]) => void> = [];

constructor(private channel: Channel) {
this.setupTypingHandlers();
}

private setupTypingHandlers() {
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

startTyping(userId: string) {
this.channel.push("typing_start", { user_id: userId });
}

stopTyping(userId: string) {
this.channel.push("typing_stop", { user_id: userId });
}

private notifyCallbacks() {
const typingList = Array.from(this.typingUsers);
this.callbacks.forEach(callback => callback(typingList));
}

onTypingChanged(callback: (users: string[]) => void) {
this.callbacks.push(callback);
}

getTypingUsers(): string[] {
return Array.from(this.typingUsers);
}
}

// Usage
const typingIndicator = new TypingIndicator(channel);

typingIndicator.onTypingChanged((users) => {
const indicator = document.getElementById("typing-indicator");
if (users.length > 0) {
indicator.textContent = `${users.join(", ")} ${users.length === 1 ? 'is' : 'are'} typing...`;
indicator.style.display = "block";
} else {
indicator.style.display = "none";
}
});

// Start typing when user types in input
const messageInput = document.getElementById("message-input") as HTMLInputElement;
let typingTimer: NodeJS.Timeout;

messageInput.addEventListener("input", () => {
typingIndicator.startTyping("current_user_id");

// Stop typing after 1 second of inactivity
clearTimeout(typingTimer);
typingTimer = setTimeout(() => {
typingIndicator.stopTyping("current_user_id");
}, 1000);
});
