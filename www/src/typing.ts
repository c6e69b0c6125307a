// Typing indicators, as in the seed's `TypingIndicator` (shared/seed/presence.md): a user
// counts as typing for 3 s after their last `typing` event, or until they say they stopped.
// The test server broadcasts `typing` to everyone but the sender, adding `user_id` and `name`.
import type { Channel } from "phoenix-wasm";

export interface TypingEvent {
  typing: boolean;
  user_id: string;
  name?: string;
}

const SHOWN_FOR_MS = 3000; // a receiver forgets a typist after this long without news
const RESEND_EVERY_MS = 2000; // a typist repeats `typing` while typing, to stay shown
const IDLE_AFTER_MS = 1000; // a typist says they stopped after this long without a key

export class TypingIndicator {
  private typists = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();
  private callbacks: Array<(names: string[]) => void> = [];
  private lastSent = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private channel: Channel) {
    channel.on("typing", (payload: TypingEvent) => {
      if (payload.typing) this.add(payload.user_id, payload.name || payload.user_id);
      else this.remove(payload.user_id);
    });
  }

  /** Call on every keystroke in the message box. */
  keystroke(): void {
    const now = Date.now();
    if (now - this.lastSent > RESEND_EVERY_MS) {
      this.lastSent = now;
      this.send(true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), IDLE_AFTER_MS);
  }

  /** Call when the message was sent or the box emptied. */
  stop(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.lastSent !== 0) {
      this.lastSent = 0;
      this.send(false);
    }
  }

  /** Forget a user at once (their message arrived, or they went offline). */
  remove(userId: string): void {
    const entry = this.typists.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typists.delete(userId);
    this.notify();
  }

  onTypingChanged(callback: (names: string[]) => void): void {
    this.callbacks.push(callback);
  }

  private add(userId: string, name: string): void {
    const existing = this.typists.get(userId);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => this.remove(userId), SHOWN_FOR_MS);
    this.typists.set(userId, { name, timer });
    this.notify();
  }

  private send(typing: boolean): void {
    // A typing event is only worth sending now: never buffer it across a reconnect.
    if (this.channel.state === "joined") this.channel.push("typing", { typing }, 5000);
  }

  private notify(): void {
    const names = [...this.typists.values()].map((t) => t.name);
    for (const callback of this.callbacks) callback(names);
  }
}

/** "Ada is typing…", "Ada and Grace are typing…", "3 people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
