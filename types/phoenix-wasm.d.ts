// First-party TypeScript declarations of phoenix-wasm.
//
// phoenix-wasm is a drop-in replacement for the npm package `phoenix` 1.8.16: code written
// against `@types/phoenix` 1.6.7 must compile unchanged once its import line reads
// `from "phoenix-wasm"`. These declarations therefore describe phoenix.js 1.8.16's real
// runtime surface (spec: shared/spec/phoenix-js-1.8.md, "§" below) while keeping every name
// and every call shape that @types/phoenix 1.6.7 accepted, except where that code could only
// fail at runtime (spec §10.2). Each deviation from @types is marked "@types:" in its comment.
//
// Rules followed:
// - The VALUE exports are exactly phoenix.js's five runtime exports (§1.1): Socket, Channel,
//   LongPoll, Presence and Serializer. `Push`, `Timer` and `Ajax`, which @types declares as
//   classes but phoenix.js does not export (§10.2.1), are exported as TYPES only, so
//   `import { Push } from "phoenix-wasm"` used as a type (or `import type`) keeps compiling,
//   while `new Timer(...)` — `undefined is not a constructor` at runtime — is a compile error.
// - Callback parameters that @types types as `any` stay `any`: narrowing them would break
//   user callbacks that annotate or use their arguments freely.
// - A callback type gains parameters only where the runtime passes them and old callbacks
//   (which had fewer parameters) stay assignable.
// - Where @types' parameter types are narrower than the runtime's and old user callbacks
//   annotate them (e.g. `decode(payload: string, …)`), the @types type is kept, the option is
//   declared with method syntax (bivariant parameters) so the runtime's wider functions such
//   as `Serializer.decode` are assignable, and the comment says what really arrives.
//
// Requires the DOM lib (CloseEvent, Event, WebSocket), as @types/phoenix does.

export {}; // only the `export` statements below are part of the module's surface

/** A reply status. The server sends `"ok"` / `"error"`; the client synthesises `"timeout"` (§4). */
export type PushStatus = "ok" | "error" | "timeout";

/** A channel's state (§3.3). */
export type ChannelState = "closed" | "errored" | "joined" | "joining" | "leaving";

/** `Socket.connectionState()`: `conn.readyState` 0–2 mapped to names, anything else `"closed"` (§2.3). */
export type ConnectionState = "connecting" | "open" | "closing" | "closed";

/**
 * The transport's `binaryType` (§2.1, default `"arraybuffer"`).
 * Runtime note (§10.2.7): `"blob"` is accepted but the default decoder only recognises
 * `ArrayBuffer` frames, so binary messages need a custom `decode` with `"blob"`.
 */
export type BinaryType = "arraybuffer" | "blob";

/** A socket-wide ref: a decimal string from one counter, `"1"`, `"2"`, … (§2.3 `makeRef`). */
export type MessageRef = string;

/**
 * A presence roster as kept by `Presence#state` and returned by the `Presence` statics:
 * key → `{metas: [...]}`. The objects phoenix.js returns have a null prototype (§5.2).
 * (Not in @types; the statics keep returning `any` for compatibility.)
 */
export type PresenceState = {
    [key: string]: {
        metas: Array<{ phx_ref: string; phx_ref_prev?: string; [field: string]: any }>;
        [field: string]: any;
    };
};

/**
 * A presence join callback: `onJoin(key, currentPresence, newPresence)` (§5.2).
 * `currentPresence` is `undefined` for a new key; `newPresence` holds only the joined metas.
 *
 * Same shape as @types (every parameter optional) so code that calls its own callbacks keeps
 * compiling. The runtime always passes a string key, so `Presence#onJoin` and the statics
 * accept callbacks whose `key` is a required `string` (see `PresenceJoinHandler`): with them
 * `presence.onJoin((id, cur, p) => map.set(id, p))` compiles under `--strict`, which @types
 * rejects (`id` would be `string | undefined`).
 */
export type PresenceOnJoinCallback = (key?: string, currentPresence?: any, newPresence?: any) => void;

