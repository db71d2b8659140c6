import { parseTag } from '../core/tag.js';
import { RepositoryError } from '../core/errors.js';
import type { GitObject, ObjectReader } from './object-reader.js';

/** Resolve a revision to an object, or fail with a usage-level error naming it. */
export async function resolveRevision(reader: ObjectReader, rev: string): Promise<GitObject> {
  const oid = await reader.resolve(rev);
  const object = oid ? await reader.read(oid) : null;
  if (!object) throw new RepositoryError(`unknown revision ${JSON.stringify(rev)}`);
  return object;
}

/** Follow tag objects to the commit they name. */
export async function peelToCommit(reader: ObjectReader, object: GitObject, rev: string): Promise<GitObject> {
  let current: GitObject | null = object;
  for (let depth = 0; current?.type === 'tag' && depth < 16; depth++) {
    const target: string | null = parseTag(current.content).object;
    current = target ? await reader.read(target) : null;
  }
  if (current?.type !== 'commit') throw new RepositoryError(`${rev} does not name a commit`);
  return current;
}

/** The object a tag name (tried as `refs/tags/NAME` first) or any revision names; unknown names are usage errors. */
export async function resolveTagObject(reader: ObjectReader, tag: string): Promise<GitObject> {
  const oid = (await reader.resolve(`refs/tags/${tag}`)) ?? (await reader.resolve(tag));
  const object = oid ? await reader.read(oid) : null;
  return object ?? resolveRevision(reader, tag);
}
