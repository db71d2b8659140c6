// bin/in with each of git-resource's `in` inputs, driven as git-resource's test/get.sh drives it: a real
// remote, JSON on stdin, DEST as the argument; then DEST inspected with git. One test per option.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { inWorld, withGitCrypt, withLfs, withSubmodule, type InWorld } from '../helpers/in-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: InWorld;
beforeAll(async () => {
  w = await inWorld();
});

interface Got {
  code: number | null;
  answer: { version: Record<string, string>; metadata: { name: string; value: string }[] };
  stderr: string;
  dest: string;
}

async function get(request: Record<string, unknown>): Promise<Got> {
  const dest = await makeTempDir('siggate-dest-');
  const out = await w.harness.runBin('in', request, [dest]);
  return { code: out.code, answer: out.code === 0 ? JSON.parse(out.stdout) : null, stderr: out.stderr, dest };
}

/** git in DEST, with no configuration of the machine's. */
async function git(dir: string, ...args: string[]): Promise<string> {
  const env = cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
  return (await run('git', args, { cwd: dir, env, allowFailure: true })).stdout.toString('utf8').replace(/\n$/, '');
}

const metaOf = (got: Got): Record<string, string> => Object.fromEntries(got.answer.metadata.map((m) => [m.name, m.value]));

describe('version', () => {
  it('none: the tip of the default branch, HEAD on the branch, a clone of that branch only', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.checkout('bogus', { create: true });
    await r.commit();
    await r.work.checkout('main');
    const tip = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri) });
    expect(got.code, got.stderr).toBe(0);
    expect(got.answer.version).toEqual({ ref: tip });
    expect(await git(got.dest, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect(await git(got.dest, 'rev-parse', 'HEAD', 'refs/remotes/origin/main')).toBe(`${tip}\n${tip}`);
    expect(await git(got.dest, 'symbolic-ref', 'refs/remotes/origin/HEAD')).toBe('refs/remotes/origin/main');
    expect(await git(got.dest, 'config', 'remote.origin.url')).toBe(r.uri);
    expect(await git(got.dest, 'config', 'branch.main.merge')).toBe('refs/heads/main');
    expect(await git(got.dest, 'for-each-ref', '--format=%(refname)', 'refs/remotes/origin/bogus', 'refs/heads/bogus')).toBe('');
    expect(await git(got.dest, 'status', '--porcelain')).toBe('');
  });

  it('ref: that commit, detached, answered verbatim; the branch stays at its tip', async () => {
    const r = await w.remote();
    const first = await r.commit();
    const tip = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri), version: { ref: first } });
    expect(got.answer.version).toEqual({ ref: first });
    expect(await git(got.dest, 'rev-parse', 'HEAD')).toBe(first);
    expect((await run('git', ['-C', got.dest, 'symbolic-ref', '-q', 'HEAD'], { allowFailure: true })).code).not.toBe(0);
    expect(await git(got.dest, 'rev-parse', 'refs/heads/main')).toBe(tip);
  });

  it('ref naming a tag: answered as the tag name, the tag followed, describe_ref and short_ref from it', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.tag('1.0-staging', { message: 'other tag' });
    await r.work.tag('0.9-production', { message: 'a tag' });
    await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri), version: { ref: '0.9-production' }, params: { short_ref_format: 'test-%s' } });
    expect(got.answer.version).toEqual({ ref: '0.9-production' });
    expect(await readFile(join(got.dest, '.git', 'ref'), 'utf8')).toBe('0.9-production\n');
    expect(await readFile(join(got.dest, '.git', 'short_ref'), 'utf8')).toBe('test-0.9-pro');
    expect(await readFile(join(got.dest, '.git', 'describe_ref'), 'utf8')).toMatch(/^(0\.9-production|1\.0-staging)\n$/);
  });

  it('branch: clones that branch instead of source.branch (git-resource prints "Override")', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.checkout('branch-a', { create: true });
    const ref = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri, { branch: 'main' }), version: { ref, branch: 'branch-a' } });
    expect(got.answer.version).toEqual({ ref });
    expect(got.stderr).toContain('Override main with branch-a');
    expect(await git(got.dest, 'rev-parse', 'refs/heads/branch-a')).toBe(ref);
    expect(await git(got.dest, 'for-each-ref', '--format=%(refname)', 'refs/heads/main')).toBe('');
  });
});

