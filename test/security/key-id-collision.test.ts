// Key IDs collide ("evil32"): allow entries must resolve to full fingerprints, and short IDs are refused.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit, verifyRange } from '../../src/index.js';
import { demoWorld, expectSiggateError, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let aliceCommit: string;
let bobCommit: string;

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  aliceCommit = await repo.commit({ message: 'alice\n', sign: world.as('alice') });
  bobCommit = await repo.commit({ message: 'bob\n', sign: world.as('bob') });
});

describe('allow-list key IDs', () => {
  const longId = () => world.fingerprints.alice.slice(-16);
  const shortId = () => world.fingerprints.alice.slice(-8);

  it('a 16-hex long key ID that resolves to exactly one key is accepted with a warning', async () => {
    const warnings: string[] = [];
    const report = await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: aliceCommit, allow: [longId()], onWarning: (m) => warnings.push(m) });
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(world.fingerprints.alice);
    expect(warnings.length).toBeGreaterThan(0);
    const other = await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: bobCommit, allow: [longId()] });
    expect(other.status).toBe('not-allowed');
  });

  it('a long key ID of a key outside the keys directory is a configuration error', async () => {
    await expectSiggateError(verifyRange({ repo: repo.dir, keys: [world.keysDir], allow: [world.fingerprints.mallory.slice(-16)] }), { exitCode: 2 });
  });

  it('a long key ID that matches no key at all is a configuration error', async () => {
    await expectSiggateError(verifyRange({ repo: repo.dir, keys: [world.keysDir], allow: ['0123456789ABCDEF'] }), { exitCode: 2 });
  });

  it('an 8-hex short key ID is a configuration error even when it matches', async () => {
    await expectSiggateError(verifyRange({ repo: repo.dir, keys: [world.keysDir], allow: [shortId()] }), { exitCode: 2 });
    await expectSiggateError(verifyRange({ repo: repo.dir, keys: [world.keysDir], allow: [`0x${shortId()}`] }), { exitCode: 2 });
  });

  it('a short key ID in an allow file is a configuration error', async () => {
    const dir = await makeTempDir('siggate-allow-');
    const file = join(dir, 'allowed.txt');
    await writeFile(file, `# deployers\n${world.fingerprints.bob}\n${shortId()}\n`);
    await expectSiggateError(verifyRange({ repo: repo.dir, keys: [world.keysDir], allowFile: [file] }), { exitCode: 2 });
  });

  it('an allow file with full fingerprints narrows the allow list (control)', async () => {
    const dir = await makeTempDir('siggate-allow-');
    const file = join(dir, 'allowed.txt');
    await writeFile(file, `# deployers\n${world.fingerprints.bob}\n`);
    expect((await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: bobCommit, allowFile: [file] })).status).toBe('valid');
    expect((await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: aliceCommit, allowFile: [file] })).status).toBe('not-allowed');
  });

  it('an allow entry that is neither a fingerprint nor a key ID is a configuration error', async () => {
    await expectSiggateError(verifyRange({ repo: repo.dir, keys: [world.keysDir], allow: ['alice'] }), { exitCode: 2 });
  });
});