/**
 * A presence leave callback: `onLeave(key, currentPresence, leftPresence)` (§5.2), called
 * after the left metas were removed from `currentPresence` and before an emptied key is
 * deleted. Same @types shape and the same note as `PresenceOnJoinCallback`.
 */
export type PresenceOnLeaveCallback = (key?: string, currentPresence?: any, newPresence?: any) => void;

/** What `Presence#onJoin` / `onLeave` and the statics accept: the runtime always passes the key (§5.2). */
type PresenceJoinHandler = (key: string, currentPresence: any, newPresence: any) => void;
type PresenceLeaveHandler = (key: string, currentPresence: any, leftPresence: any) => void;

/** `new Presence(channel, opts)` options (§5.1). If you pass `events`, pass both names. */
export interface PresenceOpts {
    events?: { state: string; diff: string } | undefined;
}

/** A decoded (or to-be-encoded) Phoenix message `{join_ref, ref, topic, event, payload}` (§6). */
type PhoenixMessage = {
    join_ref: string | null;
    ref: string | null;
    topic: string;
    event: string;
    payload: any;
};

/** A transport constructor: called as `new transport(url, protocols)`; `protocols` is `undefined` without `authToken` (§2.4). */
type TransportConstructor = new (endpoint: string, protocols?: string[]) => object;

/**
 * Socket options (§2.1). Every member is listed as required, as in @types; the constructor
 * takes `Partial<SocketConnectOption>`. Defaults are applied with `||`, so a falsy value
 * (e.g. `timeout: 0`) falls back to the default. Unknown options are ignored.
 */
export interface SocketConnectOption {
    /**
     * Sent as the WebSocket subprotocol `base64url.bearer.phx.<b64>` (and as the LongPoll
     * `X-Phoenix-AuthToken` header); a function is re-evaluated on every (re)connect (§2.5).
     * @types: `string` only; the function form exists since phoenix 1.8.9.
     * phoenix-wasm: the function may return a Promise, awaited before every connect.
     */
    authToken: string | (() => string | Promise<string>);
    /** Default `"arraybuffer"`, assigned to each transport instance. */
    binaryType: BinaryType;
    /**
     * Query params of the socket URL: an object or a function re-evaluated on every connect.
     * Default `{}`. phoenix-wasm: the function may return a Promise, awaited before every
     * connect; a rejection fails that attempt (onError gets the reason) and the backoff retries.
     */
    params: object | (() => object | Promise<object>);
    /**
     * The transport class, default `WebSocket` (or `LongPoll` where there is none). Called as
     * `new transport(url, protocols)` (§2.1, §2.4).
     * @types: `new (endpoint: string) => object`; 1-argument classes remain assignable.
     */
    transport: TransportConstructor;
    /** Default push / join / leave timeout in ms; default 10000. */
    timeout: number;
    /** Heartbeat interval, and the heartbeat reply timeout, in ms; default 30000. */
    heartbeatIntervalMs: number;
    /** If set, WebSocket attempts fall back to LongPoll after this many ms (§2.6). Default: no fallback. */
    longPollFallbackMs: number;
    /** LongPoll request timeout in ms; default 20000. */
    longpollerTimeout: number;
    /**
     * Frame encoder; default `Serializer.encode` (§6). It receives the message
     * `{join_ref, ref, topic, event, payload}`. Ignored when `transport` is `LongPoll`.
     * Declared as a method so `Serializer.encode` and `(payload: object, cb) => …` both fit.
     */
    encode(payload: PhoenixMessage, callback: (encoded: any) => void | Promise<void>): void;
    /**
     * Frame decoder; default `Serializer.decode` (§6). Typed `string` as in @types, so
     * `JSON.parse(payload)` keeps compiling, but with the default `binaryType` a binary frame
     * arrives as an `ArrayBuffer` (§10.2.7). Ignored when `transport` is `LongPoll`.
     */
    decode(payload: string, callback: (decoded: any) => void | Promise<void>): void;
    /** `logger(kind, msg, data)` (§2.8). Default: none. */
    logger: (kind: string, message: string, data: any) => void;
    /** Reconnect backoff; default 10, 50, 100, 150, 200, 250, 500, 1000, 2000, then 5000 ms. */
    reconnectAfterMs: (tries: number) => number;
    /** Channel rejoin backoff; default 1000, 2000, 5000, then 10000 ms. */
    rejoinAfterMs: (tries: number) => number;
    /** Protocol version sent as the `vsn` query param; default `"2.0.0"`. */
    vsn: string;
    /** With no `logger`, `debug: true` logs to `console.log`. */
    debug: boolean;
    /**
     * Where the LongPoll fallback is remembered (`phx:fallback:LongPoll`); default
     * `sessionStorage`. Needs `getItem` / `setItem` (§2.1, §2.6); typed `object` as in @types.
     */
    sessionStorage: object;

