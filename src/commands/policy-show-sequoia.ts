/**
 * `siggate policy show [REV] --policy sequoia`: the `openpgp-policy.toml` in force at REV — which entities
 * may sign its children, with which rights and certificates — what a reviewer checks before approving a
 * change to that file.
 */
import { RIGHTS, type Right } from '../core/sequoia-policy.js';
import { KeyConfigError } from '../core/errors.js';
import type { ReaderKind } from '../git/object-reader.js';
import { openRepository } from '../git/open-repo.js';
import { peelToCommit, resolveRevision } from '../git/revisions.js';
import { SequoiaRepository } from '../git/sequoia-repo.js';
import { parseKeySources } from '../trust/key-sources.js';
import { primaryStateAt } from '../trust/openpgp/validity.js';

/** Options of {@link showSequoiaPolicy}. */
export interface SequoiaPolicyShowOptions {
  repo?: string;
  reader?: ReaderKind;
  /** Default `HEAD`. */
  rev?: string;
  /** The clock for "expired" and "revoked". Default: now. */
  now?: Date;
}

/** One `[authorization."name"]` entry. */
export interface SequoiaPolicyEntry {
  name: string;
  rights: Right[];
  /** The certificates of its keyring, with their state now; empty with `problem` when the keyring cannot be read. */
  certificates: { fingerprint: string; userId: string | null; subkeys: string[]; revoked: boolean; expires: string | null }[];
  problem: string | null;
}

/** The policy in force at one commit. */
export interface SequoiaPolicyReport {
  policy: 'sequoia';
  rev: string;
  /** The blob of REV's `openpgp-policy.toml`; null when REV has none (sq-git then refuses its children). */
  file: string | null;
  /** Why the file cannot be read (its children are then refused). */
  problem: string | null;
  version: string | null;
  goodlist: string[];
  entries: SequoiaPolicyEntry[];
}

/** Read the `openpgp-policy.toml` at a commit. */
export async function showSequoiaPolicy(options: SequoiaPolicyShowOptions): Promise<SequoiaPolicyReport> {
  const reader = await openRepository(options.repo ?? '.', options.reader ?? 'auto');
  try {
    const revName = options.rev ?? 'HEAD';
    const rev = (await peelToCommit(reader, await resolveRevision(reader, revName), revName)).oid;
    const found = await new SequoiaRepository(reader).policyAt(rev);
    const empty = { policy: 'sequoia' as const, rev, version: null, goodlist: [], entries: [] };
    if (found.kind === 'none') return { ...empty, file: null, problem: null };
    if (found.kind === 'unreadable') return { ...empty, file: found.blob, problem: found.problem };
    const now = options.now ?? new Date();
    const entries = [...found.policy.authorizations.values()].map((a) => entryOf(a.name, RIGHTS.filter((r) => a.rights.has(r)), a.keyring, now));
    return { policy: 'sequoia', rev, file: found.blob, problem: null, version: found.policy.version.toString(), goodlist: [...found.policy.goodlist], entries };
  } finally {
    await reader.close();
  }
}

function entryOf(name: string, rights: Right[], keyring: string, now: Date): SequoiaPolicyEntry {
  try {
    const parsed = parseKeySources([{ name, bytes: Buffer.from(keyring, 'utf8') }]);
    const certificates = parsed.openpgp.entries.map((entry) => {
      const state = primaryStateAt(entry.verified(), now, false);
      return {
        fingerprint: entry.fingerprint,
        userId: entry.userId(),
        subkeys: entry.certificate.subkeys.map((s) => s.key.fingerprint),
        revoked: state.revocation !== null,
        expires: state.expires?.toISOString() ?? null,
      };
    });
    return { name, rights, certificates, problem: null };
  } catch (error) {
    if (!(error instanceof KeyConfigError)) throw error;
    return { name, rights, certificates: [], problem: error.message };
  }
}
