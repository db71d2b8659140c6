import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `bytes` to `path` so that a reader sees the old file or the whole new one, never a part: a
 * temp file in the same directory (same file system), fsync, rename, fsync of the directory. On any
 * failure the temp file is removed and `path` is untouched.
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.siggate-${randomBytes(6).toString('hex')}`);
  let handle;
  try {
    handle = await open(temp, 'wx', 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  const directory = await open(dir, 'r').catch(() => null);
  await directory?.sync().catch(() => {});
  await directory?.close();
}
