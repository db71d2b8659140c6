import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys, importDemoKeys } from '../../../../fixtures/lib/demo-keys.js';
import { GpgHome } from '../../../../fixtures/lib/gpg.js';
import { dearmorSignature } from '../../../../src/trust/openpgp/armor.js';
import { OpenpgpFormatError, OpenpgpUnsupportedError } from '../../../../src/trust/openpgp/packets.js';
import { parseSignatureBlock } from '../../../../src/trust/openpgp/signature-packet.js';
import { useFixtureCleanup } from '../../../helpers/world.js';

useFixtureCleanup();

const signatures: Record<string, string> = {};

beforeAll(async () => {
  const gpg = await GpgHome.create();
  await importDemoKeys(gpg, ['alice', 'bob']);
  signatures.alice = await gpg.signDetached(demoKeys.alice.fingerprint, 'payload\n');
  signatures.bob = await gpg.signDetached(demoKeys.bob.fingerprint, 'payload\n');
});

describe('parseSignatureBlock', () => {
  it.each(['alice', 'bob'])('parses a real gpg v4 signature (%s)', (name) => {
    const binary = dearmorSignature(signatures[name]!);
    expect(binary).toBeInstanceOf(Uint8Array);
    const info = parseSignatureBlock(binary as Uint8Array);
    expect(info.version).toBe(4);
    expect(info.type).toBe(0);
    expect(info.unknownCritical).toBeNull();
    expect(info.issuerFingerprint).toBe(demoKeys[name as 'alice' | 'bob'].fingerprint);
    expect(info.created).toBeInstanceOf(Date);
    expect(Object.keys(info.params).length).toBeGreaterThan(0);
  });

  it('refuses two signature packets in one block', () => {
    const one = dearmorSignature(signatures.alice!) as Uint8Array;
    expect(() => parseSignatureBlock(Buffer.concat([one, one]))).toThrow(OpenpgpFormatError);
  });

  it('refuses a truncated packet', () => {
    const one = dearmorSignature(signatures.alice!) as Uint8Array;
    expect(() => parseSignatureBlock(one.subarray(0, one.length - 5))).toThrow(OpenpgpFormatError);
  });

  it('calls a v3 signature unsupported, not malformed', () => {
    const one = Buffer.from(dearmorSignature(signatures.alice!) as Uint8Array);
    const bodyStart = one[0]! & 0x40 ? (one[1]! < 192 ? 2 : 3) : 1 + [1, 2, 4][one[0]! & 3]!;
    one[bodyStart] = 3;
    expect(() => parseSignatureBlock(one)).toThrow(OpenpgpUnsupportedError);
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

  it('decodes the same packets from every layout GnuPG accepts: CRLF, blank and indented lines, headers, no checksum, unpadded data', () => {
    const good = signatures.bob!;
    const packets = Buffer.from(dearmorSignature(good) as Uint8Array);
    const lines = good.trimEnd().split('\n');
    const checksumAt = lines.findIndex((l) => /^=[A-Za-z0-9+/]{4}$/.test(l));
    const data = lines.slice(2, checksumAt);
    const layouts = [
      good.replaceAll('\n', '\r\n'),
      [lines[0], 'Comment: made by hand', '', ...data.map((l) => `  ${l} `), '', lines[checksumAt], lines.at(-1), '', '  '].join('\n'),
      [lines[0], '', ...data, lines.at(-1)].join('\n'),
      [lines[0], '', data.join('').replace(/=+$/, ''), lines.at(-1)].join('\n'),
    ];
    for (const layout of layouts) expect(Buffer.from(dearmorSignature(layout) as Uint8Array)).toEqual(packets);
  });

  it('refuses data that only decodes because the decoder skips what is not base64', () => {
    const good = signatures.bob!;
    const lines = good.trimEnd().split('\n');
    const checksumAt = lines.findIndex((l) => /^=[A-Za-z0-9+/]{4}$/.test(l));
    // Node's base64 decoder would skip these characters and decode the rest to the very same packets
    for (const junk of ['.', '*', '-', '_', '==']) {
      const damaged = [...lines];
      damaged[2] = `${lines[2]!.slice(0, 8)}${junk}${lines[2]!.slice(8)}`;
      expect(dearmorSignature(damaged.join('\n'))).toBe('armored signature data is not base64');
    }
    expect(checksumAt).toBeGreaterThan(2);
  });
});
