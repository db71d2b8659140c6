import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys, importDemoKeys } from '../../../fixtures/lib/demo-keys.js';
import { GpgHome } from '../../../fixtures/lib/gpg.js';
import { dearmorSignature } from '../../../src/signatures/armor.js';
import { parseSignaturePacket } from '../../../src/signatures/openpgp-packet.js';
import { useFixtureCleanup } from '../../helpers/world.js';

useFixtureCleanup();

const signatures: Record<string, string> = {};

beforeAll(async () => {
  const gpg = await GpgHome.create();
  await importDemoKeys(gpg, ['alice', 'bob']);
  signatures.alice = await gpg.signDetached(demoKeys.alice.fingerprint, 'payload\n');
  signatures.bob = await gpg.signDetached(demoKeys.bob.fingerprint, 'payload\n');
});

describe('parseSignaturePacket', () => {
  it.each(['alice', 'bob'])('parses a real gpg v4 signature (%s) on the fast path', async (name) => {
    const binary = dearmorSignature(signatures[name]!);
    expect(binary).toBeInstanceOf(Uint8Array);
    const info = await parseSignaturePacket(binary as Uint8Array);
    expect(info.needsFullParser).toBe(false);
    expect(info.version).toBe(4);
    expect(info.signatureType).toBe(0);
    expect(info.issuerFingerprint).toBe(demoKeys[name as 'alice' | 'bob'].fingerprint);
    expect(info.created).toBeInstanceOf(Date);
    expect(Object.keys(info.params).length).toBeGreaterThan(0);
  });

  it('refuses two signature packets in one block', async () => {
    const one = dearmorSignature(signatures.alice!) as Uint8Array;
    await expect(parseSignaturePacket(Buffer.concat([one, one]))).rejects.toThrow();
  });

  it('refuses a truncated packet', async () => {
    const one = dearmorSignature(signatures.alice!) as Uint8Array;
    await expect(parseSignaturePacket(one.subarray(0, one.length - 5))).rejects.toThrow();
  });
});

describe('dearmorSignature', () => {
  it('rejects a damaged checksum, missing armor lines and non-base64 data', () => {
    const good = signatures.bob!;
    const lines = good.trimEnd().split('\n');
    const checksumAt = lines.findIndex((l) => /^=[A-Za-z0-9+/]{4}$/.test(l));
    expect(checksumAt).toBeGreaterThan(0);
    const flipped = [...lines];
    flipped[checksumAt] = lines[checksumAt] === '=AAAA' ? '=AAAB' : '=AAAA';
    expect(typeof dearmorSignature(flipped.join('\n'))).toBe('string');
    expect(typeof dearmorSignature(lines.slice(1).join('\n'))).toBe('string');
    expect(typeof dearmorSignature(lines.slice(0, -1).join('\n'))).toBe('string');
    const garbage = [...lines];
    garbage[checksumAt - 1] = '!!!!';
    expect(typeof dearmorSignature(garbage.join('\n'))).toBe('string');
    expect(dearmorSignature(good)).toBeInstanceOf(Uint8Array);
  });
});
