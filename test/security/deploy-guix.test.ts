// `siggate deploy` of a Guix channel (`"policy": { "kind": "guix", … }`): the channel is authenticated from its
// introduction on every deploy, the last deployed commit must stay an ancestor (no silent rollback), and the
// policy's fields are checked before anything is fetched. Each attack beside its control case. The channel
// (test/helpers/guix-world.ts, as in guix-channel.test.ts):
//
//   P0 ── I ── A ── B        I: introduction by alice (authorizes alice, bob); A, B: by bob
//               └── DROP     alice drops bob (a valid channel commit, but not a descendant of A)
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { guixWorld, type GuixWorld } from '../helpers/guix-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let g: GuixWorld;
let dir: string;
const c: Record<string, string> = {};

beforeAll(async () => {
  g = await guixWorld();
  Object.assign(c, g.c);
  const on = (parent: string) => ({ parents: [parent], update: false });
  await g.keyring('keyring-with-mallory', ['alice', 'bob', 'mallory']);
  c['B'] = await g.repo.commit({ message: 'B by bob\n', ...on(c['A']!), sign: g.world.as('bob') });
  c['M'] = await g.repo.commit({ message: 'by mallory\n', ...on(c['A']!), sign: g.world.as('mallory') });
  c['SELF'] = await g.repo.commit({ message: 'mallory authorizes herself\n', ...on(c['A']!), files: { '.guix-authorizations': g.authorizations(['alice', 'bob', 'mallory']) }, sign: g.world.as('mallory') });
  c['DROP'] = await g.repo.commit({ message: 'alice drops bob\n', ...on(c['I']!), files: { '.guix-authorizations': g.authorizations(['alice']) }, sign: g.world.as('alice') });
  c['ROOT'] = await g.repo.commit({ message: 'an unrelated root\n', parents: [], update: false, files: { '.guix-authorizations': g.authorizations(['alice', 'bob']) }, sign: g.world.as('alice') });
});

beforeEach(async () => {
  dir = await makeTempDir('siggate-deploy-guix-');
  await moveMain(c['A']!);
});

const RECORDER = "require('node:fs').appendFileSync(process.env.RECORD, process.env.SIGGATE_DEPLOY_COMMIT + '\\n')";

function policy(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'guix', intro: c['I'], introSigner: g.introSigner, ...extra };
}

async function register(entry: Record<string, unknown> = {}): Promise<void> {
  const shop = { gitUrl: g.repo.dir, branch: 'main', command: [process.execPath, '-e', RECORDER], env: { RECORD: join(dir, 'runs') }, policy: policy(), ...entry };
  await writeFile(join(dir, 'deploy.json'), JSON.stringify({ shop }));
}

function deploy(...extra: string[]): Promise<CliResult> {
  return runBin('siggate', ['deploy', 'shop', '--register', join(dir, 'deploy.json'), '--state', join(dir, 'state'), '--json', ...extra]);
}

async function moveMain(oid: string): Promise<void> {
  await g.repo.git('update-ref', 'refs/heads/main', oid);
}

async function runs(): Promise<string[]> {
  const file = join(dir, 'runs');
  return existsSync(file) ? (await readFile(file, 'utf8')).trim().split('\n') : [];
}

async function deployed(): Promise<string | null> {
  const file = join(dir, 'state', 'shop.json');
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as { commit: string }).commit : null;
}

describe('deploy under a Guix policy', () => {
  it('control: deploys the channel authenticated from its introduction, then the next commit', async () => {
    await register();
    const first = await deploy();
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ deployed: true, target: c['A'], since: c['I'], mode: 'all', checked: 1 });
    await moveMain(c['B']!);
    const second = await deploy();
    expect(second.code).toBe(0);
    // the range is INTRO..tip every time: the state store is not an anchor
    expect(JSON.parse(second.stdout)).toMatchObject({ deployed: true, target: c['B'], previous: c['A'], since: c['I'], checked: 2 });
    expect(await runs()).toEqual([c['A'], c['B']]);
    expect(await deployed()).toBe(c['B']);
  });

  it.each([
    ['a key missing from the keyring branch', 'M', {}],
    ["mallory's key in the keyring, authorizing herself", 'SELF', { keyringRef: 'keyring-with-mallory' }],
  ])('an unauthorized commit (%s): exit 1, the command never runs, the state stays', async (_, name, extra) => {
    await register({ policy: policy(extra) });
    expect((await deploy()).code).toBe(0);
    await moveMain(c[name]!);
    const result = await deploy();
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ deployed: false, status: 'failed' });
    expect(await runs()).toEqual([c['A']]);
    expect(await deployed()).toBe(c['A']);
  });

  it('an introduction signer other than the one given: exit 1 (untrusted-root), nothing run', async () => {
    await register({ policy: policy({ introSigner: g.world.fingerprints.bob }) });
    const result = await deploy();
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'untrusted-root', deployed: false });
    expect(await runs()).toEqual([]);
  });

  it('a branch moved off the last deployed commit (to a valid channel commit) is not-descendant; control: --allow-rewind deploys it', async () => {
    await register();
    expect((await deploy()).code).toBe(0);
    await moveMain(c['DROP']!);
    const refused = await deploy();
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'not-descendant', deployed: false });
    expect(await runs()).toEqual([c['A']]);
    const rewound = await deploy('--allow-rewind');
    expect(rewound.code).toBe(0);
    expect(await deployed()).toBe(c['DROP']);
  });

  it('a tampered state cannot skip the gate: the range starts at the introduction, whatever the state names', async () => {
    await register();
    expect((await deploy()).code).toBe(0);
    const file = join(dir, 'state', 'shop.json');
    const tamper = async (commit: string) => writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), commit }));
    // the state names the unauthorized tip itself: bounded by the state the range would be empty
    await tamper(c['M']!);
    await moveMain(c['M']!);
    const skipped = await deploy();
    expect(skipped.code).toBe(1);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ deployed: false, status: 'failed' });
    // a commit the history lacks: not-descendant, even for a valid tip
    await tamper('f'.repeat(40));
    await moveMain(c['B']!);
    const gone = await deploy();
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stdout)).toMatchObject({ deployed: false, status: 'not-descendant' });
    expect(await runs()).toEqual([c['A']]);
  });

  it('--allow-rewind waives only the last deployed commit: a branch not descending from the introduction stays refused', async () => {
    await register();
    expect((await deploy()).code).toBe(0);
    await moveMain(c['ROOT']!);
    const result = await deploy('--allow-rewind');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ deployed: false });
    expect(await runs()).toEqual([c['A']]);
  });

  it.each([
    ['policy.kind', () => ({ policy: policy({ kind: 'pgp-policy' }) })],
    ['policy.intro', () => ({ policy: policy({ intro: 'HEAD' }) })],
    ['policy.introSigner', () => ({ policy: policy({ introSigner: undefined }) })],
    ['keys', () => ({ keys: ['./keys'] })],
  ])('a bad %s: exit 2 naming it, nothing fetched or run', async (field, entry) => {
    await register(entry());
    const result = await deploy();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(field);
    expect(await runs()).toEqual([]);
    expect(await deployed()).toBeNull();
  });
});
