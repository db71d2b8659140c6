import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyConfigError } from '../../../../src/core/errors.js';
import {
  isSshPublicKeyText,
  parseAllowedSigners,
  parseSshPublicKeyFile,
  sshFingerprint,
} from '../../../../src/trust/ssh/allowed-signers.js';

const SOURCE = 'keys/allowed_signers';
let dir = '';
const pub: Record<string, string> = {};

function generateKey(name: string, type: string, bits?: number): void {
  const path = join(dir, name);
  const size = bits ? ['-b', String(bits)] : [];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...size, '-N', '', '-C', `${name}@example.com`, '-f', path]);
  pub[name] = readFileSync(`${path}.pub`, 'utf8').trim();
}

function keyFingerprintFromSshKeygen(name: string): string {
  return execFileSync('ssh-keygen', ['-lf', join(dir, `${name}.pub`)]).toString().split(' ')[1]!;
}

/** `keytype base64` of a generated key, without its comment. */
function keyOf(name: string): string {
  return pub[name]!.split(' ').slice(0, 2).join(' ');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'siggate-allowed-'));
  generateKey('ed', 'ed25519');
  generateKey('rsa', 'rsa', 2048);
  generateKey('p256', 'ecdsa', 256);
  generateKey('p384', 'ecdsa', 384);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('parseAllowedSigners', () => {
  it('reads principals, key, comments and blank lines', () => {
    const lines = ['# team keys', '', `alice@example.com,bob@example.com ${keyOf('ed')} laptop`, '  ', `"carol@example.com" ${keyOf('rsa')}`];
    const text = `${lines.join('\n')}\n`;
    const signers = parseAllowedSigners(text, SOURCE);
    expect(signers).toHaveLength(2);
    expect(signers[0]!.principals).toEqual(['alice@example.com', 'bob@example.com']);
    expect(signers[0]!.keyType).toBe('ssh-ed25519');
    expect(signers[0]!.line).toBe(3);
    expect(signers[0]!.source).toBe(SOURCE);
    expect(signers[0]!.namespaces).toBeNull();
    expect(signers[0]!.certAuthority).toBe(false);
    expect(signers[1]!.principals).toEqual(['carol@example.com']);
    expect(signers[1]!.keyType).toBe('ssh-rsa');
    expect(signers[1]!.line).toBe(5);
    expect(Object.keys(signers[0]!).sort()).toEqual(
      [
        'certAuthority', 'fingerprint', 'keyBlob', 'keyType', 'line', 'namespaces', 'principalPatterns', 'principals', 'source',
        'validAfter', 'validBefore',
      ],
    );
    expect(signers[0]!.principalPatterns).toBe(true);
  });

  it('keeps principals and namespaces verbatim, spaces included, as ssh-keygen matches them', () => {
    const [signer] = parseAllowedSigners(`"alice, *,!bob" namespaces="file, git" ${keyOf('ed')}`, SOURCE);
    expect(signer!.principals).toEqual(['alice', ' *', '!bob']);
    expect(signer!.namespaces).toEqual(['file', ' git']);
  });

  it('decodes the key blob from the base64 field', () => {
    const [signer] = parseAllowedSigners(`alice ${keyOf('ed')}`, SOURCE);
    expect(Buffer.from(signer!.keyBlob).toString('base64')).toBe(keyOf('ed').split(' ')[1]);
  });

  it.each(['ed', 'rsa', 'p256', 'p384'])('computes the %s fingerprint exactly as ssh-keygen -lf prints it', (name) => {
    const [signer] = parseAllowedSigners(`alice ${keyOf(name)}`, SOURCE);
    expect(signer!.fingerprint).toBe(keyFingerprintFromSshKeygen(name));
    expect(sshFingerprint(signer!.keyBlob)).toBe(keyFingerprintFromSshKeygen(name));
  });

  it('reads options: cert-authority, namespaces and a validity window', () => {
    const options = 'cert-authority,namespaces="git,file",valid-after="20240101Z",valid-before="20250615123045Z"';
    const text = `*@example.com ${options} ${keyOf('ed')}`;
    const [signer] = parseAllowedSigners(text, SOURCE);
    expect(signer!.certAuthority).toBe(true);
    expect(signer!.namespaces).toEqual(['git', 'file']);
    expect(signer!.validAfter).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect(signer!.validBefore).toEqual(new Date('2025-06-15T12:30:45Z'));
  });

  it('reads times without Z as local time, like OpenSSH', () => {
    const savedTz = process.env.TZ;
    process.env.TZ = 'America/New_York'; // a zone other than UTC, so local and Z differ
    try {
      const [signer] = parseAllowedSigners(`alice valid-after="20240301",valid-before="202403011230" ${keyOf('ed')}`, SOURCE);
      expect(signer!.validAfter).toEqual(new Date('2024-03-01T05:00:00Z'));
      expect(signer!.validBefore).toEqual(new Date('2024-03-01T17:30:00Z'));
    } finally {
      if (savedTz === undefined) delete process.env.TZ;
      else process.env.TZ = savedTz;
    }
  });

  it('accepts option names in any case', () => {
    const [signer] = parseAllowedSigners(`alice NAMESPACES="git" ${keyOf('ed')}`, SOURCE);
    expect(signer!.namespaces).toEqual(['git']);
  });

  it.each([
    ['a principal with no key', 'alice'],
    ['a missing base64 key', 'alice ssh-ed25519'],
    ['invalid base64', 'alice ssh-ed25519 AAAA!!!!'],
    ['a key blob of another type', () => `alice ssh-rsa ${keyOf('ed').split(' ')[1]}`],
    ['a truncated key blob', () => `alice ssh-ed25519 ${Buffer.from(keyOf('ed').split(' ')[1]!, 'base64').toString('base64', 0, 9)}`],
    ['an unknown key type', () => `alice ssh-foo ${keyOf('ed').split(' ')[1]}`],
    ['an unknown option', () => `alice no-touch-required ${keyOf('ed')}`],
    ['an unquoted option value', () => `alice namespaces=git ${keyOf('ed')}`],
    ['a duplicate option', () => `alice namespaces="git",namespaces="file" ${keyOf('ed')}`],
    ['an unterminated quote', () => `alice namespaces="git ${keyOf('ed')}`],
    ['an impossible date', () => `alice valid-after="20241301" ${keyOf('ed')}`],
    ['a badly formed time', () => `alice valid-before="2024-01-01" ${keyOf('ed')}`],
    ['an empty principal', () => `alice,,bob ${keyOf('ed')}`],
    ['an empty namespace list', () => `alice namespaces="" ${keyOf('ed')}`],
    ['valid-before equal to valid-after', () => `alice valid-after="20240101Z",valid-before="20240101Z" ${keyOf('ed')}`],
    ['valid-before before valid-after', () => `alice valid-after="20240102Z",valid-before="20240101Z" ${keyOf('ed')}`],
    ['valid-after at the epoch (OpenSSH reads 0 as unset and refuses it)', () => `alice valid-after="19700101Z" ${keyOf('ed')}`],
    ['valid-before before 1970', () => `alice valid-before="19691231Z" ${keyOf('ed')}`],
  ])('rejects %s with a KeyConfigError naming file:line', (_name, line) => {
    const text = `# header\n\n${typeof line === 'string' ? line : line()}\n`;
    expect(() => parseAllowedSigners(text, SOURCE)).toThrow(KeyConfigError);
    expect(() => parseAllowedSigners(text, SOURCE)).toThrow(`${SOURCE}:3`);
  });

  it('returns nothing for a file of comments', () => {
    expect(parseAllowedSigners('# nobody yet\n\n', SOURCE)).toEqual([]);
  });
});

