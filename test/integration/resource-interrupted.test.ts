// `in` after a run that was killed: DEST holds siggate's staging directory, and maybe some of the entries
// the killed run had moved up. The retry removes exactly those and checks out again.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { mirrorPath } from '../../src/resource/git/mirror.js';
import { parseSource } from '../../src/resource/git/source.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let harness: ResourceHarness;
let request: Record<string, unknown>;
let tip: string;
let work: Repo;
let bare: Repo;
let world: Awaited<ReturnType<typeof demoWorld>>;

beforeAll(async () => {
  world = await demoWorld();
  harness = await resourceHarness();
  work = await Repo.init();
  bare = await Repo.init({ bare: true });
  tip = await work.commit({ message: 'signed\n', sign: world.as('alice'), files: { 'app.txt': 'app\n', 'lib/x.txt': 'x\n' } });
  await work.git('push', '--quiet', bare.dir, 'main');
  const keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
  request = { source: { uri: `file://${bare.dir}`, branch: 'main', commit_verification_keys: keys }, version: { ref: tip } };
});

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

async function expectCleanCheckout(dest: string): Promise<void> {
  const env = cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
  const git = async (...args: string[]): Promise<string> => (await run('git', args, { cwd: dest, env })).stdout.toString('utf8').trim();
  expect(await git('rev-parse', 'HEAD')).toBe(tip);
  expect(await git('status', '--porcelain', '--untracked-files=all')).toBe('');
  expect((await readdir(dest)).sort()).toEqual(['.git', 'app.txt', 'lib']);
}

/** DEST as a run killed while moving the checkout up leaves it: `.git` and `app.txt` moved, `lib` still staged. */
async function halfMovedDest(): Promise<string> {
  const complete = await makeTempDir('siggate-dest-');
  expect((await harness.run('in', request, [complete])).code).toBe(0);
  const dest = await makeTempDir('siggate-dest-');
  const stage = join(dest, `.siggate-in-${deadPid()}-AbCdEf`);
  await mkdir(join(stage, 'checkout'), { recursive: true });
  await writeFile(join(stage, 'moving.json'), JSON.stringify(['.git', 'app.txt', 'lib']));
  await rename(join(complete, '.git'), join(dest, '.git'));
  await rename(join(complete, 'app.txt'), join(dest, 'app.txt'));
  await rename(join(complete, 'lib'), join(stage, 'checkout', 'lib'));
  return dest;
}

describe('in after a killed run', () => {
  it('removes the stage and the entries it had moved into DEST, then checks out (it was exit 2: DEST not empty)', async () => {
    const dest = await halfMovedDest();
    const outcome = await harness.run('in', request, [dest]);
    expect(outcome.code, outcome.stderr).toBe(0);
    await expectCleanCheckout(dest);
  });

  it('removes a stage a run killed while fetching left behind', async () => {
    const dest = await makeTempDir('siggate-dest-');
    await mkdir(join(dest, `.siggate-in-${deadPid()}-GhIjKl`, 'checkout', '.git'), { recursive: true });
    const outcome = await harness.run('in', request, [dest]);
    expect(outcome.code, outcome.stderr).toBe(0);
    await expectCleanCheckout(dest);
  });

  it('leaves the stage of a live run alone', async () => {
    const dest = await makeTempDir('siggate-dest-');
    const live = join(dest, `.siggate-in-${process.ppid}-MnOpQr`);
    await mkdir(live);
    expect((await harness.run('in', request, [dest])).code).toBe(2);
    expect(await readdir(dest)).toEqual([live.split('/').at(-1)]);
  });
});

describe('check after a fetch into the mirror was killed', () => {
  it("the killed run's lock, a git ref lock and a temporary pack are cleared (the ref lock was exit 3 on every run)", async () => {
    const check = { source: request['source'], version: { ref: tip } };
    expect((await harness.run('check', check)).code).toBe(0);
    const next = await work.commit({ message: 'next\n', sign: world.as('alice') });
    await work.git('push', '--quiet', bare.dir, 'main');
    const mirror = mirrorPath(harness.cacheDir, parseSource(request['source'] as Record<string, unknown>));
    const old = new Date(Date.now() - 2 * 3_600_000);
    const leftovers = [join(mirror, 'siggate.lock'), join(mirror, 'refs', 'heads', 'main.lock'), join(mirror, 'objects', 'pack', 'tmp_pack_AbCdEf')];
    await writeFile(leftovers[0]!, `${JSON.stringify({ pid: deadPid(), host: hostname(), since: old.toISOString(), nonce: 'x' })}\n`);
    for (const path of leftovers.slice(1)) await writeFile(path, 'partial');
    for (const path of leftovers) await utimes(path, old, old);
    const outcome = await harness.run('check', check);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(JSON.parse(outcome.stdout)).toEqual([{ ref: tip }, { ref: next }]);
    expect(leftovers.filter((path) => existsSync(path))).toEqual([]);
  });
});
