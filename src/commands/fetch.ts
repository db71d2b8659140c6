import { resolve } from 'node:path';
import type { RangeReport } from '../core/report.js';
import { UsageError } from '../core/errors.js';
import { inspectDestination, placeCheckout } from '../git/checkout.js';
import { quarantineRefspecs, resolveTarget, seedTrustRoot, withQuarantine } from '../git/quarantine.js';
import { withRemote, type RemoteSpec } from '../remote/access.js';
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
 * options (`UsageError`, exit 2) — the destination is left exactly as it was.
 */
export async function fetchVerified(options: FetchOptions): Promise<FetchResult> {
  validateOptions(options);
  const destination = await inspectDestination(options.into);
  return withRemote(remoteSpecOf(options), (remote) =>
    withQuarantine(options.quarantine, async (quarantine) => {
      const ref = options.ref;
      const extraRefs = ref !== undefined && ref.startsWith('refs/') && !/^refs\/(heads|tags)\//.test(ref) ? [ref] : [];
      await fetchRefs(remote, quarantine, quarantineRefspecs(extraRefs), { prune: true });
      const defaultBranch = ref === undefined ? await remoteDefaultBranch(remote, quarantine) : null;
      const target = await resolveTarget(quarantine, ref, defaultBranch);
      if (options.since && destination.kind === 'checkout') await seedTrustRoot(quarantine, destination.path, options.since);
      const report = await verifyRange({ ...verifyOptionsOf(options), repo: quarantine, target: target.commit });
      if (!report.ok) return { report, commit: target.commit, updated: false };
      const updated = await placeCheckout(destination, quarantine, target, remote.url);
      return { report, commit: target.commit, updated };
    }),
  );
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
  if (options.ref !== undefined && (options.ref === '' || options.ref.startsWith('-') || /[\s~^:?*[\\]|\.\.|@\{/.test(options.ref))) {
    throw new UsageError(`invalid ref ${JSON.stringify(options.ref)}`);
  }
  if (options.quarantine !== undefined && resolve(options.quarantine) === resolve(options.into)) {
    throw new UsageError('the quarantine must not be the destination');
  }
}

/** The verification options alone; the fetch options must not reach the verifier. */
function verifyOptionsOf(options: FetchOptions): Omit<VerifyRangeOptions, 'repo' | 'target'> {
  const { url, into, ref, auth, sshPrivateKey, knownHostsFile, quarantine, ...verify } = options;
  return { ...verify, cache: false };
}
