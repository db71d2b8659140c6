/**
 * `siggate policy show [REV] --policy guix`: the authorizations in force at REV — who its
 * `.guix-authorizations` lets sign REV's children, with which key, listed since which commit — what a
 * reviewer checks before approving a change to that file.
 */
import { DEFAULT_KEYRING_REF, type GuixAuthorizations } from '../core/guix-authorizations.js';
import { UsageError } from '../core/errors.js';
import type { PolicyKind } from '../core/gate-options.js';
import { GuixRepository } from '../git/guix-repo.js';
import type { ReaderKind } from '../git/object-reader.js';
import { openRepository } from '../git/open-repo.js';
import { peelToCommit, resolveRevision } from '../git/revisions.js';
import { parseKeySources } from '../trust/key-sources.js';

/** Options of {@link showPolicy}. */
export interface PolicyShowOptions {
  repo?: string;
  reader?: ReaderKind;
  /** Default `HEAD`. */
  rev?: string;
  policy: PolicyKind;
  /** The keyring branch, for the keys' owners. Default: `.guix-channel`'s keyring-reference, else `keyring`. */
  keyringRef?: string;
  /** Stop looking for when a key was listed at this commit (the channel introduction). */
  since?: string;
}

/** One authorized key. */
export interface PolicyEntry {
  /** As listed: the fingerprint of the key that signs (a subkey when a subkey signs). */
  fingerprint: string;
  name: string | null;
  /** The oldest commit on REV's first-parent chain from which the key is listed without a gap. */
  since: string;
  /** The key as the keyring branch holds it; null when the keyring lacks it (it could sign nothing). */
  key: { primary: string; subkey: boolean; userId: string | null } | null;
}

/** The policy in force at one commit. */
export interface PolicyReport {
  policy: 'guix';
  rev: string;
  /** The blob of REV's `.guix-authorizations`; null when REV has none (its children are authorized by nobody). */
  file: string | null;
  /** Why the file authorizes nobody, when it cannot be read. */
  problem: string | null;
  keyring: string | null;
  entries: PolicyEntry[];
  warnings: string[];
}

/** Read the authorizations in force at a commit, and when each entry was added. */
export async function showPolicy(options: PolicyShowOptions): Promise<PolicyReport> {
  if (options.policy !== 'guix') throw new UsageError('policy show reads an in-repository policy: pass --policy guix');
  const reader = await openRepository(options.repo ?? '.', options.reader ?? 'auto');
  try {
    const guix = new GuixRepository(reader);
    const revName = options.rev ?? 'HEAD';
    const rev = (await peelToCommit(reader, await resolveRevision(reader, revName), revName)).oid;
    const stop = options.since ? (await peelToCommit(reader, await resolveRevision(reader, options.since), options.since)).oid : null;
    const warnings: string[] = [];
    const base = { policy: 'guix' as const, rev, file: await guix.authorizationsBlob(rev), warnings };
    const authorizations = await guix.authorizationsAt(rev);
    const keys = await keyringLookup(guix, options.keyringRef ?? (await guix.keyringReferenceAt(rev, (message) => warnings.push(message))) ?? DEFAULT_KEYRING_REF, warnings);
    if (!authorizations || !authorizations.ok) return { ...base, problem: authorizations ? authorizations.problem : null, keyring: keys.ref, entries: [] };
    const since = await listedSince(guix, rev, authorizations, stop);
    const entries = authorizations.entries.map((entry) => ({ ...entry, since: since.get(entry.fingerprint) ?? rev, key: keys.find(entry.fingerprint) }));
    return { ...base, problem: null, keyring: keys.ref, entries };
  } finally {
    await reader.close();
  }
}

/** For each listed fingerprint, the oldest commit of an unbroken run of first parents that list it. */
async function listedSince(guix: GuixRepository, rev: string, at: GuixAuthorizations & { ok: true }, stop: string | null): Promise<Map<string, string>> {
  const since = new Map<string, string>();
  const open = new Set(at.fingerprints);
  let commit = rev;
  let blob = await guix.authorizationsBlob(rev);
  while (open.size > 0) {
    const parent = commit === stop ? undefined : (await guix.parentsOf(commit))[0];
    const parentBlob = parent ? await guix.authorizationsBlob(parent) : null;
    // the same blob lists the same keys: only a change of file can end a run
    if (parent && parentBlob !== null && parentBlob === blob) {
      commit = parent;
      continue;
    }
    const listed = parent ? await guix.authorizationsAt(parent) : null;
    for (const fingerprint of [...open]) {
      if (listed?.ok && listed.fingerprints.has(fingerprint)) continue;
      since.set(fingerprint, commit);
      open.delete(fingerprint);
    }
    if (!parent) break;
    [commit, blob] = [parent, parentBlob];
  }
  return since;
}

interface KeyLookup {
  ref: string | null;
  find(fingerprint: string): PolicyEntry['key'];
}

async function keyringLookup(guix: GuixRepository, name: string, warnings: string[]): Promise<KeyLookup> {
  try {
    const keyring = await guix.loadKeyring(name);
    const parsed = parseKeySources(keyring.sources, (message) => warnings.push(message));
    return {
      ref: keyring.ref,
      find: (fingerprint) => {
        const component = parsed.openpgp.byFingerprint.get(fingerprint)?.[0];
        return component ? { primary: component.entry.fingerprint, subkey: component.subkey !== null, userId: component.entry.userId() } : null;
      },
    };
  } catch (error) {
    warnings.push(`no keyring: ${error instanceof Error ? error.message : String(error)}`);
    return { ref: null, find: () => null };
  }
}
