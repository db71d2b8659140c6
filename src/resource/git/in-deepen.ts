import type { Log } from '../protocol/types.js';

/** git-resource gives up deepening at this depth and fetches the whole history. */
export const MAX_DEPTH = 127;

/** What the deepening works on: a shallow repository and the commit that must end up in it. */
export interface DeepenTarget {
  /** The ref as the messages name it (the version's ref, `HEAD`, a submodule's pinned id). */
  shown: string;
  /** Whether `<commit>~n` is in the repository (its `n`-th first parent is not cut off). */
  has(n: number): Promise<boolean>;
  /** Whether the repository is still shallow (`.git/shallow` exists). */
  shallow(): Promise<boolean>;
  /** `git fetch --deepen N`. */
  deepen(by: number): Promise<void>;
  /** `git fetch --unshallow`. */
  unshallow(): Promise<void>;
}

/**
 * git-resource's deepen script, with its messages: a clone `depth` deep below the branch tip may not reach
 * the version (newer commits landed on top of it), so deepen by doubling steps until `REF~(depth-1)` is
 * there, the whole history came over, or 127 is reached and the rest is fetched at once. The history was
 * verified in the quarantine before any of this: a shallow destination never decides the gate.
 */
export async function deepenUntilFound(depth: number, target: DeepenTarget, log: Log): Promise<void> {
  let step = depth;
  let total = depth;
  const fromRef = depth - 1;
  while (!(await target.has(fromRef))) {
    // once the history is whole, git quietly makes the clone a deep one
    if (!(await target.shallow())) {
      log("Reached max depth of the origin repo while deepening the shallow clone, it's a deep clone now");
      return;
    }
    log(`Could not find ref ${target.shown}~${fromRef} in a shallow clone of depth ${total}`);
    step *= 2;
    if (total >= MAX_DEPTH) {
      log(`Reached depth threshold ${MAX_DEPTH}, falling back to deep clone...`);
      await target.unshallow();
      return;
    }
    log(`Deepening the shallow clone by an additional ${step}...`);
    await target.deepen(step);
    total += step;
  }
}
