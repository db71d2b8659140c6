import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KeyConfigError } from '../errors.js';
import { parseKeySources, type KeySource } from '../trust/key-sources.js';
import type { Keyring } from '../trust/keyring.js';

const OPENPGP_EXTENSIONS = ['.asc', '.gpg', '.key', '.pub'];
/** Real key files are kilobytes; a keyring export of thousands of certificates stays far below this. */
export const MAX_KEY_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Read every allowed signer under `paths` (directories are walked; files are read whatever their name):
 * OpenPGP keys armored or binary, several per file; SSH allowed_signers files and `*.pub` SSH keys.
 * Unreadable or unparseable files are configuration errors naming the file. Never touches the network.
 */
export async function loadKeys(paths: readonly string[], onWarning: (message: string) => void = () => {}): Promise<Keyring> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await listKeyFiles(path)));
  if (files.length === 0) {
    throw new KeyConfigError(`no key files found in ${paths.join(', ')} (expected *.asc, *.gpg, *.key, *.pub or allowed_signers)`);
  }
  const sources: KeySource[] = [];
  for (const file of files) sources.push({ name: file, bytes: await readKeyFile(file), kind: isAllowedSignersName(file) ? 'allowed-signers' : 'auto' });
  return parseKeySources(sources, onWarning);
}

async function listKeyFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((error: unknown) => {
    throw new KeyConfigError(`keys path ${path} does not exist or cannot be read`, { cause: error });
  });
  if (info.isFile()) return [path];
  if (!info.isDirectory()) throw new KeyConfigError(`keys path ${path} is neither a file nor a directory`);
  const entries = await readdir(path, { withFileTypes: true }).catch((error: unknown) => {
    throw new KeyConfigError(`cannot list keys directory ${path}: ${(error as Error).message}`, { cause: error });
  });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await listKeyFiles(full)));
    else if (isAllowedSignersName(entry.name) || OPENPGP_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(full);
  }
  return files;
}

/** Only regular files, and only up to the size limit: a FIFO or a device named `*.asc` must not hang or exhaust memory. */
async function readKeyFile(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new KeyConfigError(`cannot read key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new KeyConfigError(`key file ${file} is not a regular file`);
    if (info.size > MAX_KEY_FILE_BYTES) throw new KeyConfigError(`key file ${file} is ${info.size} bytes, over the ${MAX_KEY_FILE_BYTES}-byte limit`);
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return bytes.subarray(0, bytesRead);
  } catch (error) {
    if (error instanceof KeyConfigError) throw error;
    throw new KeyConfigError(`cannot read key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  } finally {
    await handle.close();
  }
}

function isAllowedSignersName(file: string): boolean {
  const name = basename(file);
  return name === 'allowed_signers' || name.endsWith('.allowed_signers');
}
