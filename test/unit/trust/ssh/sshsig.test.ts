import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorSshsig, joinSshsig, makeHandSshKey, signSshsigByHand, sshWire } from '../../../../fixtures/lib/sshsig.js';
import { parseSshSignature, SignatureProblem } from '../../../../src/trust/ssh/sshsig.js';

// NIST P-256 (FIPS 186-4 D.1.2.3): y² = x³ − 3x + b over GF(p), group order n.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

let dir = '';

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) {
    if (e & 1n) result = (result * b) % modulus;
  }
  return result;
}

/** The first point on P-256 with x ≥ `from` (p ≡ 3 mod 4, so a square root is one exponentiation). */
function pointFrom(from: bigint): { x: bigint; y: bigint } {
  for (let x = from; ; x++) {
    const rhs = (((x * x * x - 3n * x + B) % P) + P) % P;
    const y = modPow(rhs, (P + 1n) / 4n, P);
    if ((y * y) % P === rhs) return { x, y: y < N - 1n ? y : P - y };
  }
}

function ecdsaKeyBlob(point: { x: bigint; y: bigint }): Buffer {
  const coordinate = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
  return sshWire('ecdsa-sha2-nistp256', 'nistp256', Buffer.concat([Buffer.from([4]), coordinate(point.x), coordinate(point.y)]));
}

/** An SSHSIG blob around `keyBlob`, with a well-formed (not valid) ECDSA signature. */
function ecdsaSignature(keyBlob: Buffer): string {
  const signature = sshWire('ecdsa-sha2-nistp256', sshWire(Buffer.from([1]), Buffer.from([1])));
  return armorSshsig(joinSshsig({ version: 1, publicKey: keyBlob, namespace: 'git', reserved: Buffer.alloc(0), hash: 'sha512', signature }));
}

/** Whether OpenSSH loads the public key at all (`ssh-keygen -l`), the reference for the key checks. */
function opensshLoadsKey(keyBlob: Buffer): boolean {
  const type = keyBlob.subarray(4, 4 + keyBlob.readUInt32BE(0)).toString();
  const file = join(dir, `key-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(file, `${type} ${keyBlob.toString('base64')}\n`);
  return spawnSync('ssh-keygen', ['-l', '-f', file]).status === 0;
}

function problemOf(armored: string, allowWeak: boolean): string | null {
  try {
    parseSshSignature(armored, allowWeak);
    return null;
  } catch (error) {
    return error instanceof SignatureProblem ? error.status : 'not a SignatureProblem';
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'siggate-sshsig-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('parseSshSignature: keys OpenSSH refuses to load', () => {
  it('parses an ECDSA key with ordinary coordinates (control)', () => {
    const point = pointFrom(N / 3n);
    expect(opensshLoadsKey(ecdsaKeyBlob(point))).toBe(true);
    expect(problemOf(ecdsaSignature(ecdsaKeyBlob(point)), false)).toBeNull();
  });

  it('refuses an ECDSA point whose x has no more than half the order\'s bits, as malformed', () => {
    const blob = ecdsaKeyBlob(pointFrom(1n));
    expect(opensshLoadsKey(blob)).toBe(false);
    expect(problemOf(ecdsaSignature(blob), true)).toBe('malformed');
  });

  it('refuses an ECDSA point whose x is at least order − 1, as malformed', () => {
    const blob = ecdsaKeyBlob(pointFrom(N - 1n));
    expect(opensshLoadsKey(blob)).toBe(false);
    expect(problemOf(ecdsaSignature(blob), true)).toBe('malformed');
  });

  it('refuses an RSA key below 1024 bits as weak-algorithm, even with allowWeak', () => {
    const key = makeHandSshKey({ rsaBits: 1016 });
    expect(opensshLoadsKey(key.publicKeyBlob)).toBe(false);
    expect(problemOf(signSshsigByHand(key, 'data'), true)).toBe('weak-algorithm');
  });

  it('parses a 1024-bit RSA key, which OpenSSH loads (control)', () => {
    const key = makeHandSshKey({ rsaBits: 1024 });
    expect(opensshLoadsKey(key.publicKeyBlob)).toBe(true);
    expect(problemOf(signSshsigByHand(key, 'data'), true)).toBeNull();
  });
});
