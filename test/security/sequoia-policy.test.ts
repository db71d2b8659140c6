// Attacks on a repository under sequoia-git's `openpgp-policy.toml` (`--policy sequoia`), each beside its
// control case. The repository (test/helpers/sequoia-world.ts):
//
//   P0 ── R        R: the trust root; alice holds every right, bob only sign_commit; mallory is unknown
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMITTER, MAINTAINER, sequoiaWorld, statusesOf, type Entry, type SequoiaWorld } from '../helpers/sequoia-world.js';
import { expectSiggateError, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let s: SequoiaWorld;
const c: Record<string, string> = {};
const POLICY = 'openpgp-policy.toml';

beforeAll(async () => {
  s = await sequoiaWorld();
  Object.assign(c, s.c);
  const { base, policy, commit } = s;
  const withMallory = (rights = COMMITTER): Entry[] => [...base, { name: 'Mallory <mallory@example.org>', rights, keys: ['mallory'] }];
  c['A'] = await commit('bob', {}, [c['R']!]);
  c['M'] = await commit('mallory', {}, [c['A']!]);
  c['U'] = await commit(null, {}, [c['A']!]);
  // mallory listed without sign_commit
  c['NOSIGN'] = await commit('alice', { [POLICY]: policy(withMallory(['sign_tag'])) }, [c['A']!]);
  c['NOSIGN2'] = await commit('mallory', {}, [c['NOSIGN']!]);
  // adding a user: mallory herself, bob (a committer), alice (a maintainer)
  c['SELF'] = await commit('mallory', { [POLICY]: policy(withMallory()) }, [c['A']!]);
  c['BOBADD'] = await commit('bob', { [POLICY]: policy(withMallory()) }, [c['A']!]);
  c['ALICEADD'] = await commit('alice', { [POLICY]: policy(withMallory()) }, [c['A']!]);
  c['ALICEADD2'] = await commit('mallory', {}, [c['ALICEADD']!]);
  // bob grants himself a right in the commit that needs it
  c['GRANT'] = await commit('bob', { [POLICY]: policy([base[0]!, { ...base[1]!, rights: MAINTAINER }]) }, [c['A']!]);
  // retiring: bob retires alice (lacks retire_user); alice retires bob, whose next commit then fails
  c['BOBRETIRE'] = await commit('bob', { [POLICY]: policy([base[1]!]) }, [c['A']!]);
  c['ALICERETIRE'] = await commit('alice', { [POLICY]: policy([base[0]!]) }, [c['A']!]);
  c['ALICERETIRE2'] = await commit('bob', {}, [c['ALICERETIRE']!]);
  // bob drops a right from alice (needs retire_user and that right)
  c['BOBDEMOTE'] = await commit('bob', { [POLICY]: policy([{ ...base[0]!, rights: COMMITTER }, base[1]!]) }, [c['A']!]);
  // version and goodlist need audit
  c['BOBVERSION'] = await commit('bob', { [POLICY]: policy(base, { version: 1 }) }, [c['A']!]);
  c['ALICEVERSION'] = await commit('alice', { [POLICY]: policy(base, { version: 1 }) }, [c['A']!]);
  c['BOBGOOD'] = await commit('bob', { [POLICY]: policy(base, { goodlist: [c['M']!] }) }, [c['A']!]);
  c['ALICEGOOD'] = await commit('alice', { [POLICY]: policy(base, { goodlist: [c['M']!] }) }, [c['A']!]);
  // merges: the any-parent rule
  c['MERGE_ALICE'] = await commit('alice', {}, [c['A']!, c['M']!]);
  c['MERGE_MALLORY'] = await commit('mallory', {}, [c['A']!, c['M']!]);
  c['MERGE_PRE'] = await commit('alice', {}, [c['A']!, c['P0']!]);
  // the policy removed or unreadable
  c['RM'] = await s.repo.commit({ message: 'remove the policy\n', parents: [c['A']!], remove: [POLICY], sign: s.world.as('alice') });
  c['RM2'] = await commit('alice', {}, [c['RM']!]);
  c['BROKEN'] = await commit('alice', { [POLICY]: policy(base) + '\ninline = { a = 1 }\n' }, [c['A']!]);
  c['DUP'] = await commit('alice', { [POLICY]: policy([...base, base[1]!]) }, [c['A']!]);
  // hard revocation of bob, made known after his commit A; then goodlisted by alice (audit)
  const bobCompromised = await s.revoked('bob', 'compromised');
  const revokedBob = [base[0]!, { ...base[1]!, keys: [{ armored: bobCompromised }] }];
  c['HARD'] = await commit('alice', { [POLICY]: policy(revokedBob) }, [c['A']!]);
  c['HARD_GOOD'] = await commit('alice', { [POLICY]: policy(revokedBob, { goodlist: [c['A']!] }) }, [c['HARD']!]);
  c['HARD_GOOD_BOB'] = await commit('bob', {}, [c['HARD_GOOD']!]);
  const bobRetired = await s.revoked('bob', 'retired');
  c['SOFT'] = await commit('alice', { [POLICY]: policy([base[0]!, { ...base[1]!, keys: [{ armored: bobRetired }] }]) }, [c['A']!]);
  // a side branch (not authenticated itself) that revokes bob hard, merged by alice: sq-git scans every visited policy
  c['SIDE_HARD'] = await commit('mallory', { [POLICY]: policy(revokedBob) }, [c['R']!]);
  c['MERGE_SIDE_HARD'] = await commit('alice', { [POLICY]: policy(base) }, [c['A']!, c['SIDE_HARD']!]);
  c['SIDE_PLAIN'] = await commit('mallory', {}, [c['R']!]);
  c['MERGE_SIDE_PLAIN'] = await commit('alice', {}, [c['A']!, c['SIDE_PLAIN']!]);
  // carol's key expired in 2021; she refreshes it in the commit that needs it (old export + new one), or by a plain re-export
  const { gpg } = s.world;
  const carol = await gpg.generateKey({ name: 'Carol', email: 'carol@example.org', algo: 'ed25519', at: new Date('2020-01-01T00:00:00Z'), expire: '1y' });
  const carolOld = await gpg.exportPublic(carol);
  const asCarol = (at: string) => ({ sign: { gpg, key: carol, at: new Date(at) } });
  const withCarol = (armored: string): Entry[] => [...base, { name: 'Carol <carol@example.org>', rights: COMMITTER, keys: [{ armored }] }];
  c['CAROL'] = await commit('alice', { [POLICY]: policy(withCarol(carolOld)) }, [c['A']!]);
  c['CAROL_2020'] = await s.repo.commit({ message: 'carol in 2020\n', parents: [c['CAROL']!], ...asCarol('2020-06-01T00:00:00Z') });
  await gpg.setExpire(carol, '10y', { at: new Date('2022-01-01T00:00:00Z') });
  const carolNew = await gpg.exportPublic(carol);
  // GnuPG signs with the refreshed key; the parent policy still holds the expired copy
  c['CAROL_2022'] = await s.repo.commit({ message: 'carol in 2022\n', parents: [c['CAROL']!], ...asCarol('2022-02-01T00:00:00Z') });
  c['CAROL_REFRESH'] = await s.repo.commit({ message: 'carol refreshes\n', parents: [c['CAROL']!], files: { [POLICY]: policy(withCarol(carolOld + carolNew)) }, ...asCarol('2022-02-01T00:00:00Z') });
  c['CAROL_REEXPORT'] = await s.repo.commit({ message: 'carol re-exports\n', parents: [c['CAROL']!], files: { [POLICY]: policy(withCarol(carolNew)) }, ...asCarol('2022-02-01T00:00:00Z') });
  c['CAROL_BACKDATED'] = await s.repo.commit({ message: 'carol, dated before her refresh\n', parents: [c['CAROL_REFRESH']!], ...asCarol('2020-07-01T00:00:00Z') });
  c['CAROL_AFTER'] = await s.repo.commit({ message: 'carol after her refresh\n', parents: [c['CAROL_REFRESH']!], ...asCarol('2022-03-01T00:00:00Z') });
  c['CAROL_ELSEWHERE'] = await s.repo.commit({ message: 'refreshed elsewhere\n', parents: [c['CAROL']!], files: { 'notes.txt': carolNew }, ...asCarol('2022-02-01T00:00:00Z') });
  // an unrelated root with its own policy
  c['ROOT2'] = await commit('alice', { [POLICY]: policy(base) }, []);
  c['ROOT2_A'] = await commit('bob', {}, [c['ROOT2']!]);
});

describe('signers', () => {
  it('control: a committer listed by the parent policy passes', async () => {
    const report = await s.verify(c['A']!);
    expect(report.status).toBe('passed');
    expect(statusesOf(report).get(c['A']!)).toBe('valid');
  });

  it('a signer the parent policy does not list is refused', async () => {
    const report = await s.verify(c['M']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['M']!)).toBe('unknown-key');
  });

  it('an unsigned commit is refused', async () => {
    const report = await s.verify(c['U']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['U']!)).toBe('unsigned');
  });

  it('a listed certificate without sign_commit cannot sign commits', async () => {
    expect((await s.verify(c['NOSIGN']!)).status).toBe('passed');
    const report = await s.verify(c['NOSIGN2']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['NOSIGN2']!)).toBe('not-allowed');
  });
});

