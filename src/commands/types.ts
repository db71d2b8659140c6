import type { SignatureFormat, Signer, VerdictStatus } from '../core/verdict.js';

export type RangeMode = 'tip' | 'first-parent' | 'all';

/** How objects are read: one `git cat-file --batch` process, or isomorphic-git when no `git` is installed. */
export type ReaderKind = 'auto' | 'git' | 'isomorphic';

/** Options shared by every verifying command. */
export interface VerifyOptions {
  /** Repository directory (work tree or git dir). Default `.`. */
  repo?: string;
  /** Key files or directories. Default `['./keys']`. */
  keys?: string[];
  /** Narrow the allow list: OpenPGP fingerprints (or 16-hex long key IDs), SSH `SHA256:` fingerprints. */
  allow?: string[];
  /** Files holding one allow-list entry a line (`#` comments). */
  allowFile?: string[];
  ignoreExpiry?: boolean;
  allowWeak?: boolean;
  /** The verifier's clock. Default: now. */
  now?: Date;
  reader?: ReaderKind;
  /** Called with non-fatal configuration warnings (long key IDs, keys about to expire). */
  onWarning?: (message: string) => void;
}

export interface VerifyRangeOptions extends VerifyOptions {
  /** The revision to verify. Default `HEAD`. */
  target?: string;
  /**
   * Trust root: a commit id, or an annotated tag validly signed by an allowed key. Any other name (a
   * lightweight or unsigned tag, a branch) can be moved by whoever can push it: `untrusted-root`.
   */
  since?: string | null;
  /** Accept a movable trust root (a lightweight or unsigned tag, a branch) with a warning instead. Default false. */
  allowUnsignedRoot?: boolean;
  /** Default: `first-parent` with a trust root, `tip` without. */
  mode?: RangeMode;
  allowRewind?: boolean;
  /** Reuse and extend the verification cache under the git directory. Default false (the CLI turns it on). */
  cache?: boolean;
  onProgress?: (done: number, total: number | null) => void;
}

/** One commit's entry in the JSON report (DESIGN.md). */
export interface CommitReport {
  oid: string;
  status: VerdictStatus;
  format: SignatureFormat;
  signer: Signer | null;
  signedAt: string | null;
  subject: string;
  reason: string | null;
  remedy?: string;
}

/** A range-level failure: the target does not descend from the trust root, or the trust root is movable or not validly signed. */
export type RangeStatus = 'passed' | 'failed' | 'not-descendant' | 'untrusted-root';

/** The JSON report of `siggate verify` (DESIGN.md, "JSON report"). */
export interface RangeReport {
  ok: boolean;
  status: RangeStatus;
  target: string;
  since: string | null;
  mode: RangeMode;
  checked: number;
  failed: number;
  /** Why a range-level status is not `passed`/`failed`, else null. */
  reason: string | null;
  /** How to fix a range-level failure, when there is a fix to name (`untrusted-root`). */
  remedy?: string;
  commits: CommitReport[];
  /** Commits where the walk stopped because an earlier passing run under the same policy verified them and all they require. */
  reused: string[];
  warnings: string[];
}

/** The report of `siggate verify-tag`. */
export interface TagReport {
  ok: boolean;
  tag: string;
  oid: string;
  target: string;
  targetType: string;
  status: VerdictStatus;
  format: SignatureFormat;
  signer: Signer | null;
  signedAt: string | null;
  reason: string | null;
  remedy?: string;
  warnings: string[];
}
