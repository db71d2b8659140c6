// Versioned buckets on the real S3 (RGW): --version-id, the signature version that belongs to an object version,
// versioned_file in the resource.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { s3Get, s3Verify } from '../../src/commands/s3-artifact.js';
import { s3Put } from '../../src/commands/s3-put.js';
import { runResource } from '../../src/resource/main.js';
import { s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';
import { describeRgw as describe, uniqueBucket } from '../helpers/rgw.js';

useFixtureCleanup();

const HISTORY = uniqueBucket('history');
let world: S3World;
beforeAll(async () => {
  world = await s3World(await demoWorld(), { versioned: [HISTORY] });
});

async function putVersion(key: string, body: string, signer = demoKeys.alice.secretKeyPath): Promise<{ object: string; signature: string }> {
  const file = join(await makeTempDir('siggate-ver-'), 'artifact');
  await writeFile(file, body);
  const report = await s3Put({ ...world.access, keys: [world.keysDir], file, object: `s3://${HISTORY}/${key}`, keyFile: signer });
  expect(report.ok).toBe(true);
  return { object: report.object!.versionId!, signature: report.signature!.versionId! };
}

describe('versioned buckets', () => {
  it('gets an older version with --version-id, verified against the signature uploaded with it', async () => {
    const v1 = await putVersion('app.tgz', 'release one');
    const v2 = await putVersion('app.tgz', 'release two');
    expect(v1.object).not.toBe(v2.object);
    const out = join(await makeTempDir('siggate-ver-out-'), 'app.tgz');
    const old = await s3Get({ ...world.access, keys: [world.keysDir], object: `s3://${HISTORY}/app.tgz`, versionId: v1.object, out });
    expect(old).toMatchObject({ status: 'valid', object: { versionId: v1.object }, signature: { versionId: v1.signature } });
    expect(await readFile(out, 'utf8')).toBe('release one');
    const latest = await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${HISTORY}/app.tgz` });
    expect(latest).toMatchObject({ status: 'valid', object: { versionId: v2.object } });
  });

  it('pairs versions uploaded by other tools by time: the first signature at or after the object version', async () => {
    const gpg = world.demo.gpg;
    const one = await world.s3.put(HISTORY, 'foreign.tgz', 'foreign one');
    await world.s3.put(HISTORY, 'foreign.tgz.asc', await gpg.signDetached(world.demo.fingerprints.bob, 'foreign one'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await world.s3.put(HISTORY, 'foreign.tgz', 'foreign two');
    await world.s3.put(HISTORY, 'foreign.tgz.asc', await gpg.signDetached(world.demo.fingerprints.bob, 'foreign two'));
    const report = await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${HISTORY}/foreign.tgz`, versionId: one! });
    expect(report.status).toBe('valid');
  });

  it('finds the signature of an old version past the first 1,000 signature versions (ListObjectVersions pages)', async () => {
    const v1 = await putVersion('paged.tgz', 'the first release');
    // 1,000 later signature versions (none of them of v1's bytes) fill the first page, newest first
    const junk = Array.from({ length: 1000 }, (_, i) => `not a signature ${i}`);
    for (let i = 0; i < junk.length; i += 25) await Promise.all(junk.slice(i, i + 25).map((body) => world.s3.put(HISTORY, 'paged.tgz.asc', body)));
    const report = await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${HISTORY}/paged.tgz`, versionId: v1.object });
    expect(report).toMatchObject({ status: 'valid', signature: { versionId: v1.signature } });
  });

  it('an unknown version id is not-found', async () => {
    await putVersion('known.tgz', 'known');
    const report = await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${HISTORY}/known.tgz`, versionId: 'no-such-version-id' });
    expect(report.ok).toBe(false);
  });
});

describe('resource versioned_file', () => {
  const source = () => ({
    bucket: HISTORY,
    versioned_file: 'state/semver',
    endpoint: world.access.endpoint,
    force_path_style: true,
    region: 'us-east-1',
  });

  async function resource(kind: 'check' | 'in' | 'out', request: unknown, argv: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runResource(kind, argv, JSON.stringify(request), { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }

  it('out uploads a new version, check emits only verified versions, in fetches by version_id', async () => {
    const keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8'), await readFile(demoKeys.bob.publicKeyPath, 'utf8')];
    const src = { ...source(), commit_verification_keys: keys, signing_key: await readFile(demoKeys.alice.secretKeyPath, 'utf8') };
    const dir = await makeTempDir('siggate-out-');
    await writeFile(join(dir, 'version'), '1.0.0\n');
    const first = await resource('out', { source: src, params: { file: 'version' } }, [dir]);
    expect(first.code).toBe(0);
    const v1 = JSON.parse(first.stdout).version as { version_id: string };
    await world.s3.put(HISTORY, 'state/semver', '9.9.9\n');
    await writeFile(join(dir, 'version'), '1.0.1\n');
    const v3 = JSON.parse((await resource('out', { source: src, params: { file: 'version' } }, [dir])).stdout).version as { version_id: string };
    const listed = await resource('check', { source: src, version: v1 });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([v1, v3]);
    expect(listed.stderr).toMatch(/skipping/);
    const dest = await makeTempDir('siggate-in-');
    expect((await resource('in', { source: src, version: v1 }, [dest])).code).toBe(0);
    expect(await readFile(join(dest, 'semver'), 'utf8')).toBe('1.0.0\n');
  });
});