    // ---- phoenix-wasm's opt-in improvements: none of these exist in phoenix.js, and every
    // ---- default keeps phoenix.js's behaviour (README "Beyond phoenix.js"). Optional even
    // ---- in this interface, so a complete phoenix.js options object still type-checks.

    /**
     * Randomizes reconnect delays so clients do not all come back at once after a server
     * deploy: `"full"` waits a uniform share of `reconnectAfterMs(tries)`; `"decorrelated"`
     * waits between `reconnectAfterMs(1)` and 3× the previous delay, capped by the schedule.
     * Default: none (exactly the schedule).
     */
    reconnectJitter?: "full" | "decorrelated";
    /**
     * When set, a reconnect due while the page is hidden happens after a random delay below
     * this many ms (instead of waiting for the page to become visible, phoenix.js's behaviour).
     */
    hiddenReconnectDeferMs?: number;
    /** How long to wait for a heartbeat reply, in ms. Default: `heartbeatIntervalMs`. */
    heartbeatTimeoutMs?: number;
    /**
     * On the window's `online` event, probe an open connection with a heartbeat at once (it is
     * replaced if no reply comes within `heartbeatTimeoutMs`) and run a pending reconnect now.
     */
    probeOnOnline?: boolean;
    /** Most messages kept in the send buffer while disconnected. Default: unbounded. `0` buffers nothing. */
    sendBufferLimit?: number;
    /**
     * Most pushes kept per channel while it is not joined. Default: unbounded. A dropped push
     * receives `"error"` with `{reason: "buffer_full"}` at once.
     */
    pushBufferLimit?: number;
    /** What a full buffer drops: the `"oldest"` entry (default) or the `"newest"` one. */
    bufferDropPolicy?: "oldest" | "newest";
    /**
     * Makes pushes awaitable: `await channel.join()` / `await channel.push(…)` resolve with the
     * `"ok"` response and reject with a {@link PushError} on `"error"` or `"timeout"`;
     * `receive` keeps working on the same push. Default: off (a push is not a thenable).
     */
    awaitablePushes?: boolean;
}

/** What an `onHeartbeat` callback is told (phoenix-wasm). */
export type HeartbeatStatus = "sent" | "ok" | "error" | "timeout" | "disconnected";

/** `socket.stats()` (phoenix-wasm). */
export interface SocketStats {
    /** The last measured round trip (a heartbeat reply or `ping`) in ms; `null` before any. */
    rttMs: number | null;
    /** Reconnect attempts, by what caused them. */
    reconnects: { close: number; heartbeatTimeout: number; visibility: number; online: number; total: number };
    /** Messages waiting now: in the send buffer, and in the channels' push buffers. */
    buffered: { send: number; push: number };
    /** Messages dropped by full buffers so far (see `sendBufferLimit`, `pushBufferLimit`). */
    dropped: { send: number; push: number };
}

/**
 * How an awaited push fails (phoenix-wasm, with `awaitablePushes`): an `Error` named
 * `"PushError"` carrying the reply's status and response.
 */
export interface PushError extends Error {
    name: "PushError";
    status: "error" | "timeout";
    response: any;
}

/**
 * A push: returned by `Channel#join`, `#leave` and `#push` (§4).
 *
 * @types: declared as an exported class, but phoenix.js does not export `Push` (§1.1,
 * §10.2.1). Here it is a type-only export: annotate with it, never `new` it.
 */
