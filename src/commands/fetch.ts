import { resolve } from 'node:path';
import type { RangeReport } from '../core/report.js';
import { UsageError } from '../core/errors.js';
import { withCacheRepositoryLock } from '../git/cache-repo.js';
import { inspectDestination, placeCheckout, recoverInterruptedUpdate, type Destination } from '../git/checkout.js';
import { isFullOid, quarantineRefspecs, resolveTarget, seedTrustRoot, withQuarantine } from '../git/quarantine.js';
import { isAncestor, peelCommit } from '../git/refs.js';
import { withRemote, type RemoteSpec } from '../remote/access.js';
import { redactUrl } from '../remote/redact.js';
import { isSameRemote } from '../remote/remote-identity.js';
import type { RemoteAuth } from '../remote/url.js';
import { fetchRefs, remoteDefaultBranch } from '../remote/transfer.js';
import type { VerifyRangeOptions } from './types.js';
import { verifyRange } from './verify-range.js';

/** Options of {@link fetchVerified}: where to fetch from and to, plus every verification option. */
export interface FetchOptions extends Omit<VerifyRangeOptions, 'repo' | 'target' | 'cache'> {
  /** `https://`, `http://`, `ssh://`, `git@host:path`, `file://`, or a local path. */
  url: string;
  /** Destination checkout directory: created, or updated when it is already a checkout. */
  into: string;
  /** Branch name, `refs/...`, tag, or a full commit id. Default: the remote's HEAD branch. */
  ref?: string;
  /** HTTP(S) only. A token is sent as the basic-auth password. */
  auth?: RemoteAuth;
  /** Private key contents for ssh remotes (a 0600 temp file for the run, used alone). */
  sshPrivateKey?: string;
  /** Where ssh remembers host keys accepted on first contact; default `~/.ssh/known_hosts`. */
  knownHostsFile?: string;
  /** Bare cache repository reused across runs. Default: a temporary one, removed afterwards. */
  quarantine?: string;
  /**
   * Update a checkout even when that discards local work: commits the fetched history does not contain,
   * changes to tracked files, untracked files in the way; and even when its origin is another remote
   * (origin is then set to this one). Without it such an update is refused (UsageError) and nothing changes.
   */
  force?: boolean;
  /**
   * For a deployer whose trust root is its last deployed commit: when `since` is a full commit id that
   * neither the fetched history nor the destination holds (a force-push dropped it), the range is
   * `not-descendant` — or, with `allowRewind`, verified from `since` here instead (null: no trust root).
   * Without it such a root is an unknown revision (exit 2).
   */
  goneRoot?: { since: string | null };
  /**
   * For a deployer whose range starts elsewhere (an in-repository policy's introduction): the target must
   * descend from `commit`, its last deployed one, else the range is `not-descendant` (also when the history
   * lost it) — unless `allowRewind` here, which waives this check and nothing else.
   */
  descendsFrom?: { commit: string; allowRewind: boolean };
}

/** The outcome of a fetch whose verification ran: the report, the verified (or refused) commit, whether DIR changed. */
export interface FetchResult {
  report: RangeReport;
  commit: string;
  /** True when the destination was created or moved to another commit or branch. */
  updated: boolean;
}

/**
 * Quarantined fetch (`siggate fetch`): fetch the ref with full history into a bare quarantine, verify the
 * target there, and only when the gate passes create or update the destination checkout. On any failure
 * — a closed gate (returned, `report.ok` false), a network or auth error (`RemoteError`, exit 3), bad
 * options or a checkout whose local work the update would discard (`UsageError`, exit 2) — the destination
 * is left exactly as it was. An update a killed run left half-done is undone first.
 */
export async function fetchVerified(options: FetchOptions): Promise<FetchResult> {
  validateOptions(options);
  const destination = await inspectDestination(options.into);
  const replaceOrigin = destination.kind === 'checkout' && (await prepareCheckout(destination, options));
  return withRemote(remoteSpecOf(options), (remote) =>
    withQuarantine(options.quarantine, async (quarantine) => {
      const ref = options.ref;
      const extraRefs = ref !== undefined && ref.startsWith('refs/') && !/^refs\/(heads|tags)\//.test(ref) ? [ref] : [];
      await withCacheRepositoryLock(quarantine, () => fetchRefs(remote, quarantine, quarantineRefspecs(extraRefs), { prune: true }));
      const defaultBranch = ref === undefined ? await remoteDefaultBranch(remote, quarantine) : null;
      const target = await resolveTarget(quarantine, ref, defaultBranch);
      if (options.since && destination.kind === 'checkout') await seedTrustRoot(quarantine, destination.path, options.since);
      const since = await sinceIn(quarantine, options);
      if (since === GONE) return { report: notDescendantReport(target.commit, options, goneRootReason(options)), commit: target.commit, updated: false };
      const rewound = await rewoundFrom(quarantine, target.commit, options.descendsFrom);
      if (rewound) return { report: notDescendantReport(target.commit, options, rewound), commit: target.commit, updated: false };
      const report = await verifyRange({ ...verifyOptionsOf(options), since, repo: quarantine, target: target.commit });
      if (!report.ok) return { report, commit: target.commit, updated: false };
      const force = options.force === true;
      const updated = await placeCheckout(destination, quarantine, target, remote.url, { force, origin: replaceOrigin ? remote.url : null });
      return { report, commit: target.commit, updated };
    }),
  );
}