describe('source', () => {
  it('branch: the tip of that branch, and the branch metadata', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.checkout('branch-a', { create: true });
    const ref = await r.commit();
    await r.work.checkout('main');
    await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri, { branch: 'branch-a' }) });
    expect(got.answer.version).toEqual({ ref });
    expect(metaOf(got)['branch']).toBe('branch-a');
    expect(await readFile(join(got.dest, '.git', 'branch'), 'utf8')).toBe('branch-a\n');
  });

  it('sparse_paths: only those paths are checked out', async () => {
    const r = await w.remote();
    await r.commit('a\n', { files: { 'file-a': 'a\n' } });
    const tip = await r.commit('b\n', { files: { 'file-b': 'b\n' } });
    await r.push();
    const got = await get({ source: w.source(r.uri, { sparse_paths: ['file-a'] }) });
    expect(got.answer.version).toEqual({ ref: tip });
    expect(existsSync(join(got.dest, 'file-a'))).toBe(true);
    expect(existsSync(join(got.dest, 'file-b'))).toBe(false);
    expect(await git(got.dest, 'config', 'core.sparseCheckout')).toBe('true');
  });

  it('git_config: set in the global config and in DEST/.git/config', async () => {
    const r = await w.remote();
    await r.commit();
    await r.push();
    const value = '!true long command with variables $@';
    const got = await get({ source: w.source(r.uri, { git_config: [{ name: 'core.pager', value: 'true' }, { name: 'credential.helper', value }] }) });
    expect(got.code, got.stderr).toBe(0);
    expect(await git(got.dest, 'config', '--local', 'credential.helper')).toBe(value);
    expect(await readFile(w.harness.globalGitConfig, 'utf8')).toContain('pager = true');
  });

  it('fetch_tags (source): false keeps every tag out when params say nothing', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.tag('v1', { lightweight: true });
    await r.push();
    const got = await get({ source: w.source(r.uri, { fetch_tags: false }) });
    expect(await git(got.dest, 'tag')).toBe('');
  });

  it('search_remote_refs: a version only a ref outside branches and tags holds (refs/changes/…) is found', async () => {
    const r = await w.remote();
    await r.commit();
    await r.push();
    const change = await r.commit();
    await r.work.git('push', '--quiet', r.uri, `${change}:refs/changes/1`);
    const without = await get({ source: w.source(r.uri, { branch: 'main' }), version: { ref: change } });
    expect(without.code).toBe(2);
    expect(await readdir(without.dest)).toEqual([]);
    const got = await get({ source: w.source(r.uri, { branch: 'main', search_remote_refs: true }), version: { ref: change } });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toContain('search_remote_refs is enabled. Attempting to fetch refs/changes/1 first.');
    expect(await git(got.dest, 'rev-parse', 'HEAD')).toBe(change);
  });

  it('tag_filter: a tag version is answered as check emits it, {ref, commit}', async () => {
    const r = await w.remote();
    const commit = await r.commit();
    await r.work.tag('v1.0', { sign: w.world.as('alice') });
    await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri, { tag_filter: 'v*' }), version: { ref: 'v1.0', commit } });
    expect(got.answer.version).toEqual({ ref: 'v1.0', commit });
    expect(await git(got.dest, 'rev-parse', 'HEAD')).toBe(commit);
    expect(metaOf(got)['tags']).toBe('v1.0');
  });

  it('git_crypt_key: the checkout is decrypted once it passed the gate', async () => {
    const { remote, key } = await withGitCrypt(w);
    const got = await get({ source: w.source(remote.uri, { git_crypt_key: key }) });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toContain('unlocking git repo');
    expect(await readFile(join(got.dest, 'secret.txt'), 'utf8')).toBe('the secret\n');
    const locked = await get({ source: w.source(remote.uri) });
    expect(await readFile(join(locked.dest, 'secret.txt'))).not.toEqual(Buffer.from('the secret\n'));
  });

  it('commit_verification_keys: key material gpg could not import is reported as git-resource does, exit 2', async () => {
    const r = await w.remote();
    await r.commit();
    await r.push();
    const got = await get({ source: { uri: r.uri, commit_verification_keys: ['abcd'] } });
    expect(got.code).toBe(2);
    expect(got.stderr).toContain('Invalid GPG key in: abcd');
    expect(await readdir(got.dest)).toEqual([]);
  });
});

