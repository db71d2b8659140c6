// A SHA-256 object-format repository (signature header `gpgsig-sha256`), read through git.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey, writeAllowedSigners } from '../../fixtures/lib/ssh.js';
import type { SshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit, verifyRange, verifyTag } from '../../src/index.js';
import { demoWorld, makeKeysDir, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let keysDir: string;
let sshKey: SshKey;
const oids: Record<string, string> = {};

beforeAll(async () => {
  world = await demoWorld();
  keysDir = await makeKeysDir({ 'alice.asc': { copy: join(world.keysDir, 'alice.asc') }, 'bob.asc': { copy: join(world.keysDir, 'bob.asc') } });
  sshKey = await generateSshKey(await makeTempDir('siggate-ssh-'), 'ed25519');
  await writeAllowedSigners(join(keysDir, 'allowed_signers'), [{ principal: 'dev@siggate.test', key: sshKey }]);
  repo = await Repo.init({ objectFormat: 'sha256' });
  oids['root'] = await repo.commit({ message: 'root\n', sign: world.as('alice') });
  oids['bob'] = await repo.commit({ message: 'bob\n', sign: world.as('bob') });
  oids['ssh'] = await repo.commit({ message: 'ssh\n', sign: { ssh: sshKey } });
  await repo.checkout('side', { create: true });
  oids['side'] = await repo.commit({ message: 'side\n', sign: world.as('alice') });
  await repo.checkout('main');
  oids['merge'] = await repo.merge('side', { sign: world.as('alice') });
  oids['unsigned'] = await repo.commit({ message: 'unsigned\n' });
  oids['tag'] = await repo.tag('v256', { sign: world.as('bob'), target: oids['merge'] });
});

describe('SHA-256 repository (git reader)', () => {
  const check = (name: string) => verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids[name] ?? '', reader: 'git' });

  it('uses 64-hex object ids and the gpgsig-sha256 header', async () => {
    expect(oids['root']).toMatch(/^[0-9a-f]{64}$/);
    expect((await repo.readObject(oids['root'] ?? '')).toString('utf8')).toMatch(/^gpgsig-sha256 -----BEGIN PGP SIGNATURE-----/m);
  });

  it('accepts Ed25519, RSA and SSH signatures', async () => {
    for (const name of ['root', 'bob', 'ssh', 'side', 'merge']) {
      const report = await check(name);
      expect(report.oid).toBe(oids[name]);
      expect(report.status).toBe('valid');
    }
    expect((await check('ssh')).signer?.fingerprint).toBe(sshKey.fingerprint);
  });

  it('reports an unsigned commit as unsigned', async () => {
    expect((await check('unsigned')).status).toBe('unsigned');
  });

  it('verifies a range in all mode from a trust root', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oids['merge'] ?? '', since: oids['root'] ?? '', mode: 'all', reader: 'git' });
    expect(report).toMatchObject({ ok: true, checked: 4, failed: 0, since: oids['root'] });
    const failing = await verifyRange({ repo: repo.dir, keys: [keysDir], target: 'main', since: oids['root'] ?? '', reader: 'git' });
    expect(failing.ok).toBe(false);
  });

  it('verifies a signed tag', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v256', reader: 'git' });
    expect(report).toMatchObject({ ok: true, status: 'valid', target: oids['merge'] });
  });
});
