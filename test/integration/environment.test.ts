// siggate run from inside a git hook, where GIT_DIR and friends point at another repository.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange } from '../../src/index.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
const saved = { ...process.env };

beforeAll(async () => {
  world = await demoWorld();
});

afterEach(() => {
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_OBJECT_DIRECTORY']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('inherited git environment', () => {
  it('verifies the repository it was given, not the one GIT_DIR names', async () => {
    const signed = await Repo.init();
    const tip = await signed.commit({ message: 'signed\n', sign: world.as('alice') });
    const other = await Repo.init();
    await other.commit({ message: 'unsigned\n', sign: null });
    process.env.GIT_DIR = `${other.dir}/.git`;
    process.env.GIT_WORK_TREE = other.dir;
    const report = await verifyRange({ repo: signed.dir, keys: [world.keysDir], target: 'HEAD', mode: 'all' });
    expect(report.target).toBe(tip);
    expect(report.ok).toBe(true);
  });
});
