// Presence usage as apps write it against @types/phoenix 1.6.7: the instance API with custom
// events, and the statics with typed callbacks. Only the import line differs from such an
// app; it also compiles against @types/phoenix (tsconfig.types-phoenix.json).
import { Socket, Presence } from "phoenix-wasm";
import type { PresenceOpts, PresenceOnJoinCallback, PresenceOnLeaveCallback } from "phoenix-wasm";

// ---- ambient declarations the app would have (not part of the API under test) ----
declare function render(items: Array<{ id: string; count: number }>): void;
interface Meta {
  phx_ref: string;
  online_at: number;
  device: string;
}

const socket = new Socket("/socket");
const channel = socket.channel("room:lobby");

// ---- instance ----
const presence = new Presence(channel);
presence.onJoin((id, current, newPres) => {
  if (!current) console.log("user has entered for the first time", id, newPres);
  else console.log("user additional presence", id, newPres);
});
presence.onLeave((id, current, leftPres) => {
  if (current.metas.length === 0) console.log("user has left from all devices", id, leftPres);
  else console.log("user left from a device", id, leftPres);
});
presence.onSync(() => render(presence.list((id, { metas }) => ({ id, count: metas.length }))));
presence.onSync(async () => { await Promise.resolve(); });

const everyone = presence.list();
const ids: string[] = presence.list((id) => id);
const typed = presence.list<{ id: string; first: Meta }>((id, p) => ({ id, first: p.metas[0] }));
if (presence.inPendingSyncState()) console.log("waiting for presence_state", everyone, ids, typed);

// ---- custom event names ----
const opts: PresenceOpts = { events: { state: "roster_state", diff: "roster_diff" } };
const custom = new Presence(socket.channel("room:custom"), opts);
new Presence(channel, {});
new Presence(channel, { events: undefined });

// ---- callbacks declared with the exported types ----
const onJoin: PresenceOnJoinCallback = (key, current, newPres) => {
  console.log("join", key ?? "?", current, newPres);
};
const onLeave: PresenceOnLeaveCallback = (key, current, leftPres) => {
  console.log("leave", key, current?.metas, leftPres);
};
custom.onJoin(onJoin);
custom.onLeave(onLeave);
onJoin("direct-call"); // the alias keeps @types' optional parameters
onLeave();

// ---- statics ----
let state: object = {};
channel.on("presence_state", (newState) => {
  state = Presence.syncState(state, newState, onJoin, onLeave);
  state = Presence.syncState(state, newState);
});
channel.on("presence_diff", (diff) => {
  state = Presence.syncDiff(state, diff, onJoin, onLeave);
  state = Presence.syncDiff(state, { joins: diff.joins, leaves: diff.leaves });
  state = Presence.syncDiff(state, diff, (key?: string) => console.log(key));
});
const listed: any[] = Presence.list(state);
const names = Presence.list<string>(state, (key, p) => `${key}:${p.metas.length}`);
const fromLiteral = Presence.list({ u1: { metas: [{ phx_ref: "a" }] } }, (key) => key);
console.log(listed, names, fromLiteral);
