import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armorSshsig as armor, dearmorSshsig as dearmor, joinSshsig, makeHandSshKey, signSshsigByHand, splitSshsig, sshWire as wire,
  withSshsigFields as withFields,
} from '../../../../fixtures/lib/sshsig.js';
import type { HandSignOptions, HandSshKey } from '../../../../fixtures/lib/sshsig.js';
import type { VerifyPolicy } from '../../../../src/core/verdict.js';
import { parseAllowedSigners, type AllowedSigner } from '../../../../src/trust/ssh/allowed-signers.js';
import { verifySshSignature, type SshVerifyContext } from '../../../../src/trust/ssh/verify.js';

const PAYLOAD = Buffer.from(
  'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1717200000 +0000\n\nmessage\n',
);
const COMMITTED = new Date('2024-06-01T00:00:00Z');
const POLICY: VerifyPolicy = { now: new Date('2024-06-02T00:00:00Z'), ignoreExpiry: false, allowWeak: false };
const CONTEXT: SshVerifyContext = { committerTime: COMMITTED, policy: POLICY };

let dir = '';
const keys: Record<string, string> = {};
let handRsa: HandSshKey;

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

/** Signs PAYLOAD as ssh-keygen would, with node:crypto and a 3072-bit RSA key, to vary what ssh-keygen fixes. */
function signRsaByHand(options: HandSignOptions = {}): string {
  return signSshsigByHand(handRsa, PAYLOAD, options);
}

/** A replacer for `/(.)=/`: moves the last character before the padding one step, setting a stray low bit. */
function nextBase64Char(_match: string, c: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return `${alphabet[(alphabet.indexOf(c) + 1) % 64]}=`;
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
  handRsa = makeHandSshKey({ rsaBits: 3072 });
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

  it('takes the principals from the first entry for the key, as git does: a later entry for another principal does not count', () => {
    const signers = signersOf(`old namespaces="file" ${publicLine('ed')}`, `alice ${publicLine('ed')}`);
    expect(verify(signWith(keys.ed!), signers).status).toBe('not-allowed');
  });

  it('accepts through a later entry that admits the first entry\'s principal, and reports that principal', () => {
    const signers = signersOf(`alice namespaces="file" ${publicLine('ed')}`, `a* ${publicLine('ed')}`);
    const verdict = verify(signWith(keys.ed!), signers);
    expect(verdict.status).toBe('valid');
    expect(verdict.signer?.userId).toBe('alice');
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
    expect(verify(sig, signers, { committerTime: new Date('2024-01-01T00:00:01Z') }).status).toBe('expired-key');
    // OpenSSH refuses only a time after valid-before, so its very second still verifies.
    expect(verify(sig, signers, { committerTime: new Date('2024-01-01T00:00:00Z') }).status).toBe('valid');
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

  it('reports a SHA-1 ssh-rsa signature as bad-signature, also with allowWeak', () => {
    const sig = signRsaByHand({ sigType: 'ssh-rsa' });
    const signers = signersOf(`alice ${handRsa.publicKey}`);
    expect(verify(sig, signers).status).toBe('bad-signature');
    expect(verify(sig, signers, { policy: { ...POLICY, allowWeak: true } }).status).toBe('bad-signature');
  });

  it('accepts an rsa-sha2-256 signature made outside ssh-keygen', () => {
    expect(verify(signRsaByHand({ sigType: 'rsa-sha2-256' }), signersOf(`alice ${handRsa.publicKey}`)).status).toBe('valid');
  });
});

describe('the reserved field', () => {
  it('ignores the blob\'s reserved field, as OpenSSH does', () => {
    const sig = withFields(signWith(keys.ed!), { reserved: Buffer.from('x') });
    expect(verify(sig, signersOf(`alice ${publicLine('ed')}`)).status).toBe('valid');
  });

  it('verifies over an empty reserved field, whatever the blob holds', () => {
    const signers = signersOf(`alice ${handRsa.publicKey}`);
    expect(verify(signRsaByHand({ blobReserved: Buffer.from('x') }), signers).status).toBe('valid');
    expect(verify(signRsaByHand({ signedReserved: Buffer.from('x') }), signers).status).toBe('bad-signature');
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
    ['a 1 MB block, even when correctly signed', () => signRsaByHand({ blobReserved: Buffer.alloc(768 * 1024) })],
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