const GONE = Symbol('gone');

/** The trust root to verify from; GONE when it is a commit the history lost and rewinding is not allowed. */
async function sinceIn(quarantine: string, options: FetchOptions): Promise<string | null | undefined | typeof GONE> {
  const since = options.since;
  if (!options.goneRoot || !since || !isFullOid(since) || (await peelCommit(quarantine, since))) return since;
  return options.allowRewind ? options.goneRoot.since : GONE;
}

function goneRootReason(options: FetchOptions): string {
  return `the trust root ${options.since} is no longer in the history of the remote: the branch was rewound or rewritten`;
}

/** Why the target does not descend from `descendsFrom.commit` (gone, or not an ancestor), or null when it does or rewinding is allowed. */
async function rewoundFrom(quarantine: string, target: string, descendsFrom: FetchOptions['descendsFrom']): Promise<string | null> {
  if (!descendsFrom || descendsFrom.allowRewind) return null;
  const { commit } = descendsFrom;
  if (isFullOid(commit) && (await peelCommit(quarantine, commit)) === commit && (await isAncestor(quarantine, commit, target))) return null;
  return `the last deployed commit ${commit} is not in the history of ${target}: the branch was rewound or rewritten`;
}

function notDescendantReport(target: string, options: FetchOptions, reason: string): RangeReport {
  const mode = options.mode ?? (options.policy === 'guix' ? 'all' : 'first-parent');
  return { ok: false, status: 'not-descendant', target, since: options.since ?? null, mode, checked: 0, failed: 0, reason, commits: [], reused: [], warnings: [] };
}

/**
 * Before anything is fetched: undo an update a killed run left half-done, and refuse a checkout of another
 * remote (unless `force`). Returns whether origin must be replaced by the fetch URL.
 */
async function prepareCheckout(destination: Destination & { kind: 'checkout' }, options: FetchOptions): Promise<boolean> {
  await recoverInterruptedUpdate(destination);
  const origin = destination.origin;
  if (origin !== null && isSameRemote(origin, destination.path, options.url, process.cwd())) return false;
  if (options.force === true) return true;
  const what = origin === null ? 'has no origin remote' : `is a checkout of ${redactUrl(origin)}`;
  throw new UsageError(`${options.into} ${what}, not of ${redactUrl(options.url)}; refusing to update it (--force replaces it)`);
}

function remoteSpecOf(options: FetchOptions): RemoteSpec {
  return {
    url: options.url,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.sshPrivateKey !== undefined ? { sshKey: options.sshPrivateKey } : {}),
    ...(options.knownHostsFile !== undefined ? { knownHostsFile: options.knownHostsFile } : {}),
  };
}

function validateOptions(options: FetchOptions): void {
  if (typeof options.url !== 'string' || options.url === '') throw new UsageError('a remote URL is required');
  if (typeof options.into !== 'string' || options.into === '') throw new UsageError('a destination directory (--into) is required');
  checkText(options.url, 'the remote URL', 8192);
  checkText(options.into, '--into', 4096);
  if (options.quarantine !== undefined) checkText(options.quarantine, '--quarantine', 4096);
  if (options.ref !== undefined) {
    checkText(options.ref, '--ref', 1024);
    if (options.ref === '' || options.ref.startsWith('-') || /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{/.test(options.ref)) {
      throw new UsageError(`invalid ref ${JSON.stringify(options.ref)}`);
    }
  }
  if (options.quarantine !== undefined && resolve(options.quarantine) === resolve(options.into)) {
    throw new UsageError('the quarantine must not be the destination');
  }
}

/** A value that reaches git's command line: no NUL byte (it cannot pass), no absurd length (E2BIG), and a message that does not echo it. */
function checkText(value: string, what: string, maxBytes: number): void {
  if (value.includes('\0')) throw new UsageError(`${what} contains a NUL byte`);
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) throw new UsageError(`${what} is too long (${bytes} bytes; at most ${maxBytes})`);
}

/** The verification options alone; the fetch options must not reach the verifier. */
function verifyOptionsOf(options: FetchOptions): Omit<VerifyRangeOptions, 'repo' | 'target'> {
  const { url, into, ref, auth, sshPrivateKey, knownHostsFile, quarantine, force, goneRoot, descendsFrom, ...verify } = options;
  return { ...verify, cache: false };
}
