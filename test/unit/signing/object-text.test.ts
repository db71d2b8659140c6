import { describe, expect, it } from 'vitest';
import { appendTagSignature, formatCommit, formatIdent, formatTag, insertCommitSignature } from '../../../src/signing/object-text.js';
import { parseCommit } from '../../../src/core/commit.js';
import { parseTag } from '../../../src/core/tag.js';

const who = { name: 'Rev Iewer', email: 'rev@example.test' };
const at = new Date('2026-01-02T03:04:05Z');
const SIG = '-----BEGIN PGP SIGNATURE-----\n\niHUEABYKAB0WIQ\n=abcd\n-----END PGP SIGNATURE-----\n';

describe('object text', () => {
  it('formats an identity with epoch seconds and a zone', () => {
    expect(formatIdent(who, at)).toMatch(/^Rev Iewer <rev@example\.test> 1767323045 [+-]\d{4}$/);
  });

  it('puts the signature where git looks for it, so the payload is exactly the unsigned commit', () => {
    const text = formatCommit({ tree: 't'.repeat(40), parents: ['a'.repeat(40), 'b'.repeat(40)], author: who, committer: who, at, message: 'Merge\n\nbody' });
    const signed = insertCommitSignature(text, SIG);
    const parsed = parseCommit(new TextEncoder().encode(signed), 'sha1');
    expect(new TextDecoder().decode(parsed.payload)).toBe(text);
    expect(parsed.signature).toBe(SIG);
    expect(parsed.parents).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
  });

  it('appends a tag signature after the message', () => {
    const text = formatTag({ object: 'c'.repeat(40), type: 'commit', tag: 'prod-1.0.0', tagger: who, at, message: 'promote' });
    const parsed = parseTag(new TextEncoder().encode(appendTagSignature(text, SIG)));
    expect(new TextDecoder().decode(parsed.payload)).toBe(text);
  });
});
