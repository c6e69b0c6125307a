// Seed example 3 of shared/seed/presence.md (Presence Event Handlers), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 3 appears here, in order.
// This block is an API signature fragment, not runnable code: its lines are wrapped in
// declarations, and the checks below prove phoenix-wasm's Presence satisfies them.

// ---- setup (not part of the seed) ----
import type {
  Presence,
  PresenceOnJoinCallback as OurPresenceOnJoinCallback,
  PresenceOnLeaveCallback as OurPresenceOnLeaveCallback,
} from "phoenix-wasm";

// ---- seed block 3, wrapped ----
declare class SeedPresenceHandlers {
/**
* Register callback for user join events
* @param callback - Function to call when users join
*/
onJoin(callback: PresenceOnJoinCallback): void;

/**
* Register callback for user leave events
* @param callback - Function to call when users leave
*/
onLeave(callback: PresenceOnLeaveCallback): void;

/**
* Register callback for presence state sync events
* @param callback - Function to call when presence state is synchronized
*/
onSync(callback: () => void | Promise<void>): void;

}
type PresenceOnJoinCallback = (key?: string, currentPresence?: any, newPresence?: any) => void;
type PresenceOnLeaveCallback = (key?: string, currentPresence?: any, newPresence?: any) => void;

// ---- checks (not part of the seed) ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

declare const presence: Presence;
// phoenix-wasm's Presence has the documented handler methods ...
export const handlers: SeedPresenceHandlers = presence;
// ... the documented callback types are phoenix-wasm's exported ones ...
export type JoinIsOurs = Expect<Equal<PresenceOnJoinCallback, OurPresenceOnJoinCallback>>;
export type LeaveIsOurs = Expect<Equal<PresenceOnLeaveCallback, OurPresenceOnLeaveCallback>>;
// ... and values of those types are accepted.
declare const onJoin: PresenceOnJoinCallback;
declare const onLeave: PresenceOnLeaveCallback;
presence.onJoin(onJoin);
presence.onLeave(onLeave);
