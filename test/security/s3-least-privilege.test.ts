// Attacks and accidents around a least-privilege S3 reader, on the real S3 (RGW enforces bucket policies as AWS does:
// without s3:ListBucket a missing object is 403, not 404). A forbidden signature candidate must not hide a readable
// one, nor open the gate; S3 refusing the artifact itself is an S3 failure (exit 3), never "unsigned"; a bucket that
// does not exist is exit 3, never "unsigned". Each attack with its control case.
import { beforeAll, expect, it } from 'vitest';
import { s3Verify } from '../../src/commands/s3-artifact.js';
import { RemoteError } from '../../src/core/errors.js';
import { isolateAwsEnv } from '../helpers/aws-fakes.js';
import { createBucket, describeRgw as describe, keysOf, rgwInfo, setBucketPolicy, uniqueBucket, type Statement } from '../helpers/rgw.js';
import { BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, rejection, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let world: S3World;
beforeAll(async () => {
  world = await s3World(await demoWorld());
});

const reader = (): { AWS: string[] } => ({ AWS: [rgwInfo().users.reader.arn] });
const getOnly = (bucket: string): Statement => ({ Principal: reader(), Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] });
const listBucket = (bucket: string): Statement => ({ Principal: reader(), Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`] });
const deny = (bucket: string, key: string): Statement => ({ Effect: 'Deny', Principal: reader(), Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/${key}`] });

/** A fresh bucket with `statements` as its policy for the reader. */
async function bucketWith(statements: (bucket: string) => Statement[]): Promise<string> {
  const bucket = uniqueBucket('lp');
  await createBucket(bucket);
  await setBucketPolicy(bucket, statements(bucket));
  return bucket;
}

/** s3 verify as the reader, who has only what the bucket policy grants. */
async function verifyAsReader(bucket: string, key: string, extra: Record<string, unknown> = {}) {
  const { accessKeyId, secretAccessKey } = keysOf('reader');
  const restoreEnv = isolateAwsEnv({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' });
  try {
    return await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${bucket}/${key}`, ...extra });
  } finally {
    restoreEnv();
  }
}

describe('a reader allowed only s3:GetObject', () => {
  it('gets 403 for the missing KEY.sig and still finds KEY.asc', async () => {
    const bucket = await bucketWith((b) => [getOnly(b)]);
    await world.putSigned('app.tgz', 'the release', 'alice', { bucket });
    expect(await verifyAsReader(bucket, 'app.tgz')).toMatchObject({ ok: true, status: 'valid', unreadable: [`s3://${bucket}/app.tgz.sig`] });
    // control: with s3:ListBucket the missing KEY.sig is a plain 404
    const listed = await bucketWith((b) => [getOnly(b), listBucket(b)]);
    await world.putSigned('app.tgz', 'the release', 'alice', { bucket: listed });
    expect(await verifyAsReader(listed, 'app.tgz')).toMatchObject({ ok: true, status: 'valid', unreadable: [] });
  });

  it('an unsigned artifact stays closed: no readable signature (exit 1), both candidates named', async () => {
    const bucket = await bucketWith((b) => [getOnly(b)]);
    await world.s3.put(bucket, 'unsigned.tgz', 'nobody signed this');
    const report = await verifyAsReader(bucket, 'unsigned.tgz');
    expect(report).toMatchObject({ ok: false, status: 'unsigned', unreadable: [`s3://${bucket}/unsigned.tgz.sig`, `s3://${bucket}/unsigned.tgz.asc`] });
    // control: the same artifact with its signature passes
    await world.putSigned('unsigned.tgz', 'nobody signed this', 'alice', { bucket });
    expect((await verifyAsReader(bucket, 'unsigned.tgz')).status).toBe('valid');
  });
});

