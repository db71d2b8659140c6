import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { planTagName, promotionNamingOf, type TagRef } from '../../../src/core/promotion.js';

const WORDS = { tag: '--tag', fromPrefix: '--from-prefix', toPrefix: '--to-prefix', bump: '--bump', prefix: '--prefix', verifySourceTag: '--verify-source-tag' };
const tags = (entries: [string, string][]): Map<string, TagRef> => new Map(entries.map(([name, commit]) => [name, { name, object: commit, commit }]));

describe('promotionNamingOf', () => {
  it('takes exactly one way of naming', () => {
    expect(promotionNamingOf({ tag: 'prod-1' }, WORDS)).toEqual({ kind: 'tag', name: 'prod-1' });
    expect(promotionNamingOf({ fromPrefix: 'staging-', toPrefix: 'prod-' }, WORDS)).toEqual({ kind: 'prefix', from: 'staging-', to: 'prod-' });
    expect(promotionNamingOf({ bump: 'minor', prefix: 'prod-' }, WORDS)).toEqual({ kind: 'bump', level: 'minor', prefix: 'prod-' });
  });

  it.each([[{}], [{ tag: 'a', bump: 'patch', prefix: '' }], [{ bump: 'huge', prefix: '' }], [{ bump: 'patch' }], [{ fromPrefix: 'p-', toPrefix: 'p-' }], [{ tag: 'x', verifySourceTag: true }]])(
    'refuses %j',
    (fields) => {
      expect(() => promotionNamingOf(fields, WORDS)).toThrow(UsageError);
    },
  );

  it('a bump takes the default prefix when the face has one', () => {
    expect(promotionNamingOf({ bump: 'patch' }, WORDS, '')).toEqual({ kind: 'bump', level: 'patch', prefix: '' });
  });
});

describe('planTagName', () => {
  it('prefix: the highest source tag on the target names the new one', () => {
    const plan = planTagName({ kind: 'prefix', from: 'staging-', to: 'prod-' }, 'c1', tags([['staging-1.2.0', 'c1'], ['staging-1.10.0', 'c1'], ['staging-2.0.0', 'c2']]));
    expect(plan).toMatchObject({ ok: true, tag: 'prod-1.10.0' });
  });

  it('bump: the next version after the highest, and the same name again for a target that has one', () => {
    const existing = tags([['prod-1.3.2', 'c0'], ['prod-1.4.0-rc.1', 'c1']]);
    expect(planTagName({ kind: 'bump', level: 'minor', prefix: 'prod-' }, 'c9', existing)).toMatchObject({ ok: true, tag: 'prod-1.4.0' });
    expect(planTagName({ kind: 'bump', level: 'major', prefix: 'prod-' }, 'c1', existing)).toMatchObject({ ok: true, tag: 'prod-1.4.0-rc.1' });
  });

  it('prefix without a source tag on the target is refused', () => {
    expect(planTagName({ kind: 'prefix', from: 'staging-', to: 'prod-' }, 'c3', tags([]))).toMatchObject({ ok: false });
  });
});
