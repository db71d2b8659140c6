// Attacks on the resource's `in` through what git-resource's options fetch around the version: submodules,
// Git LFS, git-crypt, tags, other branches, shallow clones. The rule (DESIGN.md "Quarantined fetch"):
// nothing unverified where the user expects verified content, and nothing in DEST when the gate closes.
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { parseSource } from '../../src/resource/git/source.js';
import { submoduleRemoteSpec } from '../../src/resource/git/in-submodule-fetch.js';
import { runBin } from '../helpers/bin.js';
import { inWorld, withGitCrypt, withLfs, withSubmodule, type InWorld } from '../helpers/in-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: InWorld;
beforeAll(async () => {
  w = await inWorld();
});

interface Got {
  code: number | null;
  stdout: string;
  stderr: string;
  dest: string;
}

async function get(request: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Got> {
  const dest = await makeTempDir('siggate-dest-');
  const h = w.harness;
  const out = await runBin('in', [dest], { stdin: JSON.stringify(request), env: { ...process.env, TMPDIR: h.cacheDir, HOME: h.home, GIT_CONFIG_GLOBAL: h.globalGitConfig, NO_COLOR: '1', ...env } });
  return { ...out, dest };
}

async function git(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const result = await run('git', args, { cwd: dir, env: cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }), allowFailure: true });
  return { code: result.code, out: result.stdout.toString('utf8').trim() };
}

const has = async (dir: string, oid: string): Promise<boolean> => (await git(dir, 'cat-file', '-e', oid)).code === 0;

describe('submodules', () => {
  it('an unsigned superproject commit repointing .gitmodules is refused before any submodule URL is contacted', async () => {
    const { project, pin } = await withSubmodule(w);
    const control = await get({ source: w.source(project.uri) });
    expect(control.code, control.stderr).toBe(0);
    expect((await git(join(control.dest, 'sub'), 'rev-parse', 'HEAD')).out).toBe(pin);
    // the attacker's commit: .gitmodules to a URL that fails if fetched (exit 3), unsigned
    await project.work.git('config', '--file', '.gitmodules', 'submodule.sub.url', `file://${control.dest}-nowhere`);
    await project.work.git('add', '.gitmodules');
    await project.commit('repoint\n', { files: {}, sign: false });
    await project.push();
    const got = await get({ source: w.source(project.uri) });
    expect(got.code).toBe(1);
    expect(await readdir(got.dest)).toEqual([]);
  });

  it('an unsigned submodule commit is checked out when a signed tree pins it, and stays that commit when its remote is rewritten', async () => {
    const sub = await w.remote();
    const pin = await sub.commit('unsigned sub\n', { sign: false, files: { 'lib.txt': 'genuine\n' } });
    await sub.push();
    const project = await w.remote();
    await project.commit();
    await project.work.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', sub.uri, 'sub');
    await project.commit('Adding Submodule\n', { files: {} });
    await project.push();
    // the submodule's remote rewritten: its branch now holds other content
    await sub.work.git('checkout', '--quiet', '--orphan', 'evil');
    await sub.work.commit({ message: 'evil\n', files: { 'lib.txt': 'evil\n' } });
    await sub.work.git('push', '--quiet', '--force', sub.uri, 'evil:main');
    const got = await get({ source: w.source(project.uri) });
    expect(got.code, got.stderr).toBe(0);
    expect((await git(join(got.dest, 'sub'), 'rev-parse', 'HEAD')).out).toBe(pin);
    expect(await readFile(join(got.dest, 'sub', 'lib.txt'), 'utf8')).toBe('genuine\n');
  });

  it('a signed tree whose submodule remote no longer has the pinned commit: exit 3, DEST empty (never another commit)', async () => {
    const { project } = await withSubmodule(w);
    const other = await w.remote();
    await other.commit();
    await other.push();
    await project.work.git('config', '--file', '.gitmodules', 'submodule.sub.url', other.uri);
    await project.work.git('add', '.gitmodules');
    await project.commit('submodule moved\n', { files: {} });
    await project.push();
    const got = await get({ source: w.source(project.uri) });
    expect(got.code).toBe(3);
    expect(await readdir(got.dest)).toEqual([]);
  });

  it('a submodule name that climbs out of .git/modules (CVE-2018-11235) is refused, DEST empty', async () => {
    const { project, pin } = await withSubmodule(w);
    await project.work.git('config', '--file', '.gitmodules', '--rename-section', 'submodule.sub', 'submodule.../../hooks');
    await project.work.git('add', '.gitmodules');
    await project.commit('rename\n', { files: {} });
    await project.push();
    expect(pin).toMatch(/^[0-9a-f]{40}$/);
    const got = await get({ source: w.source(project.uri) });
    expect(got.code).toBe(2);
    expect(await readdir(got.dest)).toEqual([]);
  });

  it("the source's password goes to a submodule on the source's host or named in submodule_credentials, never to another host", async () => {
    const source = parseSource({
      uri: 'https://git.example.com/org/app.git', username: 'ci', password: 'secret-pw', commit_verification_keys: ['k'],
      submodule_credentials: [{ host: 'mirror.example.org', username: 'u2', password: 'p2' }],
    });
    const own = await submoduleRemoteSpec('https://git.example.com/org/lib.git', 'https://git.example.com/org/lib.git', source, '/dev/null');
    expect(own.auth).toEqual({ username: 'ci', password: 'secret-pw' });
    const named = await submoduleRemoteSpec('https://mirror.example.org/lib.git', 'https://mirror.example.org/lib.git', source, '/dev/null');
    expect(named.auth).toEqual({ username: 'u2', password: 'p2' });
    const elsewhere = await submoduleRemoteSpec('https://attacker.example.net/lib.git', 'https://attacker.example.net/lib.git', source, '/dev/null');
    expect(elsewhere.auth).toEqual({});
  });
});

