import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { s3Get, s3Verify } from '../../src/commands/s3-artifact.js';
import { s3Put } from '../../src/commands/s3-put.js';
import { RemoteError, UsageError } from '../../src/core/errors.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { ISOLATED_GIT, signingCloneOf } from '../helpers/merge-world.js';
import { BUCKET, KEYS_BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, rejection, useFixtureCleanup } from '../helpers/world.js';
import { describeRgw as describe } from '../helpers/rgw.js';

useFixtureCleanup();

let world: S3World;
let out: string;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  world = await s3World(await demoWorld());
});
beforeEach(async () => {
  world.s3.faults.length = 0;
  world.s3.requests.length = 0;
  world.s3.bucketRegion = null;
  await world.s3.up();
  out = join(await makeTempDir('siggate-s3-out-'), 'artifact.tgz');
});

const uri = (key: string): string => `s3://${BUCKET}/${key}`;
const options = (key: string, extra: Record<string, unknown> = {}) => ({ ...world.access, keys: [world.keysDir], object: uri(key), ...extra });

describe('s3 get and verify', () => {
  it('writes the object only after its armored OpenPGP signature verified', async () => {
    await world.putSigned('releases/app-1.0.0.tgz', 'release bytes 1.0.0');
    const report = await s3Get({ ...options('releases/app-1.0.0.tgz'), out });
    expect(report).toMatchObject({ ok: true, status: 'valid', written: out, signer: { fingerprint: world.demo.fingerprints.alice } });
    expect(report.signature?.uri).toBe(uri('releases/app-1.0.0.tgz.asc'));
    expect(await readFile(out, 'utf8')).toBe('release bytes 1.0.0');
  });

  it('accepts binary OpenPGP signatures (.sig) and SSH signatures made for the file namespace', async () => {
    await world.putSigned('bin.tgz', 'binary-signed', 'bob', { binary: true });
    expect((await s3Verify(options('bin.tgz'))).status).toBe('valid');
    await world.putSshSigned('ssh.tgz', 'ssh-signed');
    const report = await s3Verify(options('ssh.tgz'));
    expect(report).toMatchObject({ ok: true, status: 'valid' });
    expect(report.signer?.userId).toBe('ci@siggate.test');
  });

  it('refuses an SSH signature made for another namespace, unless --namespace names it', async () => {
    await world.putSshSigned('git-ns.tgz', 'made for git', 'git');
    expect((await s3Verify(options('git-ns.tgz'))).status).toBe('bad-signature');
    // the allowed_signers entry permits only the file namespace
    expect((await s3Verify(options('git-ns.tgz', { namespace: 'git' }))).status).toBe('not-allowed');
  });

  it('says "no signature" when neither KEY.sig nor KEY.asc exists, and writes nothing', async () => {
    await world.s3.put(BUCKET, 'unsigned.tgz', 'nobody signed this');
    const report = await s3Get({ ...options('unsigned.tgz'), out });
    expect(report).toMatchObject({ ok: false, status: 'unsigned', written: null });
    expect(report.reason).toMatch(/^no signature/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a missing object as not-found', async () => {
    await world.s3.put(BUCKET, 'ghost.tgz.asc', 'orphan signature');
    expect((await s3Verify(options('ghost.tgz'))).status).toBe('not-found');
  });

  it('refuses a signature by a key that is not allowed', async () => {
    await world.putSigned('mallory.tgz', 'evil', 'mallory');
    const report = await s3Get({ ...options('mallory.tgz'), out });
    expect(report.status).toBe('unknown-key');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a tampered object and leaves an existing file with its old content', async () => {
    await world.putSigned('tampered.tgz', 'the reviewed release');
    await world.s3.put(BUCKET, 'tampered.tgz', 'the reviewed release, plus a backdoor');
    await writeFile(out, 'previous deployment');
    const report = await s3Get({ ...options('tampered.tgz'), out });
    expect(report.status).toBe('bad-signature');
    expect(await readFile(out, 'utf8')).toBe('previous deployment');
  });

  it('uses the signature named by --signature', async () => {
    await world.putSigned('elsewhere.tgz', 'signed elsewhere');
    await world.s3.put(KEYS_BUCKET, 'sigs/elsewhere.asc', await readS3(world, BUCKET, 'elsewhere.tgz.asc'));
    const report = await s3Verify(options('elsewhere.tgz', { signature: `s3://${KEYS_BUCKET}/sigs/elsewhere.asc` }));
    expect(report).toMatchObject({ status: 'valid', signature: { uri: `s3://${KEYS_BUCKET}/sigs/elsewhere.asc` } });
  });

  it('loads the allow list from s3://BUCKET/PREFIX/ as well', async () => {
    await world.s3.put(KEYS_BUCKET, 'deploy-keys/bob.asc', await readFile(demoKeys.bob.publicKeyPath));
    await world.putSigned('by-bob.tgz', 'bob built this', 'bob');
    expect((await s3Verify({ ...world.access, keys: [`s3://${KEYS_BUCKET}/deploy-keys/`], object: uri('by-bob.tgz') })).status).toBe('valid');
    await world.putSigned('by-alice.tgz', 'alice built this', 'alice');
    expect((await s3Verify({ ...world.access, keys: [`s3://${KEYS_BUCKET}/deploy-keys/`], object: uri('by-alice.tgz') })).status).toBe('unknown-key');
  });
});

describe('s3 faults', () => {
  it('retries S3 answering 500, then succeeds', async () => {
    await world.putSigned('flaky.tgz', 'flaky');
    world.s3.faults.push({ kind: 'status', status: 500, code: 'InternalError', times: 1, match: (r) => r.method === 'GET' && r.path.endsWith('/flaky.tgz') });
    expect((await s3Get({ ...options('flaky.tgz'), out })).status).toBe('valid');
    expect(world.s3.requests.filter((r) => r.path.endsWith('/flaky.tgz')).map((r) => r.status)).toEqual([500, 200]);
  });

  it('S3 down is a RemoteError (exit 3) and nothing is written', async () => {
    await world.putSigned('down.tgz', 'down');
    await world.s3.down();
    const error = await rejection(s3Get({ ...options('down.tgz'), out }));
    expect(error).toBeInstanceOf(RemoteError);
    expect(existsSync(out)).toBe(false);
  });

  it('a download cut off midway is a RemoteError; no file and no temp file are left', async () => {
    await world.putSigned('cut.tgz', 'x'.repeat(200_000));
    world.s3.faults.push({ kind: 'cut', afterBytes: 50_000, times: 3, match: (r) => r.method === 'GET' && r.path.endsWith('/cut.tgz') });
    const error = await rejection(s3Get({ ...options('cut.tgz'), out }));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/cut off/);
    expect(await readdir(join(out, '..'))).toEqual([]);
  });

  it("follows S3's redirect to the bucket's region (301 PermanentRedirect with x-amz-bucket-region, as AWS answers)", async () => {
    // RGW never sends x-amz-bucket-region: the proxy answers as an AWS bucket in eu-west-1 does, then RGW serves the
    // requests re-signed for eu-west-1 (it accepts any region)
    await world.putSigned('regional.tgz', 'lives in eu-west-1');
    world.s3.bucketRegion = 'eu-west-1';
    expect((await s3Get({ ...options('regional.tgz'), out })).status).toBe('valid');
    const served = world.s3.requests.filter((r) => r.status === 200);
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((r) => r.region === 'eu-west-1')).toBe(true);
    expect(world.s3.requests.some((r) => r.status === 301 && r.region === 'us-east-1')).toBe(true);
  });

  it('a destination directory that does not exist is a usage error before any download', async () => {
    const error = await rejection(s3Get({ ...options('flaky.tgz'), out: '/nonexistent/dir/file' }));
    expect(error).toBeInstanceOf(UsageError);
    expect(world.s3.requests).toEqual([]);
  });
});

