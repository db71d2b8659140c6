/**
 * The one place where a gate's options get their defaults and their checks, whichever face they came
 * through: CLI flags, the resource's `source`, or a library call.
 */
import { UsageError } from './errors.js';
import { parseIntroSigner } from './guix-authorizations.js';
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
  /** The keys come from the repository (`--policy guix`): none may be given, and `./keys` is not read. */
  keysFromRepository?: boolean;
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
  /** Where the allow list lives: `keys` (default: the keys and allow list given) or `guix` (in the repository, from a channel introduction: `since`). */
  policy?: PolicyKind;
  /** `guix`: the fingerprint that signed the introduction (spaces allowed). */
  introSigner?: string | null;
  /** `guix`: the keyring branch. Default: the `keyring-reference` of `.guix-channel` at the target, else `keyring`. */
  keyringRef?: string | null;
  /** The in-repository policy already normalised (a `RangePolicy` passed on); `policy: 'guix'` takes precedence. */
  inRepository?: InRepositoryPolicy | null;
}

/** Where a range's allow list lives. */
export type PolicyKind = 'keys' | 'guix' | 'sequoia';

/** A policy kept in the repository itself. */
export type InRepositoryPolicy = GuixRangePolicy | SequoiaRangePolicy;

/** sequoia-git's policy: `openpgp-policy.toml` of each parent, from the trust root (`since`) whose policy is trusted. */
export interface SequoiaRangePolicy {
  kind: 'sequoia';
}

/** A Guix channel's policy: the introduction is the range's trust root. */
export interface GuixRangePolicy {
  kind: 'guix';
  /** 40 hex upper. */
  introSigner: string;
  keyringRef: string | null;
}

/** The gate's options with every default applied. */
export interface GatePolicy {
  keys: readonly KeyRef[];
  allow: readonly string[];
  allowFile: readonly string[];
  ignoreExpiry: boolean;
  allowWeak: boolean;
  now: Date;
  keysFromRepository: boolean;
}

/** A range's options with every default applied. */
export interface RangePolicy {
  since: string | null;
  mode: RangeMode;
  allowRewind: boolean;
  allowUnsignedRoot: boolean;
  /** null: the keys and allow list given. */
  inRepository: InRepositoryPolicy | null;
}

/** Apply the defaults to the gate's options. */
export function gatePolicyOf(options: GateOptions): GatePolicy {
  const keysFromRepository = options.keysFromRepository ?? false;
  if (keysFromRepository) {
    // a second source of keys would be a second, unaudited allow list
    if (options.keys?.length || options.allow?.length || options.allowFile?.length) throw new UsageError('--policy guix and --policy sequoia take their keys and allow list from the repository: --keys, --allow and --allow-file do not apply');
    return { keys: [], allow: [], allowFile: [], ignoreExpiry: true, allowWeak: options.allowWeak ?? false, now: options.now ?? new Date(), keysFromRepository };
  }
  const keys = options.keys ?? [DEFAULT_KEYS];
  if (keys.length === 0) throw new UsageError('no keys were given: name a keys file or directory (--keys), or keep them in ./keys');
  return {
    keys,
    allow: options.allow ?? [],
    allowFile: options.allowFile ?? [],
    ignoreExpiry: options.ignoreExpiry ?? false,
    allowWeak: options.allowWeak ?? false,
    now: options.now ?? new Date(),
    keysFromRepository,
  };
}

/** Apply the defaults to a range: the mode follows from whether there is a trust root. */
export function rangePolicyOf(options: RangeOptions): RangePolicy {
  const since = options.since === undefined || options.since === '' ? null : options.since;
  const inRepository = options.policy === 'guix' ? guixPolicyOf(options, since) : options.policy === 'sequoia' ? sequoiaPolicyOf(options, since) : (options.inRepository ?? null);
  if (!inRepository && (options.introSigner || options.keyringRef)) throw new UsageError('an introduction signer and a keyring branch only apply with --policy guix');
  return {
    since,
    mode: options.mode ?? (inRepository ? 'all' : defaultMode(since)),
    allowRewind: options.allowRewind ?? false,
    allowUnsignedRoot: options.allowUnsignedRoot ?? false,
    inRepository,
  };
}

/** Guix authenticates every commit between the introduction and the target: the introduction is a commit id, the mode `all`. */
function guixPolicyOf(options: RangeOptions, since: string | null): GuixRangePolicy {
  if (!since || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(since)) throw new UsageError('--policy guix needs the channel introduction as --since: its full commit id');
  if (options.mode !== undefined && options.mode !== 'all') throw new UsageError('--policy guix authenticates every commit (--mode all), as Guix does');
  if (options.allowUnsignedRoot) throw new UsageError('--policy guix checks the introduction by its signer: --allow-unsigned-root does not apply');
  const introSigner = parseIntroSigner(options.introSigner ?? '');
  if (!introSigner) throw new UsageError('--policy guix needs --intro-signer: the 40-hex fingerprint that signed the introduction (spaces allowed)');
  const keyringRef = options.keyringRef ?? null;
  if (keyringRef !== null && (keyringRef === '' || keyringRef.startsWith('-') || /[\s\0~^:?*[\\]|\.\.|@\{/.test(keyringRef))) throw new UsageError(`invalid keyring branch ${JSON.stringify(keyringRef)}`);
  return { kind: 'guix', introSigner, keyringRef };
}

/** sequoia-git authenticates a path from the trust root, whose policy is trusted: a commit id, as for Guix. */
function sequoiaPolicyOf(options: RangeOptions, since: string | null): SequoiaRangePolicy {
  if (!since || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(since)) throw new UsageError('--policy sequoia needs the trust root as --since: the full id of the commit whose openpgp-policy.toml you trust');
  if (options.mode !== undefined && options.mode !== 'all') throw new UsageError('--policy sequoia authenticates a path through the whole graph (--mode all), as sq-git log does');
  if (options.allowUnsignedRoot) throw new UsageError('--policy sequoia trusts the trust root as given: --allow-unsigned-root does not apply');
  if (options.allowRewind) throw new UsageError('--policy sequoia authenticates a path down to the trust root: --allow-rewind does not apply');
  if (options.introSigner || options.keyringRef) throw new UsageError('--intro-signer and --keyring-ref only apply with --policy guix');
  return { kind: 'sequoia' };
}

/** A policy name as a user wrote it. */
export function parsePolicyKind(value: unknown, where: string): PolicyKind {
  if (value === 'keys' || value === 'guix' || value === 'sequoia') return value;
  throw new UsageError(`${where} must be keys, guix or sequoia, not ${JSON.stringify(value)}`);
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
