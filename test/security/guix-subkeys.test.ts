// Which fingerprint `.guix-authorizations` must list when a subkey signs: Guix compares the key that made
// the signature (guix/git-authenticate.scm, `authenticate-commit`), so listing the primary key does not
// authorize its signing subkey — nonguix learnt it (commit 67b8623, issue #193). siggate does the same.
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange } from '../../src/index.js';
import { guixWorld, statusesOf, type GuixWorld } from '../helpers/guix-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let g: GuixWorld;
let primary: string;
let subkey: string;
const c: Record<string, string> = {};

beforeAll(async () => {
  g = await guixWorld();
  primary = await g.gpg.generateKey({ name: 'Carol', email: 'carol@siggate.test', algo: 'ed25519', usage: 'cert' });
  subkey = await g.gpg.addSubkey(primary, 'ed25519', 'sign');
  const carolKey = await g.gpg.exportPublic(primary);
  const keyring = await g.repo.commit({ message: 'keys\n', parents: [], update: false, files: { 'carol.key': carolKey, 'alice.key': await g.gpg.exportPublic(g.world.fingerprints.alice), 'bob.key': await g.gpg.exportPublicBinary(g.world.fingerprints.bob) } });
  await g.repo.setRef('refs/heads/keyring-carol', keyring);
  const on = (parent: string) => ({ parents: [parent], update: false });
  const carol = { gpg: g.gpg, key: `${subkey}!` };
  c['LIST_PRIMARY'] = await g.repo.commit({ message: 'list carol primary\n', ...on(g.c['A']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob', primary]) }, sign: g.world.as('alice') });
  c['BY_CAROL_P'] = await g.repo.commit({ message: 'carol\n', ...on(c['LIST_PRIMARY']!), sign: carol });
  c['LIST_SUBKEY'] = await g.repo.commit({ message: 'list carol subkey\n', ...on(g.c['A']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob', subkey]) }, sign: g.world.as('alice') });
  c['BY_CAROL_S'] = await g.repo.commit({ message: 'carol\n', ...on(c['LIST_SUBKEY']!), sign: carol });
  // a second channel introduced by carol's subkey
  c['INTRO_CAROL'] = await g.repo.commit({ message: 'carol introduces\n', parents: [], update: false, files: { '.guix-authorizations': g.authorizations([subkey]) }, sign: carol });
  c['AFTER'] = await g.repo.commit({ message: 'next\n', ...on(c['INTRO_CAROL']!), sign: carol });
});

describe('Guix: subkey versus primary fingerprint', () => {
  it('listing the primary fingerprint does not authorize a signing subkey', async () => {
    const report = await g.verify(c['BY_CAROL_P']!, { keyringRef: 'keyring-carol' });
    expect(statusesOf(report).get(c['BY_CAROL_P']!)).toBe('not-allowed');
  });

  it('control: listing the subkey fingerprint authorizes it', async () => {
    const report = await g.verify(c['BY_CAROL_S']!, { keyringRef: 'keyring-carol' });
    expect(report.status).toBe('passed');
  });

  it('the introduction signer is the signing subkey, not its primary key', async () => {
    const repo = g.repo as Repo;
    const run = (introSigner: string) =>
      verifyRange({ repo: repo.dir, policy: 'guix', keysFromRepository: true, since: c['INTRO_CAROL']!, introSigner, keyringRef: 'keyring-carol', target: c['AFTER']! });
    expect((await run(primary)).status).toBe('untrusted-root');
    expect((await run(subkey)).status).toBe('passed');
  });
});