describe('Git LFS', () => {
  it('an LFS object swapped on the server closes the gate: exit 1, DEST empty', async () => {
    const { remote, object } = await withLfs(w);
    const control = await get({ source: w.source(remote.uri) });
    expect(control.code, control.stderr).toBe(0);
    await chmod(object, 0o644);
    const genuine = await readFile(object);
    // same size, other bytes: git-lfs's own SHA-256 check refuses it, and siggate closes the gate
    await writeFile(object, Buffer.from(genuine.toString('utf8').replace(/large/g, 'EVIL!')));
    const got = await get({ source: w.source(remote.uri) });
    expect(got.code, got.stderr).toBe(1);
    expect(await readdir(got.dest)).toEqual([]);
    // another size: the file transfer adapter reports the object missing (exit 3); DEST stays empty either way
    await writeFile(object, 'swapped\n');
    const resized = await get({ source: w.source(remote.uri) });
    expect(resized.code).not.toBe(0);
    expect(await readdir(resized.dest)).toEqual([]);
  });

  it('a tampered object in a shared LFS store (lfs.storage) that git-lfs does not re-check is caught: exit 1, DEST empty', async () => {
    const { remote, object } = await withLfs(w);
    const oid = object.split('/').at(-1)!;
    const store = await makeTempDir('siggate-lfs-store-');
    const planted = join(store, 'objects', oid.slice(0, 2), oid.slice(2, 4));
    await mkdir(planted, { recursive: true });
    const genuine = await readFile(object, 'utf8');
    await writeFile(join(planted, oid), genuine.replace(/large/g, 'EVIL!'));
    const got = await get({ source: w.source(remote.uri, { git_config: [{ name: 'lfs.storage', value: store }] }) });
    expect(got.code, got.stderr).toBe(1);
    expect(got.stderr).toContain('big.bin');
    expect(await readdir(got.dest)).toEqual([]);
  });
});

describe('git-crypt', () => {
  it('the key is never used on a commit that did not pass the gate', async () => {
    const fake = await makeTempDir('siggate-fake-bin-');
    const record = join(fake, 'calls');
    await writeFile(join(fake, 'git-crypt'), `#!/bin/sh\necho "$@" >> '${record}'\n`, { mode: 0o755 });
    const env = { PATH: `${fake}:${process.env['PATH'] ?? ''}` };
    const unsigned = await withGitCrypt(w, { sign: false });
    const got = await get({ source: w.source(unsigned.remote.uri, { git_crypt_key: unsigned.key }) }, env);
    expect(got.code).toBe(1);
    expect(await readFile(record, 'utf8').catch(() => null)).toBeNull();
    expect(await readdir(got.dest)).toEqual([]);
    const signed = await withGitCrypt(w);
    const control = await get({ source: w.source(signed.remote.uri, { git_crypt_key: signed.key }) }, env);
    expect(control.code, control.stderr).toBe(0);
    expect(await readFile(record, 'utf8')).toMatch(/^unlock /);
  });
});

