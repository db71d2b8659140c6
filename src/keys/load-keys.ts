import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readKeys, type Key, type PublicKey } from 'openpgp';
import { KeyConfigError } from '../errors.js';
import { PARSE_EVERYTHING } from '../signatures/openpgp-config.js';
import { isSshPublicKeyText, parseAllowedSigners, parseSshPublicKeyFile, type AllowedSigner } from '../signatures/allowed-signers.js';
import { Keyring, type OpenpgpKeyEntry } from './keyring.js';

const OPENPGP_EXTENSIONS = ['.asc', '.gpg', '.key', '.pub'];
const ARMOR_BEGIN = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

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
  const openpgp = new Map<string, OpenpgpKeyEntry>();
  const ssh: AllowedSigner[] = [];
  const contentDigests: string[] = [];
  for (const file of files) {
    const bytes = await readFile(file).catch((error: unknown) => {
      throw new KeyConfigError(`cannot read key file ${file}: ${(error as Error).message}`, { cause: error });
    });
    contentDigests.push(createHash('sha256').update(bytes).digest('hex'));
    const text = bytes.toString('utf8');
    if (isAllowedSignersName(file)) ssh.push(...parseAllowedSigners(text, file));
    else if (isSshPublicKeyText(text)) ssh.push(...parseSshPublicKeyFile(text, file, basename(file).replace(/\.pub$/, '')));
    else for (const key of await parseOpenpgpFile(bytes, file, onWarning)) await addKey(openpgp, key, file);
  }
  if (openpgp.size === 0 && ssh.length === 0) throw new KeyConfigError(`no keys found in ${files.join(', ')}`);
  const digest = createHash('sha256').update(contentDigests.sort().join('\n')).digest('hex');
  return new Keyring([...openpgp.values()], ssh, files, digest);
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

function isAllowedSignersName(file: string): boolean {
  const name = basename(file);
  return name === 'allowed_signers' || name.endsWith('.allowed_signers');
}

async function parseOpenpgpFile(bytes: Buffer, file: string, onWarning: (message: string) => void): Promise<PublicKey[]> {
  const text = bytes.toString('latin1');
  const blocks = text.match(ARMOR_BEGIN);
  let keys: Key[] = [];
  try {
    if (blocks) {
      for (const block of blocks) keys.push(...(await readKeys({ armoredKeys: block, config: PARSE_EVERYTHING })));
    } else if (text.includes('-----BEGIN PGP')) {
      throw new Error('armored block is not a complete public key block');
    } else {
      keys = await readKeys({ binaryKeys: new Uint8Array(bytes), config: PARSE_EVERYTHING });
    }
  } catch (error) {
    throw new KeyConfigError(`${file} is not an OpenPGP public key: ${(error as Error).message}`, { cause: error });
  }
  if (keys.length === 0) throw new KeyConfigError(`${file} holds no OpenPGP key`);
  return keys.map((key) => {
    if (!key.isPrivate()) return key as PublicKey;
    onWarning(`${file} holds a secret key; only its public part is used — keep secret keys out of the keys directory`);
    return key.toPublic();
  });
}

/** The same key in two files is merged, so a revocation published separately still applies. */
async function addKey(keys: Map<string, OpenpgpKeyEntry>, key: PublicKey, source: string): Promise<void> {
  const fingerprint = key.getFingerprint().toUpperCase();
  const existing = keys.get(fingerprint);
  if (existing) {
    existing.key = (await existing.key.update(key, new Date(), PARSE_EVERYTHING)) as PublicKey;
    return;
  }
  keys.set(fingerprint, { key, fingerprint, userId: await primaryUserId(key), source });
}

async function primaryUserId(key: PublicKey): Promise<string | null> {
  try {
    const primary = await key.getPrimaryUser(undefined, undefined, PARSE_EVERYTHING);
    return primary.user.userID?.userID ?? null;
  } catch {
    return key.getUserIDs()[0] ?? null;
  }
}
