import { setFlagsFromString } from 'node:v8';

/** From how many commits a range makes the heap grow in smaller steps. */
export const LONG_RANGE = 20_000;
/** How much the old generation may grow past what survived the last full collection, in percent. */
const HEAP_GROWING_PERCENT = 50;

let allowed = false;
let limited = false;

/**
 * The command-line faces (the CLI, the resource scripts) own their process and allow this; a program that
 * imports siggate as a library keeps V8's flags as it set them.
 */
export function allowHeapGrowthLimit(): void {
  allowed = true;
}

/**
 * A long range is coming: let V8's old generation grow by half of what survived the last full collection
 * before collecting again, instead of the 2-4 times it picks by itself. Over 100,000 commits that keeps
 * the heap near 60 MB rather than ~120 MB for ~40 MB of live data (measured: peak RSS 253 -> 193 MB),
 * at the cost of a few more collections of milliseconds each. Only then: changing a V8 flag makes the
 * code cache Node ships for its own modules unusable, so a short run that still loads some of them
 * would compile them (~6 ms on a tip verify).
 */
export function limitHeapGrowthFor(count: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (!allowed || limited || count < LONG_RANGE) return;
  limited = true;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
