import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyPolicy } from '../../../src/core/verdict.js';
import { parseAllowedSigners, type AllowedSigner } from '../../../src/signatures/allowed-signers.js';
import { verifySshSignature, type SshVerifyContext } from '../../../src/signatures/ssh.js';

const PAYLOAD = Buffer.from(
  'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1717200000 +0000\n\nmessage\n',
);
const COMMITTED = new Date('2024-06-01T00:00:00Z');
const POLICY: VerifyPolicy = { now: new Date('2024-06-02T00:00:00Z'), ignoreExpiry: false, allowWeak: false };
const CONTEXT: SshVerifyContext = { committerTime: COMMITTED, policy: POLICY };

let dir = '';
const keys: Record<string, string> = {};

function generateKey(name: string, type: string, bits?: number): void {
  const path = join(dir, name);
  const size = bits ? ['-b', String(bits)] : [];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...size, '-N', '', '-C', `${name}@example.com`, '-f', path]);
  keys[name] = path;
}

function signWith(keyFile: string, payload: Uint8Array = PAYLOAD, namespace = 'git'): string {
  const args = ['-Y', 'sign', '-n', namespace, '-f', keyFile];
  return execFileSync('ssh-keygen', args, { input: payload, stdio: ['pipe', 'pipe', 'ignore'] }).toString();
}

function publicLine(name: string): string {
  return readFileSync(`${keys[name]}.pub`, 'utf8').trim();
}

function signersOf(...lines: string[]): AllowedSigner[] {
  return parseAllowedSigners(lines.join('\n'), 'keys/allowed_signers');
}

function wire(...parts: (Uint8Array | string | number)[]): Buffer {
  return Buffer.concat(parts.map((part) => {
    if (typeof part === 'number') return Buffer.from([part >>> 24, (part >>> 16) & 255, (part >>> 8) & 255, part & 255]);
    const bytes = Buffer.from(part);
    return Buffer.concat([wire(bytes.length), bytes]);
  }));
}

function armor(blob: Uint8Array): string {
  const body = Buffer.from(blob).toString('base64').match(/.{1,70}/g) ?? [];
  return ['-----BEGIN SSH SIGNATURE-----', ...body, '-----END SSH SIGNATURE-----', ''].join('\n');
}

function dearmor(armored: string): Buffer {
  return Buffer.from(armored.split('\n').filter((l) => l && !l.startsWith('-----')).join(''), 'base64');
}

interface SshsigFields {
  version: number;
  publicKey: Uint8Array;
  namespace: string;
  reserved: Uint8Array;
  hash: string;
  signature: Uint8Array;
}

function splitSshsig(armored: string): SshsigFields {
  const blob = dearmor(armored);
  let at = 10;
  const next = (): Buffer => {
    const length = blob.readUInt32BE(at);
    at += 4 + length;
    return blob.subarray(at - length, at);
  };
  const version = blob.readUInt32BE(6);
  return { version, publicKey: next(), namespace: next().toString(), reserved: next(), hash: next().toString(), signature: next() };
}

function joinSshsig(f: SshsigFields): Buffer {
  return Buffer.concat([Buffer.from('SSHSIG'), wire(f.version, f.publicKey, f.namespace, f.reserved, f.hash, f.signature)]);
}

/** Re-armors a real signature with some SSHSIG fields replaced. */
function withFields(armored: string, changes: Partial<SshsigFields>): string {
  return armor(joinSshsig({ ...splitSshsig(armored), ...changes }));
}

/** A replacer for `/(.)=/`: moves the last character before the padding one step, setting a stray low bit. */
function nextBase64Char(_match: string, c: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return `${alphabet[(alphabet.indexOf(c) + 1) % 64]}=`;
}

