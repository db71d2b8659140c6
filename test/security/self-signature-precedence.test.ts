// Key expiry and key usage hidden in a self-signature that is not on the primary-flagged user ID: GnuPG
// takes them from the newest self-signature on any user ID (getkey.c, merge_selfsigs_main); a verifier
// that reads only the primary user ID accepts signatures GnuPG refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import { armorKey, FLAGS, forgeKey, forgeSignature, packets, SIG_TYPE, sub, type ForgedKey, type Subpacket } from '../../fixtures/lib/packet-forge.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { forgedCommit, gnupgSaysAt, siggateSays, type ForgedCommit } from '../helpers/forged-keys.js';
import { useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const CREATED = utc('2020-01-01');
const SIGNED = utc('2020-06-01');
const DAY = 24 * 3600;

let repo: Repo;

/**
 * A key with user ID A (primary-flagged, sign-capable, no expiry, self-signed at `aAt`) and user ID B
 * self-signed at `bAt` with `bHashed`.
 */
function keyWithSecondUserId(key: ForgedKey, bAt: Date, bHashed: Subpacket[], aAt = CREATED): string {
  const selfSign = (userId: string, at: Date, hashed: Subpacket[]): Buffer =>
    forgeSignature({ type: SIG_TYPE.positiveCert, signer: key, at, over: { key, userId }, hashed });
  return armorKey(
    packets.publicKey(key),
    packets.userId('Alice <alice@siggate.test>'),
    selfSign('Alice <alice@siggate.test>', aAt, [sub.keyFlags(FLAGS.certify | FLAGS.sign), sub.primaryUserId()]),
    packets.userId('Alice (work) <alice@work.siggate.test>'),
    selfSign('Alice (work) <alice@work.siggate.test>', bAt, bHashed),
  );
}

beforeAll(async () => {
  repo = await Repo.init();
  await repo.commit({ message: 'base\n' });
});

describe('the newest self-signature decides, on whichever user ID it is', () => {
  let key: ForgedKey;
  let commit: ForgedCommit;
  beforeAll(async () => {
    key = forgeKey(CREATED);
    commit = await forgedCommit(repo, key, SIGNED);
  });

  const agree = async (armored: string, expected: string, gnupg: string): Promise<void> => {
    expect(await siggateSays(repo, [armored], commit)).toBe(expected);
    expect(await gnupgSaysAt([armored], commit)).toBe(gnupg);
  };

  it('control: a second user ID with the same flags and no expiry changes nothing', async () => {
    await agree(keyWithSecondUserId(key, utc('2020-01-02'), [sub.keyFlags(FLAGS.certify | FLAGS.sign)]), 'valid', 'GOODSIG');
  });

  it('a newer non-primary user ID self-signature whose key expiry passed before the signature: expired-key', async () => {
    await agree(keyWithSecondUserId(key, utc('2020-01-02'), [sub.keyFlags(FLAGS.certify | FLAGS.sign), sub.keyExpires(60 * DAY)]), 'expired-key', 'EXPKEYSIG');
  });

  it('a newer non-primary user ID self-signature that drops the sign flag: bad-signature', async () => {
    // GnuPG finds no usable key for the signature (wrong key usage) and cannot check it: ERRSIG
    await agree(keyWithSecondUserId(key, utc('2020-01-02'), [sub.keyFlags(FLAGS.certify)]), 'bad-signature', 'ERRSIG');
  });

  it('an older user ID self-signature with an expiry still applies when the newer one (on another user ID) sets none', async () => {
    // GnuPG takes the expiry from the newest user ID self-signature that has one
    await agree(keyWithSecondUserId(key, utc('2020-01-02'), [sub.keyExpires(60 * DAY)], utc('2020-01-03')), 'expired-key', 'EXPKEYSIG');
  });

  it('a self-signature made after the commit that shortens the key to before it is heard, as GnuPG hears it', async () => {
    await agree(keyWithSecondUserId(key, utc('2020-07-01'), [sub.keyFlags(FLAGS.certify | FLAGS.sign), sub.keyExpires(60 * DAY)]), 'expired-key', 'EXPKEYSIG');
  });

  it('a self-signature made after the commit that extends an expired key makes the signature valid, as in GnuPG', async () => {
    const lapsed = forgeKey(CREATED);
    const armored = armorKey(
      packets.publicKey(lapsed),
      packets.userId('Lapsed <lapsed@siggate.test>'),
      forgeSignature({ type: SIG_TYPE.positiveCert, signer: lapsed, at: CREATED, over: { key: lapsed, userId: 'Lapsed <lapsed@siggate.test>' }, hashed: [sub.keyExpires(60 * DAY)] }),
      forgeSignature({ type: SIG_TYPE.positiveCert, signer: lapsed, at: utc('2020-09-01'), over: { key: lapsed, userId: 'Lapsed <lapsed@siggate.test>' }, hashed: [sub.keyExpires(3650 * DAY)] }),
    );
    const signed = await forgedCommit(repo, lapsed, SIGNED);
    expect(await siggateSays(repo, [armored], signed)).toBe('valid');
    expect(await gnupgSaysAt([armored], signed)).toBe('GOODSIG');
  });
});

describe('a direct-key signature outranks user ID self-signatures', () => {
  it('a direct-key signature without signing capability: bad-signature, whatever the user IDs say', async () => {
    const key = forgeKey(CREATED);
    const armored = armorKey(
      packets.publicKey(key),
      forgeSignature({ type: SIG_TYPE.directKey, signer: key, at: CREATED, over: { key }, hashed: [sub.keyFlags(FLAGS.certify)] }),
      packets.userId('Direct <direct@siggate.test>'),
      forgeSignature({ type: SIG_TYPE.positiveCert, signer: key, at: utc('2020-02-01'), over: { key, userId: 'Direct <direct@siggate.test>' }, hashed: [sub.keyFlags(FLAGS.certify | FLAGS.sign)] }),
    );
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [armored], commit)).toBe('bad-signature');
    expect(await gnupgSaysAt([armored], commit)).toBe('ERRSIG');
  });
});
