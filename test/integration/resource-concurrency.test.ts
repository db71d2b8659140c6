// One Concourse worker runs many `check`s of the same resource at once: they share the cache mirror and
// must take turns on it (its lock), never failing with git's "cannot lock ref" (exit 3) for our own race.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import type { CliResult } from '../helpers/bin.js';
import { resourceHarness } from '../helpers/resource.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let keys: string[];

beforeAll(async () => {
  world = await demoWorld();
  keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
});

describe('concurrent checks sharing one cache', () => {
  it('eight bin/check at a time, three rounds, while commits land: every one exits 0 with a verified version', { timeout: 120_000 }, async () => {
    const work = await Repo.init();
    const bare = await Repo.init({ bare: true });
    const commits = [await work.commit({ message: 'first\n', sign: world.as('alice') })];
    for (let i = 0; i < 12; i += 1) commits.push(await work.commit({ message: `commit ${i}\n`, sign: world.as('alice'), files: { [`f${i}.txt`]: `${i}\n` } }));
    await work.git('push', '--quiet', bare.dir, `${commits[0]}:refs/heads/main`);
    const harness = await resourceHarness();
    const request = { source: { uri: `file://${bare.dir}`, branch: 'main', commit_verification_keys: keys }, version: { ref: commits[0] } };
    const results: CliResult[] = [];
    let landed = 0;
    for (let round = 0; round < 3; round += 1) {
      const checks = Array.from({ length: 8 }, () => harness.runBin('check', request));
      // commits land on the branch while the checks fetch
      const pushes = (async () => {
        for (let i = 0; i < 4; i += 1) {
          landed += 1;
          await work.git('push', '--quiet', bare.dir, `${commits[landed]}:refs/heads/main`);
          await new Promise((done) => setTimeout(done, 40));
        }
      })();
      results.push(...(await Promise.all(checks)));
      await pushes;
    }
    const failures = results.filter((r) => r.code !== 0).map((r) => `${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
    expect(failures).toEqual([]);
    for (const result of results) {
      const versions = (JSON.parse(result.stdout) as { ref: string }[]).map((v) => v.ref);
      expect(versions[0]).toBe(commits[0]);
      expect(versions).toEqual(commits.slice(0, versions.length));
    }
  });
});