/** Signs PAYLOAD as ssh-keygen would, with node:crypto and the 3072-bit RSA key, to vary what ssh-keygen fixes. */
function signRsaByHand(sigType: 'ssh-rsa' | 'rsa-sha2-256' | 'rsa-sha2-512', reserved: Uint8Array = Buffer.alloc(0)): string {
  const pem = join(dir, 'rsa-pem');
  if (!existsSync(pem)) {
    copyFileSync(keys.rsa!, pem);
    execFileSync('ssh-keygen', ['-q', '-p', '-m', 'PEM', '-N', '', '-P', '', '-f', pem]);
  }
  const hash = { 'ssh-rsa': 'sha1', 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' }[sigType];
  const digest = createHash('sha512').update(PAYLOAD).digest();
  const signed = Buffer.concat([Buffer.from('SSHSIG'), wire('git', reserved, 'sha512', digest)]);
  const signature = wire(sigType, sign(hash, signed, createPrivateKey(readFileSync(pem))));
  const publicKey = splitSshsig(signWith(keys.rsa!)).publicKey;
  return armor(joinSshsig({ version: 1, publicKey, namespace: 'git', reserved, hash: 'sha512', signature }));
}

function verify(armored: string, signers: AllowedSigner[], context: Partial<SshVerifyContext> = {}, payload = PAYLOAD) {
  return verifySshSignature(armored, payload, signers, { ...CONTEXT, ...context });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'siggate-ssh-'));
  generateKey('ed', 'ed25519');
  generateKey('other', 'ed25519');
  generateKey('rsa', 'rsa', 3072);
  generateKey('rsa1024', 'rsa', 1024);
  generateKey('p256', 'ecdsa', 256);
  generateKey('p384', 'ecdsa', 384);
  generateKey('p521', 'ecdsa', 521);
  generateKey('ca', 'ed25519');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('verifySshSignature with keys made by ssh-keygen', () => {
  it.each(['ed', 'rsa', 'p256', 'p384', 'p521'])('accepts a valid %s signature and names the signer', (name) => {
    const verdict = verify(signWith(keys[name]!), signersOf(`alice@example.com ${publicLine(name)}`));
    expect(verdict.status).toBe('valid');
    expect(verdict.format).toBe('ssh');
    expect(verdict.signer?.userId).toBe('alice@example.com');
    expect(verdict.signer?.source).toBe('keys/allowed_signers:1');
    expect(verdict.signedAt).toEqual(COMMITTED);
  });

  it('reports the fingerprint ssh-keygen -lf prints', () => {
    const expected = execFileSync('ssh-keygen', ['-lf', `${keys.ed}.pub`]).toString().split(' ')[1];
    const verdict = verify(signWith(keys.ed!), signersOf(`alice ${publicLine('ed')}`));
    expect(verdict.signer?.fingerprint).toBe(expected);
    expect(verdict.signer?.signingKey).toBe(expected);
  });

  it.each(['ed', 'rsa', 'p256'])('rejects a %s signature over a tampered payload', (name) => {
    const tampered = Buffer.from(PAYLOAD.toString().replace('message', 'massage'));
    expect(verify(signWith(keys[name]!), signersOf(`alice ${publicLine(name)}`), {}, tampered).status).toBe('bad-signature');
  });

  it('rejects a signature made for the file namespace', () => {
    expect(verify(signWith(keys.ed!, PAYLOAD, 'file'), signersOf(`alice ${publicLine('ed')}`)).status).toBe('bad-signature');
  });

  it('accepts another namespace when the caller asks for it', () => {
    const sig = signWith(keys.ed!, PAYLOAD, 'file');
    expect(verify(sig, signersOf(`alice ${publicLine('ed')}`), { namespace: 'file' }).status).toBe('valid');
  });

  it('reports unknown-key with the fingerprint when no entry holds the key', () => {
    const verdict = verify(signWith(keys.ed!), signersOf(`bob ${publicLine('other')}`));
    expect(verdict.status).toBe('unknown-key');
    expect(verdict.reason).toContain(verdict.signer?.fingerprint);
    expect(verdict.remedy).toBeTruthy();
  });

  it('never matches a plain key against a cert-authority entry', () => {
    expect(verify(signWith(keys.ed!), signersOf(`alice cert-authority ${publicLine('ed')}`)).status).toBe('unknown-key');
  });

  it('rejects a signature whose embedded public key was swapped for another allowed key', () => {
    const fields = splitSshsig(signWith(keys.ed!));
    fields.publicKey = splitSshsig(signWith(keys.other!)).publicKey;
    const signers = signersOf(`alice ${publicLine('ed')}`, `bob ${publicLine('other')}`);
    expect(verify(armor(joinSshsig(fields)), signers).status).toBe('bad-signature');
  });

  it.each(['rsa-sha2-512', 'ssh-ed448'])('rejects an ed25519 signature relabelled as %s', (sigType) => {
    const fields = splitSshsig(signWith(keys.ed!));
    const signature = Buffer.from(fields.signature);
    const raw = signature.subarray(4 + signature.readUInt32BE(0));
    fields.signature = Buffer.concat([wire(sigType), raw]);
    expect(verify(armor(joinSshsig(fields)), signersOf(`alice ${publicLine('ed')}`)).status).toBe('bad-signature');
  });
});

