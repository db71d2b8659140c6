// A world for merge-sign: a real bare remote with `main` and a pull request's head, the reviewer's own
// clone configured to sign with the demo key alice through gpg, and the fake GitHub answering for `acme/deploy`.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Repo } from '../../fixtures/lib/repo.js';
import { run } from '../../fixtures/lib/run.js';
import { makeTempDir, registerCleanup } from '../../fixtures/lib/temp.js';
import type { MergeSignOptions } from '../../src/commands/merge-sign.js';
import { startFakeGitHub, type FakeGitHub, type FakePull } from './github-server.js';
import type { DemoWorld } from './world.js';

export const SLUG = 'acme/deploy';
export const PR = 7;

export interface MergeWorld {
  remote: Repo;
  /** The reviewer's clone: origin is the bare remote; signs as alice through git's configuration. */
  clone: Repo;
  /** Another clone, for pushing "someone else's" commits to the remote. */
  other: Repo;
  github: FakeGitHub;
  base: string;
  head: string;
  pull: FakePull;
  /** In-process options for `mergeSign` (fast retries and polls). */
  options(extra?: Partial<MergeSignOptions>): MergeSignOptions;
  /** The environment the CLI runs with: the token, and no global git configuration. */
  env: NodeJS.ProcessEnv;
}

/** The environment every git in these tests runs with: the user's global configuration is ignored. */
export const ISOLATED_GIT = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } as const;

/** Builds the world: `main` with one commit, `feature` one commit ahead (or a fork's head under refs/pull/7/head). */
export async function mergeWorld(demo: DemoWorld, options: { fork?: boolean; conflict?: boolean } = {}): Promise<MergeWorld> {
  const seed = await Repo.init();
  const base = await seed.commit({ message: 'initial', files: { 'deploy.yml': 'replicas: 1\n' }, sign: demo.as('alice') });
  await seed.checkout('feature', { create: true });
  const head = await seed.commit({ message: 'scale up', files: { 'deploy.yml': 'replicas: 3\n' } });
  await seed.checkout('main');
  const remote = await Repo.init({ bare: true });
  const headRef = options.fork ? `refs/pull/${PR}/head` : 'refs/heads/feature';
  await seed.git('push', '-q', remote.dir, 'main:refs/heads/main', `feature:${headRef}`);

  const clone = await signingCloneOf(remote, demo);
  const other = await signingCloneOf(remote, demo);
  if (options.conflict) {
    await other.commit({ message: 'scale down', files: { 'deploy.yml': 'replicas: 0\n' }, sign: demo.as('alice') });
    await other.git('push', '-q', 'origin', 'HEAD:main');
  }

  const github = await startFakeGitHub({ fullName: SLUG, bareDir: remote.dir });
  registerCleanup(() => github.close());
  const pull: FakePull = {
    number: PR,
    state: 'open',
    draft: false,
    title: 'Scale the deployment up',
    user: { login: 'carol' },
    mergeable: true,
    head: { ref: 'feature', sha: head, repoFullName: options.fork ? 'carol/deploy' : SLUG },
    base: { ref: 'main', sha: base, repoFullName: SLUG },
  };
  github.repo.pulls.set(PR, pull);
  github.repo.reviews.set(PR, [{ user: { login: 'bob' }, state: 'APPROVED', commit_id: head }]);
  github.repo.checkRuns.set(head, [{ name: 'test', status: 'completed', conclusion: 'success' }]);
  return {
    remote,
    clone,
    other,
    github,
    base,
    head,
    pull,
    options: (extra = {}) => ({
      pr: PR,
      repo: SLUG,
      cwd: clone.dir,
      keys: [demo.keysDir],
      token: github.token,
      apiUrl: github.baseUrl,
      retryDelaysMs: [10, 10, 10],
      mergeablePollMs: [10, 20, 40],
      ...extra,
    }),
    env: { ...process.env, ...ISOLATED_GIT, GITHUB_TOKEN: github.token, NO_COLOR: '1' },
  };
}

/** A clone of `remote` whose git configuration signs as alice through the demo GnuPG home. */
export async function signingCloneOf(remote: Repo, demo: DemoWorld): Promise<Repo> {
  const dir = join(await makeTempDir('siggate-clone-'), 'work');
  await run('git', ['clone', '-q', remote.dir, dir], { env: { ...process.env, ...ISOLATED_GIT } });
  const clone = await Repo.init({ dir });
  const program = await demo.gpg.gitSignProgram();
  for (const [key, value] of [
    ['user.name', 'Alice Demo'],
    ['user.email', 'alice@siggate.test'],
    ['user.signingkey', demo.fingerprints.alice],
    ['gpg.format', 'openpgp'],
    ['gpg.program', program],
  ]) {
    await clone.git('config', key!, value!);
  }
  return clone;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin/ launcher as a subprocess. */
export function runBin(bin: 'siggate' | 'github-merge-sign', args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  const path = resolve(import.meta.dirname, '../../bin', bin);
  return new Promise((done) => {
    const child = spawn(process.execPath, [path, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
