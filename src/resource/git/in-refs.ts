import { UsageError } from '../../core/errors.js';
import { BRANCH_NAMESPACE, EXTRA_NAMESPACE, isFullOid } from '../../git/quarantine.js';
import { peelCommit } from '../../git/refs.js';
import { git } from '../../git/run-git.js';

/** A tag of the remote: its name, the object the ref names (a tag object or a commit), the commit it peels to. */
export interface TagObject {
  name: string;
  object: string;
  commit: string;
}

/**
 * The quarantine's refs as one fetch left them, read once under its lock: everything after works on these
 * ids, so that a concurrent fetch into the shared cache repository cannot change what this run verifies
 * and what it writes to DEST.
 */
export interface RefSnapshot {
  /** Branch name → tip commit. */
  branches: Map<string, string>;
  tags: TagObject[];
  /** `refs/pull/1/head` and the like (fetched on request) → commit. */
  extra: Map<string, string>;
}

/** Read the branches, tags and extra refs of the quarantine (tags that do not peel to a commit are left out). */
export async function snapshotRefs(quarantine: string): Promise<RefSnapshot> {
  const format = '%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00%(refname)';
  const out = await git(['for-each-ref', `--format=${format}`, BRANCH_NAMESPACE, 'refs/tags/', EXTRA_NAMESPACE], quarantine);
  const snapshot: RefSnapshot = { branches: new Map(), tags: [], extra: new Map() };
  for (const line of out.split('\n')) {
    const [oid = '', type, peeled = '', peeledType, ref = ''] = line.split('\0');
    const commit = type === 'commit' ? oid : type === 'tag' && peeledType === 'commit' ? peeled : null;
    if (commit === null) continue;
    if (ref.startsWith(BRANCH_NAMESPACE)) snapshot.branches.set(ref.slice(BRANCH_NAMESPACE.length), commit);
    else if (ref.startsWith('refs/tags/')) snapshot.tags.push({ name: ref.slice('refs/tags/'.length), object: oid, commit });
    else snapshot.extra.set(`refs/${ref.slice(EXTRA_NAMESPACE.length)}`, commit);
  }
  return snapshot;
}

/** What a version's ref names in the snapshot: a commit, and the branch when it names one. */
export interface ResolvedRef {
  commit: string;
  branch: string | null;
  tag: TagObject | null;
}

/**
 * Resolve a version's ref as `git checkout REF` would in a clone: a commit id (full or abbreviated), a
 * branch, a tag, or a full ref name. Null when the quarantine has nothing by that name.
 */
export async function resolveRef(quarantine: string, snapshot: RefSnapshot, ref: string): Promise<ResolvedRef | null> {
  if (isFullOid(ref)) {
    const commit = await peelCommit(quarantine, ref.toLowerCase());
    return commit ? { commit, branch: null, tag: null } : null;
  }
  const tagNamed = (name: string): ResolvedRef | null => {
    const tag = snapshot.tags.find((t) => t.name === name);
    return tag ? { commit: tag.commit, branch: null, tag } : null;
  };
  const branchNamed = (name: string): ResolvedRef | null => {
    const tip = snapshot.branches.get(name);
    return tip ? { commit: tip, branch: name, tag: null } : null;
  };
  if (ref.startsWith('refs/heads/')) return branchNamed(ref.slice('refs/heads/'.length));
  if (ref.startsWith('refs/tags/')) return tagNamed(ref.slice('refs/tags/'.length));
  if (ref.startsWith('refs/')) {
    const commit = snapshot.extra.get(ref);
    return commit ? { commit, branch: null, tag: null } : null;
  }
  const named = branchNamed(ref) ?? tagNamed(ref);
  if (named) return named;
  // an abbreviated commit id, as `git checkout` takes one
  if (/^[0-9a-f]{4,63}$/i.test(ref)) {
    const commit = await peelCommit(quarantine, ref.toLowerCase());
    return commit ? { commit, branch: null, tag: null } : null;
  }
  return null;
}

/** A version ref that reaches git's command lines only as data: no option, no revision syntax. */
export function checkVersionRef(ref: string): void {
  if (ref === '' || ref.startsWith('-') || /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{/.test(ref)) {
    throw new UsageError(`version.ref ${JSON.stringify(ref.slice(0, 100))} is not a commit id, branch or tag name`);
  }
}