describe('s3 put', () => {
  it('signs with --key, verifies, and uploads object and KEY.asc, which s3 get accepts', async () => {
    const file = join(await makeTempDir('siggate-put-'), 'app-2.0.0.tgz');
    await writeFile(file, 'release 2.0.0');
    const report = await s3Put({ ...world.access, keys: [world.keysDir], file, object: uri('releases/app-2.0.0.tgz'), keyFile: demoKeys.alice.secretKeyPath });
    expect(report).toMatchObject({ ok: true, signature: { uri: uri('releases/app-2.0.0.tgz.asc') } });
    expect((await s3Get({ ...options('releases/app-2.0.0.tgz'), out })).status).toBe('valid');
  });

  it("signs through git's configuration: gpg (gpg.program, user.signingkey) and ssh (gpg.format ssh)", async () => {
    const remote = await Repo.init({ bare: true });
    const clone = await signingCloneOf(remote, world.demo);
    const file = join(clone.dir, 'app.tgz');
    await writeFile(file, 'signed by git config');
    const gpg = await s3Put({ ...world.access, keys: [world.keysDir], file, object: uri('git/app.tgz'), cwd: clone.dir });
    expect(gpg).toMatchObject({ ok: true, signer: { fingerprint: world.demo.fingerprints.alice } });
    await clone.git('config', 'gpg.format', 'ssh');
    await clone.git('config', 'user.signingkey', world.ssh.privateKeyPath);
    const ssh = await s3Put({ ...world.access, keys: [world.keysDir], file, object: uri('git/ssh.tgz'), cwd: clone.dir });
    expect(ssh).toMatchObject({ ok: true, signature: { uri: uri('git/ssh.tgz.sig') } });
    expect((await s3Verify(options('git/ssh.tgz'))).status).toBe('valid');
  });

  it('uploads nothing when the signature would not verify: a key that is not allowed, or a signature of other bytes', async () => {
    const dir = await makeTempDir('siggate-put-');
    const file = join(dir, 'app.tgz');
    await writeFile(file, 'release');
    const refused = await s3Put({ ...world.access, keys: [world.keysDir], file, object: uri('refused/app.tgz'), keyFile: demoKeys.mallory.secretKeyPath });
    expect(refused).toMatchObject({ ok: false, status: 'unknown-key', object: null });
    const other = join(dir, 'other.asc');
    await writeFile(other, await world.demo.gpg.signDetached(world.demo.fingerprints.alice, 'different bytes'));
    const mismatch = await s3Put({ ...world.access, keys: [world.keysDir], file, object: uri('refused/app.tgz'), signatureFile: other });
    expect(mismatch).toMatchObject({ ok: false, status: 'bad-signature' });
    expect(world.s3.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  });
});

async function readS3(w: S3World, bucket: string, key: string): Promise<Uint8Array> {
  const { GetObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ endpoint: w.s3.endpoint, forcePathStyle: true, region: 'us-east-1' });
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await response.Body!.transformToByteArray();
  client.destroy();
  return bytes;
}
