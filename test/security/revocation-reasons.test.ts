// A stolen key revoked with a reason a verifier wrongly treats as "soft", letting backdated signatures
// through. Only superseded (1) and retired (3) are soft; compromised (2), "user ID no longer valid" (32),
// unknown codes and a missing reason are hard and void every signature, on keys and on subkeys alike.
// GnuPG treats every revocation as hard (REVKEYSIG); siggate's soft revocations are a documented leniency.
import { beforeAll, describe, expect, it } from 'vitest';
import { armorKey, FLAGS, forgeKey, forgeSignature, packets, SIG_TYPE, sub, type ForgedKey, type Subpacket } from '../../fixtures/lib/packet-forge.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { forgedCommit, gnupgSaysAt, siggateSays } from '../helpers/forged-keys.js';
import { useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const CREATED = utc('2020-01-01');
const SIGNED = utc('2020-06-01');
const REVOKED_AFTER = utc('2020-07-01');
const REVOKED_BEFORE = utc('2020-05-01');

let repo: Repo;

beforeAll(async () => {
  repo = await Repo.init();
  await repo.commit({ message: 'base\n' });
});

/** A certificate for `key`, revoked at `at` with `reason` (null: no reason subpacket). */
function revokedKey(key: ForgedKey, reason: number | null, at: Date): string {
  const userId = 'Revoked <revoked@siggate.test>';
  const hashed: Subpacket[] = reason === null ? [] : [sub.reason(reason)];
  return armorKey(
    packets.publicKey(key),
    forgeSignature({ type: SIG_TYPE.keyRevocation, signer: key, at, over: { key }, hashed }),
    packets.userId(userId),
    forgeSignature({ type: SIG_TYPE.positiveCert, signer: key, at: CREATED, over: { key, userId }, hashed: [sub.keyFlags(FLAGS.certify | FLAGS.sign)] }),
  );
}

/** A certificate whose signing subkey is revoked at `at` with `reason`. */
function revokedSubkey(primary: ForgedKey, subkey: ForgedKey, reason: number | null, at: Date): string {
  const userId = 'Subkey <subkey@siggate.test>';
  const back = forgeSignature({ type: SIG_TYPE.primaryBinding, signer: subkey, at: CREATED, over: { key: primary, subkey } }).subarray(2);
  return armorKey(
    packets.publicKey(primary),
    packets.userId(userId),
    forgeSignature({ type: SIG_TYPE.positiveCert, signer: primary, at: CREATED, over: { key: primary, userId }, hashed: [sub.keyFlags(FLAGS.certify)] }),
    packets.publicSubkey(subkey),
    forgeSignature({ type: SIG_TYPE.subkeyBinding, signer: primary, at: CREATED, over: { key: primary, subkey }, hashed: [sub.keyFlags(FLAGS.sign), sub.embedded(back)] }),
    forgeSignature({ type: SIG_TYPE.subkeyRevocation, signer: primary, at, over: { key: primary, subkey }, hashed: reason === null ? [] : [sub.reason(reason)] }),
  );
}

const HARD: [string, number | null][] = [
  ['no reason subpacket', null],
  ['reason 0 (no reason specified)', 0],
  ['reason 2 (key compromised)', 2],
  ['reason 32 (user ID no longer valid) on a key revocation', 32],
  ['an unknown reason code (101)', 101],
];

describe('revocation reasons on a primary key, revoked after it signed', () => {
  it.each(HARD)('%s is a hard revocation: a backdated signature is revoked-key', async (_name, reason) => {
    const key = forgeKey(CREATED);
    const armored = revokedKey(key, reason, REVOKED_AFTER);
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [armored], commit)).toBe('revoked-key');
    expect(await gnupgSaysAt([armored], commit)).toBe('REVKEYSIG');
  });

  it.each([
    ['reason 1 (superseded)', 1],
    ['reason 3 (retired)', 3],
  ])('%s is soft: a signature made before it stays valid', async (_name, reason) => {
    const key = forgeKey(CREATED);
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [revokedKey(key, reason, REVOKED_AFTER)], commit)).toBe('valid');
  });

  it.each([
    ['reason 1 (superseded)', 1],
    ['reason 3 (retired)', 3],
  ])('%s is soft: a signature made after it is revoked-key', async (_name, reason) => {
    const key = forgeKey(CREATED);
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [revokedKey(key, reason, REVOKED_BEFORE)], commit)).toBe('revoked-key');
  });
});

describe('revocation reasons on a signing subkey, revoked after it signed', () => {
  it.each(HARD)('%s is a hard revocation of the subkey: revoked-key', async (_name, reason) => {
    const [primary, subkey] = [forgeKey(CREATED), forgeKey(CREATED)];
    const armored = revokedSubkey(primary, subkey, reason, REVOKED_AFTER);
    const commit = await forgedCommit(repo, subkey, SIGNED);
    expect(await siggateSays(repo, [armored], commit)).toBe('revoked-key');
    expect(await gnupgSaysAt([armored], commit)).toBe('REVKEYSIG');
  });

  it('control: the same subkey revoked as superseded after it signed stays valid', async () => {
    const [primary, subkey] = [forgeKey(CREATED), forgeKey(CREATED)];
    const commit = await forgedCommit(repo, subkey, SIGNED);
    expect(await siggateSays(repo, [revokedSubkey(primary, subkey, 1, REVOKED_AFTER)], commit)).toBe('valid');
  });
});
