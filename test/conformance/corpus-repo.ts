import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';

/** `../shared/corpus` beside the project, or null when this checkout has none. */
export const CORPUS_DIR = resolve(import.meta.dirname, '../../../shared/corpus');

export interface ExpectedEntry {
  oid: string;
  gpg: string;
  primary: string;
  signingKey: string;
  signedAt?: string;
  validWhenSigned?: boolean;
}

export function corpusNames(): string[] {
  if (!existsSync(CORPUS_DIR)) return [];
  return readdirSync(CORPUS_DIR).filter((name) => existsSync(join(CORPUS_DIR, name, 'commits.jsonl'))).sort();
}

export function readExpected(name: string): ExpectedEntry[] {
  return readJsonl<ExpectedEntry>(join(CORPUS_DIR, name, 'expected.jsonl'));
}

/** Oids of commits whose signature header holds an SSH signature. */
export function sshSignedOids(name: string): Set<string> {
  const commits = readJsonl<{ oid: string; raw: string }>(join(CORPUS_DIR, name, 'commits.jsonl'));
  const ssh = commits.filter(({ raw }) => Buffer.from(raw, 'base64').includes('\ngpgsig -----BEGIN SSH SIGNATURE-----'));
  return new Set(ssh.map((c) => c.oid));
}

/** Write the corpus's commit objects as loose objects into a new bare repository; `main` points at the last one. */
export function buildCorpusRepo(name: string): { dir: string; head: string } {
  const commits = readJsonl<{ oid: string; raw: string }>(join(CORPUS_DIR, name, 'commits.jsonl'));
  const dir = mkdtempSync(join(tmpdir(), `siggate-corpus-${name}-`));
  execFileSync('git', ['init', '--quiet', '--bare', dir]);
  for (const { oid, raw } of commits) writeLooseObject(dir, oid, Buffer.from(raw, 'base64'));
  const head = commits.at(-1)!.oid;
  writeFileSync(join(dir, 'refs', 'heads', 'main'), `${head}\n`);
  writeFileSync(join(dir, 'HEAD'), 'ref: refs/heads/main\n');
  return { dir, head };
}

function writeLooseObject(gitDir: string, oid: string, content: Buffer): void {
  const object = Buffer.concat([Buffer.from(`commit ${content.length}\0`), content]);
  const actual = createHash('sha1').update(object).digest('hex');
  if (actual !== oid) throw new Error(`corpus object ${oid} hashes to ${actual}`);
  const folder = join(gitDir, 'objects', oid.slice(0, 2));
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, oid.slice(2)), deflateSync(object));
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}

/**
 * The README's mapping from GnuPG's `%G?` letter to siggate's verdict. One documented refinement: git
 * without an allowed-signers file reports SSH-signed commits as `N`; they carry a signature by a key
 * that is not allowed, which the README itself maps to `unknown-key`.
 */
export function expectedStatus(entry: ExpectedEntry, ignoreExpiry: boolean, sshSigned: boolean): string {
  switch (entry.gpg) {
    case 'N':
      return sshSigned ? 'unknown-key' : 'unsigned';
    case 'E':
      return 'unknown-key';
    case 'B':
      return 'bad-signature';
    case 'R':
      return 'revoked-key';
    case 'G':
    case 'U':
    case 'X':
    case 'Y':
      return entry.validWhenSigned === false && !ignoreExpiry ? 'expired-key' : 'valid';
    default:
      throw new Error(`unexpected %G? letter ${entry.gpg} for ${entry.oid}`);
  }
}
