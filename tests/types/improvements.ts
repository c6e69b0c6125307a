// phoenix-wasm's opt-in improvements (issue #11; README "Beyond phoenix.js"): the options,
// awaitable pushes, onHeartbeat and stats() as a user writes them. Not in the @types
// cross-check: none of this exists in phoenix.js.
import { Socket, type HeartbeatStatus, type PushError, type SocketStats } from "phoenix-wasm";

async function freshToken(): Promise<string> {
  return "token";
}

const socket = new Socket("/socket", {
  params: async () => ({ user_id: "u1" }),
  authToken: freshToken,
  reconnectJitter: "decorrelated",
  hiddenReconnectDeferMs: 30_000,
  heartbeatIntervalMs: 15_000,
  heartbeatTimeoutMs: 5_000,
  probeOnOnline: true,
  sendBufferLimit: 100,
  pushBufferLimit: 20,
  bufferDropPolicy: "oldest",
  awaitablePushes: true,
});

const seen: Array<[HeartbeatStatus, number | undefined]> = [];
const ref: string = socket.onHeartbeat((status, latencyMs) => seen.push([status, latencyMs]));
socket.off([ref]);

const stats: SocketStats = socket.stats();
const rtt: number | null = stats.rttMs;
const total: number = stats.reconnects.total + stats.dropped.push + stats.buffered.send;
void rtt;
void total;

async function chat(): Promise<string> {
  const channel = socket.channel("room:lobby", async () => ({ token: await freshToken() }));
  const joined: { user_id: string } = await channel.join();
  try {
    const reply: { body: string } = await channel.push("new_msg", { body: "hi" }, 5_000);
    return reply.body;
  } catch (e) {
    const err = e as PushError;
    const status: "error" | "timeout" = err.status;
    return `${err.name} ${status} ${joined.user_id}`;
  } finally {
    channel.push("typing", {}).receive("ok", () => {}).receive("timeout", () => {});
  }
}
void chat();

// @ts-expect-error: not a jitter mode
new Socket("/socket", { reconnectJitter: "sometimes" });
// @ts-expect-error: not a drop policy
new Socket("/socket", { bufferDropPolicy: "random" });
