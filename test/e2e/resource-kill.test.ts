// bin/in SIGKILLed (with its git processes) at many points, as a timed-out or aborted Concourse step is:
// a retry into the same DEST must exit 0 with the verified checkout and nothing of siggate's left in DEST.
import { existsSync, readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { runAndKill } from '../helpers/kill.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const TRIALS = 10;
let harness: ResourceHarness;
let request: string;
let tip: string;

beforeAll(async () => {
  const world = await demoWorld();
  harness = await resourceHarness();
  const work = await Repo.init();
  const bare = await Repo.init({ bare: true });
  // many top-level entries: the final move up into DEST takes long enough to be hit
  const files = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`f${i}.txt`, `${i}\n`]));
  await work.commit({ message: 'first\n', sign: world.as('alice') });
  tip = await work.commit({ message: 'release\n', sign: world.as('alice'), files });
  await work.git('push', '--quiet', bare.dir, 'main');
  const keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
  request = JSON.stringify({ source: { uri: `file://${bare.dir}`, branch: 'main', commit_verification_keys: keys }, version: { ref: tip } });
}, 60_000);

const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: harness.cacheDir, NO_COLOR: '1' });

/** Whether a run is moving its checkout up into DEST: a few entries moved (polled synchronously, every millisecond). */
function halfMoved(dest: string): boolean {
  try {
    const names = readdirSync(dest);
    return names.length > 2 && names.some((name) => name.startsWith('.siggate-in-') && existsSync(join(dest, name, 'moving.json')));
  } catch {
    return false;
  }
}

describe('bin/in killed, then retried into the same DEST', () => {
  it('the retry exits 0 with the verified checkout, whatever the moment of the kill', { timeout: 300_000 }, async () => {
    const timing = await makeTempDir('siggate-dest-');
    const started = Date.now();
    expect((await harness.runBin('in', request, [timing])).code).toBe(0);
    const duration = Date.now() - started;
    for (let trial = 0; trial <= TRIALS; trial += 1) {
      const dest = await makeTempDir('siggate-dest-');
      // the last trial waits for the move up into DEST to be under way
      const at = trial < TRIALS ? { afterMs: Math.round(((trial + 0.5) / TRIALS) * 1.5 * duration) } : { afterMs: 60_000, when: () => halfMoved(dest) };
      await runAndKill('in', [dest], at, { env: env(), stdin: request });
      const retry = await harness.runBin('in', request, [dest]);
      expect(retry.code, retry.stderr).toBe(0);
      expect(JSON.parse(retry.stdout).version).toEqual({ ref: tip });
      const gitEnv = cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
      expect((await run('git', ['rev-parse', 'HEAD'], { cwd: dest, env: gitEnv })).stdout.toString().trim()).toBe(tip);
      expect((await run('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dest, env: gitEnv })).stdout.toString()).toBe('');
      expect((await readdir(dest)).filter((name) => name.startsWith('.siggate'))).toEqual([]);
    }
  });
});