describe('allowed_signers options', () => {
  it('reports not-allowed when namespaces= excludes git', () => {
    expect(verify(signWith(keys.ed!), signersOf(`alice namespaces="file" ${publicLine('ed')}`)).status).toBe('not-allowed');
  });

  it('honours namespace patterns and negations', () => {
    expect(verify(signWith(keys.ed!), signersOf(`alice namespaces="g*" ${publicLine('ed')}`)).status).toBe('valid');
    expect(verify(signWith(keys.ed!), signersOf(`alice namespaces="*,!git" ${publicLine('ed')}`)).status).toBe('not-allowed');
  });

  it('uses the first entry that accepts the signature', () => {
    const signers = signersOf(`old namespaces="file" ${publicLine('ed')}`, `alice ${publicLine('ed')}`);
    const verdict = verify(signWith(keys.ed!), signers);
    expect(verdict.status).toBe('valid');
    expect(verdict.signer?.source).toBe('keys/allowed_signers:2');
  });

  it('checks valid-after against the committer time', () => {
    const signers = signersOf(`alice valid-after="20240101Z" ${publicLine('ed')}`);
    const sig = signWith(keys.ed!);
    expect(verify(sig, signers, { committerTime: new Date('2023-12-31T23:59:59Z') }).status).toBe('not-allowed');
    expect(verify(sig, signers, { committerTime: new Date('2024-01-01T00:00:00Z') }).status).toBe('valid');
  });

  it('checks valid-before against the committer time', () => {
    const signers = signersOf(`alice valid-before="20240101Z" ${publicLine('ed')}`);
    const sig = signWith(keys.ed!);
    expect(verify(sig, signers, { committerTime: new Date('2024-01-01T00:00:00Z') }).status).toBe('expired-key');
    expect(verify(sig, signers, { committerTime: new Date('2023-12-31T23:59:59Z') }).status).toBe('valid');
  });

  it('refuses a window when there is no committer time', () => {
    const signers = signersOf(`alice valid-after="20200101Z",valid-before="20300101Z" ${publicLine('ed')}`);
    expect(verify(signWith(keys.ed!), signers, { committerTime: null }).status).toBe('not-allowed');
  });
});

describe('weak algorithms', () => {
  it('reports RSA-1024 as weak-algorithm, and valid with allowWeak', () => {
    const signers = signersOf(`alice ${publicLine('rsa1024')}`);
    const sig = signWith(keys.rsa1024!);
    expect(verify(sig, signers).status).toBe('weak-algorithm');
    expect(verify(sig, signers, { policy: { ...POLICY, allowWeak: true } }).status).toBe('valid');
  });

  it('reports a SHA-1 ssh-rsa signature as weak-algorithm, and valid with allowWeak', () => {
    const sig = signRsaByHand('ssh-rsa');
    const signers = signersOf(`alice ${publicLine('rsa')}`);
    expect(verify(sig, signers).status).toBe('weak-algorithm');
    expect(verify(sig, signers, { policy: { ...POLICY, allowWeak: true } }).status).toBe('valid');
    expect(verify(sig, signers, { policy: { ...POLICY, allowWeak: true } }, Buffer.from('other')).status).toBe('bad-signature');
  });

  it('accepts an rsa-sha2-256 signature made outside ssh-keygen', () => {
    expect(verify(signRsaByHand('rsa-sha2-256'), signersOf(`alice ${publicLine('rsa')}`)).status).toBe('valid');
  });
});

