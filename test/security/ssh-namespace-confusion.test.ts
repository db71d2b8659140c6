// An SSH signature an allowed key made for another purpose (namespace `file`) reused as a commit signature.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey, sshSign, writeAllowedSigners } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { makeKeysDir, READERS, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let repo: Repo;
let keysDir: string;
const oids: Record<string, string> = {};

beforeAll(async () => {
  const key = await generateSshKey(await makeTempDir('siggate-ssh-'), 'ed25519');
  keysDir = await makeKeysDir({});
  await writeAllowedSigners(join(keysDir, 'allowed_signers'), [{ principal: 'dev@siggate.test', key, namespaces: 'git,file' }]);
  repo = await Repo.init();
  await repo.commit({ message: 'base\n', sign: { ssh: key } });
  const payload = await unsignedPayload(repo, 'Signed for file transfer, not for git\n');
  oids['git'] = await repo.writeRawCommit(addSignatureHeader(payload, await sshSign(key, payload, 'git')));
  oids['file'] = await repo.writeRawCommit(addSignatureHeader(payload, await sshSign(key, payload, 'file')));
  oids['gitx'] = await repo.writeRawCommit(addSignatureHeader(payload, await sshSign(key, payload, 'gitx')));
});

describe.each(READERS)('SSH namespace confusion with the %s reader', (reader) => {
  const check = (name: string) => verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids[name] ?? '', reader });

  it('the same payload signed in namespace git is valid (control)', async () => {
    expect((await check('git')).status).toBe('valid');
  });

  it('a signature made in namespace file is not a valid commit signature', async () => {
    expect((await check('file')).status).not.toBe('valid');
  });

  it('a signature made in a namespace that merely starts with git is not valid', async () => {
    expect((await check('gitx')).status).not.toBe('valid');
  });
});
