// Attacks on a Guix channel by someone with push access but no authorized key (`--policy guix`), each
// beside its control case. The channel (test/helpers/guix-world.ts):
//
//   P0 ── I ── A      I: introduction signed by alice, authorizing alice and bob; A: by bob
import { beforeAll, describe, expect, it } from 'vitest';
import { guixWorld, statusesOf, type GuixWorld } from '../helpers/guix-world.js';
import { expectSiggateError, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let g: GuixWorld;
const c: Record<string, string> = {};

beforeAll(async () => {
  g = await guixWorld();
  const { repo, world } = g;
  Object.assign(c, g.c);
  await g.keyring('keyring-with-mallory', ['alice', 'bob', 'mallory']);
  const on = (parent: string) => ({ parents: [parent], update: false });
  c['M'] = await repo.commit({ message: 'by mallory\n', ...on(c['A']!), sign: world.as('mallory') });
  c['SELF'] = await repo.commit({ message: 'mallory authorizes herself\n', ...on(c['A']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob', 'mallory']) }, sign: world.as('mallory') });
  c['SELF2'] = await repo.commit({ message: 'then signs\n', ...on(c['SELF']!), sign: world.as('mallory') });
  c['ADD'] = await repo.commit({ message: 'bob authorizes mallory\n', ...on(c['A']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob', 'mallory']) }, sign: world.as('bob') });
  c['ADD2'] = await repo.commit({ message: 'mallory, now authorized\n', ...on(c['ADD']!), sign: world.as('mallory') });
  c['U'] = await repo.commit({ message: 'unsigned\n', ...on(c['A']!) });
  c['ROOT'] = await repo.commit({ message: 'an unrelated root\n', parents: [], update: false, files: { '.guix-authorizations': g.authorizations(['alice', 'bob']) }, sign: world.as('alice') });
  c['FORK'] = await repo.commit({ message: 'forked before the introduction\n', ...on(c['P0']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob']) }, sign: world.as('alice') });
  c['DROP'] = await repo.commit({ message: 'alice drops bob\n', ...on(c['I']!), files: { '.guix-authorizations': g.authorizations(['alice']) }, sign: world.as('alice') });
  c['MERGE_BOB'] = await repo.commit({ message: 'merge by bob\n', parents: [c['A']!, c['DROP']!], update: false, sign: world.as('bob') });
  c['MERGE_ALICE'] = await repo.commit({ message: 'merge by alice\n', parents: [c['A']!, c['DROP']!], update: false, sign: world.as('alice') });
  c['RM'] = await repo.commit({ message: 'remove the authorizations\n', ...on(c['A']!), remove: ['.guix-authorizations'], sign: world.as('bob') });
  c['RM2'] = await repo.commit({ message: 'after the removal\n', ...on(c['RM']!), sign: world.as('bob') });
  c['BROKEN'] = await repo.commit({ message: 'version 1\n', ...on(c['A']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob']).replace('(version 0)', '(version 1)') }, sign: world.as('bob') });
  c['BROKEN2'] = await repo.commit({ message: 'after version 1\n', ...on(c['BROKEN']!), sign: world.as('bob') });
  // keys moved to the branch .guix-channel names; and an attacker pointing it at their own keyring
  await g.keyring('channel-keys', ['alice', 'bob']);
  c['CHANNEL'] = await repo.commit({ message: 'keyring moved\n', ...on(c['A']!), files: { '.guix-channel': '(channel (version 0) (keyring-reference "channel-keys"))\n' }, sign: world.as('bob') });
  c['REDIRECT'] = await repo.commit({ message: 'my keyring\n', ...on(c['A']!), files: { '.guix-channel': '(channel (version 0) (keyring-reference "keyring-with-mallory"))\n' }, sign: world.as('mallory') });
  c['SHA1'] = await repo.commit({ message: 'bob with SHA-1\n', ...on(c['A']!), sign: { ...world.as('bob'), digest: 'SHA1' } });
});

describe('Guix channel attacks', () => {
  it('control: the channel authenticates from its introduction', async () => {
    const report = await g.verify(c['A']!);
    expect(report.status).toBe('passed');
    expect(report.commits.map((x) => x.oid)).toEqual([c['A']]);
  });

  it('control and attacks read the same with the isomorphic-git reader', async () => {
    expect((await g.verify(c['ADD2']!, { keyringRef: 'keyring-with-mallory', reader: 'isomorphic' })).status).toBe('passed');
    const merge = await g.verify(c['MERGE_BOB']!, { reader: 'isomorphic' });
    expect(statusesOf(merge).get(c['MERGE_BOB']!)).toBe('not-allowed');
    const removed = await g.verify(c['RM2']!, { reader: 'isomorphic' });
    expect(statusesOf(removed).get(c['RM2']!)).toBe('not-allowed');
  });

  it('a commit by a key missing from the keyring branch is unknown-key', async () => {
    const report = await g.verify(c['M']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['M']!)).toBe('unknown-key');
  });

  it("the attacker's key added to the keyring branch authorizes nothing", async () => {
    const report = await g.verify(c['M']!, { keyringRef: 'keyring-with-mallory' });
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['M']!)).toBe('not-allowed');
  });

  it('a commit adding its own signer to .guix-authorizations is refused, and so is the range above it', async () => {
    const report = await g.verify(c['SELF2']!, { keyringRef: 'keyring-with-mallory' });
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['SELF']!)).toBe('not-allowed');
  });

  it('control: once an authorized signer adds a key, that key may sign the next commit', async () => {
    const report = await g.verify(c['ADD2']!, { keyringRef: 'keyring-with-mallory' });
    expect(report.status).toBe('passed');
    expect(report.checked).toBe(3);
  });

  it("control: the keyring branch is the one the target's .guix-channel names", async () => {
    await g.repo.setRef('refs/heads/keyring', (await g.keyring('emptied', ['mallory'])));
    try {
      expect((await g.verify(c['CHANNEL']!)).status).toBe('passed');
    } finally {
      await g.keyring('keyring', ['alice', 'bob']);
    }
  });

  it("a .guix-channel pointing the keyring at the attacker's branch authorizes nothing", async () => {
    const report = await g.verify(c['REDIRECT']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['REDIRECT']!)).toBe('not-allowed');
  });

  it('an unsigned commit is refused', async () => {
    const report = await g.verify(c['U']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['U']!)).toBe('unsigned');
  });

  it('a history that does not descend from the introduction is refused (an unrelated root, a fork from before it)', async () => {
    for (const target of [c['ROOT']!, c['FORK']!]) {
      const report = await g.verify(target);
      expect(report.status).toBe('not-descendant');
      expect(report.ok).toBe(false);
    }
    // even told to accept a rewind, its commits are judged by parents that authorize nobody
    const rewound = await g.verify(c['FORK']!, { allowRewind: true });
    expect(rewound.ok).toBe(false);
    expect(statusesOf(rewound).get(c['FORK']!)).toBe('not-allowed');
    const root = await g.verify(c['ROOT']!, { allowRewind: true });
    expect(statusesOf(root).get(c['ROOT']!)).toBe('not-allowed');
  });

  it('a merge needs a signer authorized by each parent: bob is dropped on one side', async () => {
    const byBob = await g.verify(c['MERGE_BOB']!);
    expect(byBob.ok).toBe(false);
    expect(statusesOf(byBob).get(c['MERGE_BOB']!)).toBe('not-allowed');
    const byAlice = await g.verify(c['MERGE_ALICE']!);
    expect(byAlice.status).toBe('passed');
  });

  it('removing .guix-authorizations is refused, and every commit on top of the removal', async () => {
    const report = await g.verify(c['RM2']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['RM']!)).toBe('not-allowed');
    expect(statusesOf(report).get(c['RM2']!)).toBe('not-allowed');
  });

  it('a .guix-authorizations Guix cannot read authorizes nobody', async () => {
    const report = await g.verify(c['BROKEN2']!);
    expect(statusesOf(report).get(c['BROKEN']!)).toBe('valid');
    expect(statusesOf(report).get(c['BROKEN2']!)).toBe('not-allowed');
  });

  it('an introduction signed by another key than the given signer is refused before anything is checked', async () => {
    const report = await g.verify(c['A']!, { introSigner: g.world.fingerprints.bob });
    expect(report.status).toBe('untrusted-root');
    expect(report.checked).toBe(0);
    const unsigned = await g.verify(c['A']!, { since: c['P0']! });
    expect(unsigned.status).toBe('untrusted-root');
  });

  it('SHA-1 signatures are refused in a channel, even with --allow-weak', async () => {
    const report = await g.verify(c['SHA1']!, { allowWeak: true });
    expect(statusesOf(report).get(c['SHA1']!)).toBe('weak-algorithm');
  });

  it('the verification cache is not reused once the keyring branch changes (a key dropped from it)', async () => {
    const before = await g.verify(c['A']!, { cache: true });
    expect(before.status).toBe('passed');
    expect((await g.verify(c['A']!, { cache: true })).commits[0]?.cached).toBe(true);
    const kept = await g.repo.revParse('refs/heads/keyring');
    await g.keyring('keyring', ['alice']);
    try {
      const after = await g.verify(c['A']!, { cache: true });
      expect(after.ok).toBe(false);
      expect(statusesOf(after).get(c['A']!)).toBe('unknown-key');
    } finally {
      await g.repo.setRef('refs/heads/keyring', kept);
    }
  });

  it('keys given outside the repository are refused with --policy guix (a second allow list)', async () => {
    await expectSiggateError(g.verify(c['A']!, { keys: [g.world.keysDir] }), { exitCode: 2 });
    await expectSiggateError(g.verify(c['A']!, { allow: [g.world.fingerprints.mallory] }), { exitCode: 2 });
  });

  it('the introduction must be a full commit id, not a movable name', async () => {
    await g.repo.setRef('refs/heads/intro', c['I']!);
    await expectSiggateError(g.verify(c['A']!, { since: 'intro' }), { exitCode: 2 });
  });
});