declare class Push {
    /**
     * Internal. @types: `payload: object`; the runtime needs a function returning the payload
     * (§10.2.2).
     */
    constructor(channel: Channel, event: string, payload: (() => any) | null | undefined, timeout: number);

    /** Sends (again) with a fresh ref and restarts the timeout; does nothing after a timeout (§4). */
    send(): void;
    /** Sets the timeout, resets and sends again. */
    resend(timeout: number): void;

    /**
     * Registers a hook for replies with this status and returns the push, so calls chain.
     * If the status was already received, the hook also runs immediately. Hooks persist: a
     * join's `"ok"` hook runs again on every successful rejoin (§3.3, §4).
     * @types: `PushStatus` only; the runtime matches any status string a server replies with.
     */
    receive(status: PushStatus | (string & {}), callback: (response?: any) => any): this;

    /**
     * phoenix-wasm, with the socket option `awaitablePushes`: resolves with the first `"ok"`
     * response, rejects with a {@link PushError} on `"error"` or `"timeout"`. Without the
     * option this is `undefined` at runtime and `await push` gives the push itself, as in
     * phoenix.js.
     */
    then<TResult1 = any, TResult2 = never>(
        onfulfilled?: ((response: any) => TResult1 | PromiseLike<TResult1>) | null,
        onrejected?: ((reason: PushError) => TResult2 | PromiseLike<TResult2>) | null,
    ): PromiseLike<TResult1 | TResult2>;
}

/** A channel on a topic; create it with `socket.channel(topic, params)` (§3). */
export declare class Channel {
    /**
     * Direct construction does not register the channel in `socket.channels` (§3.1).
     * @types: `socket?` is optional; the runtime throws without a socket (§10.2.3).
     */
    constructor(topic: string, params: object | (() => object | Promise<object>) | undefined, socket: Socket);

    state: ChannelState;
    topic: string;

    /**
     * Joins; returns the join push. Throws if called twice on one channel. The timeout also
     * becomes the channel's default push / leave timeout (§3.2).
     */
    join(timeout?: number): Push;
    /**
     * Leaves. The channel closes synchronously (onClose callbacks get `"leave"`) and the returned
     * push has already received `"ok"`; the server's reply is not awaited (§3.2 quirk).
     */
    leave(timeout?: number): Push;

    /**
     * `on("phx_close", callback)`; callbacks get `(payload, ref, joinRef)`.
     *
     * Runtime: returns `undefined` — phoenix.js 1.8.16 has no `return` there (§3.2, §10.2.4).
     * @types says `number`. The type is `any` so that code which stored the result as a
     * number keeps compiling (`void` would break it, `number` would be a lie); do not pass
     * the result to `off`: `off("phx_close", undefined)` removes every close binding.
     */
    onClose(callback: (payload: any, ref: any, joinRef: any) => void | Promise<void>): any;
    /**
     * `on("phx_error", …)` passing only the reason: `{reason: "channel_crash"}` from the server
     * or `{source: "transport", reason}` for transport errors (§3.2). Returns the binding ref.
     */
    onError(callback: (reason?: any) => void | Promise<void>): number;
    /**
     * Overridable hook, called for every event (including `phx_reply`, `chan_reply_N`,
     * `phx_error`, `phx_close`) as `(event, payload, ref, joinRef)`; must return the payload,
     * modified or not (a falsy result for a truthy payload throws) (§3.2).
     * @types: 3 parameters; the runtime also passes `joinRef` (§10.2.5).
     */
    onMessage(event: string, payload: any, ref: any, joinRef?: any): any;

    /**
     * Subscribes to an event; returns the binding ref (an integer per channel, 0–2 are taken
     * internally) (§3.2). The callback gets `(payload, ref, joinRef)`.
     * @types: the callback has one parameter (§10.2.5); one-parameter callbacks still fit.
     */
    on(
        event: string,
        callback: (payload?: any, ref?: MessageRef | null, joinRef?: MessageRef | null) => void | Promise<void>,
    ): number;
    /** Removes the bindings of `event` with that ref, or all of them without a ref (§3.2). */
    off(event: string, ref?: number): void;

