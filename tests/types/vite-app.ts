// A small chat module as a Vite app writes it, with the strictest flags of today's
// templates (tsconfig.vite.json: verbatimModuleSyntax, isolatedModules,
// exactOptionalPropertyTypes, noUncheckedIndexedAccess, noUnused*, noImplicitOverride).
// Under verbatimModuleSyntax the type-only names must be imported with `type`, which is also
// the only form that runs against phoenix.js (it exports no Push). Compiled against
// phoenix-wasm and against @types/phoenix 1.6.7.
import { Socket, Presence, LongPoll, type Channel, type Push } from "phoenix-wasm";
import type { PresenceOpts, SocketConnectOption } from "phoenix-wasm";

export interface ChatMessage {
  user: string;
  body: string;
}

export type Listener = (messages: readonly ChatMessage[], online: readonly string[]) => void;

export class Chat {
  readonly #socket: Socket;
  readonly #channel: Channel;
  readonly #presence: Presence;
  readonly #messages: ChatMessage[] = [];
  #online: string[] = [];

  constructor(token: string, room: string, private readonly listener: Listener) {
    const options: Partial<SocketConnectOption> = {
      params: () => ({ token }),
      longPollFallbackMs: location.protocol === "https:" ? 2500 : 4000,
      reconnectAfterMs: (tries) => [100, 500, 1000][tries - 1] ?? 5000,
      logger: (kind, msg, data) => console.debug(kind, msg, data),
    };
    this.#socket = new Socket("/socket", options);
    this.#channel = this.#socket.channel(`room:${room}`, { since: 0 });
    const opts: PresenceOpts = { events: { state: "presence_state", diff: "presence_diff" } };
    this.#presence = new Presence(this.#channel, opts);
    this.#presence.onSync(() => {
      this.#online = this.#presence.list((id) => id);
      this.#emit();
    });
    this.#channel.on("new_msg", (msg: ChatMessage) => {
      this.#messages.push(msg);
      this.#emit();
    });
  }

  connect(): Promise<void> {
    this.#socket.connect();
    return new Promise((resolve, reject) => {
      this.#channel
        .join()
        .receive("ok", () => resolve())
        .receive("error", (resp) => reject(new Error(String(resp?.reason))))
        .receive("timeout", () => reject(new Error("join timed out")));
    });
  }

  send(body: string): Push {
    return this.#channel.push("new_msg", { body }, 5000);
  }

  useLongPoll(): void {
    this.#socket.replaceTransport(LongPoll);
  }

  close(): void {
    this.#channel.leave();
    this.#socket.disconnect();
  }

  #emit(): void {
    const first = this.#messages[0];
    if (first !== undefined) console.debug("first message by", first.user);
    this.listener(this.#messages, this.#online);
  }
}
