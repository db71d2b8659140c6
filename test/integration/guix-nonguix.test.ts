// Real-world check: the public nonguix channel authenticates from its introduction exactly as `guix pull`
// does (2,177 commits to master, keys of its `keyring` branch, signatures long after their keys expired),
// and what an attacker with push access could add on top is refused. Runs where a copy of the channel is
// present (SIGGATE_NONGUIX, the session mirror, or ../shared/nonguix); skips with a message otherwise.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys, importDemoKeys, projectRoot } from '../../fixtures/lib/demo-keys.js';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyRange, type VerifyRangeOptions } from '../../src/index.js';
import { statusesOf } from '../helpers/guix-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const INTRO = '897c1a470da759236cc11798f4e0a5f7d4d59fbc';
const SIGNER = '2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5';
const MASTER_COMMITS = 2177;

const candidates = [process.env['SIGGATE_NONGUIX'], '/work/.mirror/nonguix+nonguix/repo', resolve(projectRoot(), '..', 'shared', 'nonguix')];
const source = candidates.find((path): path is string => typeof path === 'string' && existsSync(path));
if (!source) console.warn(`guix-nonguix: SKIPPED — no copy of the nonguix channel (looked in ${candidates.filter(Boolean).join(', ')}; set SIGGATE_NONGUIX to a clone)`);

describe.skipIf(!source)('nonguix, a real Guix channel', () => {
  let repo: string;
  let master: string;
  let gpg: GpgHome;
  const git = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => (await run('git', ['-C', repo, ...args], { env: { ...process.env, ...env } })).stdout.toString('utf8').trim();
  const verify = (target: string, extra: Partial<VerifyRangeOptions> = {}) =>
    verifyRange({ repo, policy: 'guix', keysFromRepository: true, since: INTRO, introSigner: SIGNER, target, ...extra });

  beforeAll(async () => {
    // a bare clone sharing the source's objects: attacker commits and branches go there, never into the source
    repo = join(await makeTempDir('siggate-nonguix-'), 'repo.git');
    await run('git', ['clone', '-q', '--bare', '--shared', source!, repo]);
    master = await git(['rev-parse', 'refs/heads/master']);
    gpg = await GpgHome.create();
    await importDemoKeys(gpg);
  }, 120_000);

  const commitOn = async (parent: string, tree: string, message: string, signer: string | null): Promise<string> => {
    const env = { GIT_AUTHOR_NAME: 'Mallory', GIT_AUTHOR_EMAIL: 'm@example.test', GIT_COMMITTER_NAME: 'Mallory', GIT_COMMITTER_EMAIL: 'm@example.test' };
    const sign = signer ? ['-c', `gpg.program=${await gpg.gitSignProgram()}`] : [];
    const args = [...sign, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), signer ? `-S${signer}` : '--no-gpg-sign', '-m', message];
    return (await run('git', ['-C', repo, ...args], { env: { ...process.env, ...env } })).stdout.toString('utf8').trim();
  };
  const treeWith = async (base: string, name: string, content: string): Promise<string> => {
    const index = join(repo, 'attack-index');
    const env = { GIT_INDEX_FILE: index };
    await git(['read-tree', base], env);
    const blob = (await run('git', ['-C', repo, 'hash-object', '-w', '--stdin'], { input: content })).stdout.toString('utf8').trim();
    await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${name}`], env);
    return git(['write-tree'], env);
  };

  it(`authenticates master from the introduction: ${MASTER_COMMITS} commits, as guix pull does`, async () => {
    const report = await verify(master);
    expect(report.status).toBe('passed');
    expect(report.checked).toBe(MASTER_COMMITS);
  }, 120_000);

  it('refuses an unsigned commit pushed on master', async () => {
    const evil = await commitOn(master, `${master}^{tree}`, 'unsigned', null);
    const report = await verify(evil);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(evil)).toBe('unsigned');
  }, 120_000);

  it("refuses an attacker who adds their key to the keyring branch and their fingerprint to .guix-authorizations", async () => {
    const mallory = demoKeys.mallory.fingerprint;
    const keyTree = await treeWith('refs/heads/keyring', 'mallory.key', await readFile(demoKeys.mallory.publicKeyPath, 'utf8'));
    await git(['update-ref', 'refs/heads/keyring', await commitOn(await git(['rev-parse', 'refs/heads/keyring']), keyTree, 'add my key', mallory)]);
    const authorizations = (await git(['cat-file', 'blob', `${master}:.guix-authorizations`])).replace('(name "ajgrf"))', `(name "ajgrf"))\n  ("${mallory}" (name "mallory"))`);
    const self = await commitOn(master, await treeWith(master, '.guix-authorizations', authorizations), 'authorize myself', mallory);
    const next = await commitOn(self, `${self}^{tree}`, 'now I may sign', mallory);
    const report = await verify(next);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get(self)).toBe('not-allowed');
    expect(statusesOf(report).get(master)).toBe('valid');
    // the next commit alone is authorized by its parent's file, as Guix judges it; the range fails on the first
    expect(report.failed).toBe(1);
  }, 120_000);

  it('refuses a history that does not descend from the introduction', async () => {
    const root = await commitOn('', `${master}^{tree}`, 'a new root', demoKeys.mallory.fingerprint);
    expect((await verify(root)).status).toBe('not-descendant');
  }, 120_000);

  it('refuses the introduction with another signer', async () => {
    const report = await verify(master, { introSigner: '8141 6036 E81A 5CF7 8F80  1071 ECFC 8398 8B4E 4B9F' });
    expect(report.status).toBe('untrusted-root');
  }, 120_000);
});