describe('refs around the version', () => {
  it('a tag moved between check and in: the commit check verified is checked out, the moved tag is not copied', async () => {
    const r = await w.remote();
    const verified = await r.commit();
    await r.work.tag('v1', { lightweight: true });
    await r.push();
    const moved = await r.commit('backdoor\n', { sign: false });
    await r.work.git('tag', '-f', 'v1', moved);
    await r.push();
    const source = w.source(r.uri, { tag_filter: 'v*' });
    const got = await get({ source, version: { ref: 'v1', commit: verified } });
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).version).toEqual({ ref: 'v1', commit: verified });
    expect((await git(got.dest, 'rev-parse', 'HEAD')).out).toBe(verified);
    expect(await has(got.dest, moved)).toBe(false);
    expect((await git(got.dest, 'tag')).out).toBe('');
    // without the commit check verified, the tag names the backdoor: refused
    const named = await get({ source, version: { ref: 'v1' } });
    expect(named.code).toBe(1);
    expect(await readdir(named.dest)).toEqual([]);
  });

  it('the branch moved on to an unsigned commit: the version is checked out, the branch and that commit stay out', async () => {
    const r = await w.remote();
    const version = await r.commit();
    const tip = await r.commit('unsigned tip\n', { sign: false });
    await r.push();
    const got = await get({ source: w.source(r.uri), version: { ref: version } });
    expect(got.code, got.stderr).toBe(0);
    expect((await git(got.dest, 'rev-parse', 'HEAD')).out).toBe(version);
    expect((await git(got.dest, 'for-each-ref', '--format=%(refname)')).out).toBe('');
    expect(await has(got.dest, tip)).toBe(false);
    expect(got.stderr).toContain('did not pass the gate');
  });

  it('all_branches, params.fetch and fetch_tags never write a ref to a commit that did not pass, nor bring its objects', async () => {
    const r = await w.remote();
    const tip = await r.commit();
    await r.work.checkout('evil', { create: true });
    const evil = await r.commit('unsigned\n', { sign: false });
    await r.work.tag('evil-tag', { lightweight: true });
    await r.work.checkout('main');
    await r.push();
    const got = await get({ source: w.source(r.uri, { branch: 'main' }), params: { all_branches: true, fetch: ['evil'], fetch_tags: true } });
    expect(got.code, got.stderr).toBe(0);
    expect((await git(got.dest, 'for-each-ref', '--format=%(refname)')).out.split('\n').sort()).toEqual(['refs/heads/main', 'refs/remotes/origin/main']);
    expect(await has(got.dest, evil)).toBe(false);
    expect((await git(got.dest, 'rev-parse', 'HEAD')).out).toBe(tip);
  });
});

describe('depth', () => {
  it('a shallow DEST never shortens the verified history: an unsigned commit below the depth still closes the gate', async () => {
    const r = await w.remote();
    const root = await r.commit('root\n');
    const control = await w.remote();
    const croot = await control.commit('root\n');
    for (const remote of [r, control]) {
      if (remote === r) await remote.commit('unsigned\n', { sign: false });
      for (let i = 0; i < 3; i += 1) await remote.commit();
      await remote.push();
    }
    const passing = await get({ source: w.source(control.uri, { trust_root: croot }), params: { depth: 1 } });
    expect(passing.code, passing.stderr).toBe(0);
    expect((await git(passing.dest, 'rev-list', '--all', '--count')).out).toBe('1');
    expect(JSON.parse(await readFile(join(passing.dest, '.git', 'siggate-report.json'), 'utf8')).checked).toBe(3);
    const got = await get({ source: w.source(r.uri, { trust_root: root }), params: { depth: 1 } });
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('unsigned');
    expect(await readdir(got.dest)).toEqual([]);
  });
});

describe('nothing in DEST when the gate closes, whatever the options', () => {
  it('an unsigned tip with every option that fetches more: exit 1, DEST empty', async () => {
    const { project } = await withSubmodule(w);
    await project.commit('unsigned\n', { sign: false });
    await project.push();
    const params = { depth: 1, submodules: 'all', submodule_remote: true, all_branches: true, fetch: ['main'], fetch_tags: true, clean_tags: true, short_ref_format: 'x-%s' };
    const got = await get({ source: w.source(project.uri, { sparse_paths: ['sub'], git_crypt_key: Buffer.from('k').toString('base64') }), params });
    expect(got.code).toBe(1);
    expect(await readdir(got.dest)).toEqual([]);
  });
});
