// The fixture library checked against the reference implementations (git, gpg, ssh-keygen), not against
// siggate: if these fail, the other integration and security tests would be testing the wrong thing.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys, demoKeysDir, TEST_ONLY_COMMENT } from '../../fixtures/lib/demo-keys.js';
import { KEY_FLAGS, rebindSubkey, signWithSpoofedIssuer, verifiesUnder } from '../../fixtures/lib/forge.js';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { addSignatureHeader, extractSignature, splitCommit, stripSignature } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey, writeAllowedSigners } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { demoWorld, useFixtureCleanup, utc } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
});

describe('demo keys', () => {
  it('carry the test-only comment and the fingerprints demo-keys.ts declares', async () => {
    for (const key of Object.values(demoKeys)) {
      expect(await readFile(key.secretKeyPath, 'utf8')).toContain(`Comment: ${TEST_ONLY_COMMENT}`);
      expect(await readFile(key.publicKeyPath, 'utf8')).toContain(`Comment: ${TEST_ONLY_COMMENT}`);
      const info = await world.gpg.keyInfo(key.fingerprint);
      expect(info[0]?.fingerprint).toBe(key.fingerprint);
    }
    expect(dirname(demoKeys.mallory.publicKeyPath)).not.toBe(demoKeysDir());
    expect(dirname(demoKeys.alice.publicKeyPath)).toBe(demoKeysDir());
  });
});

