// `bin/siggate fetch` as a subprocess: exit codes, JSON, and secrets that never reach the output.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { RangeReport } from '../../src/index.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { makeServedRemote, startGitHttpServer } from '../helpers/git-http-server.js';
import type { GitHttpServer } from '../helpers/git-http-server.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const TOKEN = 'tok-e2e-Jx9-siggate-secret';

function siggate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SIGGATE_GIT_')));
  return runBin('siggate', args, { env: { ...base, NO_COLOR: '1', ...env } });
}

let world: DemoWorld;
let work: Repo;
let bare: Repo;
let server: GitHttpServer;
const c: Record<'R' | 'A' | 'B' | 'U' | 'X', string> = { R: '', A: '', B: '', U: '', X: '' };

beforeAll(async () => {
  world = await demoWorld();
  const remote = await makeServedRemote('siggate-remote-');
  const root = remote.root;
  bare = remote.bare;
  work = await Repo.init();
  c.R = await work.commit({ message: 'R\n', sign: world.as('alice') });
  c.A = await work.commit({ message: 'A\n', sign: world.as('alice') });
  c.B = await work.commit({ message: 'B\n', sign: world.as('bob') });
  c.U = await work.commit({ message: 'U\n', parents: [c.B], update: false });
  c.X = await work.commit({ message: 'X\n', sign: world.as('alice'), parents: [c.R], update: false });
  await work.git('push', '--quiet', bare.dir, `+${c.B}:refs/heads/main`, `+${c.U}:refs/heads/unsigned`, `+${c.B}:refs/heads/release`);
  server = await startGitHttpServer({ root, auth: { token: TOKEN } });
});
afterAll(async () => server?.close());

const url = (): string => server.repoUrl('project.git');
const keys = (): string[] => ['--keys', world.keysDir];
const withToken = { SIGGATE_GIT_TOKEN: TOKEN };

async function freshDir(): Promise<string> {
  return join(await makeTempDir('siggate-dest-'), 'dest');
}

async function headOf(dir: string): Promise<string> {
  const env = cleanEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
  return (await run('git', ['rev-parse', 'HEAD'], { cwd: dir, env })).stdout.toString('utf8').trim();
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    result[path.slice(dir.length)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return result;
}

function expectNoSecret(result: CliResult, secret: string): void {
  expect(result.stdout).not.toContain(secret);
  expect(result.stderr).not.toContain(secret);
}

describe('siggate fetch', () => {
  it('exits 0, prints the JSON report and checks out a signed history fetched over HTTP with a token', async () => {
    const into = await freshDir();
    const result = await siggate(['fetch', url(), '--into', into, '--since', c.R, ...keys(), '--json'], withToken);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report).toMatchObject({ ok: true, status: 'passed', target: c.B, since: c.R, checked: 2 });
    expect(await headOf(into)).toBe(c.B);
    expectNoSecret(result, TOKEN);
  });

  it('exits 1 for an unsigned tip, prints nothing on stdout, and does not create the destination', async () => {
    const into = await freshDir();
    const result = await siggate(['fetch', url(), '--into', into, '--ref', 'unsigned', ...keys()], withToken);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/unsigned/);
    expect(existsSync(into)).toBe(false);
  });

  it('exits 1 with not-descendant for a force-pushed branch and leaves the checkout as it was', async () => {
    const into = await freshDir();
    expect((await siggate(['fetch', url(), '--into', into, '--ref', 'release', ...keys()], withToken)).code).toBe(0);
    await work.git('push', '--quiet', bare.dir, `+${c.X}:refs/heads/release`);
    const before = await snapshot(into);
    const result = await siggate(['fetch', url(), '--into', into, '--ref', 'release', '--since', c.B, ...keys(), '--json'], withToken);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as RangeReport).status).toBe('not-descendant');
    expect(await snapshot(into)).toEqual(before);
  });

  it('exits 3 when the server dies mid-fetch, leaves the destination absent, and a retry succeeds', async () => {
    const into = await freshDir();
    server.faults.dieMidFetch = true;
    let result: CliResult;
    try {
      result = await siggate(['fetch', url(), '--into', into, ...keys()], withToken);
    } finally {
      server.faults.dieMidFetch = false;
    }
    expect(result.code).toBe(3);
    expect(existsSync(into)).toBe(false);
    expect((await siggate(['fetch', url(), '--into', into, ...keys()], withToken)).code).toBe(0);
    expect(await headOf(into)).toBe(c.B);
  });

  it('exits 3 for a bad token without printing it', async () => {
    const into = await freshDir();
    const wrong = 'tok-WRONG-e2e-never-print-5521';
    const result = await siggate(['fetch', url(), '--into', into, ...keys()], { SIGGATE_GIT_TOKEN: wrong });
    expect(result.code).toBe(3);
    expectNoSecret(result, wrong);
    expectNoSecret(result, TOKEN);
    expect(existsSync(into)).toBe(false);
  });

  it('exits 3 for a bad password given through --password-env without printing it', async () => {
    const wrong = 'pw-WRONG-e2e-8812';
    const args = ['fetch', url(), '--into', await freshDir(), '--username', 'ci', '--password-env', 'DEPLOY_PW', ...keys()];
    const result = await siggate(args, { DEPLOY_PW: wrong });
    expect(result.code).toBe(3);
    expectNoSecret(result, wrong);
  });

  it('fetches from a local path and a file:// URL through the system git', async () => {
    for (const remote of [bare.dir, `file://${bare.dir}`]) {
      const into = await freshDir();
      const result = await siggate(['fetch', remote, '--into', into, '--ref', 'main', '--since', c.R, ...keys(), '--json']);
      expect(result.code).toBe(0);
      expect(await headOf(into)).toBe(c.B);
    }
  });

  it('takes --verbose, listing a row for every commit', async () => {
    const result = await siggate(['fetch', url(), '--into', await freshDir(), '--since', c.R, '--verbose', ...keys()], withToken);
    expect(result.code).toBe(0);
    const rows = result.stderr.split('\n').filter((line) => /^ {2}[0-9a-f]{12} {2}/.test(line));
    expect(rows.map((row) => row.slice(2, 14))).toEqual([c.B.slice(0, 12), c.A.slice(0, 12)]);
  });

  it('exits 2 and changes nothing when the update would discard a local change; --force discards it and exits 0', async () => {
    const into = await freshDir();
    await work.git('push', '--quiet', bare.dir, `+${c.A}:refs/heads/moving`);
    expect((await siggate(['fetch', url(), '--into', into, '--ref', 'moving', ...keys()], withToken)).code).toBe(0);
    await work.git('push', '--quiet', bare.dir, `+${c.B}:refs/heads/moving`);
    await writeFile(join(into, 'file-1.txt'), 'local edit\n');
    const before = await snapshot(into);
    const refused = await siggate(['fetch', url(), '--into', into, '--ref', 'moving', ...keys()], withToken);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('file-1.txt');
    expect(await snapshot(into)).toEqual(before);
    expect((await siggate(['fetch', url(), '--into', into, '--ref', 'moving', '--force', ...keys()], withToken)).code).toBe(0);
    expect(await headOf(into)).toBe(c.B);
    expect(await readFile(join(into, 'file-1.txt'), 'utf8')).toBe('1\n');
  });

  it('exits 2 for usage errors: no --into, an unset --token-env variable', async () => {
    expect((await siggate(['fetch', url(), ...keys()])).code).toBe(2);
    const result = await siggate(['fetch', url(), '--into', await freshDir(), '--token-env', 'SIGGATE_TEST_UNSET_VAR', ...keys()]);
    expect(result.code).toBe(2);
  });
});