describe('forbidden signatures', () => {
  it('a forbidden KEY.sig in front of a bad KEY.asc does not open the gate', async () => {
    const bucket = await bucketWith((b) => [getOnly(b), listBucket(b), deny(b, 'app.tgz.sig')]);
    await world.s3.put(bucket, 'app.tgz', 'the artifact');
    await world.s3.put(bucket, 'app.tgz.sig', 'whatever the reader cannot see');
    await world.s3.put(bucket, 'app.tgz.asc', await world.demo.gpg.signDetached(world.demo.fingerprints.alice, 'other bytes'));
    expect(await verifyAsReader(bucket, 'app.tgz')).toMatchObject({ ok: false, status: 'bad-signature', unreadable: [`s3://${bucket}/app.tgz.sig`] });
    // control: a good KEY.asc behind the forbidden KEY.sig passes
    await world.s3.put(bucket, 'app.tgz.asc', await world.demo.gpg.signDetached(world.demo.fingerprints.alice, 'the artifact'));
    expect((await verifyAsReader(bucket, 'app.tgz')).status).toBe('valid');
  });

  it('signatures that exist but are all forbidden are no signature, never valid', async () => {
    const bucket = await bucketWith((b) => [getOnly(b), listBucket(b), deny(b, 'app.tgz.sig'), deny(b, 'app.tgz.asc')]);
    await world.putSigned('app.tgz', 'the artifact', 'alice', { bucket });
    await world.putSigned('app.tgz', 'the artifact', 'alice', { bucket, binary: true });
    expect(await verifyAsReader(bucket, 'app.tgz')).toMatchObject({ ok: false, status: 'unsigned', unreadable: [`s3://${bucket}/app.tgz.sig`, `s3://${bucket}/app.tgz.asc`] });
    // control: the owner, whom no policy denies, verifies the same artifact
    expect((await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${bucket}/app.tgz` })).status).toBe('valid');
  });
});

describe('the artifact itself', () => {
  it('readable signature, forbidden artifact: an S3 refusal (exit 3), not unsigned', async () => {
    const bucket = await bucketWith((b) => [getOnly(b), deny(b, 'app.tgz')]);
    await world.putSigned('app.tgz', 'the artifact', 'alice', { bucket });
    expect(await rejection(verifyAsReader(bucket, 'app.tgz'))).toBeInstanceOf(RemoteError);
    // control: the same policy without the deny
    const open = await bucketWith((b) => [getOnly(b)]);
    await world.putSigned('app.tgz', 'the artifact', 'alice', { bucket: open });
    expect((await verifyAsReader(open, 'app.tgz')).status).toBe('valid');
  });

  it('no access at all (no policy for the reader) is exit 3, not unsigned', async () => {
    const bucket = await bucketWith(() => [{ Principal: { AWS: [rgwInfo().users.writer.arn] }, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::nothing/*'] }]);
    await world.s3.put(bucket, 'app.tgz', 'the artifact');
    expect(await rejection(verifyAsReader(bucket, 'app.tgz'))).toBeInstanceOf(RemoteError);
  });
});

describe('a bucket that does not exist', () => {
  it('is exit 3 ("no such bucket"), never unsigned, for the owner and for a reader', async () => {
    const missing = uniqueBucket('nosuch');
    const owner = await rejection(s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${missing}/app.tgz` }));
    expect(owner).toBeInstanceOf(RemoteError);
    expect((owner as RemoteError).cause).toMatchObject({ name: 'NoSuchBucket' });
    expect(await rejection(verifyAsReader(missing, 'app.tgz'))).toBeInstanceOf(RemoteError);
    // ... also when the signature named by --signature is readable elsewhere
    await world.putSigned('elsewhere.tgz', 'signed');
    const named = await rejection(s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${missing}/elsewhere.tgz`, signature: `s3://${BUCKET}/elsewhere.tgz.asc` }));
    expect(named).toBeInstanceOf(RemoteError);
    // control: an existing bucket without the object says not-found, without signatures unsigned
    expect((await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${BUCKET}/absent.tgz` })).status).toBe('not-found');
    await world.s3.put(BUCKET, 'bare.tgz', 'unsigned');
    expect((await s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${BUCKET}/bare.tgz` })).status).toBe('unsigned');
  });
});
