// Signatures dated in the future (a faked clock) must not pass before their time; 5 minutes of skew are tolerated.
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { demoWorld, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const MINUTE = 60_000;
let world: DemoWorld;
let repo: Repo;
let signedAt: Date;
let future: string;

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  signedAt = new Date(Math.floor((Date.now() + 24 * 60 * MINUTE) / 1000) * 1000);
  future = await repo.commit({ message: 'from tomorrow\n', date: signedAt, sign: world.as('alice', signedAt) });
});

describe.each(READERS)('future signatures with the %s reader', (reader) => {
  const check = (now?: Date) =>
    verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: future, reader, ...(now ? { now } : {}) });

  it('a signature dated a day ahead of the verifier clock is not valid', async () => {
    const report = await check();
    expect(report.status).not.toBe('valid');
    expect(report.status).not.toBe('malformed');
  });

  it('a signature dated 6 minutes ahead of the verifier clock is not valid', async () => {
    expect((await check(new Date(signedAt.getTime() - 6 * MINUTE))).status).not.toBe('valid');
  });

  it('a signature dated 2 minutes ahead is within the tolerated skew', async () => {
    expect((await check(new Date(signedAt.getTime() - 2 * MINUTE))).status).toBe('valid');
  });

  it('the same signature is valid once its time has come (control)', async () => {
    const report = await check(new Date(signedAt.getTime() + MINUTE));
    expect(report.status).toBe('valid');
    expect(report.signedAt).toBe(signedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });
});