    /**
     * Pushes an event; before the join completes it is buffered and its timeout already runs.
     * Throws if the channel was never joined (§3.2).
     * @types: `payload: object` required; the runtime defaults it to `{}` and sends an
     * `ArrayBuffer` as a binary frame (§10.2.6).
     */
    push(event: string, payload?: object, timeout?: number): Push;

    /**
     * The current join ref: `undefined` before the first join, `null` after a failed join.
     * Private in phoenix.js but part of its runtime; not in @types (§3.2, §10.2.12).
     */
    joinRef(): MessageRef | null | undefined;
    /** `socket.isConnected() && state === "joined"`. Private in phoenix.js; not in @types (§10.2.12). */
    canPush(): boolean;
    /**
     * Dispatches an event to this channel's bindings as if it had arrived (through `onMessage`).
     * Private in phoenix.js (its tests use it); not in @types (§3.2, §10.2.12).
     */
    trigger(event: string, payload?: any, ref?: any, joinRef?: any): void;
}

/** The socket: one connection, many channels (§2). */
export declare class Socket {
    /** `endPoint` gets `/websocket` appended (§2.1). */
    constructor(endPoint: string, opts?: Partial<SocketConnectOption>);

    /** `"wss"` on an https page, else `"ws"` (§2.3). */
    protocol(): string;
    /** The full URL: endpoint, user params, then `vsn` (§2.3). */
    endPointURL(): string;

    /** Connects unless already connected; passing `params` here is deprecated (§2.3). */
    connect(params?: any): void;
    /**
     * Closes the connection; joined channels become errored and rejoin on the next `connect()`.
     * The callback runs once closed (synchronously when there is no connection) (§2.3).
     */
    disconnect(callback?: () => void | Promise<void>, code?: number, reason?: string): void;
    connectionState(): ConnectionState;
    isConnected(): boolean;
    /**
     * Swaps the transport class without connecting (§2.3).
     * @types: returns `void` and takes a 1-argument constructor; phoenix.js 1.8.16 returns the
     * new connect clock (a number) (§10.2.8).
     */
    replaceTransport(transport: TransportConstructor): number;

    /** Removes a channel from `channels` and drops its socket callbacks (private in phoenix.js). */
    remove(channel: Channel): void;
    /**
     * Creates a channel (not deduplicated) (§2.3).
     * @types: params must be an object; a function is re-evaluated on every (re)join (§10.2.8).
     * phoenix-wasm: the function may return a Promise, awaited before every (re)join; a
     * rejection is the join's `"error"` reply and the rejoin backoff retries.
     */
    channel(topic: string, chanParams?: object | (() => object | Promise<object>)): Channel;
    /**
     * Sends `{topic, event, payload, ref, join_ref}` now, or buffers it until open (§2.3).
     * @types: one parameter; 1.8.16 takes the sending channel as an optional 2nd one (§10.2.8).
     */
    push(data: object, channel?: Channel): void;

    log(kind: string, message: string, data: any): void;
    hasLogger(): boolean;

    /** Runs after each open, after the send buffer was flushed (§2.4). Returns a ref for `off`. */
    onOpen(callback: () => void | Promise<void>): MessageRef;
    /**
     * Runs on each transport close with its close event. Runtime note (§10.2.9): LongPoll where
     * no global `CloseEvent` exists passes a plain `{code, reason, wasClean}` object.
     */
    onClose(callback: (event: CloseEvent) => void | Promise<void>): MessageRef;
    /**
     * Runs on each transport error with `(error, transport, establishedConnections)`: an `Event`
     * for WebSocket; `"timeout"`, a status number (or `undefined`) for LongPoll; the transport
     * class in use and the number of successful opens so far (§2.3).
     * @types: the transport parameter is a 1-argument constructor type.
     */
    onError(
        callback: (
            error: Event | string | number,
            transport: TransportConstructor,
            establishedConnections: number,
        ) => void | Promise<void>,
    ): MessageRef;
    /**
     * Runs for every inbound message, after channel dispatch (§2.3).
     * @types: the message is typed `object`; it is `{join_ref, ref, topic, event, payload}`.
     */
    onMessage(callback: (message: PhoenixMessage) => void | Promise<void>): MessageRef;

