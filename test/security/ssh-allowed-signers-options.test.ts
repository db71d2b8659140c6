// allowed_signers options read the way OpenSSH reads them: namespaces= is a verbatim pattern list (no
// trimming). git runs as the reference throughout.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey } from '../../fixtures/lib/ssh.js';
import type { SshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/index.js';
import { gitSshVerdict } from '../helpers/ssh-reference.js';
import { makeKeysDir, useFixtureCleanup } from '../helpers/world.js';

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
