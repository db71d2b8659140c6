/**
 * The one place where a gate's options get their defaults and their checks, whichever face they came
 * through: CLI flags, the resource's `source`, or a library call.
 */
import { UsageError } from './errors.js';
import type { KeyRef } from './key-source.js';
import type { RangeMode } from './report.js';

/** Where keys are looked for when none are named. */
export const DEFAULT_KEYS = './keys';

/** The gate's options as callers give them; everything optional. */
export interface GateOptions {
  /** Key files, directories, `s3://` prefixes, or key material. Default `['./keys']`. */
  keys?: readonly KeyRef[];
  /** Narrow the allow list: OpenPGP fingerprints (or 16-hex long key IDs), SSH `SHA256:` fingerprints. */
  allow?: readonly string[];
  /** Files holding one allow-list entry a line (`#` comments). */
  allowFile?: readonly string[];
  ignoreExpiry?: boolean;
  allowWeak?: boolean;
  /** The verifier's clock. Default: now. */
  now?: Date;
  /** Called with non-fatal warnings (long key IDs, movable trust roots accepted, replace refs). */
  onWarning?: (message: string) => void;
}

/** A range's options as callers give them. */
export interface RangeOptions {
  /**
   * Trust root: a commit id, or an annotated tag validly signed by an allowed key. Any other name (a
   * lightweight or unsigned tag, a branch) can be moved by whoever can push it: `untrusted-root`.
   */
  since?: string | null;
  /** Default: `first-parent` with a trust root, `tip` without. */
  mode?: RangeMode;
  allowRewind?: boolean;
  /** Accept a movable trust root (a lightweight or unsigned tag, a branch) with a warning instead. Default false. */
  allowUnsignedRoot?: boolean;
}

/** The gate's options with every default applied. */
export interface GatePolicy {
  keys: readonly KeyRef[];
  allow: readonly string[];
  allowFile: readonly string[];
  ignoreExpiry: boolean;
  allowWeak: boolean;
  now: Date;
}

/** A range's options with every default applied. */
export interface RangePolicy {
  since: string | null;
  mode: RangeMode;
  allowRewind: boolean;
  allowUnsignedRoot: boolean;
}

/** Apply the defaults to the gate's options. */
export function gatePolicyOf(options: GateOptions): GatePolicy {
  const keys = options.keys ?? [DEFAULT_KEYS];
  if (keys.length === 0) throw new UsageError('no keys were given: name a keys file or directory (--keys), or keep them in ./keys');
  return {
    keys,
    allow: options.allow ?? [],
    allowFile: options.allowFile ?? [],
    ignoreExpiry: options.ignoreExpiry ?? false,
    allowWeak: options.allowWeak ?? false,
    now: options.now ?? new Date(),
  };
}

/** Apply the defaults to a range: the mode follows from whether there is a trust root. */
export function rangePolicyOf(options: RangeOptions): RangePolicy {
  const since = options.since === undefined || options.since === '' ? null : options.since;
  return {
    since,
    mode: options.mode ?? defaultMode(since),
    allowRewind: options.allowRewind ?? false,
    allowUnsignedRoot: options.allowUnsignedRoot ?? false,
  };
}

/** `first-parent` from a trust root, else only the tip (what git-resource checks). */
export function defaultMode(since: string | null): RangeMode {
  return since ? 'first-parent' : 'tip';
}

/** A mode name as a user wrote it; `where` names the flag or key in the message. */
export function parseRangeMode(value: unknown, where: string): RangeMode {
  if (value === 'tip' || value === 'first-parent' || value === 'all') return value;
  throw new UsageError(`${where} must be tip, first-parent or all, not ${JSON.stringify(value)}`);
}