    /**
     * phoenix-wasm: runs on heartbeat events with `(status, latencyMs)`; the latency comes
     * with `"ok"` and `"error"` replies. Returns a ref for `off`.
     */
    onHeartbeat(callback: (status: HeartbeatStatus, latencyMs?: number) => void): MessageRef;
    /** phoenix-wasm: round trip, reconnects by cause, buffered and dropped counts. */
    stats(): SocketStats;

    makeRef(): MessageRef;
    /** Removes socket callbacks by the refs `onOpen` / `onClose` / `onError` / `onMessage` returned. */
    off(refs: MessageRef[]): void;

    /**
     * Sends a heartbeat and calls back with the round-trip time in ms; returns `false` (and
     * never calls back) when not connected (§2.3).
     * @types: declared as a function-valued property; at runtime it is a method. A method type
     * also lets subclasses override it with either a method or a property.
     */
    ping(callback: (latency: number) => void): boolean;

    /**
     * The current transport instance (`WebSocket`, `LongPoll`, or an instance of a custom
     * `transport`), `null` when there is no connection. A read-only getter in 1.8.16 (§2.2).
     * Not in @types (§10.2.12).
     */
    get conn(): WebSocket | LongPoll | null;
    /** The channels created by `channel()` and not yet removed (§2.2). Not in @types (§10.2.12). */
    readonly channels: Channel[];
    /** Returns the `LongPoll` class (§2.3). Not in @types (§10.2.12). */
    getLongPollTransport(): typeof LongPoll;
}

/**
 * The HTTP long-polling transport (§7), usable as `transport: LongPoll`. It implements the
 * WebSocket-like interface the socket drives: `readyState`, the `on*` handlers, `send`, `close`.
 */
export declare class LongPoll {
    /**
     * `endPoint` is the socket's `ws(s)://…/websocket?…` URL, rewritten to `http(s)://…/longpoll?…`.
     * @types: no `protocols`; the socket passes them, carrying the authToken (§2.5, §10.2.10).
     */
    constructor(endPoint: string, protocols?: string[]);

    /** 0 connecting, 1 open, 2 closing, 3 closed (like `WebSocket.readyState`). */
    readonly readyState: number;
    /** Request timeout, set by the socket from `longpollerTimeout`. */
    timeout: number;
    /** Always `true`: the socket sends no heartbeats over LongPoll (§2.4). */
    readonly skipHeartbeat: boolean;
    onopen: (event?: any) => void;
    onerror: (error?: any) => void;
    onmessage: (event: { data: any }) => void;
    onclose: (event: any) => void;

    normalizeEndpoint(endPoint: string): string;
    endpointURL(): string;

    /**
     * Stops, reports `error` to `onerror`, then emits a close with `code`, `reason`, `wasClean`
     * (§7.2). @types: declared without parameters; 1.8.16 takes these four.
     */
    closeAndRetry(error?: any, code?: number, reason?: string, wasClean?: boolean): void;
    ontimeout(): void;

    poll(): void;

    /** Queues a frame; frames sent in one tick go out as one ndjson POST (§7.3). */
    send(body: any): void;
    /** @types: two parameters; the runtime also takes `wasClean` (§10.2.10). */
    close(code?: any, reason?: any, wasClean?: any): void;
}

/**
 * The HTTP helper behind LongPoll (§7.5). @types declares it as an exported class, but
 * phoenix.js does not export it (§10.2.1): type-only here, with the 1.8.x signatures
 * (§10.2.11: there is no `states`; the 3rd parameter is a headers object).
 */
