import type { GitObject } from '../git/object-reader.js';
import { peelToCommit, resolveRevision } from '../git/revisions.js';
import type { GateSession } from './gate.js';
import { checkTagObject } from './verify-tag.js';

/** The commit a trust root names, and whether it may vouch for that commit's history. */
export type TrustRoot = { trusted: true; commit: string } | { trusted: false; commit: string; reason: string; remedy: string };

const MOVABLE_REMEDY = 'pass a commit id, or sign the tag with an allowed key (git tag -s)';

/**
 * Resolve a trust root (`--since`). It is trusted when nobody can move it: a commit (or tag object) named
 * by its id, or an annotated tag whose own signature is valid under the keys. Anything reached through a
 * ref that is not a validly signed tag — a lightweight or unsigned tag, a branch, `HEAD~3` — can be moved
 * by whoever can push that ref: refused unless `allowUnsignedRoot`, which accepts it with a warning. A tag
 * whose signature is there but not valid is refused either way.
 */
export async function resolveTrustRoot(gate: GateSession, since: string, allowUnsignedRoot: boolean): Promise<TrustRoot> {
  const object = await resolveRevision(gate.reader, since);
  const commit = (await peelToCommit(gate.reader, object, since)).oid;
  if (object.type === 'tag') {
    const { verdict } = await checkTagObject(gate, object);
    if (verdict.status === 'valid') return { trusted: true, commit };
    if (verdict.status !== 'unsigned') {
      const reason = `trust root tag ${since} has a signature that is not valid (${verdict.status}: ${verdict.reason})`;
      return { trusted: false, commit, reason, remedy: 'pass a commit id, or sign the tag again with an allowed key' };
    }
  }
  if (await namesObjectById(gate, since, object.oid)) return { trusted: true, commit };
  const reason = `trust root ${since} is ${await describeMovable(gate, since, object)}: whoever can push it can move it onto any commit, and nothing below that commit would be checked`;
  if (!allowUnsignedRoot) return { trusted: false, commit, reason, remedy: MOVABLE_REMEDY };
  gate.warn(`${reason} (accepted: --allow-unsigned-root)`);
  return { trusted: true, commit };
}

/**
 * Whether `rev` is the object's id, full or abbreviated. git reads a full-length hex name as an id before
 * any ref; an abbreviated one loses to a ref of the same name, which anyone who can push refs can create.
 */
async function namesObjectById(gate: GateSession, rev: string, oid: string): Promise<boolean> {
  if (!/^[0-9a-f]{4,64}$/i.test(rev) || !oid.startsWith(rev.toLowerCase())) return false;
  if (rev.length === oid.length) return true;
  const refs = [`refs/${rev}`, `refs/tags/${rev}`, `refs/heads/${rev}`, `refs/remotes/${rev}`, `refs/remotes/${rev}/HEAD`];
  const shadowing = await Promise.all(refs.map((ref) => gate.reader.resolve(ref)));
  return shadowing.every((found) => found === null);
}

async function describeMovable(gate: GateSession, rev: string, object: GitObject): Promise<string> {
  if (object.type === 'tag') return 'an annotated tag without a signature';
  const tagRef = rev.startsWith('refs/tags/') ? rev : `refs/tags/${rev}`;
  if ((await gate.reader.resolve(tagRef)) === object.oid) return 'a lightweight tag';
  return 'a branch, another ref or a revision expression, not a commit id';
}
