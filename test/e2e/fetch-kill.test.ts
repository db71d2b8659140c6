// `siggate fetch` into an existing checkout, SIGKILLed (with its git processes) at many points: HEAD and the
// index are always the old commit's or the new one's, the files too unless the update's journal says it was
// cut short mid-switch, and the next run (not killed) recovers by itself and ends at the new commit, clean.
import { existsSync } from 'node:fs';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { runBin } from '../helpers/bin.js';
import { runAndKill } from '../helpers/kill.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const TRIALS = 10;
let world: DemoWorld;
let bare: Repo;
let tmp: string;
let template: string;
let oldCommit: string;
let newCommit: string;

const gitEnv = cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
const gitIn = async (dir: string, ...args: string[]): Promise<string> => (await run('git', args, { cwd: dir, env: gitEnv })).stdout.toString('utf8').trim();
const fetchArgs = (into: string): string[] => ['fetch', bare.dir, '--into', into, '--ref', 'main', '--keys', world.keysDir];
const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: tmp, NO_COLOR: '1' });

/** Many files, all changed by the new commit and as many added: the switch takes long enough to be hit. */
function files(version: string, count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`src/m${i % 10}/f${i}.txt`, `${version} ${i}\n`.repeat(20)]));
}

beforeAll(async () => {
  world = await demoWorld();
  tmp = await makeTempDir('siggate-kill-tmp-');
  const work = await Repo.init();
  bare = await Repo.init({ bare: true });
  oldCommit = await work.commit({ message: 'old\n', sign: world.as('alice'), files: files('old', 600) });
  await work.git('push', '--quiet', bare.dir, `${oldCommit}:refs/heads/main`);
  template = join(await makeTempDir('siggate-kill-template-'), 'dest');
  const created = await runBin('siggate', fetchArgs(template), { env: env() });
  expect(created.code, created.stderr).toBe(0);
  newCommit = await work.commit({ message: 'new\n', sign: world.as('alice'), files: { ...files('new', 600), ...files('added', 1200) } });
  await work.git('push', '--quiet', bare.dir, `${newCommit}:refs/heads/main`);
}, 120_000);

async function copyOfOld(): Promise<string> {
  const dir = join(await makeTempDir('siggate-kill-'), 'dest');
  await run('cp', ['-a', template, dir]);
  return dir;
}

describe('siggate fetch killed while updating a checkout', () => {
  it('leaves the old or the new HEAD, and the next run recovers and exits 0', { timeout: 300_000 }, async () => {
    const timing = await copyOfOld();
    const started = Date.now();
    expect((await runBin('siggate', fetchArgs(timing), { env: env() })).code).toBe(0);
    const duration = Date.now() - started;
    const seen = { old: 0, journaled: 0, new: 0 };
    for (let trial = 0; trial <= TRIALS; trial += 1) {
      const into = await copyOfOld();
      const journal = join(into, '.git', 'siggate-update.json');
      // the last trial waits for the journal: a kill in the middle of the switch, whatever the timing
      const at = trial < TRIALS ? { afterMs: Math.round(((trial + 0.5) / TRIALS) * 1.5 * duration) } : { afterMs: 60_000, when: () => existsSync(journal) };
      await runAndKill('siggate', fetchArgs(into), at, { env: env() });
      expect(existsSync(join(into, '.git', 'index.lock'))).toBe(false);
      const head = await gitIn(into, 'rev-parse', 'HEAD');
      expect([oldCommit, newCommit]).toContain(head);
      if (existsSync(journal)) seen.journaled += 1;
      else {
        // no journal: index and files are exactly HEAD's
        expect(await gitIn(into, 'status', '--porcelain', '--untracked-files=all')).toBe('');
        seen[head === oldCommit ? 'old' : 'new'] += 1;
      }
      const next = await runBin('siggate', fetchArgs(into), { env: env() });
      expect(next.code, next.stderr).toBe(0);
      expect(await gitIn(into, 'rev-parse', 'HEAD')).toBe(newCommit);
      expect(await gitIn(into, 'status', '--porcelain', '--untracked-files=all')).toBe('');
      expect((await readdir(join(into, '.git'))).filter((name) => name.startsWith('siggate'))).toEqual([]);
      expect((await readdir(join(into, '..'))).filter((name) => name.includes('.siggate-'))).toEqual([]);
    }
    expect(seen.journaled).toBeGreaterThan(0);
  });

  it('a later run removes the temp quarantines of killed runs once they are old', { timeout: 60_000 }, async () => {
    const into = await copyOfOld();
    await runAndKill('siggate', fetchArgs(into), { afterMs: 60_000, when: () => existsSync(join(into, '.git', 'siggate-update.json')) }, { env: env() });
    const leftovers = (await readdir(tmp)).filter((name) => name.startsWith('siggate-quarantine-'));
    expect(leftovers.length).toBeGreaterThan(0);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const name of leftovers) await utimes(join(tmp, name), hourAgo, hourAgo);
    expect((await runBin('siggate', fetchArgs(into), { env: env() })).code).toBe(0);
    expect((await readdir(tmp)).filter((name) => leftovers.includes(name))).toEqual([]);
  });
});
