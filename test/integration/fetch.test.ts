// Quarantined fetch: nothing unverified reaches the destination, whatever fails.
//
//   remote project.git:  main     R ── A ── B          R, A by alice, B by bob; tag v1 (signed) on A
//                        unsigned B ── U              U unsigned
//                        release  R ── A ── C, later force-pushed to R ── X
//                        E on B: changes file-1.txt, adds added.txt and dir/inner.txt (for checkouts with local work)
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { fetchVerified } from '../../src/commands/fetch.js';
import type { FetchOptions } from '../../src/commands/fetch.js';
import { makeServedRemote, startGitHttpServer } from '../helpers/git-http-server.js';
import type { GitHttpServer } from '../helpers/git-http-server.js';
import { demoWorld, expectSiggateError, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const TOKEN = 'tok-Zq81-siggate-test-secret';
let world: DemoWorld;
let work: Repo;
let bare: Repo;
let server: GitHttpServer;
const c: Record<'R' | 'A' | 'B' | 'U' | 'C' | 'X' | 'E', string> = { R: '', A: '', B: '', U: '', C: '', X: '', E: '' };

beforeAll(async () => {
  world = await demoWorld();
  const remote = await makeServedRemote('siggate-remote-');
  const root = remote.root;
  bare = remote.bare;
  work = await Repo.init();
  c.R = await work.commit({ message: 'R\n', sign: world.as('alice') });
  c.A = await work.commit({ message: 'A\n', sign: world.as('alice') });
  await work.tag('v1', { sign: world.as('alice'), target: c.A });
  c.C = await work.commit({ message: 'C\n', sign: world.as('alice'), parents: [c.A], update: false });
  c.B = await work.commit({ message: 'B\n', sign: world.as('bob') });
  c.U = await work.commit({ message: 'U\n', parents: [c.B], update: false });
  c.X = await work.commit({ message: 'X\n', sign: world.as('alice'), parents: [c.R], update: false });
  const changes = { 'file-1.txt': 'changed\n', 'added.txt': 'added\n', 'dir/inner.txt': 'inner\n' };
  c.E = await work.commit({ message: 'E\n', sign: world.as('alice'), parents: [c.B], update: false, files: changes });
  await push(c.B, 'refs/heads/main', c.U, 'refs/heads/unsigned', c.C, 'refs/heads/release', 'refs/tags/v1', 'refs/tags/v1');
  server = await startGitHttpServer({ root, auth: { token: TOKEN } });
});
afterAll(async () => server?.close());

async function push(...pairs: string[]): Promise<void> {
  const specs: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) specs.push(`+${pairs[i]}:${pairs[i + 1]}`);
  await work.git('push', '--quiet', bare.dir, ...specs);
}

const httpUrl = (): string => server.repoUrl('project.git');

function fetchInto(into: string, options: Partial<FetchOptions> = {}) {
  return fetchVerified({ url: httpUrl(), auth: { token: TOKEN }, keys: [world.keysDir], into, ...options });
}

async function freshDir(): Promise<string> {
  return join(await makeTempDir('siggate-dest-'), 'dest');
}

