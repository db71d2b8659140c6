import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { KeyConfigError } from '../core/errors.js';
import type { KeyRef, KeySource } from '../core/key-source.js';
import type { S3ClientLike } from '../s3/access.js';

/** Where `s3://` key references are read from; default: a client from the SDK's credential chain, made on first use. */
export interface KeyReadDeps {
  s3Client?: () => S3ClientLike | Promise<S3ClientLike>;
}

/** Every `--keys` entry as key material: files and directories read, `s3://` prefixes downloaded, inline sources as they are. */
export async function readKeySources(refs: readonly KeyRef[], deps: KeyReadDeps = {}): Promise<KeySource[]> {
  const sources: KeySource[] = [];
  const paths: string[] = [];
  const flushPaths = async (): Promise<void> => {
    if (paths.length > 0) sources.push(...(await readKeyFiles(paths.splice(0))));
  };
  for (const ref of refs) {
    if (typeof ref !== 'string') {
      await flushPaths();
      sources.push(ref);
    } else if (ref.startsWith('s3://')) {
      await flushPaths();
      const { readS3KeySources } = await import('../s3/keys-from-s3.js');
      sources.push(...(await readS3KeySources(await s3ClientOf(deps), ref)));
    } else {
      paths.push(ref);
    }
  }
  await flushPaths();
  return sources;
}

async function s3ClientOf(deps: KeyReadDeps): Promise<S3ClientLike> {
  if (deps.s3Client) return deps.s3Client();
  const { createS3Client } = await import('../s3/client.js');
  return createS3Client({});
}

const OPENPGP_EXTENSIONS = ['.asc', '.gpg', '.key', '.pub'];
/** Real key files are kilobytes; a keyring export of thousands of certificates stays far below this. */
export const MAX_KEY_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Read every key file under `paths` (directories are walked for `*.asc`, `*.gpg`, `*.key`, `*.pub` and
 * allowed_signers; a file named directly is read whatever its name) as key sources. Unreadable files
 * are configuration errors naming the file.
 */
export async function readKeyFiles(paths: readonly string[]): Promise<KeySource[]> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await listKeyFiles(path)));
  if (files.length === 0) {
    throw new KeyConfigError(`no key files found in ${paths.join(', ')} (expected *.asc, *.gpg, *.key, *.pub or allowed_signers)`);
  }
  const sources: KeySource[] = [];
  for (const file of files) sources.push({ name: file, bytes: await readBoundedFile(file, 'key file'), kind: isAllowedSignersName(file) ? 'allowed-signers' : 'auto' });
  return sources;
}

/** Read `--allow-file` files: one entry a line, `#` starts a comment. */
export async function readAllowFiles(files: readonly string[]): Promise<string[]> {
  const entries: string[] = [];
  for (const file of files) {
    const text = Buffer.from(await readBoundedFile(file, 'allow file')).toString('utf8');
    for (const line of text.split('\n')) {
      const entry = line.replace(/#.*/, '').trim();
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

async function listKeyFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((error: unknown) => {
    throw new KeyConfigError(`keys path ${path} ${describeFsFailure(error)}`, { cause: error });
  });
  if (info.isFile()) return [path];
  if (!info.isDirectory()) throw new KeyConfigError(`keys path ${path} is neither a file nor a directory`);
  return listKeyDirectory(path, new Set());
}

/**
 * Key files under `dir`, named as the user spelled the path (`./keys/alice.asc`, not `keys/alice.asc`): remedies
 * name them. Symbolic links are followed, to files and to directories, but each directory is walked once,
 * so a link back to a parent is no loop.
 */
async function listKeyDirectory(dir: string, walked: Set<string>): Promise<string[]> {
  const real = await realpath(dir).catch((error: unknown) => {
    throw new KeyConfigError(`keys directory ${dir} ${describeFsFailure(error)}`, { cause: error });
  });
  if (walked.has(real)) return [];
  walked.add(real);
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new KeyConfigError(`cannot list keys directory ${dir}: ${describeFsFailure(error)}`, { cause: error });
  });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = dir.endsWith('/') ? `${dir}${entry.name}` : `${dir}/${entry.name}`;
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(full)))) files.push(...(await listKeyDirectory(full, walked)));
    else if (isAllowedSignersName(entry.name) || OPENPGP_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(full);
  }
  return files;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

/** Why a path could not be used, in words: "does not exist", "is a loop of symbolic links", … */
function describeFsFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return `cannot be read: permission denied (${code})`;
    case 'ELOOP':
      return 'is a loop of symbolic links (ELOOP)';
    case 'ENAMETOOLONG':
      return 'is too long a path (ENAMETOOLONG)';
    default:
      return `cannot be read: ${code ?? (error as Error).message}`;
  }
}

/** Only regular files, and only up to the size limit: a FIFO or a device named `*.asc` must not hang or exhaust memory. */
async function readBoundedFile(file: string, what: string): Promise<Uint8Array> {
  // non-blocking: opening a FIFO for reading would otherwise wait for a writer forever; fstat then refuses it
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((error: unknown) => {
    throw new KeyConfigError(`${what} ${file} ${describeFsFailure(error)}`, { cause: error });
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new KeyConfigError(`${what} ${file} is not a regular file`);
    if (info.size > MAX_KEY_FILE_BYTES) throw new KeyConfigError(`${what} ${file} is ${info.size} bytes, over the ${MAX_KEY_FILE_BYTES}-byte limit`);
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return bytes.subarray(0, bytesRead);
  } catch (error) {
    if (error instanceof KeyConfigError) throw error;
    throw new KeyConfigError(`${what} ${file} ${describeFsFailure(error)}`, { cause: error });
  } finally {
    await handle.close();
  }
}

function isAllowedSignersName(file: string): boolean {
  const name = basename(file);
  return name === 'allowed_signers' || name.endsWith('.allowed_signers');
}
