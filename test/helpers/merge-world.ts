// A world for merge-sign: a real bare remote with `main` and a pull request's head, the reviewer's own
// clone configured to sign with the demo key alice through gpg, and the fake GitHub answering for `acme/deploy`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Repo } from '../../fixtures/lib/repo.js';
import { run } from '../../fixtures/lib/run.js';
import { makeTempDir, registerCleanup } from '../../fixtures/lib/temp.js';
import type { MergeSignOptions } from '../../src/commands/merge-sign.js';
import { startFakeGitHub, type FakeGitHub, type FakePull } from './github-server.js';
import type { DemoWorld } from './world.js';

export { runBin, type CliResult } from './bin.js';

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
  github.repo.permissions.set('bob', 'write');
  registerCleanup(() => {
    if (github.invalidReplies.length > 0) throw new Error(`the fake GitHub sent replies GitHub's schema rejects:\n${github.invalidReplies.join('\n')}`);
  });
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
      env: withoutProxy(process.env),
      mergeablePollMs: [10, 20, 40],
      ...extra,
    }),
    env: { ...withoutProxy(process.env), ...ISOLATED_GIT, GITHUB_TOKEN: github.token, NO_COLOR: '1' },
  };
}

/** The environment without proxy variables: the fake GitHub is on loopback, and a developer's proxy must not see it. */
export function withoutProxy(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete copy[name];
  return copy;
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

/**
 * Makes the reviewer's gpg.program first run `script` (a shell command) in the other clone, then sign:
 * someone else pushing while the reviewer's merge is being signed.
 */
export async function actWhileSigning(world: MergeWorld, script: string): Promise<void> {
  const real = (await world.clone.git('config', 'gpg.program')).trim();
  const path = join(world.other.dir, '..', 'acting-gpg.sh');
  const unset = 'unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES';
  await writeFile(path, `#!/bin/sh\n${unset}\ncd '${world.other.dir}' && { ${script}; } >/dev/null 2>&1 </dev/null\nexec '${real}' "$@"\n`, { mode: 0o755 });
  await world.clone.git('config', 'gpg.program', path);
}
