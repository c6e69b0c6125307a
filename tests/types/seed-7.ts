// Seed example 7 of shared/seed/presence.md (Static Presence Methods), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 7 appears here, in order.
// This block is an API signature fragment, not runnable code: its lines are wrapped in
// declarations, and the checks below prove phoenix-wasm's Presence satisfies them.

// ---- setup (not part of the seed) ----
import { Presence } from "phoenix-wasm";
import type { PresenceOnJoinCallback, PresenceOnLeaveCallback } from "phoenix-wasm";

// ---- seed block 7, wrapped ----
declare class SeedPresenceStatics {
/**
* Synchronize presence state manually
* @param currentState - Current presence state object
* @param newState - New presence state object
* @param onJoin - Optional callback for join events
* @param onLeave - Optional callback for leave events
* @returns Updated presence state
*/
static syncState(
currentState: object,
newState: object,
onJoin?: PresenceOnJoinCallback,
onLeave?: PresenceOnLeaveCallback
): any;

/**
* Apply presence diff to current state
* @param currentState - Current presence state object
* @param diff - Presence diff with joins and leaves
* @param onJoin - Optional callback for join events
* @param onLeave - Optional callback for leave events
* @returns Updated presence state
*/
static syncDiff(
currentState: object,
diff: { joins: object; leaves: object },
onJoin?: PresenceOnJoinCallback,
onLeave?: PresenceOnLeaveCallback
): any;

/**
* List presences from a state object
* @param presences - Presence state object
* @param chooser - Optional transformation function
* @returns Array of presence entries
*/
static list<T = any>(presences: object, chooser?: (key: string, presence: any) => T): T[];
}

// ---- checks (not part of the seed) ----
// phoenix-wasm's Presence has the documented statics.
export const statics: Pick<typeof SeedPresenceStatics, "syncState" | "syncDiff" | "list"> = Presence;
