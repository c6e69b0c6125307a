// Seed example 1 of shared/seed/presence.md (Presence Constructor), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 1 appears here, in order.
// This block is an API signature fragment, not runnable code: its lines are wrapped in
// declarations, and the checks below prove phoenix-wasm's Presence satisfies them.

// ---- setup (not part of the seed) ----
import { Presence } from "phoenix-wasm";
import type { Channel, PresenceOpts as OurPresenceOpts } from "phoenix-wasm";

// ---- seed block 1, wrapped ----
declare class SeedPresence {
/**
* Creates a new Presence instance for tracking user presence on a channel
* @param channel - Channel to track presence on
* @param opts - Presence configuration options
*/
constructor(channel: Channel, opts?: PresenceOpts);
}

interface PresenceOpts {
/** Custom event names for presence state and diff events */
events?: { state: string; diff: string } | undefined;
}

// ---- checks (not part of the seed) ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// Presence is constructible exactly as documented, and the documented options type is ours.
export const ctor: new (channel: Channel, opts?: PresenceOpts) => Presence = Presence;
export type OptsAreOurs = Expect<Equal<PresenceOpts, OurPresenceOpts>>;
export type SeedPresenceUnused = SeedPresence;
