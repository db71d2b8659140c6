// allowed_signers options read the way OpenSSH reads them: namespaces= is a verbatim pattern list (no
// trimming), valid-before still covers its own second, and a window OpenSSH calls a bad line (empty, or
// starting at the epoch) is not quietly read as something else. git runs as the reference throughout.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey } from '../../fixtures/lib/ssh.js';
import type { SshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/index.js';
import { gitSshVerdict } from '../helpers/ssh-reference.js';
import { expectSiggateError, makeKeysDir, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const AT = new Date('2024-06-01T00:00:00Z');
const SECOND_LATER = new Date('2024-06-01T00:00:01Z');

let repo: Repo;
let key: SshKey;
const oids: Record<'at' | 'later', string> = { at: '', later: '' };

/** Writes an allowed_signers file of one `alice <options> <key>` line; returns its keys directory and path. */
async function keysWith(options: string): Promise<{ keysDir: string; allowedSigners: string }> {
  const keysDir = await makeKeysDir({});
  const allowedSigners = join(keysDir, 'allowed_signers');
  await writeFile(allowedSigners, `alice ${options} ${key.publicKey}\n`);
  return { keysDir, allowedSigners };
}

async function judge(options: string, commit: keyof typeof oids): Promise<{ status: string; git: boolean }> {
  const { keysDir, allowedSigners } = await keysWith(options);
  const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids[commit] });
  return { status: report.status, git: (await gitSshVerdict(repo, oids[commit], allowedSigners)).accepted };
}

beforeAll(async () => {
  key = await generateSshKey(await makeTempDir('siggate-ssh-'), 'ed25519');
  repo = await Repo.init();
  oids.at = await repo.commit({ message: 'at\n', date: AT, sign: { ssh: key } });
  oids.later = await repo.commit({ message: 'a second later\n', date: SECOND_LATER, sign: { ssh: key } });
});

describe('namespaces= patterns', () => {
  it('namespaces="file,git" allows git (control)', async () => {
    expect(await judge('namespaces="file,git"', 'at')).toEqual({ status: 'valid', git: true });
  });

  it('namespaces="file, git" does not allow git: the space belongs to the pattern', async () => {
    expect(await judge('namespaces="file, git"', 'at')).toEqual({ status: 'not-allowed', git: false });
  });

  it('a namespace glob that only negates git does not allow it', async () => {
    expect(await judge('namespaces="*,!git"', 'at')).toEqual({ status: 'not-allowed', git: false });
  });
});

describe('valid-before', () => {
  it('a commit made at the very second of valid-before is still covered, as OpenSSH counts it', async () => {
    expect(await judge('valid-before="20240601000000Z"', 'at')).toEqual({ status: 'valid', git: true });
  });

  it('a commit made one second after valid-before is not', async () => {
    expect(await judge('valid-before="20240601000000Z"', 'later')).toEqual({ status: 'expired-key', git: false });
  });
});

describe('windows OpenSSH refuses as bad lines', () => {
  it('a one-second window (valid-after one second before valid-before) covers its commit (control)', async () => {
    expect(await judge('valid-after="20240531235959Z",valid-before="20240601000000Z"', 'at')).toEqual({ status: 'valid', git: true });
  });

  it('an empty window (valid-before equal to valid-after) is a configuration error, not a window around that second', async () => {
    const { keysDir, allowedSigners } = await keysWith('valid-after="20240601000000Z",valid-before="20240601000000Z"');
    expect((await gitSshVerdict(repo, oids.at, allowedSigners)).accepted).toBe(false);
    await expectSiggateError(verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids.at }), { exitCode: 2, code: 'KEY_CONFIG' });
  });

  it('valid-after at the epoch is a configuration error, not "valid since 1970"', async () => {
    const { keysDir, allowedSigners } = await keysWith('valid-after="19700101Z"');
    expect((await gitSshVerdict(repo, oids.at, allowedSigners)).accepted).toBe(false);
    await expectSiggateError(verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids.at }), { exitCode: 2, code: 'KEY_CONFIG' });
  });
});
