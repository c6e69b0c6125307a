// Seed example 5 of shared/seed/presence.md (Presence State Management), compiled against phoenix-wasm.
// types.test.mjs checks that every line of the seed's block 5 appears here, in order.
// This block is an API signature fragment, not runnable code: its lines are wrapped in
// declarations, and the checks below prove phoenix-wasm's Presence satisfies them.

// ---- setup (not part of the seed) ----
import type { Presence } from "phoenix-wasm";

// ---- seed block 5, wrapped ----
declare class SeedPresenceState {
/**
* List current presences with optional transformation
* @param chooser - Optional function to transform each presence entry
* @returns Array of presence entries (transformed if chooser provided)
*/
list<T = any>(chooser?: (key: string, presence: any) => T): T[];

/**
* Check if presence is in pending sync state
* @returns True if sync is pending, false otherwise
*/
inPendingSyncState(): boolean;
}

// ---- checks (not part of the seed) ----
declare const presence: Presence;
export const state: SeedPresenceState = presence;