/** Every file under a directory (`.git` included) with a digest of its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    result[path.slice(dir.length)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return result;
}

async function gitIn(dir: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd: dir, env: cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }) })).stdout.toString('utf8').trim();
}

async function headOf(dir: string): Promise<string> {
  return gitIn(dir, 'rev-parse', 'HEAD');
}

describe('fetch over smart HTTP with a token', () => {
  it('verifies the history from the trust root and checks out the commit', async () => {
    const into = await freshDir();
    const result = await fetchInto(into, { since: c.R });
    expect(result.report).toMatchObject({ ok: true, status: 'passed', target: c.B, checked: 2 });
    expect(result).toMatchObject({ commit: c.B, updated: true });
    expect(await headOf(into)).toBe(c.B);
    expect(await readFile(join(into, 'file-1.txt'), 'utf8')).toBe('1\n');
    expect(await readFile(join(into, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect(await gitIn(into, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
  });

  it('checks out a tag or a full commit id detached', async () => {
    for (const ref of ['v1', c.A]) {
      const into = await freshDir();
      const result = await fetchInto(into, { ref });
      expect(result).toMatchObject({ commit: c.A, updated: true });
      expect(await headOf(into)).toBe(c.A);
    }
  });

  it('updates an existing checkout to a newly verified commit', async () => {
    await push(c.A, 'refs/heads/moving');
    const into = await freshDir();
    expect((await fetchInto(into, { ref: 'moving' })).commit).toBe(c.A);
    await push(c.B, 'refs/heads/moving');
    const result = await fetchInto(into, { ref: 'moving', since: c.A });
    expect(result).toMatchObject({ commit: c.B, updated: true });
    expect(result.report.ok).toBe(true);
    expect(await headOf(into)).toBe(c.B);
    expect(await gitIn(into, 'status', '--porcelain')).toBe('');
  });

  it('removes the staging directory a killed run left beside DIR, once old, whether DIR is created or updated', async () => {
    const into = await freshDir();
    const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    const stale = join(dirname(into), `.dest.siggate-${deadPid}-AbCdEf`);
    await mkdir(join(stale, '.git'), { recursive: true });
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(stale, hourAgo, hourAgo);
    expect((await fetchInto(into)).updated).toBe(true);
    expect(await readdir(dirname(into))).toEqual(['dest']);
    // and when DIR is already there, an update removes it too
    await mkdir(join(stale, '.git'), { recursive: true });
    await utimes(stale, hourAgo, hourAgo);
    expect((await fetchInto(into)).updated).toBe(false);
    expect(await readdir(dirname(into))).toEqual(['dest']);
  });
});

describe('a closed gate leaves the destination untouched', () => {
  it('refuses an unsigned tip and does not create the destination', async () => {
    const into = await freshDir();
    const result = await fetchInto(into, { ref: 'unsigned' });
    expect(result.report.ok).toBe(false);
    expect(result.report.commits.map((x) => x.status)).toEqual(['unsigned']);
    expect(result).toMatchObject({ commit: c.U, updated: false });
    expect(existsSync(into)).toBe(false);
  });

  it('refuses an unsigned tip and keeps an existing checkout byte for byte', async () => {
    const into = await freshDir();
    await fetchInto(into);
    await writeFile(join(into, 'local-note.txt'), 'kept\n');
    const before = await snapshot(into);
    const result = await fetchInto(into, { ref: 'unsigned' });
    expect(result.report.ok).toBe(false);
    expect(await snapshot(into)).toEqual(before);
    expect(await headOf(into)).toBe(c.B);
  });

  it('refuses a trust root tag the remote moved onto the unsigned tip (untrusted-root); a signed tag still works', async () => {
    await push(c.U, 'refs/tags/deployed-light');
    try {
      const into = await freshDir();
      const result = await fetchInto(into, { ref: 'unsigned', since: 'deployed-light' });
      expect(result.report).toMatchObject({ ok: false, status: 'untrusted-root', since: c.U, checked: 0 });
      expect(existsSync(into)).toBe(false);
      const allowed = await fetchInto(into, { ref: 'unsigned', since: 'deployed-light', allowUnsignedRoot: true });
      expect(allowed.report).toMatchObject({ ok: true, checked: 0 });
      expect(allowed.report.warnings.join('\n')).toMatch(/can move it/);
      const signed = await fetchInto(await freshDir(), { since: 'v1' });
      expect(signed.report).toMatchObject({ ok: true, status: 'passed', since: c.A, checked: 1 });
    } finally {
      await work.git('push', '--quiet', bare.dir, ':refs/tags/deployed-light');
    }
  });

  it('reports a force-pushed branch as not-descendant of the trust root the checkout holds', async () => {
    const into = await freshDir();
    expect((await fetchInto(into, { ref: 'release', since: c.R })).commit).toBe(c.C);
    await push(c.X, 'refs/heads/release');
    const before = await snapshot(into);
    const result = await fetchInto(into, { ref: 'release', since: c.C });
    expect(result.report).toMatchObject({ ok: false, status: 'not-descendant' });
    expect(await snapshot(into)).toEqual(before);
    await push(c.C, 'refs/heads/release');
  });
});

describe('remote failures', () => {
  it('the server dying mid-fetch is a RemoteError; nothing is written; a retry succeeds', async () => {
    const quarantine = join(await makeTempDir('siggate-cache-'), 'q.git');
    const fresh = await freshDir();
    const existing = await freshDir();
    await fetchInto(existing, { ref: 'v1' });
    const before = await snapshot(existing);
    server.faults.dieMidFetch = true;
    try {
      await expectSiggateError(fetchInto(fresh, { quarantine, since: c.R }), { exitCode: 3, code: 'REMOTE_FAILED' });
      await expectSiggateError(fetchInto(existing, { since: c.A }), { exitCode: 3, code: 'REMOTE_FAILED' });
    } finally {
      server.faults.dieMidFetch = false;
    }
    expect(existsSync(fresh)).toBe(false);
    expect(await snapshot(existing)).toEqual(before);
    const retry = await fetchInto(fresh, { quarantine, since: c.R });
    expect(retry.report.ok).toBe(true);
    expect(await headOf(fresh)).toBe(c.B);
  });

  it('a bad token is a RemoteError that does not contain the token', async () => {
    const into = await freshDir();
    const wrong = 'tok-WRONG-do-not-print-7731';
    const error = await expectSiggateError(fetchInto(into, { auth: { token: wrong } }), { exitCode: 3, code: 'REMOTE_FAILED' });
    expect(`${error.message} ${String(error.stack)}`).not.toContain(wrong);
    expect(existsSync(into)).toBe(false);
  });

  it('credentials in the URL are used and never stored in the checkout', async () => {
    const into = await freshDir();
    const withCredentials = httpUrl().replace('http://', `http://ci:${TOKEN}@`);
    const result = await fetchInto(into, { url: withCredentials, auth: {} });
    expect(result.report.ok).toBe(true);
    expect(await readFile(join(into, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect(await gitIn(into, 'remote', 'get-url', 'origin')).toBe(httpUrl());
  });

  it('no credentials against a server that wants them is a RemoteError', async () => {
    await expectSiggateError(fetchInto(await freshDir(), { auth: {} }), { exitCode: 3 });
  });

  it('an unreachable server is a RemoteError', async () => {
    await expectSiggateError(fetchInto(await freshDir(), { url: 'http://127.0.0.1:1/project.git' }), { exitCode: 3 });
  });
});

describe('system git transports', () => {
  it.each([
    ['file://', () => `file://${bare.dir}`],
    ['a local path', () => bare.dir],
  ])('fetches from %s', async (_name, url) => {
    const into = await freshDir();
    const result = await fetchInto(into, { url: url(), auth: {}, since: c.R });
    expect(result.report).toMatchObject({ ok: true, checked: 2 });
    expect(await headOf(into)).toBe(c.B);
    const refused = await fetchInto(into, { url: url(), ref: 'unsigned' });
    expect(refused.report.ok).toBe(false);
    expect(await headOf(into)).toBe(c.B);
  });

  it('ssh remotes get the private key through GIT_SSH_COMMAND as a 0600 file that is removed afterwards', async () => {
    const bin = await makeTempDir('siggate-fake-ssh-');
    const log = join(bin, 'log');
    // A stand-in for ssh: records its arguments and the key file's mode and content, then fails like a refused connection
    const script = '#!/bin/sh\nprintf "%s\\n" "$@" > "$FAKE_SSH_LOG"\nwhile [ $# -gt 0 ]; do if [ "$1" = "-i" ]; then stat -c %a "$2" >> "$FAKE_SSH_LOG"; cat "$2" >> "$FAKE_SSH_LOG"; fi; shift; done\necho "connection refused" >&2\nexit 255\n';
    await writeFile(join(bin, 'ssh'), script, { mode: 0o755 });
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-ONLY-NOT-A-KEY\n-----END OPENSSH PRIVATE KEY-----\n';
    const saved = { PATH: process.env.PATH, FAKE_SSH_LOG: process.env.FAKE_SSH_LOG };
    process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
    process.env.FAKE_SSH_LOG = log;
    try {
      const into = await freshDir();
      await expectSiggateError(fetchInto(into, { url: 'ssh://git@127.0.0.1:2222/project.git', sshPrivateKey: key }), { exitCode: 3, code: 'REMOTE_FAILED' });
      expect(existsSync(into)).toBe(false);
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.FAKE_SSH_LOG === undefined) delete process.env.FAKE_SSH_LOG;
      else process.env.FAKE_SSH_LOG = saved.FAKE_SSH_LOG;
    }
    const lines = (await readFile(log, 'utf8')).split('\n');
    const keyPath = lines[lines.indexOf('-i') + 1]!;
    expect(lines).toEqual(expect.arrayContaining(['IdentitiesOnly=yes', 'StrictHostKeyChecking=accept-new', '600', 'TEST-ONLY-NOT-A-KEY']));
    expect(existsSync(keyPath)).toBe(false);
  });

  it('an unreachable local remote is a RemoteError', async () => {
    const missing = join(await makeTempDir('siggate-missing-'), 'nothing.git');
    await expectSiggateError(fetchInto(await freshDir(), { url: missing }), { exitCode: 3, code: 'REMOTE_FAILED' });
  });
});

describe('bad options', () => {
  it('refuses to write into a non-empty directory that is not a checkout', async () => {
    const into = await makeTempDir('siggate-dest-');
    await mkdir(join(into, 'sub'));
    await writeFile(join(into, 'sub', 'a.txt'), 'a');
    await expectSiggateError(fetchInto(into), { exitCode: 2 });
  });

  it('a ref the remote does not have is a usage error', async () => {
    const into = await freshDir();
    await expectSiggateError(fetchInto(into, { ref: 'no-such-branch' }), { exitCode: 2 });
    await expectSiggateError(fetchInto(into, { ref: 'no-such-branch', url: bare.dir }), { exitCode: 2 });
    expect(existsSync(into)).toBe(false);
  });
});

describe('an existing checkout: local work is never discarded without --force', () => {
  let branches = 0;
  /** A new remote branch at `commit`, so that each case moves its own branch. */
  async function branchAt(commit: string): Promise<string> {
    const name = `work-${(branches += 1)}`;
    await push(commit, `refs/heads/${name}`);
    return name;
  }

  /** A checkout of a new branch at B, that branch then moved to E on the remote. */
  async function checkoutBehind(): Promise<{ into: string; branch: string }> {
    const branch = await branchAt(c.B);
    const into = await freshDir();
    expect((await fetchInto(into, { ref: branch })).commit).toBe(c.B);
    await push(c.E, `refs/heads/${branch}`);
    return { into, branch };
  }

  /** Every entry (directories too), every file's digest, HEAD and the index's mtime. */
  async function state(dir: string): Promise<unknown> {
    const entries = (await readdir(dir, { recursive: true })).sort();
    return { entries, files: await snapshot(dir), head: await headOf(dir), index: (await stat(join(dir, '.git', 'index'))).mtimeMs };
  }

  async function expectRefused(into: string, options: Partial<FetchOptions>, named: string[]): Promise<void> {
    const before = await state(into);
    const error = await expectSiggateError(fetchInto(into, options), { exitCode: 2, code: 'USAGE' });
    for (const name of named) expect(error.message).toContain(name);
    expect(await state(into)).toEqual(before);
  }

  async function commitIn(dir: string, file: string): Promise<string> {
    await writeFile(join(dir, file), 'local\n');
    await gitIn(dir, 'add', file);
    await gitIn(dir, '-c', 'user.name=Local', '-c', 'user.email=local@example.test', 'commit', '-q', '-m', `local ${file}`);
    return headOf(dir);
  }

  it('refuses to drop an unpushed commit of the branch, naming it; --force drops it', async () => {
    const { into, branch } = await checkoutBehind();
    const local = await commitIn(into, 'local.txt');
    await expectRefused(into, { ref: branch }, [local.slice(0, 7)]);
    const forced = await fetchInto(into, { ref: branch, force: true });
    expect(forced).toMatchObject({ commit: c.E, updated: true });
    expect(await headOf(into)).toBe(c.E);
    expect(await gitIn(into, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(into, 'local.txt'))).toBe(false);
  });

  it('refuses to drop a commit made on a detached HEAD', async () => {
    const into = await freshDir();
    await fetchInto(into, { ref: 'v1' });
    const local = await commitIn(into, 'detached.txt');
    await expectRefused(into, { ref: 'v1' }, [local.slice(0, 7)]);
  });

  it('keeps commits that stay reachable: another local branch, the branch when switching to an older tag, a remote commit', async () => {
    const { into, branch } = await checkoutBehind();
    await gitIn(into, 'checkout', '-q', '-b', 'wip');
    const wip = await commitIn(into, 'wip.txt');
    await gitIn(into, 'checkout', '-q', branch);
    expect((await fetchInto(into, { ref: branch })).commit).toBe(c.E);
    expect(await gitIn(into, 'rev-parse', 'wip')).toBe(wip);
    expect((await fetchInto(into, { ref: 'v1' })).commit).toBe(c.A);
    expect(await gitIn(into, 'rev-parse', branch)).toBe(c.E);
    // detached at a commit the remote has: moving away from it loses nothing
    expect((await fetchInto(into, { ref: 'main' })).commit).toBe(c.B);
  });

  it('refuses unstaged and staged changes to tracked files; --force discards them', async () => {
    const { into, branch } = await checkoutBehind();
    await writeFile(join(into, 'file-1.txt'), 'edited\n');
    await expectRefused(into, { ref: branch }, ['file-1.txt']);
    await gitIn(into, 'checkout', '--', 'file-1.txt');
    await writeFile(join(into, 'file-4.txt'), 'staged\n');
    await gitIn(into, 'add', 'file-4.txt');
    await expectRefused(into, { ref: branch }, ['file-4.txt']);
    await writeFile(join(into, 'file-1.txt'), 'edited\n');
    expect((await fetchInto(into, { ref: branch, force: true })).commit).toBe(c.E);
    expect(await readFile(join(into, 'file-1.txt'), 'utf8')).toBe('changed\n');
    expect(await gitIn(into, 'status', '--porcelain')).toBe('');
  });

  it('refuses untracked or ignored files the commit would overwrite, keeps the others; --force overwrites', async () => {
    const { into, branch } = await checkoutBehind();
    await writeFile(join(into, 'added.txt'), 'mine\n');
    await writeFile(join(into, 'dir'), 'a file where the commit has a directory\n');
    await expectRefused(into, { ref: branch }, ['added.txt', 'dir']);
    await writeFile(join(into, '.git', 'info', 'exclude'), 'added.txt\n');
    await rmFile(join(into, 'dir'));
    await expectRefused(into, { ref: branch }, ['added.txt']);
    await rmFile(join(into, 'added.txt'));
    await writeFile(join(into, 'notes.txt'), 'kept\n');
    expect((await fetchInto(into, { ref: branch })).commit).toBe(c.E);
    expect(await readFile(join(into, 'notes.txt'), 'utf8')).toBe('kept\n');
    await push(c.B, `refs/heads/${branch}`);
    await fetchInto(into, { ref: branch });
    await push(c.E, `refs/heads/${branch}`);
    await writeFile(join(into, 'added.txt'), 'mine\n');
    expect((await fetchInto(into, { ref: branch, force: true })).commit).toBe(c.E);
    expect(await readFile(join(into, 'added.txt'), 'utf8')).toBe('added\n');
  });

  it('refuses a checkout of another remote or of none; the same remote spelled differently is the same; --force replaces origin', async () => {
    const { into, branch } = await checkoutBehind();
    await gitIn(into, 'remote', 'set-url', 'origin', 'https://example.test/other/project.git');
    await expectRefused(into, { ref: branch }, ['example.test']);
    await gitIn(into, 'remote', 'remove', 'origin');
    await expectRefused(into, { ref: branch }, []);
    await gitIn(into, 'remote', 'add', 'origin', `${httpUrl().replace('http://', `http://ci:${TOKEN}@`).replace(/\.git$/, '')}/`);
    expect((await fetchInto(into, { ref: branch })).commit).toBe(c.E);
    await gitIn(into, 'remote', 'set-url', 'origin', bare.dir);
    expect((await fetchInto(into, { ref: branch, force: true })).commit).toBe(c.E);
    expect(await gitIn(into, 'remote', 'get-url', 'origin')).toBe(httpUrl());
  });

  it('keeps a file edited while the update runs: exit 2, nothing changed (git refuses before it writes)', async () => {
    const { into, branch } = await checkoutBehind();
    const realGit = (await run('sh', ['-c', 'command -v git'])).stdout.toString().trim();
    const bin = await makeTempDir('siggate-racing-git-');
    // a stand-in for git: edits file-1.txt just before the switch, as a user typing at that moment would
    const script = `#!/bin/sh\ncase "$*" in *"read-tree -m -u"*) printf 'edited meanwhile\\n' > file-1.txt ;; esac\nexec ${realGit} "$@"\n`;
    await writeFile(join(bin, 'git'), script, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      await expectSiggateError(fetchInto(into, { ref: branch }), { exitCode: 2, code: 'USAGE' });
    } finally {
      process.env.PATH = path;
    }
    expect(await readFile(join(into, 'file-1.txt'), 'utf8')).toBe('edited meanwhile\n');
    expect(await headOf(into)).toBe(c.B);
    expect(await gitIn(into, 'status', '--porcelain')).toBe('M file-1.txt');
    expect((await readdir(join(into, '.git'))).filter((name) => name.startsWith('siggate'))).toEqual([]);
  });

  it('undoes an update a killed run left half-done, keeping later edits elsewhere, and then updates', async () => {
    const { into, branch } = await checkoutBehind();
    // what a run killed mid-switch leaves: E's objects, some of E's files written, the journal; HEAD and index still B
    await gitIn(into, 'fetch', '-q', bare.dir, c.E);
    await writeFile(join(into, 'file-1.txt'), 'changed\n');
    await writeFile(join(into, 'added.txt'), 'added\n');
    const journal = { pid: 999_999_999, host: 'elsewhere', from: c.B, headRef: `refs/heads/${branch}`, to: c.E, toBranch: branch, branchBefore: c.B };
    await writeFile(join(into, '.git', 'siggate-update.json'), JSON.stringify(journal));
    await writeFile(join(into, 'file-4.txt'), 'edited after the kill\n');
    const refused = await expectSiggateError(fetchInto(into, { ref: branch }), { exitCode: 2, code: 'USAGE' });
    expect(refused.message).toContain('file-4.txt');
    expect(refused.message).not.toContain('file-1.txt');
    expect(await readFile(join(into, 'file-1.txt'), 'utf8')).toBe('1\n');
    expect(existsSync(join(into, 'added.txt'))).toBe(false);
    expect(existsSync(join(into, '.git', 'siggate-update.json'))).toBe(false);
    expect(await gitIn(into, 'status', '--porcelain')).toBe('M file-4.txt');
    await gitIn(into, 'checkout', '--', 'file-4.txt');
    expect((await fetchInto(into, { ref: branch })).commit).toBe(c.E);
    expect(await gitIn(into, 'status', '--porcelain')).toBe('');
  });
});

async function rmFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
