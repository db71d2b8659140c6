// A key whose owner named a designated revoker (RFC 9580 §5.2.3.23, in a direct-key signature), and that
// revoker revoked it: GnuPG treats the key as revoked. A revocation by any other key is noise.
import { beforeAll, describe, expect, it } from 'vitest';
import { armorKey, FLAGS, forgeKey, forgeSignature, packets, SIG_TYPE, sub, type ForgedKey } from '../../fixtures/lib/packet-forge.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { listKeys } from '../../src/index.js';
import { forgedCommit, gnupgSaysAt, siggateSays, type ForgedCommit } from '../helpers/forged-keys.js';
import { makeKeysDir, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const CREATED = utc('2020-01-01');
const SIGNED = utc('2020-06-01');
const REVOKED = utc('2020-07-01');

let repo: Repo;
let owner: ForgedKey;
let revoker: ForgedKey;
let stranger: ForgedKey;
let commit: ForgedCommit;

/** A plain certificate: key, one user ID, one self-signature that allows signing. */
function plainCertificate(key: ForgedKey, name: string): Buffer[] {
  const userId = `${name} <${name.toLowerCase()}@siggate.test>`;
  return [packets.publicKey(key), packets.userId(userId), forgeSignature({ type: SIG_TYPE.positiveCert, signer: key, at: CREATED, over: { key, userId }, hashed: [sub.keyFlags(FLAGS.certify | FLAGS.sign)] })];
}

/** The owner's certificate naming `revoker` in a direct-key signature (or, `inUserId`, in its user ID self-signature), plus `revocations`. */
function ownerCertificate(options: { revocations?: Buffer[]; inUserId?: boolean } = {}): string {
  const userId = 'Owner <owner@siggate.test>';
  const designation = sub.revocationKey(revoker);
  const direct = options.inUserId ? [] : [forgeSignature({ type: SIG_TYPE.directKey, signer: owner, at: CREATED, over: { key: owner }, hashed: [designation] })];
  const uidHashed = [sub.keyFlags(FLAGS.certify | FLAGS.sign), ...(options.inUserId ? [designation] : [])];
  return armorKey(
    packets.publicKey(owner),
    ...direct,
    ...(options.revocations ?? []),
    packets.userId(userId),
    forgeSignature({ type: SIG_TYPE.positiveCert, signer: owner, at: CREATED, over: { key: owner, userId }, hashed: uidHashed }),
  );
}

/** A key revocation of the owner's key made by `by`. */
function revocationBy(by: ForgedKey): Buffer {
  return forgeSignature({ type: SIG_TYPE.keyRevocation, signer: by, at: REVOKED, over: { key: owner }, hashed: [sub.reason(2, 'key compromised')] });
}

beforeAll(async () => {
  repo = await Repo.init();
  await repo.commit({ message: 'base\n' });
  owner = forgeKey(CREATED);
  revoker = forgeKey(CREATED);
  stranger = forgeKey(CREATED);
  commit = await forgedCommit(repo, owner, SIGNED);
});

describe('designated revokers', () => {
  const revokerKey = (): string => armorKey(...plainCertificate(revoker, 'Revoker'));
  const strangerKey = (): string => armorKey(...plainCertificate(stranger, 'Stranger'));

  it('control: a key with a designated revoker that has not used it verifies', async () => {
    const keys = [ownerCertificate(), revokerKey()];
    expect(await siggateSays(repo, keys, commit)).toBe('valid');
    expect(await gnupgSaysAt(keys, commit)).toBe('GOODSIG');
  });

  it('a key revoked by its designated revoker is revoked-key', async () => {
    const keys = [ownerCertificate({ revocations: [revocationBy(revoker)] }), revokerKey()];
    expect(await siggateSays(repo, keys, commit)).toBe('revoked-key');
    expect(await gnupgSaysAt(keys, commit)).toBe('REVKEYSIG');
  });

  it('the designated revocation also counts when it comes as a separate revocation certificate', async () => {
    const keys = [ownerCertificate(), revokerKey(), armorKey(revocationBy(revoker))];
    expect(await siggateSays(repo, keys, commit)).toBe('revoked-key');
  });

  it('siggate keys shows the key as revoked, by whom and how', async () => {
    const dir = await makeKeysDir({ 'owner.asc': ownerCertificate({ revocations: [revocationBy(revoker)] }), 'revoker.asc': revokerKey() });
    const listed = (await listKeys({ keys: [dir] })).find((k) => k.fingerprint === owner.fingerprint);
    expect(listed?.revoked).toBe(true);
    expect(listed?.revocation).toContain(revoker.fingerprint);
  });

  it('a revocation by a key that was not designated is ignored', async () => {
    const keys = [ownerCertificate({ revocations: [revocationBy(stranger)] }), revokerKey(), strangerKey()];
    expect(await siggateSays(repo, keys, commit)).toBe('valid');
    expect(await gnupgSaysAt(keys, commit)).toBe('GOODSIG');
  });

  it('a designation placed in a user ID self-signature is ignored (only direct-key signatures designate)', async () => {
    const keys = [ownerCertificate({ inUserId: true, revocations: [revocationBy(revoker)] }), revokerKey()];
    expect(await siggateSays(repo, keys, commit)).toBe('valid');
    expect(await gnupgSaysAt(keys, commit)).toBe('GOODSIG');
  });

  it("a designated revocation whose revoker's key is absent cannot be checked, and is ignored as GnuPG ignores it", async () => {
    const keys = [ownerCertificate({ revocations: [revocationBy(revoker)] })];
    expect(await siggateSays(repo, keys, commit)).toBe('valid');
    expect(await gnupgSaysAt(keys, commit)).toBe('GOODSIG');
  });

  it('a revocation signature that claims the designated revoker but was made by another key is ignored', async () => {
    const forged = forgeSignature({ type: SIG_TYPE.keyRevocation, signer: stranger, at: REVOKED, over: { key: owner }, hashed: [sub.reason(2)] });
    // claim the revoker as issuer: rewrite the issuer fingerprint bytes inside the hashed area
    const claimed = Buffer.from(forged.toString('latin1').replace(Buffer.from(stranger.fingerprint, 'hex').toString('latin1'), Buffer.from(revoker.fingerprint, 'hex').toString('latin1')), 'latin1');
    const keys = [ownerCertificate({ revocations: [claimed] }), revokerKey(), strangerKey()];
    expect(await siggateSays(repo, keys, commit)).toBe('valid');
  });
});
