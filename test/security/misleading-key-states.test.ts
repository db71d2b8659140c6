// Key states that look alarming but do not invalidate a key, and a signature version siggate does not
// verify: the verdict must say what GnuPG says (and name the real reason), not a scarier or vaguer one.
import { beforeAll, describe, expect, it } from 'vitest';
import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { armorKey, armorSignature, FLAGS, forgeKey, forgeSignature, packets, SIG_TYPE, sub, type ForgedKey } from '../../fixtures/lib/packet-forge.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { forgedCommit, gnupgSaysAt, siggateSays } from '../helpers/forged-keys.js';
import { makeKeysDir, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const CREATED = utc('2020-01-01');
const SIGNED = utc('2020-06-01');
const DAY = 24 * 3600;
const USER_ID = 'State <state@siggate.test>';

let repo: Repo;

beforeAll(async () => {
  repo = await Repo.init();
  await repo.commit({ message: 'base\n' });
});

function certification(key: ForgedKey, at: Date, hashed = [sub.keyFlags(FLAGS.certify | FLAGS.sign)]): Buffer {
  return forgeSignature({ type: SIG_TYPE.positiveCert, signer: key, at, over: { key, userId: USER_ID }, hashed });
}

describe('key states GnuPG accepts', () => {
  it('a key whose only user ID is revoked (the key itself is not) is valid', async () => {
    const key = forgeKey(CREATED);
    const armored = armorKey(
      packets.publicKey(key),
      packets.userId(USER_ID),
      certification(key, CREATED),
      forgeSignature({ type: SIG_TYPE.certRevocation, signer: key, at: utc('2020-02-01'), over: { key, userId: USER_ID }, hashed: [sub.reason(32)] }),
    );
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [armored], commit)).toBe('valid');
    expect(await gnupgSaysAt([armored], commit)).toBe('GOODSIG');
  });

  it('a key whose user ID self-signature has itself expired is valid (the key is not revoked or expired)', async () => {
    const key = forgeKey(CREATED);
    const armored = armorKey(packets.publicKey(key), packets.userId(USER_ID), certification(key, CREATED, [sub.keyFlags(FLAGS.certify | FLAGS.sign), sub.signatureExpires(30 * DAY)]));
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [armored], commit)).toBe('valid');
    expect(await gnupgSaysAt([armored], commit)).toBe('GOODSIG');
  });

  it('control: a key with no self-signature at all cannot sign (bad-signature; GnuPG cannot check it)', async () => {
    const key = forgeKey(CREATED);
    const armored = armorKey(packets.publicKey(key), packets.userId(USER_ID));
    const commit = await forgedCommit(repo, key, SIGNED);
    expect(await siggateSays(repo, [armored], commit)).toBe('bad-signature');
    expect(await gnupgSaysAt([armored], commit)).not.toBe('GOODSIG');
  });
});

describe('signature versions', () => {
  it('a v3 signature is unsupported, not malformed', async () => {
    const key = forgeKey(CREATED);
    const armored = armorKey(packets.publicKey(key), packets.userId(USER_ID), certification(key, CREATED));
    const payload = await unsignedPayload(repo, 'v3\n');
    const v3 = forgeSignature({ type: SIG_TYPE.binary, signer: key, at: SIGNED, over: { document: payload }, version: 3 });
    const oid = await repo.writeRawCommit(addSignatureHeader(payload, armorSignature(v3)));
    const report = await verifyCommit({ repo: repo.dir, keys: [await makeKeysDir({ 'state.asc': armored })], rev: oid });
    expect(report.status).toBe('unsupported');
    expect(report.format).toBe('openpgp');
  });
});