describe('the gate, in git-resource words', () => {
  it('an unsigned version: exit 1, "The commit … is not signed", DEST empty', async () => {
    const r = await w.remote();
    const ref = await r.commit('unsigned\n', { sign: false });
    await r.push();
    const got = await get({ source: w.source(r.uri) });
    expect(got.code).toBe(1);
    expect(got.stderr).toContain(`The commit ${ref} is not signed`);
    expect(got.stderr).toContain('unsigned');
    expect(await readdir(got.dest)).toEqual([]);
  });

  it("a version signed by a key not given: exit 1, gpg's \"Can't check signature: No public key\"", async () => {
    const r = await w.remote();
    await r.work.commit({ message: 'by mallory\n', sign: w.world.as('mallory') });
    await r.push();
    const got = await get({ source: w.source(r.uri) });
    expect(got.code).toBe(1);
    expect(got.stderr).toContain("gpg: Can't check signature: No public key");
    expect(got.stderr).toContain('unknown-key');
  });
});

describe('params', () => {
  it('depth: a shallow DEST; an older version is deepened to with git-resource messages', async () => {
    const r = await w.remote();
    for (let i = 0; i < 5; i += 1) await r.commit();
    const ref3 = await r.commit();
    for (let i = 0; i < 10; i += 1) await r.commit();
    await r.push();
    const tip = await get({ source: w.source(r.uri), params: { depth: 1 } });
    expect(await git(tip.dest, 'rev-list', '--all', '--count')).toBe('1');
    const got = await get({ source: w.source(r.uri), version: { ref: ref3 }, params: { depth: '2' } });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toContain(`Could not find ref ${ref3}~1 in a shallow clone of depth 2`);
    expect(got.stderr).toContain('Deepening the shallow clone by an additional 4...');
    expect(got.stderr).toContain(`Could not find ref ${ref3}~1 in a shallow clone of depth 6`);
    expect(got.stderr).toContain('Deepening the shallow clone by an additional 8...');
    expect(got.stderr).not.toContain('depth 14');
    expect(await git(got.dest, 'rev-parse', 'HEAD')).toBe(ref3);
    expect(existsSync(join(got.dest, '.git', 'shallow'))).toBe(true);
  });

  it('fetch: the branches named become local branches', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.checkout('other', { create: true });
    const other = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri, { branch: 'main' }), params: { fetch: ['main', 'other'] } });
    expect(got.code, got.stderr).toBe(0);
    expect(await git(got.dest, 'rev-parse', 'refs/heads/other')).toBe(other);
  });

  it('fetch_tags: unset follows the tags of the branch; "true" copies the others; "false" none', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.tag('on-main', { lightweight: true });
    await r.work.checkout('side', { create: true });
    await r.commit();
    await r.work.tag('on-side');
    await r.work.checkout('main');
    await r.push();
    expect(await git((await get({ source: w.source(r.uri) })).dest, 'tag')).toBe('on-main');
    expect(await git((await get({ source: w.source(r.uri), params: { fetch_tags: 'true' } })).dest, 'tag')).toBe('on-main\non-side');
    expect(await git((await get({ source: w.source(r.uri), params: { fetch_tags: 'false' } })).dest, 'tag')).toBe('');
  });

  it('clean_tags: the tags are in the metadata, then removed from DEST', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.tag('v1.1-pre', { lightweight: true });
    await r.push();
    const got = await get({ source: w.source(r.uri), params: { clean_tags: 'true' } });
    expect(metaOf(got)['tags']).toBe('v1.1-pre');
    expect(await git(got.dest, 'tag')).toBe('');
  });

  it('short_ref_format: an awk printf format over the first seven characters', async () => {
    const r = await w.remote();
    const ref = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri), params: { short_ref_format: 'build-%s' } });
    expect(await readFile(join(got.dest, '.git', 'short_ref'), 'utf8')).toBe(`build-${ref.slice(0, 7)}`);
  });

  it('timestamp_format: .git/commit_timestamp as `git log --date=FORMAT`', async () => {
    const r = await w.remote();
    await r.commit();
    await r.push();
    for (const format of ['iso-strict', 'unix', 'rfc']) {
      const got = await get({ source: w.source(r.uri), params: { timestamp_format: format } });
      expect(await readFile(join(got.dest, '.git', 'commit_timestamp'), 'utf8')).toBe(`${await git(got.dest, 'log', '-1', `--date=${format}`, '--format=%cd')}\n`);
    }
  });

  it('describe_ref_options: the options of `git describe` for .git/describe_ref', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.tag('v1');
    const ref = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri), params: { describe_ref_options: '--tags --long --abbrev=7' } });
    expect(await readFile(join(got.dest, '.git', 'describe_ref'), 'utf8')).toBe(`v1-1-g${ref.slice(0, 7)}\n`);
  });

  it('all_branches: a remote-tracking ref for every branch', async () => {
    const r = await w.remote();
    await r.commit();
    await r.work.checkout('bogus', { create: true });
    const bogus = await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri, { branch: 'main' }), params: { all_branches: 'true' } });
    expect(await git(got.dest, 'rev-parse', 'refs/remotes/origin/bogus')).toBe(bogus);
    expect(await git(got.dest, 'config', 'remote.origin.fetch')).toBe('+refs/heads/*:refs/remotes/origin/*');
  });

  it('debug: accepted, and git tracing stays off (it would print credentials)', async () => {
    const r = await w.remote();
    await r.commit();
    await r.push();
    const got = await get({ source: w.source(r.uri), params: { debug: true } });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toContain('debug mode enabled');
    expect(got.stderr).not.toMatch(/trace: /);
  });

  it('submodules: all by default, each at the commit the verified tree pins; a name that is not its path', async () => {
    const { project, pin } = await withSubmodule(w, { name: 'some-name', path: 'some-path' });
    const got = await get({ source: w.source(project.uri) });
    expect(got.code, got.stderr).toBe(0);
    expect(await git(join(got.dest, 'some-path'), 'rev-parse', 'HEAD')).toBe(pin);
    expect(Number(await git(join(got.dest, 'some-path'), 'rev-list', '--all', '--count'))).toBeGreaterThan(1);
    expect(await git(got.dest, 'submodule', 'status')).toMatch(new RegExp(`^ ${pin} some-path`));
    const none = await get({ source: w.source(project.uri), params: { submodules: 'none' } });
    expect(await readdir(join(none.dest, 'some-path'))).toEqual([]);
    const listed = await get({ source: w.source(project.uri), params: { submodules: ['some-path'], depth: 1 } });
    expect(await git(join(listed.dest, 'some-path'), 'rev-list', '--all', '--count')).toBe('1');
  });

  it('submodule_recursive: false leaves nested submodules empty', async () => {
    const inner = await withSubmodule(w);
    const outer = await w.remote();
    await outer.commit();
    await outer.work.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', inner.project.uri, 'mid');
    await outer.commit('Adding Submodule\n', { files: {} });
    await outer.push();
    const recursive = await get({ source: w.source(outer.uri) });
    expect(await git(join(recursive.dest, 'mid', 'sub'), 'rev-parse', 'HEAD')).toBe(inner.pin);
    const flat = await get({ source: w.source(outer.uri), params: { submodule_recursive: 'false' } });
    expect(await readdir(join(flat.dest, 'mid', 'sub'))).toEqual([]);
  });

  it("submodule_remote: the head of the submodule's remote, with a warning that it is outside the gate", async () => {
    const { project, sub } = await withSubmodule(w);
    const head = await sub.commit('newer\n', { sign: false });
    await sub.push();
    const got = await get({ source: w.source(project.uri), params: { submodule_remote: true } });
    expect(got.code, got.stderr).toBe(0);
    expect(await git(join(got.dest, 'sub'), 'rev-parse', 'HEAD')).toBe(head);
    expect(got.stderr).toMatch(/warning: submodule_remote: sub is checked out at .*outside what the gate verified/);
  });

  it('disable_git_lfs: the LFS pointer stays; by default the content is fetched and checked', async () => {
    const { remote, content } = await withLfs(w);
    const got = await get({ source: w.source(remote.uri) });
    expect(got.code, got.stderr).toBe(0);
    expect(await readFile(join(got.dest, 'big.bin'), 'utf8')).toBe(content);
    expect(await git(got.dest, 'status', '--porcelain')).toBe('');
    const skipped = await get({ source: w.source(remote.uri), params: { disable_git_lfs: 'true' } });
    expect(await readFile(join(skipped.dest, 'big.bin'), 'utf8')).toMatch(/^version https:\/\/git-lfs.github.com\/spec\/v1\n/);
  });
});

