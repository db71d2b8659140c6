// Subkeys that must not be accepted as signers of their primary: no back-signature, or not signing-capable.
import { beforeAll, describe, expect, it } from 'vitest';
import { KEY_FLAGS, rebindSubkey } from '../../fixtures/lib/forge.js';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { makeKeysDir, READERS, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const CREATED = utc('2025-01-01');
const REBOUND = new Date(CREATED.getTime() + 60_000);
const SIGNED = utc('2025-02-01');

let repo: Repo;
const keysDirs: Record<string, string> = {};
const oids: Record<string, string> = {};
const subkeys: Record<string, string> = {};

/** A key with a certify-only primary and one signing subkey of `algo`; a commit signed by that subkey. */
async function subkeyCase(gpg: GpgHome, name: string, algo: 'ed25519' | 'rsa3072'): Promise<{ primary: string; secret: string }> {
  const primary = await gpg.generateKey({ name: `Subkey ${name}`, email: `${name}@siggate.test`, algo: 'ed25519', at: CREATED, usage: 'cert' });
  const subkey = await gpg.addSubkey(primary, algo, 'sign', { at: CREATED });
  subkeys[name] = subkey;
  oids[name] = await repo.commit({ message: `${name}\n`, date: SIGNED, sign: { gpg, key: `${subkey}!` } });
  keysDirs[`${name}-original`] = await makeKeysDir({ [`${name}.asc`]: await gpg.exportPublic(primary) });
  return { primary, secret: await gpg.exportSecret(primary) };
}

beforeAll(async () => {
  const gpg = await GpgHome.create();
  repo = await Repo.init();
  const ed = await subkeyCase(gpg, 'ed', 'ed25519');
  const rsa = await subkeyCase(gpg, 'rsa', 'rsa3072');
  const variants = [
    ['ed-no-backsig', ed.secret, 'ed', KEY_FLAGS.sign, false],
    ['ed-rebound-control', ed.secret, 'ed', KEY_FLAGS.sign, true],
    ['rsa-encrypt-only', rsa.secret, 'rsa', KEY_FLAGS.encrypt, true],
    ['rsa-encrypt-only-no-backsig', rsa.secret, 'rsa', KEY_FLAGS.encrypt, false],
    ['rsa-rebound-control', rsa.secret, 'rsa', KEY_FLAGS.sign, true],
  ] as const;
  for (const [variant, secretKey, name, keyFlags, backSignature] of variants) {
    const armored = await rebindSubkey({ secretKey, subkeyFingerprint: subkeys[name] ?? '', keyFlags, backSignature, date: REBOUND });
    keysDirs[variant] = await makeKeysDir({ [`${name}.asc`]: armored });
  }
});

describe.each(READERS)('subkey bindings with the %s reader', (reader) => {
  const check = (name: string, keysDir: string) =>
    verifyCommit({ repo: repo.dir, keys: [keysDirs[keysDir] ?? ''], rev: oids[name] ?? '', reader });

  it('the keys as gpg exported them verify (control)', async () => {
    const ed = await check('ed', 'ed-original');
    expect(ed.status).toBe('valid');
    expect(ed.signer?.signingKey).toBe(subkeys['ed']);
    expect((await check('rsa', 'rsa-original')).status).toBe('valid');
  });

  it('the rebound keys with back-signature and sign flag verify (control: the forgery tool is sound)', async () => {
    expect((await check('ed', 'ed-rebound-control')).status).toBe('valid');
    expect((await check('rsa', 'rsa-rebound-control')).status).toBe('valid');
  });

  it('a signing subkey bound without the 0x19 back-signature is not a valid signer', async () => {
    const report = await check('ed', 'ed-no-backsig');
    expect(report.status).not.toBe('valid');
    expect(report.status).not.toBe('malformed');
  });

  it('an encryption-only subkey used to sign is not a valid signer', async () => {
    const report = await check('rsa', 'rsa-encrypt-only');
    expect(report.status).not.toBe('valid');
    expect(report.status).not.toBe('malformed');
  });

  it('an encryption-only subkey without back-signature used to sign is not a valid signer', async () => {
    expect((await check('rsa', 'rsa-encrypt-only-no-backsig')).status).not.toBe('valid');
  });
});
