// `bin/siggate verify|fetch|promote|policy show --policy sequoia` as subprocesses: exit codes and JSON.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { RangeReport, SequoiaPolicyReport } from '../../src/index.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { sequoiaWorld, type SequoiaWorld } from '../helpers/sequoia-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let s: SequoiaWorld;
let good: string;
let evil: string;

function siggate(args: string[]): Promise<CliResult> {
  return runBin('siggate', args, { env: { ...process.env, NO_COLOR: '1' } });
}

const flags = (): string[] => ['--policy', 'sequoia', '--since', s.c['R']!];

beforeAll(async () => {
  s = await sequoiaWorld();
  good = await s.commit('bob', {}, [s.c['R']!]);
  evil = await s.commit('mallory', {}, [good]);
  await s.repo.setRef('refs/heads/good', good);
  await s.repo.setRef('refs/heads/evil', evil);
});

describe('siggate verify --policy sequoia', () => {
  it('exit 0 and a passed JSON report', async () => {
    const result = await siggate(['verify', good, '--repo', s.repo.dir, ...flags(), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.status).toBe('passed');
    expect(report.commits.map((c) => c.status)).toEqual(['valid']);
  });

  it('exit 1 for a commit the parent policy does not authorize, the verdict in the JSON', async () => {
    const result = await siggate(['verify', evil, '--repo', s.repo.dir, ...flags(), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.commits.find((c) => c.oid === evil)?.status).toBe('unknown-key');
  });

  it('exit 2 without a trust root, with a trust root by name, with --keys, or with --mode first-parent', async () => {
    expect((await siggate(['verify', good, '--repo', s.repo.dir, '--policy', 'sequoia'])).code).toBe(2);
    expect((await siggate(['verify', good, '--repo', s.repo.dir, '--policy', 'sequoia', '--since', 'good'])).code).toBe(2);
    expect((await siggate(['verify', good, '--repo', s.repo.dir, ...flags(), '--keys', s.world.keysDir])).code).toBe(2);
    expect((await siggate(['verify', good, '--repo', s.repo.dir, ...flags(), '--mode', 'first-parent'])).code).toBe(2);
  });
});

describe('siggate fetch and promote --policy sequoia', () => {
  it('fetch checks out what authenticates and refuses what does not', async () => {
    const into = join(await makeTempDir('siggate-sequoia-fetch-'), 'checkout');
    expect((await siggate(['fetch', s.repo.dir, '--into', into, '--ref', 'good', ...flags(), '--json'])).code).toBe(0);
    expect(existsSync(join(into, 'openpgp-policy.toml'))).toBe(true);
    const refused = join(await makeTempDir('siggate-sequoia-fetch-'), 'checkout');
    expect((await siggate(['fetch', s.repo.dir, '--into', refused, '--ref', 'evil', ...flags(), '--json'])).code).toBe(1);
    expect(existsSync(refused)).toBe(false);
  });

  it('promote tags what authenticates and refuses what does not', async () => {
    expect((await siggate(['promote', good, '--tag', 'prod-sq-1', '--no-sign', '--repo', s.repo.dir, ...flags(), '--json'])).code).toBe(0);
    expect(await s.repo.revParse('refs/tags/prod-sq-1^{commit}')).toBe(good);
    expect((await siggate(['promote', evil, '--tag', 'prod-sq-2', '--no-sign', '--repo', s.repo.dir, ...flags(), '--json'])).code).toBe(1);
  });
});

describe('siggate policy show --policy sequoia', () => {
  it('lists the entities, their rights and certificates', async () => {
    const result = await siggate(['policy', 'show', good, '--policy', 'sequoia', '--repo', s.repo.dir, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as SequoiaPolicyReport;
    expect(report.entries.map((e) => [e.name, e.rights.length, e.certificates.map((c) => c.fingerprint)])).toEqual([
      ['Alice <alice@example.org>', 6, [s.world.fingerprints.alice]],
      ['Bob <bob@example.org>', 1, [s.world.fingerprints.bob]],
    ]);
    const none = JSON.parse((await siggate(['policy', 'show', s.c['P0']!, '--policy', 'sequoia', '--repo', s.repo.dir, '--json'])).stdout) as SequoiaPolicyReport;
    expect(none.file).toBeNull();
  });
});