describe('Repo', () => {
  it('writes messages verbatim with fixed identities and dates', async () => {
    const oid = await repo.commit({ message: 'line one\r\n\r\nbody  \r\n', date: utc('2024-05-01') });
    const raw = await repo.readObject(oid);
    expect(splitCommit(raw).message.toString('utf8')).toBe('line one\r\n\r\nbody  \r\n');
    expect(raw.toString('utf8')).toContain('committer Siggate Tester <tester@siggate.test> 1714521600 +0000');
  });

  it('writes latin-1 messages with an encoding header', async () => {
    const oid = await repo.commit({ message: Buffer.from('caf\xe9\n', 'latin1'), encoding: 'ISO-8859-1' });
    const raw = await repo.readObject(oid);
    expect(raw.toString('latin1')).toContain('encoding ISO-8859-1\n');
    expect(raw.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))).toBe(true);
  });

  it('creates SHA-256 repositories', async () => {
    const sha256 = await Repo.init({ objectFormat: 'sha256' });
    expect(await sha256.commit({ message: 'x\n' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('commits in bare repositories', async () => {
    const bare = await Repo.init({ bare: true });
    const first = await bare.commit({ message: 'one\n', files: { 'a.txt': 'a' } });
    const second = await bare.commit({ message: 'two\n', files: { 'b.txt': 'b' } });
    expect(await bare.git('rev-parse', `${second}^`)).toBe(first);
    expect(await bare.git('ls-tree', '--name-only', second)).toBe('a.txt\nb.txt');
  });
});

describe('OpenPGP signing through git', () => {
  it('Ed25519 and RSA-3072 commits are good for git', async () => {
    const a = await repo.commit({ message: 'alice\n', sign: world.as('alice') });
    const b = await repo.commit({ message: 'bob\n', sign: world.as('bob') });
    expect(await repo.gitSignatureStatus(a, { gpg: world.gpg })).toBe('G');
    expect(await repo.gitSignatureStatus(b, { gpg: world.gpg })).toBe('G');
  });

  it('signature header round-trips through strip/extract/add', async () => {
    const oid = await repo.commit({ message: 'round trip\n', sign: world.as('alice') });
    const raw = await repo.readObject(oid);
    const signature = extractSignature(raw);
    expect(signature).toMatch(/^-----BEGIN PGP SIGNATURE-----\n[\s\S]*-----END PGP SIGNATURE-----\n$/);
    const payload = stripSignature(raw);
    expect(addSignatureHeader(payload, signature ?? '')).toEqual(raw);
    expect(await world.gpg.verifyDetached(signature ?? '', payload)).toContainEqual(expect.stringMatching(/^GOODSIG /));
  });

  it('dates signatures with the faked clock and honours --digest-algo SHA1', async () => {
    const oid = await repo.commit({ message: 'sha1\n', sign: { ...world.as('bob'), digest: 'SHA1' }, date: utc('2027-01-01') });
    const raw = await repo.readObject(oid);
    const status = await world.gpg.verifyDetached(extractSignature(raw) ?? '', stripSignature(raw));
    const validsig = status.find((line) => line.startsWith('VALIDSIG '))?.split(' ') ?? [];
    expect(validsig[3]).toBe(String(utc('2027-01-01').getTime() / 1000));
    expect(validsig[8]).toBe('2'); // hash algorithm 2 = SHA-1
  });

  it('an Ed25519 signature over a SHA-1 digest is good for git and gpg', async () => {
    const oid = await repo.commit({ message: 'eddsa sha1\n', sign: { ...world.as('alice'), digest: 'SHA1' } });
    const raw = await repo.readObject(oid);
    const validsig = (await world.gpg.verifyDetached(extractSignature(raw) ?? '', stripSignature(raw))).find((l) => l.startsWith('VALIDSIG '));
    expect(validsig?.split(' ')[8]).toBe('2');
    expect(await repo.gitSignatureStatus(oid, { gpg: world.gpg })).toBe('G');
  });

  it('merges a signed tag into a mergetag header', async () => {
    await repo.checkout('side', { create: true });
    await repo.commit({ message: 'side\n', sign: world.as('alice') });
    await repo.tag('side-v1', { sign: world.as('alice') });
    await repo.checkout('main');
    const merge = await repo.merge('side-v1', { sign: world.as('bob') });
    const raw = (await repo.readObject(merge)).toString('utf8');
    expect(raw).toMatch(/^mergetag object /m);
    expect(await repo.gitSignatureStatus(merge, { gpg: world.gpg })).toBe('G');
    expect(await repo.gitVerifyTag('side-v1', { gpg: world.gpg })).toBe(true);
  });
});

describe('key lifecycle fixtures', () => {
  let gpg: GpgHome;
  beforeAll(async () => {
    gpg = await GpgHome.create();
  });

  it('a key can be made to have expired before a signature it made', async () => {
    const key = await gpg.generateKey({ name: 'Exp', email: 'exp@siggate.test', algo: 'ed25519', at: utc('2020-01-01') });
    const signature = await gpg.signDetached(key, 'data', { at: utc('2020-06-01') });
    expect(await gpg.verifyDetached(signature, 'data', { at: utc('2020-06-01') })).toContainEqual(expect.stringMatching(/^GOODSIG /));
    await gpg.setExpire(key, '2020-03-01', { at: utc('2020-01-02') });
    expect(await gpg.verifyDetached(signature, 'data', { at: utc('2020-06-01') })).toContainEqual(expect.stringMatching(/^EXPKEYSIG /));
  });

  it('a key that expires after signing verifies at signing time', async () => {
    const key = await gpg.generateKey({ name: 'Exp2', email: 'exp2@siggate.test', algo: 'ed25519', at: utc('2020-01-01'), expire: '1y' });
    const signature = await gpg.signDetached(key, 'data', { at: utc('2020-06-01') });
    expect(await gpg.verifyDetached(signature, 'data', { at: utc('2020-06-01') })).toContainEqual(expect.stringMatching(/^GOODSIG /));
    expect(await gpg.verifyDetached(signature, 'data')).toContainEqual(expect.stringMatching(/^EXPKEYSIG /));
  });

  it('revocation certificates carry the reason and the faked date', async () => {
    const key = await gpg.generateKey({ name: 'Rev', email: 'rev@siggate.test', algo: 'ed25519', at: utc('2020-01-01') });
    const signature = await gpg.signDetached(key, 'data', { at: utc('2020-06-01') });
    await gpg.revoke(key, { reason: 'superseded', at: utc('2021-01-01') });
    expect(await gpg.verifyDetached(signature, 'data')).toContainEqual(expect.stringMatching(/^REVKEYSIG /));
    const info = await gpg.keyInfo(key);
    expect(info[0]?.validity).toBe('r');
  });

  it('a signing subkey signs on behalf of its primary', async () => {
    const key = await gpg.generateKey({ name: 'Sub', email: 'sub@siggate.test', algo: 'ed25519', signSubkey: true });
    const sub = (await gpg.keyInfo(key)).find((k) => !k.primary);
    expect(sub?.usage).toBe('s');
    const status = await gpg.verifyDetached(await gpg.signDetached(key, 'data'), 'data');
    const validsig = status.find((line) => line.startsWith('VALIDSIG '))?.split(' ') ?? [];
    expect(validsig[1]).toBe(sub?.fingerprint);
    expect(validsig[10]).toBe(key);
  });
});

describe('forgeries', () => {
  it('a spoofed issuer names alice but verifies only under mallory', async () => {
    const signature = await signWithSpoofedIssuer({
      signerSecretKey: await readFile(demoKeys.mallory.secretKeyPath, 'utf8'),
      claimedPublicKey: await readFile(demoKeys.alice.publicKeyPath, 'utf8'),
      data: 'payload',
    });
    expect(await verifiesUnder(signature, await readFile(demoKeys.mallory.publicKeyPath, 'utf8'), 'payload')).toBe(true);
    expect(await verifiesUnder(signature, await readFile(demoKeys.alice.publicKeyPath, 'utf8'), 'payload')).toBe(false);
    const status = await world.gpg.verifyDetached(signature, 'payload');
    expect(status).toContainEqual(expect.stringMatching(new RegExp(`^BADSIG ${demoKeys.alice.fingerprint.slice(-16)}`)));
  });

  it('a rebound subkey without back-signature is rejected by gpg, with one accepted', async () => {
    const gpg = await GpgHome.create();
    const key = await gpg.generateKey({ name: 'Bind', email: 'bind@siggate.test', algo: 'ed25519', signSubkey: true, at: utc('2025-01-01') });
    const sub = (await gpg.keyInfo(key)).find((k) => !k.primary)?.fingerprint ?? '';
    const signature = await gpg.signDetached(`${sub}!`, 'data');
    const secretKey = await gpg.exportSecret(key);
    for (const backSignature of [false, true]) {
      const forged = await rebindSubkey({ secretKey, subkeyFingerprint: sub, keyFlags: KEY_FLAGS.sign, backSignature, date: utc('2025-01-02') });
      const fresh = await GpgHome.create();
      await fresh.importKey(forged);
      const status = await fresh.verifyDetached(signature, 'data');
      expect(status.some((line) => line.startsWith('GOODSIG '))).toBe(backSignature);
    }
  });
});

describe('SSH signing through git', () => {
  it('ed25519, rsa and ecdsa commits are good for git with the allowed_signers file', async () => {
    const dir = await makeTempDir('siggate-ssh-');
    const keys = await Promise.all((['ed25519', 'rsa', 'ecdsa-256', 'ecdsa-384'] as const).map((type) => generateSshKey(dir, type)));
    const allowed = await writeAllowedSigners(join(dir, 'allowed_signers'), keys.map((key) => ({ principal: 'tester@siggate.test', key })));
    for (const key of keys) {
      const oid = await repo.commit({ message: `ssh ${key.type}\n`, sign: { ssh: key } });
      expect(extractSignature(await repo.readObject(oid))).toMatch(/^-----BEGIN SSH SIGNATURE-----/);
      expect(await repo.gitSignatureStatus(oid, { allowedSigners: allowed })).toBe('G');
      expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });

  it('git judges allowed_signers valid-after/valid-before at the committer time', async () => {
    const dir = await makeTempDir('siggate-ssh-');
    const key = await generateSshKey(dir, 'ed25519');
    const allowed = await writeAllowedSigners(join(dir, 'allowed_signers'), [
      { principal: 'tester@siggate.test', key, validAfter: utc('2024-01-01'), validBefore: utc('2025-01-01') },
    ]);
    const inside = await repo.commit({ message: 'inside\n', date: utc('2024-06-01'), sign: { ssh: key } });
    const before = await repo.commit({ message: 'before\n', date: utc('2023-06-01'), sign: { ssh: key } });
    const after = await repo.commit({ message: 'after\n', date: utc('2025-06-01'), sign: { ssh: key } });
    expect(await repo.gitSignatureStatus(inside, { allowedSigners: allowed })).toBe('G');
    expect(await repo.gitSignatureStatus(before, { allowedSigners: allowed })).not.toBe('G');
    expect(await repo.gitSignatureStatus(after, { allowedSigners: allowed })).not.toBe('G');
  });

  it('git rejects a signer whose allowed_signers entry is for another namespace', async () => {
    const dir = await makeTempDir('siggate-ssh-');
    const key = await generateSshKey(dir, 'ed25519');
    const allowed = await writeAllowedSigners(join(dir, 'allowed_signers'), [{ principal: 'tester@siggate.test', key, namespaces: 'file' }]);
    const oid = await repo.commit({ message: 'namespace\n', sign: { ssh: key } });
    expect(await repo.gitSignatureStatus(oid, { allowedSigners: allowed })).not.toBe('G');
  });
});
