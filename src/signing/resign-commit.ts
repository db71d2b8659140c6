import { parseCommit } from '../core/commit.js';
import { SigningError } from '../core/errors.js';
import { git, runGit } from '../git/run-git.js';
import { objectFormatOf } from '../git/scratch-repo.js';
import { signDetached, type KeyFileSigner } from './key-file.js';
import { insertCommitSignature } from './object-text.js';

/** The signature header git writes in a repository of each object format. */
const SIGNATURE_HEADER = { sha1: 'gpgsig', sha256: 'gpgsig-sha256' } as const;

/**
 * Writes a copy of commit `oid` signed with `key`: the same tree, author, committer, message and other
 * headers, its parents replaced through `parents` (old id → new id) where they were rewritten, any
 * signature it carried dropped (it covered the old bytes). Returns the new commit's id.
 */
export async function resignCommit(repo: string, oid: string, parents: ReadonlyMap<string, string>, key: KeyFileSigner, at: Date): Promise<string> {
  const format = await objectFormatOf(repo);
  // the exact bytes: a message that is not UTF-8 must survive the copy
  const read = await runGit(['cat-file', 'commit', oid], repo);
  if (read.code !== 0) throw new SigningError(`cannot read commit ${oid} to re-sign it: ${read.stderr.trim()}`);
  const parsed = parseCommit(read.stdout, format);
  if (parsed.problems.length > 0) throw new SigningError(`cannot re-sign ${oid}: ${parsed.problems.join('; ')}`);
  const payload = replaceParents(Buffer.from(parsed.payload).toString('latin1'), parents);
  const signature = await signDetached(key, Buffer.from(payload, 'latin1'), at);
  const signed = insertCommitSignature(payload, signature, SIGNATURE_HEADER[format]);
  return (await git(['hash-object', '-t', 'commit', '-w', '--stdin'], repo, { input: Buffer.from(signed, 'latin1') })).trim();
}

/** `parent X` header lines (only in the header block) with X mapped through `parents`. */
function replaceParents(text: string, parents: ReadonlyMap<string, string>): string {
  const end = text.indexOf('\n\n');
  const head = text.slice(0, end).replace(/^parent ([0-9a-f]+)$/gm, (_line, oid: string) => `parent ${parents.get(oid) ?? oid}`);
  return head + text.slice(end);
}
