// The resource scripts in S3 mode (source with `bucket`), driven in-process with the JSON Concourse sends.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { ResourceKind } from '../../src/resource/main.js';
import { resourceHarness, type ResourceHarness, type ScriptOutcome } from '../helpers/resource.js';
import { BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';
import { describeRgw as describe } from '../helpers/rgw.js';

useFixtureCleanup();

let world: S3World;
let armoredKeys: string[];

beforeAll(async () => {
  world = await s3World(await demoWorld());
  armoredKeys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8'), await readFile(demoKeys.bob.publicKeyPath, 'utf8')];
});
beforeEach(() => {
  world.s3.faults.length = 0;
});

let harness: ResourceHarness;
const resource = async (kind: ResourceKind, request: unknown, argv: string[] = []): Promise<ScriptOutcome> => (harness ??= await resourceHarness()).run(kind, request, argv);

const source = (prefix: string, extra: Record<string, unknown> = {}) => ({
  bucket: BUCKET,
  regexp: `${prefix}/app-(.*)\\.tgz`,
  endpoint: world.access.endpoint,
  force_path_style: true,
  region: 'us-east-1',
  commit_verification_keys: armoredKeys,
  ...extra,
});

describe('S3 mode: check', () => {
  it('emits the newest version that verifies, and later only verified versions from the given one on, semver-ordered', async () => {
    await world.putSigned('c1/app-1.9.0.tgz', '1.9.0');
    await world.putSigned('c1/app-1.10.0.tgz', '1.10.0');
    await world.putSigned('c1/app-1.11.0.tgz', '1.11.0 by mallory', 'mallory');
    await world.s3.put(BUCKET, 'c1/app-1.12.0.tgz', 'unsigned');
    await world.s3.put(BUCKET, 'c1/other-9.9.9.tgz', 'not matching');
    const first = await resource('check', { source: source('c1') });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual([{ path: 'c1/app-1.10.0.tgz' }]);
    expect(first.stderr).toMatch(/skipping .*1\.12\.0.*unsigned/);
    expect(first.stderr).toMatch(/skipping .*1\.11\.0.*unknown-key/);
    await world.putSigned('c1/app-1.13.0.tgz', '1.13.0', 'bob');
    const next = await resource('check', { source: source('c1'), version: { path: 'c1/app-1.9.0.tgz' } });
    expect(JSON.parse(next.stdout)).toEqual([{ path: 'c1/app-1.9.0.tgz' }, { path: 'c1/app-1.10.0.tgz' }, { path: 'c1/app-1.13.0.tgz' }]);
  });

  it('emits nothing when no version verifies', async () => {
    await world.s3.put(BUCKET, 'c2/app-1.0.0.tgz', 'unsigned');
    const out = await resource('check', { source: source('c2') });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([]);
  });
});

describe('S3 mode: in', () => {
  it('writes the verified file and its version, with metadata', async () => {
    await world.putSigned('i1/app-2.0.0.tgz', 'artifact 2.0.0');
    const dest = await makeTempDir('siggate-in-');
    const out = await resource('in', { source: source('i1'), version: { path: 'i1/app-2.0.0.tgz' } }, [dest]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).version).toEqual({ path: 'i1/app-2.0.0.tgz' });
    expect(await readFile(join(dest, 'app-2.0.0.tgz'), 'utf8')).toBe('artifact 2.0.0');
    expect(await readFile(join(dest, 'version'), 'utf8')).toBe('2.0.0\n');
  });

  it('writes nothing when the signature does not verify (exit 1) or the download is cut off (exit 3)', async () => {
    await world.putSigned('i2/app-1.0.0.tgz', 'original');
    await world.s3.put(BUCKET, 'i2/app-1.0.0.tgz', 'swapped after signing');
    const dest = await makeTempDir('siggate-in-');
    const bad = await resource('in', { source: source('i2'), version: { path: 'i2/app-1.0.0.tgz' } }, [dest]);
    expect(bad.code).toBe(1);
    expect(await readdir(dest)).toEqual([]);
    await world.putSigned('i2/app-1.1.0.tgz', 'y'.repeat(100_000));
    world.s3.faults.push({ kind: 'cut', afterBytes: 10_000, times: 5, match: (r) => r.method === 'GET' && r.path.endsWith('/i2/app-1.1.0.tgz') });
    const cut = await resource('in', { source: source('i2'), version: { path: 'i2/app-1.1.0.tgz' } }, [dest]);
    expect(cut.code).toBe(3);
    expect(await readdir(dest)).toEqual([]);
  });
});

describe('S3 mode: out', () => {
  it('signs with source.signing_key, verifies, uploads object and signature; in accepts it', async () => {
    const src = await makeTempDir('siggate-out-');
    await writeFile(join(src, 'app-3.0.0.tgz'), 'release 3.0.0');
    const request = { source: source('o1', { signing_key: await readFile(demoKeys.alice.secretKeyPath, 'utf8') }), params: { file: 'app-*.tgz' } };
    const out = await resource('out', request, [src]);
    expect(out.stderr).not.toContain('internal error');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).version).toEqual({ path: 'o1/app-3.0.0.tgz' });
    expect(out.stderr + out.stdout).not.toMatch(/PRIVATE KEY/);
    const dest = await makeTempDir('siggate-in-');
    expect((await resource('in', { source: source('o1'), version: { path: 'o1/app-3.0.0.tgz' } }, [dest])).code).toBe(0);
  });

  it('uploads nothing unsigned, nor with a signature that does not verify', async () => {
    const src = await makeTempDir('siggate-out-');
    await writeFile(join(src, 'app-4.0.0.tgz'), 'release 4.0.0');
    await writeFile(join(src, 'app-4.0.0.tgz.asc'), await world.demo.gpg.signDetached(world.demo.fingerprints.mallory, 'release 4.0.0'));
    const unsigned = await resource('out', { source: source('o2'), params: { file: 'app-4.0.0.tgz' } }, [src]);
    expect(unsigned.code).toBe(2);
    const mallory = await resource('out', { source: source('o2'), params: { file: 'app-4.0.0.tgz', signature: 'app-4.0.0.tgz.asc' } }, [src]);
    expect(mallory.code).toBe(1);
    const listing = await resource('check', { source: source('o2') });
    expect(JSON.parse(listing.stdout)).toEqual([]);
    expect(existsSync(join(src, 'app-4.0.0.tgz'))).toBe(true);
  });
});

describe('S3 mode: configuration', () => {
  it.each([
    [{ access_key_id: 'AKIA…', secret_access_key: 'x' }, /no AWS keys in pipeline configuration/],
    [{ regexp: 'no-capture\\.tgz' }, /capture group/],
    [{ versioned_file: 'a.tgz' }, /exactly one of regexp and versioned_file/],
    [{ role_duration: 60, role_arn: 'arn:aws:iam::123456789012:role/r' }, /role-duration/],
    [{ surprise: true }, /unknown key "surprise"/],
  ])('refuses %j with exit 2', async (extra, message) => {
    const out = await resource('check', { source: source('cfg', extra) });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toContain('secret_access_key: x');
  });
});
