// `siggate deploy` of a repository under sequoia-git's policy (`"policy": { "kind": "sequoia", "trustRoot": … }`):
// every deploy authenticates a path down to the trust root, the last deployed commit must stay an ancestor, and
// the policy's fields are checked before anything is fetched.
//
//   P0 ── R ── GOOD ── EVIL        R: the trust root; GOOD by bob (a committer); EVIL by mallory (not in the policy)
//          └── OTHER               OTHER by bob: authenticated, but not a descendant of GOOD
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { sequoiaWorld, type SequoiaWorld } from '../helpers/sequoia-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let s: SequoiaWorld;
let dir: string;
const c: Record<string, string> = {};
const RECORDER = "require('node:fs').appendFileSync(process.env.RECORD, process.env.SIGGATE_DEPLOY_COMMIT + '\\n')";

beforeAll(async () => {
  s = await sequoiaWorld();
  c['GOOD'] = await s.commit('bob', {}, [s.c['R']!]);
  c['EVIL'] = await s.commit('mallory', {}, [c['GOOD']]);
  c['OTHER'] = await s.commit('bob', {}, [s.c['R']!]);
});

beforeEach(async () => {
  dir = await makeTempDir('siggate-deploy-sequoia-');
});

async function register(policy: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  const shop = { gitUrl: s.repo.dir, branch: 'main', command: [process.execPath, '-e', RECORDER], env: { RECORD: join(dir, 'runs') }, policy, ...extra };
  await writeFile(join(dir, 'deploy.json'), JSON.stringify({ shop }));
}

async function deployAt(oid: string, ...extra: string[]): Promise<CliResult> {
  await s.repo.setRef('refs/heads/main', oid);
  return runBin('siggate', ['deploy', 'shop', '--register', join(dir, 'deploy.json'), '--state', join(dir, 'state'), '--json', ...extra]);
}

async function runs(): Promise<string[]> {
  const file = join(dir, 'runs');
  return existsSync(file) ? (await readFile(file, 'utf8')).split('\n').filter(Boolean) : [];
}

const policy = (): Record<string, unknown> => ({ kind: 'sequoia', trustRoot: s.c['R'] });

describe('deploy under a sequoia-git policy', () => {
  it('deploys an authenticated commit; a commit the parent policy does not authorize is exit 1 and nothing runs', async () => {
    await register(policy());
    expect((await deployAt(c['GOOD']!)).code).toBe(0);
    expect(await runs()).toEqual([c['GOOD']]);
    const refused = await deployAt(c['EVIL']!);
    expect(refused.code).toBe(1);
    expect(await runs()).toEqual([c['GOOD']]);
  });

  it('no silent rollback: a branch moved off the deployed commit is not-descendant, --allow-rewind waives only that', async () => {
    await register(policy());
    expect((await deployAt(c['GOOD']!)).code).toBe(0);
    const rewound = await deployAt(c['OTHER']!);
    expect(rewound.code).toBe(1);
    expect(JSON.parse(rewound.stdout)).toMatchObject({ status: 'not-descendant', deployed: false });
    expect((await deployAt(c['OTHER']!, '--allow-rewind')).code).toBe(0);
    expect(await runs()).toEqual([c['GOOD'], c['OTHER']]);
  });

  it('a bad policy is exit 2 naming the field, nothing fetched or run', async () => {
    for (const bad of [{ kind: 'sequoia' }, { kind: 'sequoia', trustRoot: 'main' }, { ...policy(), intro: s.c['R'] }]) {
      await register(bad);
      const result = await deployAt(c['GOOD']!);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/policy\.(trustRoot|intro)/);
    }
    await register(policy(), { keys: ['./keys'] });
    expect((await deployAt(c['GOOD']!)).code).toBe(2);
    expect(await runs()).toEqual([]);
  });
});