describe('changes to the policy', () => {
  it('a commit adding its own key is judged by the parent policy, which does not know the key', async () => {
    const report = await s.verify(c['SELF']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['SELF']!)).toBe('unknown-key');
  });

  it('a committer cannot add a user (add_user)', async () => {
    const report = await s.verify(c['BOBADD']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['BOBADD']!)).toBe('not-allowed');
  });

  it('control: a maintainer adds a user, who may then sign', async () => {
    expect((await s.verify(c['ALICEADD']!)).status).toBe('passed');
    expect((await s.verify(c['ALICEADD2']!)).status).toBe('passed');
  });

  it('nobody grants themselves a right in the commit that uses it', async () => {
    const report = await s.verify(c['GRANT']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['GRANT']!)).toBe('not-allowed');
  });

  it('a committer cannot retire a user or take a right away (retire_user)', async () => {
    for (const name of ['BOBRETIRE', 'BOBDEMOTE']) {
      const report = await s.verify(c[name]!);
      expect(report.ok, name).toBe(false);
      expect(statusesOf(report).get(c[name]!), name).toBe('not-allowed');
    }
  });

  it('control: a maintainer retires a user, whose later commits are refused', async () => {
    expect((await s.verify(c['ALICERETIRE']!)).status).toBe('passed');
    const report = await s.verify(c['ALICERETIRE2']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['ALICERETIRE2']!)).toBe('unknown-key');
  });

  it('the goodlist needs audit', async () => {
    expect((await s.verify(c['BOBGOOD']!)).ok).toBe(false);
    expect((await s.verify(c['ALICEGOOD']!)).status).toBe('passed');
  });

  it('a version other than 0 is refused, even from an auditor (the specification defines only 0)', async () => {
    for (const name of ['BOBVERSION', 'ALICEVERSION']) expect((await s.verify(c[name]!)).ok, name).toBe(false);
  });
});

