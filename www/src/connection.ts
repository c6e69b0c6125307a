// The connection status shown in the top bar and the connection log, derived from the
// socket's public callbacks only: onOpen / onClose, `socket.conn` (which transport is in
// use), and a `reconnectAfterMs` that reports which attempt the socket schedules.
import type { Socket } from "phoenix-wasm";

export type ConnState = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnStatus {
  state: ConnState;
  /** The pill's text: "Connecting…", "Connected · WebSocket", "Reconnecting… (attempt 2)", … */
  text: string;
  transport?: "WebSocket" | "LongPoll";
  /** On LongPoll although WebSocket was asked for: the socket fell back (longPollFallbackMs). */
  fallback?: boolean;
  attempt?: number;
}

/** phoenix.js's default reconnect schedule (spec §2.1), kept as is. */
const RECONNECT_AFTER_MS = [10, 50, 100, 150, 200, 250, 500, 1000, 2000];

export class ConnectionWatcher {
  status: ConnStatus = { state: "connecting", text: "Connecting…" };
  private scheduled = 0;
  private statusCallbacks: Array<(status: ConnStatus) => void> = [];
  private logCallbacks: Array<(text: string, state: ConnState) => void> = [];

  /** Pass as the socket's `reconnectAfterMs` option: the socket calls it with the attempt
   *  number each time it schedules a reconnect (before its onClose callbacks run). It must
   *  not touch the socket, so it only remembers the number. */
  readonly reconnectAfterMs = (tries: number): number => {
    this.scheduled = tries;
    return RECONNECT_AFTER_MS[tries - 1] ?? 5000;
  };

  constructor(private forcedLongPoll: boolean) {}

  attach(socket: Socket): void {
    socket.onOpen(() => {
      const transport = typeof WebSocket === "function" && socket.conn instanceof WebSocket ? "WebSocket" : "LongPoll";
      const fallback = transport === "LongPoll" && !this.forcedLongPoll;
      const via = fallback ? "LongPoll (fallen back from WebSocket)" : transport;
      const attempt = this.status.state === "reconnecting" ? this.status.attempt : undefined;
      this.log(attempt ? `Reconnected via ${via} on attempt ${attempt}` : `Connected via ${via}`, "open");
      this.set({ state: "open", text: `Connected · ${fallback ? "LongPoll fallback" : transport}`, transport, fallback });
    });
    socket.onClose((event) => {
      const code = (event as { code?: number } | undefined)?.code;
      const attempt = this.scheduled;
      this.scheduled = 0;
      if (attempt === 0) {
        this.log("Disconnected", "closed");
        this.set({ state: "closed", text: "Disconnected" });
        return;
      }
      const why = attempt === 1 ? `Connection lost${code ? ` (code ${code})` : ""}` : `Attempt ${attempt - 1} failed`;
      this.log(`${why}, reconnecting (attempt ${attempt})`, "reconnecting");
      this.set({ state: "reconnecting", text: `Reconnecting… (attempt ${attempt})`, attempt });
    });
  }

  onStatus(callback: (status: ConnStatus) => void): void {
    this.statusCallbacks.push(callback);
    callback(this.status);
  }

  onLog(callback: (text: string, state: ConnState) => void): void {
    this.logCallbacks.push(callback);
  }

  log(text: string, state: ConnState): void {
    for (const callback of this.logCallbacks) callback(text, state);
  }

  private set(status: ConnStatus): void {
    this.status = status;
    for (const callback of this.statusCallbacks) callback(status);
  }
}
