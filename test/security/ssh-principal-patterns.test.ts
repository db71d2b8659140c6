// allowed_signers principals are OpenSSH pattern lists, and git looks them up in two steps: find-principals
// takes the principals of the FIRST entry for the key whose window contains the committer time, then
// `verify -I p` needs SOME entry for the key whose patterns admit p and whose namespaces allow git.
// A file that reads as "alice may sign" to a human can mean "nobody may" to git; siggate must agree with
// git, which runs here as the reference on the same commit and the same file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey } from '../../fixtures/lib/ssh.js';
import type { SshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/index.js';
import { gitSshVerdict } from '../helpers/ssh-reference.js';
import { makeKeysDir, useFixtureCleanup, utc } from '../helpers/world.js';

useFixtureCleanup();

let repo: Repo;
let key: SshKey;
let oid: string;

/** A case: allowed_signers lines (`K` stands for the signing key) and the principal git verifies, or null. */
interface Case {
  name: string;
  lines: string[];
  principal: string | null;
}

const CASES: readonly Case[] = [
  { name: 'a plain principal verifies (control)', lines: ['alice K'], principal: 'alice' },
  { name: 'a principals field of negations only admits nobody', lines: ['!alice K'], principal: null },
  { name: 'a negation of the listed principal cancels it', lines: ['alice,!alice K'], principal: null },
  { name: 'a wildcard cancelled by its own negation admits nobody', lines: ['*,!* K'], principal: null },
  { name: 'a wildcard with an unrelated negation verifies as the literal principal "*"', lines: ['*,!bob K'], principal: '*' },
  { name: 'a leading negated pattern does not hide the principal after it', lines: ['!x,alice K'], principal: 'alice' },
  {
    name: 'the first entry for the key names the principals: a later entry for someone else does not count',
    lines: ['alice namespaces="file" K', 'bob K'],
    principal: null,
  },
  {
    name: 'a later entry for the same principal does count (control)',
    lines: ['alice namespaces="file" K', 'alice K'],
    principal: 'alice',
  },
  { name: 'a later entry whose pattern admits the principal counts', lines: ['alice namespaces="file" K', 'a* K'], principal: 'alice' },
  { name: 'principals are case-sensitive', lines: ['Alice namespaces="file" K', 'alice K'], principal: null },
  { name: 'a quoted principal keeps its space', lines: ['"bob, alice" namespaces="file" K', 'alice K'], principal: null },
  { name: 'a quoted principal with its space verifies as written', lines: ['"bob, alice" namespaces="file" K', '" alice" K'], principal: ' alice' },
  {
    name: 'an entry whose window excludes the commit is passed over by find-principals',
    lines: ['mallory valid-before="20000101Z" K', 'alice K'],
    principal: 'alice',
  },
  { name: 'a cert-authority entry for the key is not an entry for the key', lines: ['mallory cert-authority K', 'alice K'], principal: 'alice' },
];

beforeAll(async () => {
  key = await generateSshKey(await makeTempDir('siggate-ssh-'), 'ed25519');
  repo = await Repo.init();
  oid = await repo.commit({ message: 'signed\n', date: utc('2024-06-01'), sign: { ssh: key } });
});

describe('SSH allowed_signers principal patterns', () => {
  for (const { name, lines, principal } of CASES) {
    it(name, async () => {
      const keysDir = await makeKeysDir({});
      const allowedSigners = join(keysDir, 'allowed_signers');
      await writeFile(allowedSigners, lines.map((line) => line.replace(/K$/, key.publicKey)).join('\n') + '\n');

      const git = await gitSshVerdict(repo, oid, allowedSigners);
      expect(git).toEqual({ accepted: principal !== null, principal: principal ?? '' });

      const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oid });
      if (principal === null) {
        expect(report.status).toBe('not-allowed');
      } else {
        expect(report.status).toBe('valid');
        expect(report.signer?.userId).toBe(principal);
      }
    });
  }
});
