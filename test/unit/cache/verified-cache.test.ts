// The verification cache's file on its own: what it gives back, how it grows, what it drops.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, makeTempDir } from '../../../fixtures/lib/temp.js';
import { VerifiedCache, type CacheKey, type CacheLimits } from '../../../src/cache/verified-cache.js';
import type { CommitReport } from '../../../src/core/report.js';
import type { Signer } from '../../../src/core/verdict.js';

afterAll(cleanupAll);

const KEY: CacheKey = { keysDigest: 'k', allow: null, mode: 'all', since: null, ignoreExpiry: false, allowWeak: false };
const oid = (name: string): string => Buffer.from(name).toString('hex').padEnd(40, '0');
const ALICE: Signer = { fingerprint: 'A'.repeat(40), signingKey: 'B'.repeat(40), userId: 'Alice <alice@example.org>' };
const BOB: Signer = { fingerprint: 'C'.repeat(40), signingKey: 'C'.repeat(40), userId: null };

function entry(name: string, signer = ALICE): CommitReport {
  return { oid: oid(name), status: 'valid', format: 'openpgp', signer, signedAt: '2026-11-20T10:00:00Z', subject: `subject of ${name}`, reason: name === 'b' ? 'a note' : null };
}

/** A cache in a fresh git dir, and what it warned. */
async function openCache(gitDir?: string, limits?: CacheLimits): Promise<{ cache: VerifiedCache; gitDir: string; warnings: string[] }> {
  const dir = gitDir ?? (await makeTempDir('siggate-cache-'));
  const warnings: string[] = [];
  const cache = await VerifiedCache.open(dir, KEY, (w) => void warnings.push(w), limits);
  return { cache, gitDir: dir, warnings };
}

/** Record a passing run over `chain` (newest first, each requiring the next); names in `cached` came from the cache. */
async function recordChain(cache: VerifiedCache, chain: string[], cached: string[] = []): Promise<void> {
  const commits = chain.map((name) => (cached.includes(name) ? cache.report(oid(name)) : entry(name, name === 'b' ? BOB : ALICE)));
  const requires = new Map(chain.map((name, i) => [oid(name), chain[i + 1] ? [oid(chain[i + 1]!)] : []]));
  await cache.record(oid(chain[0]!), commits, requires);
}

describe('VerifiedCache', () => {
  it('gives back each commit as it was reported, marked cached, and what it requires', async () => {
    const first = await openCache();
    await recordChain(first.cache, ['c', 'b', 'a']);
    const { cache } = await openCache(first.gitDir);
    for (const name of ['c', 'b', 'a']) {
      const { cached, ...rest } = cache.report(oid(name));
      expect(cached).toBe(true);
      expect(JSON.stringify(rest)).toBe(JSON.stringify(entry(name, name === 'b' ? BOB : ALICE)));
    }
    expect(cache.requires(oid('c'))).toEqual([oid('b')]);
    expect(cache.requires(oid('a'))).toEqual([]);
    expect(cache.heads).toEqual([oid('c')]);
    expect(cache.has(oid('x'))).toBe(false);
  });

  it('stores each signer once, and adds new commits in front of the old ones', async () => {
    const first = await openCache();
    await recordChain(first.cache, ['c', 'b', 'a']);
    const second = await openCache(first.gitDir);
    await recordChain(second.cache, ['e', 'd', 'c', 'b', 'a'], ['c', 'b', 'a']);
    const [file] = await readdir(join(first.gitDir, 'siggate'));
    const content = JSON.parse(await readFile(join(first.gitDir, 'siggate', file!), 'utf8'));
    expect(content.signers).toHaveLength(2);
    expect(content.commits.map((row: unknown[]) => row[0])).toEqual(['e', 'd', 'c', 'b', 'a'].map(oid));
    // c's target is covered by e's: one head is enough
    expect(content.heads).toEqual([oid('e')]);
    const { cache } = await openCache(first.gitDir);
    expect(cache.requires(oid('d'))).toEqual([oid('c')]);
  });

  it('keeps the most recent targets within its bounds, dropping what only older ones required', async () => {
    const limits = { heads: 2, commits: 100 };
    const { gitDir } = await openCache();
    for (const branch of ['x', 'y', 'z']) await recordChain((await openCache(gitDir, limits)).cache, [`${branch}2`, `${branch}1`]);
    const { cache } = await openCache(gitDir, limits);
    expect(cache.heads).toEqual([oid('z2'), oid('y2')]);
    expect(cache.has(oid('x1'))).toBe(false);
    expect(cache.has(oid('y1'))).toBe(true);
  });

  it('does not cache a run longer than it holds, and says so', async () => {
    const { cache, gitDir, warnings } = await openCache(undefined, { heads: 4, commits: 2 });
    await recordChain(cache, ['c', 'b', 'a']);
    expect(warnings).toHaveLength(1);
    expect(await readdir(gitDir)).toEqual([]);
  });

  it('never records a commit that is not valid', async () => {
    const { cache, gitDir } = await openCache();
    await cache.record(oid('u'), [{ ...entry('u'), status: 'unsigned' }], new Map([[oid('u'), []]]));
    expect(await readdir(gitDir)).toEqual([]);
  });
});
