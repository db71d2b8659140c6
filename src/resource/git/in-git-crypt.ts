import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError, KeyConfigError } from '../../core/errors.js';
import { makeOwnedTempDir, removeOwnedTempDir } from '../../files/temp-dirs.js';
import { runGit } from '../../git/run-git.js';
import type { Log } from '../protocol/types.js';

/**
 * `git_crypt_key`: decrypt the checkout at `dir` with `git crypt unlock` (git runs git-crypt as its `crypt`
 * command), called only once the commit passed the gate: an unverified commit's filters never run with
 * the key. The key (base64, spaces allowed, as git-resource takes it) is written to a 0600 file in a 0700
 * temp dir for the call only, never to $HOME; git-crypt itself keeps a copy in DEST/.git/git-crypt.
 */
export async function unlockGitCrypt(dir: string, keyBase64: string, log: Log): Promise<void> {
  const key = Buffer.from(keyBase64.replace(/\s+/g, ''), 'base64');
  if (key.length === 0) throw new KeyConfigError('source.git_crypt_key is not a base64 git-crypt key');
  log('unlocking git repo');
  const keyDir = await makeOwnedTempDir(tmpdir(), 'siggate-git-crypt-', { staleAfterMs: 60_000 });
  try {
    const file = join(keyDir, 'key');
    await writeFile(file, key, { mode: 0o600 });
    const result = await runGit(['crypt', 'unlock', file], dir);
    if (result.code === 0) return;
    if (/'crypt' is not a git command/.test(result.stderr)) {
      throw new GitError('source.git_crypt_key is set but git-crypt is not installed (it decrypts the checkout)', ['crypt'], result.stderr);
    }
    throw new GitError(`git-crypt unlock failed: ${result.stderr.trim().split('\n').at(-1) ?? 'no message'}`, ['crypt', 'unlock'], result.stderr);
  } finally {
    await removeOwnedTempDir(keyDir);
  }
}
