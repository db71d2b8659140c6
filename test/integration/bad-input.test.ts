// Inputs that must end as a configuration error (exit 2) or a failing verdict — never as a pass.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { editHeaders, extractSignature, stripSignature } from '../../fixtures/lib/git-objects.js';
import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit, verifyRange, verifyTag } from '../../src/index.js';
import { unsignedPayload, writeSignedRaw } from '../helpers/craft.js';
import { demoWorld, expectSiggateError, makeKeysDir, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let notARepo: string;
const oids: Record<string, string> = {};

function armored(body: string): string {
  return `-----BEGIN PGP SIGNATURE-----\n\n${body}\n-----END PGP SIGNATURE-----\n`;
}

beforeAll(async () => {
  world = await demoWorld();
  notARepo = await makeTempDir('siggate-not-a-repo-');
  repo = await Repo.init();
  oids['good'] = await repo.commit({ message: 'good\n', sign: world.as('alice') });
  const goodRaw = await repo.readObject(oids['good']);
  const payload = stripSignature(goodRaw);
  const realSignature = extractSignature(goodRaw) ?? '';
  const withSignature = (signature: string) => repo.writeRawCommit(addSignatureHeader(payload, signature));

  const lines = realSignature.trimEnd().split('\n');
  oids['garbage'] = await withSignature(armored('this is !!! not base64 at all'));
  oids['random-packets'] = await withSignature(armored(randomBytes(300).toString('base64').replace(/(.{64})/g, '$1\n')));
  oids['truncated'] = await withSignature(`${lines.slice(0, Math.max(3, lines.length - 3)).join('\n')}\n`);
  oids['no-end-line'] = await withSignature(`${lines.slice(0, -1).join('\n')}\n`);
  oids['not-a-signature'] = await withSignature('hello world\n');
  oids['empty-armor'] = await withSignature(armored(''));
  const huge = randomBytes(768 * 1024).toString('base64').replace(/(.{64})/g, '$1\n');
  oids['one-megabyte'] = await withSignature(armored(huge));

  const alice = { gpg: world.gpg, key: world.fingerprints.alice };
  const base = await unsignedPayload(repo, 'crafted\n');
  oids['nul-in-header'] = await writeSignedRaw(
    repo,
    alice,
    editHeaders(base, (headers) => headers.map((h) => (h.startsWith('author ') ? h.replace('Tester', 'Tes\0ter') : h))),
  );
  oids['missing-tree'] = await writeSignedRaw(repo, alice, editHeaders(base, (headers) => headers.filter((h) => !h.startsWith('tree '))));
  oids['missing-author'] = await writeSignedRaw(repo, alice, editHeaders(base, (headers) => headers.filter((h) => !h.startsWith('author '))));
  oids['missing-committer'] = await writeSignedRaw(repo, alice, editHeaders(base, (headers) => headers.filter((h) => !h.startsWith('committer '))));
  oids['no-headers'] = await writeSignedRaw(repo, alice, Buffer.from('\njust a message\n'));
  oids['duplicate-tree'] = await writeSignedRaw(repo, alice, editHeaders(base, (headers) => [headers[0] ?? '', ...headers]));
  for (const name of ['nul-in-header', 'missing-tree', 'garbage']) await repo.setRef(`refs/heads/bad-${name}`, oids[name] ?? '', { unchecked: true });

  await repo.checkout('diverged', { create: true, startPoint: oids['good'] });
  oids['diverged'] = await repo.commit({ message: 'diverged\n', sign: world.as('alice') });
  await repo.checkout('main');
  oids['main-tip'] = await repo.commit({ message: 'main tip\n', sign: world.as('alice') });
});

describe.each(READERS)('bad input with the %s reader', (reader) => {
  const base = () => ({ repo: repo.dir, keys: [world.keysDir], reader });

  describe('configuration and usage errors (exit 2)', () => {
    it('not a repository', async () => {
      await expectSiggateError(verifyRange({ ...base(), repo: notARepo }), { exitCode: 2, code: 'REPOSITORY' });
    });

    it('a repository path that does not exist', async () => {
      await expectSiggateError(verifyRange({ ...base(), repo: join(notARepo, 'missing') }), { exitCode: 2, code: 'REPOSITORY' });
    });

    it('an unknown target revision', async () => {
      await expectSiggateError(verifyRange({ ...base(), target: 'no-such-branch' }), { exitCode: 2, code: 'REPOSITORY' });
      await expectSiggateError(verifyCommit({ ...base(), rev: '0123456789abcdef0123456789abcdef01234567' }), { exitCode: 2, code: 'REPOSITORY' });
    });

    it('an unknown trust root', async () => {
      await expectSiggateError(verifyRange({ ...base(), since: 'no-such-tag' }), { exitCode: 2, code: 'REPOSITORY' });
    });

    it('an unknown tag', async () => {
      await expectSiggateError(verifyTag({ ...base(), tag: 'no-such-tag' }), { exitCode: 2, code: 'REPOSITORY' });
    });

    it('a target that is not a commit (a tree)', async () => {
      const tree = await repo.git('rev-parse', `${oids['good']}^{tree}`);
      await expectSiggateError(verifyRange({ ...base(), target: tree }), { exitCode: 2 });
    });

    it('a missing keys directory', async () => {
      await expectSiggateError(verifyRange({ ...base(), keys: [join(notARepo, 'no-keys')] }), { exitCode: 2, code: 'KEY_CONFIG' });
    });

    it('an empty keys directory', async () => {
      const empty = await makeKeysDir({});
      await expectSiggateError(verifyRange({ ...base(), keys: [empty] }), { exitCode: 2, code: 'KEY_CONFIG' });
    });

    it('a keys directory with a subdirectory but no key files', async () => {
      const dir = await makeKeysDir({ 'README.md': 'no keys here\n' });
      await mkdir(join(dir, 'nested'));
      await expectSiggateError(verifyRange({ ...base(), keys: [dir] }), { exitCode: 2, code: 'KEY_CONFIG' });
    });

    it('a key file that is not a key names the file', async () => {
      const dir = await makeKeysDir({ 'alice.asc': { copy: join(world.keysDir, 'alice.asc') }, 'not-a-key.asc': 'hello, I am not a key\n' });
      const error = await expectSiggateError(verifyRange({ ...base(), keys: [dir] }), { exitCode: 2, code: 'KEY_CONFIG' });
      expect(error.message).toContain('not-a-key.asc');
    });

    it('a truncated armored key names the file', async () => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(join(world.keysDir, 'bob.asc'), 'utf8');
      const truncated = `${text.split('\n').slice(0, 8).join('\n')}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
      const dir = await makeKeysDir({ 'truncated.asc': truncated });
      const error = await expectSiggateError(verifyRange({ ...base(), keys: [dir] }), { exitCode: 2, code: 'KEY_CONFIG' });
      expect(error.message).toContain('truncated.asc');
    });

    it('a binary key file of random bytes names the file', async () => {
      const dir = await makeKeysDir({ 'random.gpg': randomBytes(512) });
      const error = await expectSiggateError(verifyRange({ ...base(), keys: [dir] }), { exitCode: 2, code: 'KEY_CONFIG' });
      expect(error.message).toContain('random.gpg');
    });

    it('a broken allowed_signers line names the file', async () => {
      const dir = await makeKeysDir({});
      await writeFile(join(dir, 'allowed_signers'), 'dev@siggate.test ssh-ed25519 not-base64!!!\n');
      const error = await expectSiggateError(verifyRange({ ...base(), keys: [dir] }), { exitCode: 2, code: 'KEY_CONFIG' });
      expect(error.message).toContain('allowed_signers');
    });
  });

  describe('broken signature blocks are malformed, never valid', () => {
    it.each(['garbage', 'random-packets', 'truncated', 'no-end-line', 'not-a-signature', 'empty-armor', 'one-megabyte'])(
      'signature block: %s',
      async (name) => {
        const report = await verifyRange({ ...base(), target: oids[name] ?? '' });
        expect(report.ok).toBe(false);
        expect(report.commits[0]?.status).toBe('malformed');
      },
    );

    it('the control commit with the intact signature is valid', async () => {
      expect((await verifyCommit({ ...base(), rev: oids['good'] ?? '' })).status).toBe('valid');
    });
  });

  describe('malformed commit objects are malformed even with a valid signature', () => {
    it.each(['nul-in-header', 'missing-tree', 'missing-author', 'missing-committer', 'no-headers', 'duplicate-tree'])(
      'commit object: %s',
      async (name) => {
        const report = await verifyCommit({ ...base(), rev: oids[name] ?? '' });
        expect(report.status).toBe('malformed');
      },
    );

    it('a malformed commit named by a branch fails the range', async () => {
      for (const name of ['nul-in-header', 'missing-tree', 'garbage']) {
        const report = await verifyRange({ ...base(), target: `bad-${name}` });
        expect(report.ok).toBe(false);
        expect(report.commits[0]?.status).toBe('malformed');
      }
    });
  });

  describe('range-level failures', () => {
    it('a trust root that is not an ancestor of the target is not-descendant', async () => {
      const report = await verifyRange({ ...base(), target: oids['main-tip'] ?? '', since: oids['diverged'] ?? '' });
      expect(report.ok).toBe(false);
      expect(report.status).toBe('not-descendant');
    });
  });
});
