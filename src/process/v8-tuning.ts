import { setFlagsFromString } from 'node:v8';

/** From how many commits a range makes the heap grow in smaller steps. */
export const LONG_RANGE = 20_000;
/** How much the old generation may grow past what survived the last full collection, in percent. */
const HEAP_GROWING_PERCENT = 50;

/** The ranges whose checks tier up to optimized code later: [from, until) commits. */
export const LATE_TIER_UP = { from: 200, until: 5_000 } as const;
/** Four times the bytecode Node 20's V8 (11.3) runs before it considers optimizing a function (67,584). */
const LATE_INTERRUPT_BUDGET = 4 * 67_584;

let allowed = false;
let heapLimited = false;
let tierUpDelayed = false;

/**
 * The command-line faces (the CLI, the resource scripts) own their process and allow this; a program that
 * imports siggate as a library keeps V8's flags as it set them.
 */
export function allowV8Tuning(): void {
  allowed = true;
}

/**
 * A range of `count` commits is coming: fit V8 to it, once per process. Only then, never at start-up:
 * changing a V8 flag makes the code cache Node ships for its own modules unusable, so a short run that
 * still loads some of them would compile them (~6 ms on a tip verify).
 *
 * - From 20,000 commits, the old generation grows by half of what survived the last full collection
 *   before collecting again, instead of the 2-4 times V8 picks by itself. Over 100,000 commits that keeps
 *   the heap near 60 MB rather than ~120 MB for ~40 MB of live data (measured: peak RSS 253 -> 193 MB),
 *   at the cost of a few more collections of milliseconds each.
 * - From 200 to 4,999 commits, functions are optimized later. TurboFan spent ~150 ms of CPU compiling
 *   the per-commit code of a 2,000-commit range, more than the optimized code then saved, and on 2 cores
 *   those compiles take CPU from the checks. Measured on 2 cores, interleaved runs: 2,000 RSA-3072
 *   commits 381 -> 309 ms, nonguix (2,177) 650 -> 526 ms, 1,000 Ed25519 310 -> 241 ms, 300 Ed25519
 *   152 -> 144 ms; 100 commits and 5,000 unchanged; 10,000 Ed25519 1,288 -> 1,413 ms, hence the bound.
 *   Measured on Node 20's V8 only: others (Node 22's Maglev) tier up differently and are left alone.
 */
export function tuneV8For(count: number, setFlags: (flags: string) => void = setFlagsFromString, v8Version: string = process.versions.v8): void {
  if (!allowed) return;
  if (count >= LONG_RANGE && !heapLimited) {
    heapLimited = true;
    setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
  if (count >= LATE_TIER_UP.from && count < LATE_TIER_UP.until && !tierUpDelayed && v8Version.startsWith('11.3.')) {
    tierUpDelayed = true;
    setFlags(`--interrupt-budget=${LATE_INTERRUPT_BUDGET}`);
  }
}
