// Remotes for `in` as git-resource's tests build them (test/helpers.sh), every commit signed by alice unless
// said otherwise: a work repository pushing to a bare one, submodules, Git LFS content, git-crypt.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { resourceHarness, type ResourceHarness } from './resource.js';
import { demoWorld, type DemoWorld } from './world.js';

/** A work repository and the bare remote it pushes to (`file://` URI). */
export interface Remote {
  work: Repo;
  bare: Repo;
  uri: string;
  /** A commit signed by alice (or unsigned with `sign: false`), touching `files` (default: a new file). */
  commit(message?: string, options?: { files?: Record<string, string>; sign?: boolean; date?: Date }): Promise<string>;
  /** `git push` of refs (default: every branch and tag, forced). */
  push(...refs: string[]): Promise<void>;
}

/** What the tests of `in` share: keys, a harness whose global git config allows file:// submodules, alice's public key. */
export interface InWorld {
  world: DemoWorld;
  harness: ResourceHarness;
  keys: string[];
  remote(): Promise<Remote>;
  /** A source for a remote: its uri, alice's key, and `extra`. */
  source(uri: string, extra?: Record<string, unknown>): Record<string, unknown>;
}

export async function inWorld(): Promise<InWorld> {
  const world = await demoWorld();
  const harness = await resourceHarness();
  // as git-resource's image and harness do: submodules over file:// (git refuses them by default since 2.38.1)
  await writeFile(harness.globalGitConfig, '[protocol "file"]\n\tallow = always\n');
  const keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
  let counter = 0;
  return {
    world,
    harness,
    keys,
    source: (uri, extra = {}) => ({ uri, commit_verification_keys: keys, ...extra }),
    remote: async () => {
      const work = await Repo.init();
      const bare = await Repo.init({ bare: true });
      const uri = `file://${bare.dir}`;
      return {
        work,
        bare,
        uri,
        commit: (message = `commit ${++counter}\n`, options = {}) =>
          work.commit({ message, ...(options.sign === false ? {} : { sign: world.as('alice') }), ...(options.files ? { files: options.files } : {}), ...(options.date ? { date: options.date } : {}) }),
        push: async (...refs) => {
          await work.git('push', '--quiet', '--force', uri, ...(refs.length > 0 ? refs : ['--all']));
          if (refs.length === 0) await work.git('push', '--quiet', '--force', uri, '--tags');
        },
      };
    },
  };
}

/** A superproject with the submodule `sub` (its own remote, two commits) at `path`, the addition signed. */
export async function withSubmodule(w: InWorld, options: { name?: string; path?: string } = {}): Promise<{ project: Remote; sub: Remote; pin: string }> {
  const sub = await w.remote();
  await sub.commit();
  const pin = await sub.commit();
  await sub.push();
  const project = await w.remote();
  await project.commit();
  const path = options.path ?? 'sub';
  await project.work.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', ...(options.name ? ['--name', options.name] : []), sub.uri, path);
  await project.commit('Adding Submodule\n', { files: {} });
  await project.push();
  return { project, sub, pin };
}

/** A remote whose `big.bin` is Git LFS content, pushed with its LFS object (to `<bare>/lfs/objects`). */
export async function withLfs(w: InWorld): Promise<{ remote: Remote; content: string; object: string }> {
  const remote = await w.remote();
  const env = remote.work.env();
  await run('git', ['lfs', 'install', '--local'], { cwd: remote.work.dir, env });
  await remote.commit('lfs\n', { files: { '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n' } });
  const content = `large content ${Math.random()}\n`.repeat(50);
  await remote.commit('big\n', { files: { 'big.bin': content } });
  await remote.work.git('remote', 'add', 'origin', remote.uri);
  await run('git', ['push', '--quiet', 'origin', 'main'], { cwd: remote.work.dir, env });
  const pointer = await remote.work.git('show', 'HEAD:big.bin');
  const oid = /oid sha256:([0-9a-f]{64})/.exec(pointer)![1]!;
  return { remote, content, object: join(remote.bare.dir, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid) };
}

/** A remote whose `secret.txt` git-crypt encrypts; returns the key as git_crypt_key takes it (base64). */
export async function withGitCrypt(w: InWorld, options: { sign?: boolean } = {}): Promise<{ remote: Remote; key: string }> {
  const remote = await w.remote();
  const env = remote.work.env();
  await remote.commit();
  await run('git-crypt', ['init'], { cwd: remote.work.dir, env });
  await remote.commit('attributes\n', { files: { '.gitattributes': 'secret.txt filter=git-crypt diff=git-crypt\n' } });
  await remote.commit('secret\n', { files: { 'secret.txt': 'the secret\n' }, ...(options.sign === false ? { sign: false } : {}) });
  const keyFile = join(await makeTempDir('siggate-crypt-key-'), 'key');
  await run('git-crypt', ['export-key', keyFile], { cwd: remote.work.dir, env });
  await remote.push();
  return { remote, key: (await readFile(keyFile)).toString('base64') };
}
