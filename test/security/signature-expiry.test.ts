// A signature whose signer gave it an expiration time (hashed subpacket 3, critical as gpg writes it),
// replayed after it expired: GnuPG says EXPSIG and git verify-commit fails. The signer set the expiry on
// purpose, so --ignore-expiry (meant for stale copies of keys) does not cover it.
import { beforeAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit, verifyRange, verifyTag } from '../../src/index.js';
import { makeKeysDir, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const SIGNED = utc('2024-01-01');
const EXPIRING = ['--default-sig-expire', '1d'];
const LASTING = ['--default-sig-expire', '3650d'];

let gpg: GpgHome;
let repo: Repo;
let keysDir: string;
let key: string;
const oids: Record<string, string> = {};

beforeAll(async () => {
  gpg = await GpgHome.create();
  key = await gpg.generateKey({ name: 'Expiring', email: 'expiring@siggate.test', algo: 'ed25519', at: utc('2023-01-01') });
  keysDir = await makeKeysDir({ 'expiring.asc': await gpg.exportPublic(key) });
  repo = await Repo.init();
  oids['root'] = await repo.commit({ message: 'root\n', date: SIGNED, sign: { gpg, key } });
  oids['lasting'] = await repo.commit({ message: 'lasting\n', date: SIGNED, sign: { gpg, key, extraArgs: LASTING } });
  oids['expired'] = await repo.commit({ message: 'expired a day after signing\n', date: SIGNED, sign: { gpg, key, extraArgs: EXPIRING } });
  await repo.tag('v-lasting', { sign: { gpg, key, extraArgs: LASTING }, target: oids['root'], date: SIGNED });
  await repo.tag('v-expired', { sign: { gpg, key, extraArgs: EXPIRING }, target: oids['root'], date: SIGNED });
});

describe('signature expiration time', () => {
  it('control: a commit signature that expires in ten years is valid, and git agrees', async () => {
    expect((await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids['lasting']! })).status).toBe('valid');
    expect(await repo.gitSignatureStatus(oids['lasting']!, { gpg })).toBe('G');
  });

  it('an expired commit signature is expired-signature, and git says X', async () => {
    expect((await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids['expired']! })).status).toBe('expired-signature');
    expect(await repo.gitSignatureStatus(oids['expired']!, { gpg })).toBe('X');
  });

  it('--ignore-expiry does not cover an expired signature', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids['expired']!, ignoreExpiry: true });
    expect(report.status).toBe('expired-signature');
  });

  it('it was valid while it lasted: with the clock on the signing day it verifies', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids['expired']!, now: utc('2024-01-01') });
    expect(report.status).toBe('valid');
  });

  it('an expired tag signature is expired-signature, and git verify-tag refuses it', async () => {
    expect((await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v-lasting' })).status).toBe('valid');
    expect((await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v-expired' })).status).toBe('expired-signature');
    expect(await repo.gitVerifyTag('v-expired', { gpg })).toBe(false);
  });

  it('a signed tag whose signature expired is not a trust root', async () => {
    const trusted = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oids['lasting']!, since: 'v-lasting' });
    expect(trusted.status).toBe('passed');
    const report = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oids['lasting']!, since: 'v-expired' });
    expect(report.ok).toBe(false);
    expect(report.status).toBe('untrusted-root');
  });

  it('a range that requires the expired commit fails', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oids['expired']!, since: oids['root']!, mode: 'all' });
    expect(report.ok).toBe(false);
    expect(report.commits.map((c) => c.status).sort()).toEqual(['expired-signature', 'valid']);
  });
});
