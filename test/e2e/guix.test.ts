// `bin/siggate verify --policy guix` and `bin/siggate fetch --policy guix` as subprocesses: exit codes and JSON.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { RangeReport } from '../../src/index.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { guixWorld, type GuixWorld } from '../helpers/guix-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let g: GuixWorld;
let evil: string;
let added: string;

function siggate(args: string[]): Promise<CliResult> {
  return runBin('siggate', args, { env: { ...process.env, NO_COLOR: '1' } });
}

const guixFlags = (): string[] => ['--policy', 'guix', '--since', g.c['I']!, '--intro-signer', g.introSigner];

beforeAll(async () => {
  g = await guixWorld();
  evil = await g.repo.commit({ message: 'by mallory\n', parents: [g.c['A']!], update: false, sign: g.world.as('mallory') });
  added = await g.repo.commit({ message: 'bob adds mallory\n', parents: [g.c['A']!], update: false, files: { '.guix-authorizations': g.authorizations(['alice', 'bob', 'mallory']) }, sign: g.world.as('bob') });
  added = await g.repo.commit({ message: 'then more\n', parents: [added], update: false, sign: g.world.as('bob') });
});

describe('siggate verify --policy guix', () => {
  it('exit 0 and a passed JSON report for the channel', async () => {
    const result = await siggate(['verify', g.c['A']!, '--repo', g.repo.dir, ...guixFlags(), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.status).toBe('passed');
    expect(report.mode).toBe('all');
  });

  it('exit 1 for a commit its parents do not authorize, the verdict in the JSON', async () => {
    const result = await siggate(['verify', evil, '--repo', g.repo.dir, ...guixFlags(), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.commits.find((c) => c.oid === evil)?.status).toBe('unknown-key');
  });

  it('exit 2 without the introduction signer, or with --keys', async () => {
    expect((await siggate(['verify', g.c['A']!, '--repo', g.repo.dir, '--policy', 'guix', '--since', g.c['I']!])).code).toBe(2);
    expect((await siggate(['verify', g.c['A']!, '--repo', g.repo.dir, ...guixFlags(), '--keys', g.world.keysDir])).code).toBe(2);
    expect((await siggate(['verify', g.c['A']!, '--repo', g.repo.dir, ...guixFlags(), '--keyring-ref', 'no-such-branch'])).code).toBe(2);
  });

  it('the cache lists the same verdicts on a second run', async () => {
    const first = JSON.parse((await siggate(['verify', g.c['A']!, '--repo', g.repo.dir, ...guixFlags(), '--json'])).stdout) as RangeReport;
    const second = JSON.parse((await siggate(['verify', g.c['A']!, '--repo', g.repo.dir, ...guixFlags(), '--json'])).stdout) as RangeReport;
    expect(second.commits.map((c) => [c.oid, c.status])).toEqual(first.commits.map((c) => [c.oid, c.status]));
    expect(second.commits[0]?.cached).toBe(true);
  });
});

describe('siggate fetch --policy guix', () => {
  it('checks out a channel that authenticates (keyring branch fetched with it), refuses one that does not', async () => {
    await g.repo.setRef('refs/heads/good', g.c['A']!);
    await g.repo.setRef('refs/heads/evil', evil);
    const into = join(await makeTempDir('siggate-guix-fetch-'), 'checkout');
    const good = await siggate(['fetch', g.repo.dir, '--into', into, '--ref', 'good', ...guixFlags(), '--json']);
    expect(good.code).toBe(0);
    expect(existsSync(join(into, '.guix-authorizations'))).toBe(true);
    const refused = join(await makeTempDir('siggate-guix-fetch-'), 'checkout');
    expect((await siggate(['fetch', g.repo.dir, '--into', refused, '--ref', 'evil', ...guixFlags(), '--json'])).code).toBe(1);
    expect(existsSync(refused)).toBe(false);
  });
});

describe('siggate policy show --policy guix', () => {
  it('lists who may sign the next commit, with the commit that added each key', async () => {
    const result = await siggate(['policy', 'show', added, '--policy', 'guix', '--repo', g.repo.dir, '--since', g.c['I']!, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { entries: { fingerprint: string; since: string; key: { primary: string } | null }[] };
    const since = Object.fromEntries(report.entries.map((e) => [e.fingerprint, e.since]));
    const { alice, bob, mallory } = g.world.fingerprints;
    expect(since).toEqual({ [alice]: g.c['I'], [bob]: g.c['I'], [mallory]: (await g.repo.revParse(`${added}^`)) });
    // mallory's key is not in the keyring branch: listed, but it can sign nothing
    expect(report.entries.find((e) => e.fingerprint === mallory)?.key).toBeNull();
    expect(report.entries.find((e) => e.fingerprint === bob)?.key?.primary).toBe(bob);
  });

  it('exit 2 without --policy', async () => {
    expect((await siggate(['policy', 'show', added, '--repo', g.repo.dir])).code).toBe(2);
  });
});

describe('siggate promote --policy guix', () => {
  it('tags a commit the channel authenticates, refuses one it does not', async () => {
    const ok = await siggate(['promote', g.c['A']!, '--tag', 'prod-guix-1', '--no-sign', '--repo', g.repo.dir, ...guixFlags(), '--json']);
    expect(ok.code).toBe(0);
    expect(await g.repo.revParse('refs/tags/prod-guix-1^{commit}')).toBe(g.c['A']);
    const refused = await siggate(['promote', evil, '--tag', 'prod-guix-2', '--no-sign', '--repo', g.repo.dir, ...guixFlags(), '--json']);
    expect(refused.code).toBe(1);
  });
});
