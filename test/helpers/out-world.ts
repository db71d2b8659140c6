// `out` as git-resource's put tests drive it: a real remote repository, a checkout in SRC/repo that a task
// produced, JSON on stdin of bin/out, and a container whose git configuration the test chooses (an
// identity only, or git signing every commit it makes, like git-resource's test image).
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { runBin, type CliResult } from './bin.js';
import type { DemoWorld } from './world.js';

/** A container's environment: its own HOME, global git config and temp dir (so its own mirrors). */
export interface Container {
  env: NodeJS.ProcessEnv;
  gitConfig: string;
}

/** A container with git's identity set; with `signs`, git signs every commit as alice (commit.gpgsign). */
export async function container(world: DemoWorld, options: { signs?: boolean } = {}): Promise<Container> {
  const dir = await makeTempDir('siggate-out-container-');
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const gitConfig = join(home, '.gitconfig');
  const lines = ['[user]', '\tname = CI', '\temail = ci@siggate.test'];
  if (options.signs) {
    lines.push(`\tsigningkey = ${world.fingerprints.alice}`, '[commit]', '\tgpgsign = true', '[gpg]', `\tprogram = ${await world.gpg.gitSignProgram()}`);
  }
  await writeFile(gitConfig, `${lines.join('\n')}\n`);
  return { gitConfig, env: { ...process.env, TMPDIR: dir, HOME: home, GIT_CONFIG_GLOBAL: gitConfig, GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1' } };
}

/** A remote (`bare`, branch main), `upstream` (another clone that pushes to it) and the put's SRC with SRC/repo checked out at main. */
export interface OutScene {
  bare: Repo;
  upstream: Repo;
  src: string;
  checkout: Repo;
  uri: string;
  /** Push `upstream`'s main (or a refspec) to the remote. */
  publish(refspec?: string, force?: boolean): Promise<void>;
}

/** A scene whose remote main holds one commit signed by alice. */
export async function outScene(world: DemoWorld): Promise<OutScene> {
  const bare = await Repo.init({ bare: true });
  const upstream = await Repo.init();
  await upstream.commit({ message: 'base\n', files: { 'base.txt': 'base\n' }, sign: world.as('alice') });
  const publish = async (refspec = 'main', force = false): Promise<void> => {
    await upstream.git('push', '--quiet', ...(force ? ['--force'] : []), bare.dir, refspec);
  };
  await publish();
  const src = await makeTempDir('siggate-out-src-');
  await mkdir(join(src, 'repo'));
  const checkout = await Repo.init({ dir: join(src, 'repo') });
  // the container's git configuration decides whether git signs what it makes here
  await checkout.git('config', '--unset', 'commit.gpgsign');
  await checkout.git('fetch', '--quiet', bare.dir, 'main');
  await checkout.git('reset', '--quiet', '--hard', 'FETCH_HEAD');
  return { bare, upstream, src, checkout, uri: `file://${bare.dir}`, publish };
}

/** The armored public keys of alice and bob: the allowed signers of every scene. */
export async function allowedKeys(): Promise<string[]> {
  return [await readFile(demoKeys.alice.publicKeyPath, 'utf8'), await readFile(demoKeys.bob.publicKeyPath, 'utf8')];
}

/** An armored secret key for source.signing_key. */
export function secretKey(name: 'alice' | 'bob' | 'mallory'): Promise<string> {
  return readFile(demoKeys[name].secretKeyPath, 'utf8');
}

/** Run bin/out in the container with `{source, params}` and SRC as its argument. */
export function put(box: Container, scene: OutScene, source: Record<string, unknown>, params: Record<string, unknown>): Promise<CliResult> {
  return runBin('out', [scene.src], { stdin: JSON.stringify({ source, params }), env: box.env });
}

/** The remote's refs as `name oid` lines, for "nothing was pushed" assertions. */
export function remoteRefs(scene: OutScene): Promise<string> {
  return scene.bare.git('for-each-ref', '--format=%(refname) %(objectname)');
}

/** A pre-receive hook that, on the first push only, moves main to `racer` as if someone pushed first. */
export async function raceOnce(scene: OutScene, racer: string): Promise<void> {
  const hook = join(scene.bare.dir, 'hooks', 'pre-receive');
  const marker = join(scene.bare.dir, 'raced');
  await writeFile(hook, `#!/bin/sh\ncat >/dev/null\nif [ ! -e '${marker}' ]; then\n  touch '${marker}'\n  env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main ${racer}\nfi\nexit 0\n`);
  await chmod(hook, 0o755);
}
