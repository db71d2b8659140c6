// Expiry, revocation and algorithm strength, on a fixed 2020–2021 timeline made with gpg's faked clock.
import { beforeAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import type { GpgAlgo, RevocationReason } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit, verifyRange } from '../../src/index.js';
import type { VerifyOptions } from '../../src/index.js';
import { makeKeysDir, READERS, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const CREATED = utc('2020-01-01');
const BEFORE_REVOCATION = utc('2020-06-01');
const REVOKED_AT = utc('2021-01-01');
const AFTER_REVOCATION = utc('2021-06-01');

let gpg: GpgHome;
let repo: Repo;
let keysDir: string;
const keys: Record<string, string> = {};
const oids: Record<string, string> = {};

async function key(name: string, algo: GpgAlgo, options: { expire?: string; signSubkey?: boolean } = {}): Promise<string> {
  const fingerprint = await gpg.generateKey({ name: `Lifecycle ${name}`, email: `${name}@siggate.test`, algo, at: CREATED, ...options });
  keys[name] = fingerprint;
  return fingerprint;
}

async function signedCommit(name: string, keyName: string, at: Date, extra: { digest?: 'SHA1'; signingKey?: string } = {}): Promise<void> {
  const sign = { gpg, key: extra.signingKey ?? keys[keyName] ?? '', ...(extra.digest ? { digest: extra.digest } : {}) };
  oids[name] = await repo.commit({ message: `${name}\n`, date: at, sign });
}

async function revokeWith(name: string, reason: RevocationReason): Promise<void> {
  await gpg.revoke(keys[name] ?? '', { reason, at: REVOKED_AT });
}

beforeAll(async () => {
  gpg = await GpgHome.create();
  repo = await Repo.init();

  await key('expires-later', 'ed25519', { expire: '1y' });
  await signedCommit('signed-before-expiry', 'expires-later', BEFORE_REVOCATION);

  const expiredEarly = await key('expired-early', 'ed25519');
  await signedCommit('signed-after-expiry', 'expired-early', BEFORE_REVOCATION);
  // A newer self-signature (2020-01-02) sets an expiry (2020-03-01) before the signature above (2020-06-01).
  await gpg.setExpire(expiredEarly, '2020-03-01', { at: utc('2020-01-02') });

  const subExpired = await key('sub-expired', 'ed25519', { signSubkey: true });
  const subkey = (await gpg.keyInfo(subExpired)).find((k) => !k.primary)?.fingerprint ?? '';
  keys['sub-expired-subkey'] = subkey;
  await signedCommit('subkey-signed-after-expiry', 'sub-expired', BEFORE_REVOCATION);
  await gpg.setExpire(subExpired, '2020-03-01', { at: utc('2020-01-02'), subkeys: [subkey] });

  for (const reason of ['compromised', 'none', 'superseded', 'retired'] as const) {
    await key(`revoked-${reason}`, 'ed25519');
    await signedCommit(`${reason}-before`, `revoked-${reason}`, BEFORE_REVOCATION);
    await signedCommit(`${reason}-after`, `revoked-${reason}`, AFTER_REVOCATION);
    await revokeWith(`revoked-${reason}`, reason);
  }

  await key('rsa3072', 'rsa3072');
  await signedCommit('sha1-digest', 'rsa3072', BEFORE_REVOCATION, { digest: 'SHA1' });
  await signedCommit('sha256-digest', 'rsa3072', BEFORE_REVOCATION);
  await key('ed-sha1', 'ed25519');
  await signedCommit('eddsa-sha1-digest', 'ed-sha1', BEFORE_REVOCATION, { digest: 'SHA1' });
  await key('dsa2048', 'dsa2048');
  await signedCommit('dsa', 'dsa2048', BEFORE_REVOCATION);
  await key('rsa1024', 'rsa1024');
  await signedCommit('rsa1024', 'rsa1024', BEFORE_REVOCATION);

  const files: Record<string, string> = {};
  for (const [name, fingerprint] of Object.entries(keys)) {
    if (!name.endsWith('-subkey')) files[`${name}.asc`] = await gpg.exportPublic(fingerprint);
  }
  keysDir = await makeKeysDir(files);
});

describe.each(READERS)('key lifecycle with the %s reader', (reader) => {
  const check = async (name: string, extra: Partial<VerifyOptions> = {}) => {
    const rev = oids[name];
    if (!rev) throw new Error(`fixture commit ${name} missing`);
    return verifyCommit({ repo: repo.dir, keys: [keysDir], rev, reader, ...extra });
  };

  it('accepts a signature made before the key expired', async () => {
    const report = await check('signed-before-expiry');
    expect(report.status).toBe('valid');
    expect(report.signedAt).toBe('2020-06-01T00:00:00Z');
  });

  it('rejects a signature made after the key had expired as expired-key', async () => {
    const report = await check('signed-after-expiry');
    expect(report.status).toBe('expired-key');
    expect(report.signer?.fingerprint).toBe(keys['expired-early']);
  });

  it('accepts a signature by an expired key with ignoreExpiry', async () => {
    expect((await check('signed-after-expiry', { ignoreExpiry: true })).status).toBe('valid');
  });

  it('rejects a signature by a subkey that had expired when it signed', async () => {
    const report = await check('subkey-signed-after-expiry');
    expect(report.status).toBe('expired-key');
    expect(report.signer?.signingKey).toBe(keys['sub-expired-subkey']);
    expect((await check('subkey-signed-after-expiry', { ignoreExpiry: true })).status).toBe('valid');
  });

  it.each(['compromised', 'none'])('a hard revocation (%s) rejects signatures made before it', async (reason) => {
    expect((await check(`${reason}-before`)).status).toBe('revoked-key');
    expect((await check(`${reason}-after`)).status).toBe('revoked-key');
  });

  it.each(['superseded', 'retired'])('a soft revocation (%s) keeps earlier signatures and rejects later ones', async (reason) => {
    expect((await check(`${reason}-before`)).status).toBe('valid');
    expect((await check(`${reason}-after`)).status).toBe('revoked-key');
  });

  it('never ignores a revocation, whatever the flags', async () => {
    const report = await check('compromised-before', { ignoreExpiry: true, allowWeak: true });
    expect(report.status).toBe('revoked-key');
  });

  it('rejects an RSA SHA-1 digest as weak-algorithm, accepts it with allowWeak', async () => {
    expect((await check('sha1-digest')).status).toBe('weak-algorithm');
    expect((await check('sha1-digest', { allowWeak: true })).status).toBe('valid');
    expect((await check('sha256-digest')).status).toBe('valid');
  });

  it('rejects an EdDSA SHA-1 digest as weak-algorithm', async () => {
    expect((await check('eddsa-sha1-digest')).status).toBe('weak-algorithm');
  });

  it('accepts an EdDSA SHA-1 digest with allowWeak (gpg and git accept it)', async () => {
    expect((await check('eddsa-sha1-digest', { allowWeak: true })).status).toBe('valid');
  });

  it('rejects a DSA key as weak-algorithm, accepts it with allowWeak', async () => {
    expect((await check('dsa')).status).toBe('weak-algorithm');
    expect((await check('dsa', { allowWeak: true })).status).toBe('valid');
  });

  it('rejects RSA under 2048 bits as weak-algorithm, accepts it with allowWeak', async () => {
    expect((await check('rsa1024')).status).toBe('weak-algorithm');
    expect((await check('rsa1024', { allowWeak: true })).status).toBe('valid');
  });

  it('a revoked key fails a range even when the other commits are valid', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oids['compromised-after'] ?? '', mode: 'tip', reader });
    expect(report.ok).toBe(false);
    expect(report.commits[0]?.status).toBe('revoked-key');
  });
});