describe('merges: any one parent authenticates', () => {
  it('control: a merge by a maintainer of an unauthenticated side branch passes through the first parent', async () => {
    const report = await s.verify(c['MERGE_ALICE']!);
    expect(report.status).toBe('passed');
    expect(statusesOf(report).has(c['M']!)).toBe(false);
  });

  it('a merge signed by an unknown key fails through every parent', async () => {
    const report = await s.verify(c['MERGE_MALLORY']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['MERGE_MALLORY']!)).toBe('unknown-key');
  });

  it('a merge of history without a policy is refused (sq-git stops: the parent has no policy)', async () => {
    expect((await s.verify(c['MERGE_PRE']!)).ok).toBe(false);
  });
});

describe('the policy file', () => {
  it('a commit removing the policy is refused, and so is everything after it', async () => {
    expect((await s.verify(c['RM']!)).ok).toBe(false);
    expect((await s.verify(c['RM2']!)).ok).toBe(false);
  });

  it('a policy outside the TOML subset (an inline table) or with a table defined twice is refused', async () => {
    expect((await s.verify(c['BROKEN']!)).ok).toBe(false);
    expect((await s.verify(c['DUP']!)).ok).toBe(false);
  });
});

describe('revocation and the goodlist', () => {
  it('a hard revocation added later voids the earlier commits of that key', async () => {
    const report = await s.verify(c['HARD']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['A']!)).toBe('revoked-key');
  });

  it('control: once an auditor goodlists the commit, the range passes; the revoked key signs nothing new', async () => {
    expect((await s.verify(c['HARD_GOOD']!)).status).toBe('passed');
    expect((await s.verify(c['HARD_GOOD_BOB']!)).ok).toBe(false);
  });

  it('control: a soft revocation (retired) keeps the earlier commits', async () => {
    expect((await s.verify(c['SOFT']!)).status).toBe('passed');
  });

  it('a hard revocation on a merged side branch voids the key too', async () => {
    const report = await s.verify(c['MERGE_SIDE_HARD']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['A']!)).toBe('revoked-key');
  });

  it('control: the same merge of a side branch that revokes nothing passes through bob', async () => {
    expect((await s.verify(c['MERGE_SIDE_PLAIN']!)).status).toBe('passed');
  });
});