declare class Ajax {
    static request(
        method: string,
        endPoint: string,
        headers: { [name: string]: string },
        body: any,
        timeout?: number,
        ontimeout?: () => void,
        callback?: (response?: any) => void | Promise<void>,
    ): any;
    static fetchRequest(
        method: string,
        endPoint: string,
        headers: { [name: string]: string },
        body: any,
        timeout?: number,
        ontimeout?: () => void,
        callback?: (response?: any) => void | Promise<void>,
    ): AbortController | null;
    static xdomainRequest(
        req: any,
        method: string,
        endPoint: string,
        body: any,
        timeout?: number,
        ontimeout?: () => void,
        callback?: (response?: any) => void | Promise<void>,
    ): any;
    static xhrRequest(
        req: any,
        method: string,
        endPoint: string,
        headers: { [name: string]: string },
        body: any,
        timeout?: number,
        ontimeout?: () => void,
        callback?: (response?: any) => void | Promise<void>,
    ): any;
    static parseJSON(resp: string): any;
    static serialize(obj: any, parentKey?: string): string;
    static appendParams(url: string, params: any): string;
}

/** Presence tracking on a channel (§5). */
export declare class Presence {
    /** Subscribes to the channel's `presence_state` / `presence_diff` events (or `opts.events`) (§5.1). */
    constructor(channel: Channel, opts?: PresenceOpts);

    /**
     * The synced roster (a null-prototype object) (§5.1). Not in @types (§10.2.12).
     */
    state: PresenceState;

    /** Replaces the join callback (one callback per presence) (§5.1). */
    onJoin(callback: PresenceJoinHandler): void;
    /** Replaces the leave callback (§5.1). */
    onLeave(callback: PresenceLeaveHandler): void;
    /** Replaces the sync callback, called after every applied state or diff (§5.1). */
    onSync(callback: () => void | Promise<void>): void;
    /** The presences, in JS own-property key order, mapped through `chooser(key, presence)` (§5.2). */
    list<T = any>(chooser?: (key: string, presence: any) => T): T[];
    /** `true` while diffs are held back until the state of the current join arrives (§5.1). */
    inPendingSyncState(): boolean;

    /**
     * Applies a full state to a roster; `currentState` is not mutated (deep-cloned), but the
     * inner objects of `newState` may be (§5.2). Returns a null-prototype roster.
     */
    static syncState(
        currentState: object,
        newState: object,
        onJoin?: PresenceJoinHandler,
        onLeave?: PresenceLeaveHandler,
    ): any;

    /** Applies a `{joins, leaves}` diff: all joins first, then all leaves (§5.2). */
    static syncDiff(
        currentState: object,
        diff: { joins: object; leaves: object },
        onJoin?: PresenceJoinHandler,
        onLeave?: PresenceLeaveHandler,
    ): any;

    /** `Presence.list(state, chooser)` on any roster (§5.2). */
    static list<T = any>(presences: object, chooser?: (key: string, presence: any) => T): T[];
}

/**
 * The backoff timer behind reconnects and rejoins (§8).
 * @types: declared as an exported class, but phoenix.js does not export it (§10.2.1):
 * type-only here.
 */
declare class Timer {
    constructor(callback: () => void | Promise<void>, timerCalc: (tries: number) => number);

    /** `tries = 0` and clears the pending timeout. */
    reset(): void;
    /** (Re)arms the timeout with `timerCalc(tries + 1)`; `tries` grows when it fires. */
    scheduleTimeout(): void;
}

/**
 * The default serializer: a plain object (not a class) whose methods use `this` (§6).
 * Text frames are `[join_ref, ref, topic, event, payload]` JSON; an `ArrayBuffer` payload (or
 * frame) uses the binary layouts of §6.2.
 * @types: missing, although phoenix.js exports it (§10.2.1).
 */
export declare const Serializer: {
    readonly HEADER_LENGTH: number;
    readonly META_LENGTH: number;
    readonly KINDS: { readonly push: number; readonly reply: number; readonly broadcast: number };
    /** Encodes a message and returns whatever `callback` returns. Throws on a null payload. */
    encode<T>(msg: PhoenixMessage, callback: (encoded: string | ArrayBuffer) => T): T;
    /** Decodes a text or binary frame and returns whatever `callback` returns. */
    decode<T>(rawPayload: string | ArrayBuffer, callback: (decoded: PhoenixMessage) => T): T;
};

export type { Push, Timer, Ajax };