describe('DEST/.git files', () => {
  it('every file git-resource writes, with its content and newline', async () => {
    const r = await w.remote();
    await r.commit();
    const ref = await r.commit('test commit message\n\nbody\n');
    await r.work.tag('v1.0.0', { lightweight: true });
    await r.work.tag('latest', { lightweight: true });
    await r.push();
    const got = await get({ source: w.source(r.uri), params: { short_ref_format: 'test-%s' } });
    const file = (name: string): Promise<string> => readFile(join(got.dest, '.git', name), 'utf8');
    const date = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\n$/;
    expect(await file('commit')).toBe(`${ref}\n`);
    expect(await file('ref')).toBe(`${ref}\n`);
    expect(await file('author')).toBe('Siggate Tester\n');
    expect(await file('author_date')).toMatch(date);
    expect(await file('committer_date')).toMatch(date);
    expect(await file('committer')).toBe('tester@siggate.test');
    expect(await file('committer_name')).toBe('Siggate Tester');
    expect(await file('branch')).toBe('main\n');
    expect(await file('tags')).toBe('latest,v1.0.0\n');
    expect(await file('url')).toBe('');
    expect(await file('short_ref')).toBe(`test-${ref.slice(0, 7)}`);
    expect(await file('commit_message')).toBe('test commit message\n\nbody\n');
    // lightweight tags: `git describe --always` falls back to the abbreviated id
    expect(await file('describe_ref')).toBe(`${ref.slice(0, 7)}\n`);
    expect(JSON.parse(await file('metadata.json'))).toEqual(got.answer.metadata);
    expect(JSON.parse(await file('siggate-report.json'))).toMatchObject({ ok: true, target: ref });
    expect(got.answer.metadata.map((m) => m.name)).toEqual(['commit', 'author', 'author_date', 'committer', 'committer_date', 'branch', 'tags', 'message', 'signer_fingerprint', 'signer', 'verification']);
  });

  it('without a DEST argument: exit 2 and the usage', async () => {
    const out = await w.harness.runBin('in', { source: w.source('file:///nowhere') }, []);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('usage: in <path/to/destination>');
  });
});
