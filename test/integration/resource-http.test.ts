// The resource scripts against a real smart-HTTP server (`git http-backend` on 127.0.0.1) with basic auth.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { ResourceKind } from '../../src/resource/main.js';
import { resourceHarness, type ResourceHarness, type ScriptOutcome } from '../helpers/resource.js';
import { makeServedRemote, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const USER = 'ci-bot';
const PASSWORD = 'pa55-w0rd-never-print-me';

let harness: ResourceHarness;
const resource = (kind: ResourceKind, request: unknown, argv: string[] = []): Promise<ScriptOutcome> => harness.run(kind, request, argv);

let world: DemoWorld;
let server: GitHttpServer;
let work: Repo;
let bare: Repo;
let tip: string;
let source: Record<string, unknown>;

beforeAll(async () => {
  world = await demoWorld();
  harness = await resourceHarness();
  const remote = await makeServedRemote('siggate-http-root-');
  const root = remote.root;
  bare = remote.bare;
  work = await Repo.init();
  await work.commit({ message: 'one\n', sign: world.as('alice') });
  tip = await work.commit({ message: 'two\n', sign: world.as('bob') });
  await work.git('push', '--quiet', bare.dir, 'main');
  server = await startGitHttpServer({ root, auth: { username: USER, password: PASSWORD } });
  const keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8'), await readFile(demoKeys.bob.publicKeyPath, 'utf8')];
  source = { uri: server.repoUrl('project.git'), branch: 'main', username: USER, password: PASSWORD, commit_verification_keys: keys };
});

afterAll(async () => {
  await server?.close();
});

describe('over HTTP with basic auth', () => {
  it('check fetches with the credentials and emits the signed tip', async () => {
    const out = await resource('check', { source });
    expect(out.stderr).not.toContain(PASSWORD);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([{ ref: tip }]);
  });

  it('a wrong password is exit 3 and neither password appears on stderr', async () => {
    const wrong = 'wrong-pa55-also-secret';
    const out = await resource('check', { source: { ...source, password: wrong } });
    expect(out.code).toBe(3);
    expect(out.stderr).not.toContain(wrong);
    expect(out.stderr).not.toContain(PASSWORD);
  });

  it('in checks out the verified version', async () => {
    const dest = await makeTempDir('siggate-dest-');
    const out = await resource('in', { source, version: { ref: tip } }, [dest]);
    expect(out.stderr).not.toContain(PASSWORD);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).version).toEqual({ ref: tip });
    expect((await readdir(dest)).sort()).toEqual(['.git', 'file-1.txt', 'file-2.txt']);
  });

  it('in: credentials in the uri reach the server, never DEST: origin is the uri without them (git-resource stores the uri as given)', async () => {
    const dest = await makeTempDir('siggate-dest-');
    const url = new URL(server.repoUrl('project.git'));
    url.username = USER;
    url.password = PASSWORD;
    const { username: _u, password: _p, ...withoutCredentials } = source;
    const out = await resource('in', { source: { ...withoutCredentials, uri: url.toString() }, version: { ref: tip } }, [dest]);
    expect(out.code, out.stderr).toBe(0);
    const config = await readFile(join(dest, '.git', 'config'), 'utf8');
    expect(config).toContain(`url = ${server.repoUrl('project.git')}`);
    expect(config).not.toContain(PASSWORD);
    expect(out.stderr).not.toContain(PASSWORD);
  });

  it('in: the server dying mid-fetch is exit 3 and the destination stays empty', async () => {
    const dest = await makeTempDir('siggate-dest-');
    server.faults.dieMidFetch = true;
    try {
      const out = await resource('in', { source, version: { ref: tip } }, [dest]);
      expect(out.code).toBe(3);
      expect(out.stderr).not.toContain(PASSWORD);
    } finally {
      server.faults.dieMidFetch = false;
    }
    expect(await readdir(dest)).toEqual([]);
  });

  it('out pushes a verified commit as a tag over HTTP', async () => {
    const src = await makeTempDir('siggate-src-');
    await work.git('clone', '--quiet', work.dir, join(src, 'repo'));
    await writeFile(join(src, 'name'), 'release-1\n');
    const out = await resource('out', { source, params: { repository: 'repo', tag: 'name' } }, [src]);
    expect(out.stderr).not.toContain(PASSWORD);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).version).toEqual({ ref: tip });
    expect(await bare.revParse('refs/tags/release-1')).toBe(tip);
  });
});
