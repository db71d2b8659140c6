// SSH-signed commits and tags (git gpg.format=ssh) against an allowed_signers file in the keys directory.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey, writeAllowedSigners } from '../../fixtures/lib/ssh.js';
import type { SshKey, SshKeyType } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit, verifyTag } from '../../src/index.js';
import { makeKeysDir, READERS, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

const TYPES: readonly SshKeyType[] = ['ed25519', 'rsa', 'ecdsa-256', 'ecdsa-384'];
const PRINCIPAL = 'dev@siggate.test';

let repo: Repo;
let keysDir: string;
const keys = {} as Record<SshKeyType | 'stranger' | 'windowed' | 'other-namespace', SshKey>;
const oids: Record<string, string> = {};

beforeAll(async () => {
  const dir = await makeTempDir('siggate-ssh-');
  await Promise.all(
    [...TYPES, 'stranger', 'windowed', 'other-namespace'].map(async (name) => {
      const type = TYPES.includes(name as SshKeyType) ? (name as SshKeyType) : 'ed25519';
      keys[name as keyof typeof keys] = await generateSshKey(dir, type, { name: `key-${name}` });
    }),
  );
  keysDir = await makeKeysDir({});
  await writeAllowedSigners(join(keysDir, 'allowed_signers'), [
    ...TYPES.map((type) => ({ principal: PRINCIPAL, key: keys[type] })),
    { principal: 'window@siggate.test', key: keys.windowed, validAfter: utc('2024-01-01'), validBefore: utc('2025-01-01') },
    { principal: 'files@siggate.test', key: keys['other-namespace'], namespaces: 'file' },
  ]);

  repo = await Repo.init();
  for (const type of TYPES) oids[type] = await repo.commit({ message: `ssh ${type}\n`, sign: { ssh: keys[type] } });
  oids['stranger'] = await repo.commit({ message: 'stranger\n', sign: { ssh: keys.stranger } });
  oids['in-window'] = await repo.commit({ message: 'in window\n', date: utc('2024-06-01'), sign: { ssh: keys.windowed } });
  oids['before-window'] = await repo.commit({ message: 'before window\n', date: utc('2023-06-01'), sign: { ssh: keys.windowed } });
  oids['after-window'] = await repo.commit({ message: 'after window\n', date: utc('2025-06-01'), sign: { ssh: keys.windowed } });
  oids['wrong-namespace'] = await repo.commit({ message: 'namespace\n', sign: { ssh: keys['other-namespace'] } });
  oids['tag'] = await repo.tag('ssh-v1', { sign: { ssh: keys.ed25519 }, target: oids['ed25519'] });
});

describe.each(READERS)('SSH signatures with the %s reader', (reader) => {
  const check = (name: string, allow?: string[]) =>
    verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids[name] ?? '', reader, ...(allow ? { allow } : {}) });

  it.each(TYPES)('accepts a git commit signed with an SSH %s key', async (type) => {
    const report = await check(type);
    expect(report).toMatchObject({ status: 'valid', format: 'ssh' });
    expect(report.signer?.fingerprint).toBe(keys[type].fingerprint);
    expect(report.signer?.userId).toBe(PRINCIPAL);
  });

  it('reports an SSH key missing from allowed_signers as unknown-key', async () => {
    const report = await check('stranger');
    expect(report.status).toBe('unknown-key');
    expect(report.format).toBe('ssh');
  });

  it('narrows SSH signers with --allow SHA256:…', async () => {
    expect((await check('rsa', [keys.ed25519.fingerprint])).status).toBe('not-allowed');
    expect((await check('ed25519', [keys.ed25519.fingerprint])).status).toBe('valid');
  });

  it('accepts a commit whose committer time is inside valid-after/valid-before', async () => {
    expect((await check('in-window')).status).toBe('valid');
  });

  it('rejects commits whose committer time is outside valid-after/valid-before', async () => {
    for (const name of ['before-window', 'after-window']) {
      const report = await check(name);
      expect(report.status).not.toBe('valid');
      expect(report.status).not.toBe('malformed');
    }
  });

  it('rejects a signer whose allowed_signers entry does not cover the git namespace', async () => {
    const report = await check('wrong-namespace');
    expect(report.status).not.toBe('valid');
    expect(report.status).not.toBe('malformed');
  });

  it('verifies an SSH-signed annotated tag', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'ssh-v1', reader });
    expect(report).toMatchObject({ ok: true, status: 'valid', format: 'ssh', oid: oids['tag'] });
    expect(report.signer?.fingerprint).toBe(keys.ed25519.fingerprint);
  });
});

describe('SSH keys next to OpenPGP keys', () => {
  it('a keys directory holding only allowed_signers is a valid configuration', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids['ed25519'] ?? '' });
    expect(report.status).toBe('valid');
  });
});