describe('unsupported signatures', () => {
  it('reports a signature made with an SSH certificate as unsupported', () => {
    execFileSync('ssh-keygen', ['-q', '-s', keys.ca!, '-I', 'alice', '-n', 'alice', `${keys.ed}.pub`], { stdio: 'ignore' });
    const signers = signersOf(`alice ${publicLine('ed')}`, `* cert-authority ${publicLine('ca')}`);
    expect(verify(signWith(`${keys.ed}-cert.pub`), signers).status).toBe('unsupported');
  });

  it('reports a security-key (sk-) signature as unsupported', () => {
    const keyType = 'sk-ssh-ed25519@openssh.com';
    const fields = splitSshsig(signWith(keys.ed!));
    fields.publicKey = wire(keyType, randomBytes(32), 'ssh:');
    fields.signature = Buffer.concat([wire(keyType, randomBytes(64)), Buffer.from([1]), wire(7)]);
    expect(verify(armor(joinSshsig(fields)), signersOf(`alice ${publicLine('ed')}`)).status).toBe('unsupported');
  });

  it('reports an unknown key type as unsupported', () => {
    const fields = splitSshsig(signWith(keys.ed!));
    fields.publicKey = wire('ssh-foo', randomBytes(32));
    expect(verify(armor(joinSshsig(fields)), []).status).toBe('unsupported');
  });
});

describe('malformed signature blocks', () => {
  const signers = (): AllowedSigner[] => signersOf(`alice ${publicLine('ed')}`);

  it.each([
    ['garbage', () => 'not a signature'],
    ['a truncated blob', () => armor(dearmor(signWith(keys.ed!)).subarray(0, 60))],
    ['invalid base64', () => signWith(keys.ed!).replace(/\n(.)/, '\n!')],
    ['a 1 MB block, even when correctly signed', () => signRsaByHand('rsa-sha2-512', Buffer.alloc(768 * 1024))],
    ['non-canonical base64 (stray bits before the padding)', () => signWith(keys.ed!).replace(/(.)=/, nextBase64Char)],
    ['text after the END line', () => signWith(keys.ed!) + 'extra\n'],
    ['no END line', () => signWith(keys.ed!).replace('-----END SSH SIGNATURE-----\n', '')],
    ['trailing bytes inside the blob', () => armor(Buffer.concat([dearmor(signWith(keys.ed!)), Buffer.from([0])]))],
    ['a wrong magic', () => armor(Buffer.concat([Buffer.from('SSHSIX'), dearmor(signWith(keys.ed!)).subarray(6)]))],
    ['a sha1 hash algorithm', () => withFields(signWith(keys.ed!), { hash: 'sha1' })],
    ['a short ed25519 key', () => withFields(signWith(keys.ed!), { publicKey: wire('ssh-ed25519', randomBytes(31)) })],
    ['an ECDSA point off the curve', () => {
      const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]);
      return withFields(signWith(keys.p256!), { publicKey: wire('ecdsa-sha2-nistp256', 'nistp256', offCurve) });
    }],
  ])('reports %s as malformed', (_name, make) => {
    const verdict = verify(make(), signers());
    expect(verdict.status).toBe('malformed');
    expect(verdict.format).toBe('ssh');
    expect(verdict.reason).toBeTruthy();
  });

  it('reports an unknown SSHSIG version as unsupported', () => {
    expect(verify(withFields(signWith(keys.ed!), { version: 2 }), signers()).status).toBe('unsupported');
  });

  it('never throws and never passes when any single bit of the blob is flipped', () => {
    const blob = dearmor(signWith(keys.ed!));
    const list = signers();
    for (let i = 0; i < blob.length; i++) {
      const flipped = Buffer.from(blob);
      flipped[i]! ^= 1;
      expect(verify(armor(flipped), list).status, `byte ${i}`).not.toBe('valid');
    }
  });
});