describe('parseSshPublicKeyFile', () => {
  it('takes the principal from the comment', () => {
    const [signer] = parseSshPublicKeyFile(`${pub.ed}\n`, 'keys/ed.pub', 'fallback');
    expect(signer!.principals).toEqual(['ed@example.com']);
    expect(signer!.principalPatterns).toBe(false);
    expect(signer!.fingerprint).toBe(keyFingerprintFromSshKeygen('ed'));
    expect(signer!.namespaces).toBeNull();
    expect(signer!.validAfter).toBeNull();
    expect(signer!.certAuthority).toBe(false);
    expect(signer!.line).toBe(1);
  });

  it('falls back to the given principal without a comment', () => {
    const [signer] = parseSshPublicKeyFile(keyOf('p256'), 'keys/p256.pub', 'p256.pub');
    expect(signer!.principals).toEqual(['p256.pub']);
    expect(signer!.keyType).toBe('ecdsa-sha2-nistp256');
  });

  it('rejects a broken key with a KeyConfigError naming file:line', () => {
    expect(() => parseSshPublicKeyFile(`# key\nssh-ed25519 not-base64`, 'keys/x.pub', 'x')).toThrow('keys/x.pub:2');
    expect(() => parseSshPublicKeyFile(`ssh-ed25519 not-base64`, 'keys/x.pub', 'x')).toThrow(KeyConfigError);
  });
});

describe('isSshPublicKeyText', () => {
  it('recognises public key files and allowed_signers files', () => {
    expect(isSshPublicKeyText(`${pub.ed}\n`)).toBe(true);
    expect(isSshPublicKeyText(`# comment\n${pub.rsa}`)).toBe(true);
    expect(isSshPublicKeyText(`alice@example.com ${keyOf('p384')}`)).toBe(true);
    expect(isSshPublicKeyText(`\n# keys\nalice namespaces="git" ${keyOf('ed')} laptop`)).toBe(true);
  });

  it('does not mistake OpenPGP or other text for SSH keys', () => {
    expect(isSshPublicKeyText('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ...\n')).toBe(false);
    expect(isSshPublicKeyText('')).toBe(false);
    expect(isSshPublicKeyText('# only a comment\n')).toBe(false);
    expect(isSshPublicKeyText('hello world ssh-ed25519\n')).toBe(false);
  });
});
