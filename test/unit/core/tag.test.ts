import { describe, expect, it } from 'vitest';
import { parseTag } from '../../../src/core/tag.js';

const OBJ = 'a22e7062ec5f1d236f7261ec21ae2af637082bbe';
const HEAD = `object ${OBJ}\ntype commit\ntag v1\ntagger T <t@example.org> 1700000000 +0000\n\n`;
const SIG = '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n';

describe('parseTag', () => {
  it('splits at the last line that opens a signature block', () => {
    const message = `release\n-----BEGIN PGP SIGNATURE-----\nquoted in the message\n`;
    const parsed = parseTag(Buffer.from(HEAD + message + SIG));
    expect(parsed.signature).toBe(SIG);
    expect(Buffer.from(parsed.payload).toString()).toBe(HEAD + message);
    expect(parsed.object).toBe(OBJ);
    expect(parsed.type).toBe('commit');
    expect(parsed.name).toBe('v1');
    expect(parsed.taggerTime?.getTime()).toBe(1700000000_000);
  });

  it('finds SSH signatures and reports unsigned tags', () => {
    const ssh = '-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n';
    expect(parseTag(Buffer.from(HEAD + 'm\n' + ssh)).signature).toBe(ssh);
    const unsigned = parseTag(Buffer.from(HEAD + 'm\n'));
    expect(unsigned.signature).toBeNull();
    expect(Buffer.from(unsigned.payload).toString()).toBe(HEAD + 'm\n');
  });

  it('reports missing headers and NUL bytes', () => {
    expect(parseTag(Buffer.from('tag v1\n\nm\n')).problems.length).toBeGreaterThan(0);
    expect(parseTag(Buffer.from(HEAD + 'm\0\n')).problems.join()).toMatch(/NUL/);
  });
});