describe('expiry', () => {
  it('a signature made after the key expired (per the parent policy) is refused', async () => {
    const report = await s.verify(c['CAROL_2022']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['CAROL_2022']!)).toBe('expired-key');
  });

  it('control: a signature made while the key was valid passes', async () => {
    expect((await s.verify(c['CAROL_2020']!)).status).toBe('passed');
  });

  it('control: the signer may refresh the certificate in the commit that needs it (packets added)', async () => {
    expect((await s.verify(c['CAROL_REFRESH']!)).status).toBe('passed');
  });

  it('a refresh that drops self-signatures (a plain GnuPG re-export) needs retire_user', async () => {
    const report = await s.verify(c['CAROL_REEXPORT']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['CAROL_REEXPORT']!)).toBe('not-allowed');
  });

  it('a signature dated before a self-signature its certificate carries in the parent policy is refused (siggate cannot tell which self-signature was in force)', async () => {
    const report = await s.verify(c['CAROL_BACKDATED']!);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(c['CAROL_BACKDATED']!)).toBe('not-allowed');
    expect((await s.verify(c['CAROL_AFTER']!)).status).toBe('passed');
  });

  it('a refreshed certificate outside the policy file does not count', async () => {
    expect((await s.verify(c['CAROL_ELSEWHERE']!)).ok).toBe(false);
  });
});

describe('the trust root', () => {
  it('a target that does not descend from the trust root is refused', async () => {
    expect((await s.verify(c['ROOT2_A']!)).status).toBe('not-descendant');
    const report = await s.verify(c['P0']!);
    expect(report.status).toBe('not-descendant');
    // the remedy names the trust root, never --allow-rewind (which --policy sequoia refuses)
    expect(report.remedy).toMatch(/--since/);
  });

  it('control: the same commits from their own root pass', async () => {
    expect((await s.verify(c['ROOT2_A']!, { since: c['ROOT2']! })).status).toBe('passed');
  });

  it('the trust root must be a full commit id', async () => {
    await expectSiggateError(s.verify(c['A']!, { since: 'HEAD' }), { exitCode: 2 });
  });
});
