// A stolen key: the owner revokes it as compromised; the thief backdates signatures to before the revocation.
import { beforeAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit, verifyRange } from '../../src/index.js';
import { makeKeysDir, READERS, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

let repo: Repo;
let revokedDir: string;
let unrevokedDir: string;
const oids: Record<string, string> = {};
let subkey = '';

beforeAll(async () => {
  const gpg = await GpgHome.create();
  repo = await Repo.init();
  const key = await gpg.generateKey({ name: 'Stolen', email: 'stolen@siggate.test', algo: 'ed25519', at: utc('2024-01-01') });
  subkey = await gpg.addSubkey(key, 'ed25519', 'sign', { at: utc('2024-01-01') });
  oids['legit'] = await repo.commit({ message: 'legit\n', date: utc('2024-03-01'), sign: { gpg, key: `${key}!` } });
  oids['backdated'] = await repo.commit({ message: 'backdated by the thief\n', date: utc('2024-05-01'), sign: { gpg, key: `${key}!` } });
  oids['backdated-subkey'] = await repo.commit({ message: 'backdated, subkey\n', date: utc('2024-05-01'), sign: { gpg, key: `${subkey}!` } });
  oids['after'] = await repo.commit({ message: 'after revocation\n', date: utc('2024-09-01'), sign: { gpg, key: `${key}!` } });
  unrevokedDir = await makeKeysDir({ 'stolen.asc': await gpg.exportPublic(key) });
  await gpg.revoke(key, { reason: 'compromised', at: utc('2024-06-01') });
  revokedDir = await makeKeysDir({ 'stolen.asc': await gpg.exportPublic(key) });
});

describe.each(READERS)('revoked keys with the %s reader', (reader) => {
  const check = (name: string, keysDir: string) => verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids[name] ?? '', reader });

  it('before the revocation is known, the signatures verify (control)', async () => {
    for (const name of ['legit', 'backdated', 'backdated-subkey', 'after']) expect((await check(name, unrevokedDir)).status).toBe('valid');
  });

  it('a backdated signature by a key revoked as compromised is revoked-key', async () => {
    expect((await check('backdated', revokedDir)).status).toBe('revoked-key');
    expect((await check('legit', revokedDir)).status).toBe('revoked-key');
  });

  it('a backdated signature by a subkey of a compromised primary is revoked-key', async () => {
    const report = await check('backdated-subkey', revokedDir);
    expect(report.status).toBe('revoked-key');
    expect(report.signer?.signingKey).toBe(subkey);
  });

  it('a signature after the revocation is revoked-key', async () => {
    expect((await check('after', revokedDir)).status).toBe('revoked-key');
  });

  it('ignoreExpiry and allowWeak do not let a revoked key through', async () => {
    const report = await verifyRange({
      repo: repo.dir,
      keys: [revokedDir],
      target: oids['after'] ?? '',
      since: oids['legit'] ?? '',
      mode: 'all',
      ignoreExpiry: true,
      allowWeak: true,
      reader,
    });
    expect(report.ok).toBe(false);
    expect(report.commits.every((c) => c.status === 'revoked-key')).toBe(true);
  });
});
