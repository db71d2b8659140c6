import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { GateClosedError, GitError, RemoteError } from '../../core/errors.js';
import { git, runGit } from '../../git/run-git.js';
import type { Log } from '../protocol/types.js';

/** A Git LFS pointer as the verified tree holds it: the path, and the content's SHA-256 and size it promises. */
export interface LfsPointer {
  path: string;
  oid: string;
  size: number;
}

/** git-lfs refuses a pointer file larger than this; so does siggate. */
const POINTER_MAX_BYTES = 1024;

/**
 * Fetch the Git LFS content of the checkout at `dir` (the verified `commit`) and check every file against
 * its pointer in the verified tree: SHA-256 and size. git-lfs checks the SHA-256 of what it downloads too
 * ("expected OID …"); siggate checks again what ends up in the work tree, so that a swapped object, a
 * transfer adapter that does not check, or a tampered local store closes the gate (exit 1). `env` reaches
 * the remote (credentials, ssh command). Without pointers nothing runs, and git-lfs is not needed.
 */
export async function fetchLfsContent(dir: string, commit: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const pointers = await lfsPointers(dir, commit);
  if (pointers.length === 0) return;
  if ((await runGit(['lfs', 'version'], dir)).code !== 0) {
    throw new GitError(`${pointers.length} file(s) are Git LFS pointers (${pointers[0]!.path}, …) but git-lfs is not installed; install it, or set params.disable_git_lfs to keep the pointers`, ['lfs'], '');
  }
  log(`fetching ${pointers.length} Git LFS object(s)`);
  await git(['lfs', 'install', '--local', '--skip-repo'], dir);
  const { GIT_LFS_SKIP_SMUDGE: _skip, ...pullEnv } = env;
  const pulled = await runGit(['lfs', 'pull'], dir, { env: pullEnv });
  if (pulled.code !== 0) {
    const reason = pulled.stderr.trim().split('\n').slice(-3).join(' ');
    if (/invalid hash|expected OID|failed checks/i.test(pulled.stderr)) throw new GateClosedError(`Git LFS content does not match the pointers of the verified commit: ${reason}`);
    throw new RemoteError(`git lfs pull failed: ${reason}`);
  }
  for (const pointer of pointers) await checkContent(dir, pointer);
  // git-lfs rewrote the files: refresh the index's stat data so that the checkout is clean
  await runGit(['update-index', '-q', '--refresh'], dir);
}

/** The work tree file must be the content the pointer names (a sparse checkout leaves some out: nothing to check). */
async function checkContent(dir: string, pointer: LfsPointer): Promise<void> {
  const path = join(dir, pointer.path);
  const stat = await lstat(path).catch(() => null);
  if (stat === null) return;
  const digest = stat.isFile() ? await sha256File(path) : '';
  if (!stat.isFile() || stat.size !== pointer.size || digest !== pointer.oid) {
    throw new GateClosedError(`${pointer.path}: its Git LFS content (sha256 ${digest.slice(0, 16)}…, ${stat.size} bytes) is not what the verified commit's pointer names (sha256 ${pointer.oid.slice(0, 16)}…, ${pointer.size} bytes)`);
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

/** The blobs of `commit` with the `filter=lfs` attribute whose content is an LFS pointer. */
export async function lfsPointers(dir: string, commit: string): Promise<LfsPointer[]> {
  // most trees have no LFS: one grep of their .gitattributes instead of a walk of every file
  const mentioned = await runGit(['grep', '-q', '-e', 'filter=lfs', commit, '--', ':(glob)**/.gitattributes'], dir);
  if (mentioned.code !== 0) return [];
  const small = new Map<string, string>();
  for (const entry of (await git(['ls-tree', '-r', '-l', '-z', '--full-tree', commit], dir)).split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+) +(\d+)\t(.+)$/s.exec(entry);
    if (match && Number(match[2]) <= POINTER_MAX_BYTES) small.set(match[3]!, match[1]!);
  }
  if (small.size === 0) return [];
  // the index holds the verified tree: its .gitattributes decide, even for paths a sparse checkout leaves out
  const attrs = (await git(['check-attr', '--cached', '-z', '--stdin', 'filter'], dir, { input: Buffer.from([...small.keys()].map((p) => `${p}\0`).join('')) })).split('\0');
  const tracked: string[] = [];
  for (let i = 0; i + 2 < attrs.length; i += 3) if (attrs[i + 2] === 'lfs') tracked.push(attrs[i]!);
  if (tracked.length === 0) return [];
  const blobs = await readBlobs(dir, tracked.map((path) => small.get(path)!));
  return tracked.flatMap((path, index) => {
    const pointer = parsePointer(blobs[index]!);
    return pointer ? [{ path, ...pointer }] : [];
  });
}

/** git-lfs's pointer format: `version …spec/v1`, `oid sha256:HEX`, `size N` (other keys allowed, sorted). */
export function parsePointer(text: string): { oid: string; size: number } | null {
  if (!text.startsWith('version https://git-lfs.github.com/spec/v1\n') && !text.startsWith('version https://hawser.github.com/spec/v1\n')) return null;
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  return oid && size ? { oid, size: Number(size) } : null;
}

/** Small blobs through one `git cat-file --batch`. */
async function readBlobs(dir: string, oids: readonly string[]): Promise<string[]> {
  const result = await runGit(['cat-file', '--batch'], dir, { input: Buffer.from(`${oids.join('\n')}\n`) });
  const out = result.stdout;
  const blobs: string[] = [];
  let at = 0;
  for (let i = 0; i < oids.length; i += 1) {
    const eol = out.indexOf(0x0a, at);
    const header = out.subarray(at, eol).toString('utf8').split(' ');
    const size = Number(header[2] ?? 0);
    blobs.push(header[1] === 'blob' ? out.subarray(eol + 1, eol + 1 + size).toString('utf8') : '');
    at = header[1] === 'blob' ? eol + 1 + size + 1 : eol + 1;
  }
  return blobs;
}
