// The AWS fakes of test/helpers/aws-fakes.ts driven by the real SDK v3 clients, as the S3 artifact gate drives them:
// what s3rver really does (credentials, versioning, Range), the proxy's faults and versioning emulation, IMDSv2 and STS AssumeRole credential
// chains ending in an S3 read, and how long the SDK takes to give up on a dead metadata service.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromInstanceMetadata, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { cleanupAll } from '../../fixtures/lib/temp.js';
import { isolateAwsEnv, startImds, startS3, startSts, unusedEndpoint } from './aws-fakes.js';
import type { FakeImds, FakeS3, FakeSts } from './aws-fakes.js';

const BUCKET = 'artifacts';
const VERSIONED = 'history';
const KEY = 'releases/app-1.2.3.tgz';
const BODY = 'the artifact: 0123456789abcdefghijklmnopqrstuvwxyz';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/siggate-reader';

let s3: FakeS3;
let restoreEnv: () => void;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  // The seeding client is the first SDK client: isolated, it does not print the Node-version warning.
  const restore = isolateAwsEnv();
  try {
    s3 = await startS3({ buckets: [BUCKET], versioned: [VERSIONED] });
    await s3.put(BUCKET, KEY, BODY);
  } finally {
    restore();
  }
});
afterAll(async () => {
  await s3.close();
  await cleanupAll();
});
beforeEach(() => {
  restoreEnv = isolateAwsEnv();
  s3.requests.length = 0;
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  s3.faults.length = 0;
  await s3.up();
  restoreEnv();
});

type Credentials = NonNullable<S3ClientConfig['credentials']>;

/** An S3 client of the fake as the gate makes one: path-style, one attempt unless told. */
function s3Client(credentials: Credentials | undefined, config: S3ClientConfig = {}): S3Client {
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, ...(credentials ? { credentials } : {}), ...config });
  clients.push(client);
  return client;
}
const accepted = (): { accessKeyId: string; secretAccessKey: string } => ({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });

async function read(client: S3Client, key = KEY, extra: { Range?: string; VersionId?: string } = {}): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
  return (await response.Body?.transformToString()) ?? '';
}

/** The rejection of `promise`, which must reject, with the SDK's error fields. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  const error = await promise.then(() => new Error('expected a rejection'), (reason: unknown) => reason);
  if (!(error instanceof Error) || error.message === 'expected a rejection') throw error;
  return error;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

describe('s3rver behind the proxy', () => {
  it('serves the seeded object to the accepted pair and records who asked', async () => {
    expect(await read(s3Client(accepted()))).toBe(BODY);
    expect(s3.requests).toEqual([
      { method: 'GET', path: `/${BUCKET}/${KEY}`, query: 'x-id=GetObject', accessKeyId: 'S3RVER', sessionToken: null, status: 200 },
    ]);
  });

  it('accepts and ignores a session token, which the request record shows', async () => {
    expect(await read(s3Client({ ...accepted(), sessionToken: 'session-token-1' }))).toBe(BODY);
    expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken])).toEqual([['S3RVER', 'session-token-1']]);
  });

  it('refuses an unknown access key id: 403 InvalidAccessKeyId (from s3rver)', async () => {
    const error = await rejection(read(s3Client({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: s3.secretAccessKey })));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['InvalidAccessKeyId', 403]);
    expect(s3.requests.map((r) => [r.accessKeyId, r.status])).toEqual([['AKIAUNKNOWN', 403]]);
  });

  it('refuses a wrong secret with 403 SignatureDoesNotMatch, which s3rver alone would not', async () => {
    const wrong = { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' };
    const error = await rejection(read(s3Client(wrong)));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    // s3rver checks only V2 signatures: SigV4 with any secret passes it.
    expect(await read(s3Client(wrong, { endpoint: s3.directEndpoint }))).toBe(BODY);
  });

  it('refuses unsigned requests as a private bucket does', async () => {
    const response = await fetch(`${s3.endpoint}/${BUCKET}/${KEY}`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('checks signatures of awkward keys and query strings correctly', async () => {
    const client = s3Client(accepted());
    const key = 'odd keys/ünï cödé+plus (1)!*\'~.txt';
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'odd', Metadata: { 'signed-version': 'v 1' } }));
    expect(await read(client, key)).toBe('odd');
    const listing = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'odd keys/ü', Delimiter: '/', MaxKeys: 5 }));
    expect(listing.Contents?.map((c) => c.Key)).toEqual([key]);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.Metadata).toEqual({ 'signed-version': 'v 1' });
    expect(s3.requests.every((r) => r.status === 200)).toBe(true);
    expect(s3.requests[1]?.path).toBe(`/${BUCKET}/${key}`);
  });

  it('has no versioning: VersionId is ignored, version listing and PutBucketVersioning fail', async () => {
    const client = s3Client(accepted());
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'versioned.txt', Body: 'one' }));
    expect(put.VersionId).toBeUndefined();
    // Any VersionId, even one that never existed, answers the current object, with no version id.
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'versioned.txt', VersionId: 'no-such-version' }));
    expect([await got.Body?.transformToString(), got.VersionId]).toEqual(['one', undefined]);
    expect(s3.requests.at(-1)?.query).toBe('versionId=no-such-version&x-id=GetObject');
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'versioned.txt', VersionId: 'no-such-version' }));
    expect([head.ContentLength, head.VersionId]).toEqual([3, undefined]);
    const list = await rejection(client.send(new ListObjectVersionsCommand({ Bucket: BUCKET })));
    expect([list.name, list.$metadata?.httpStatusCode]).toEqual(['MethodNotAllowed', 405]);
    const enable = await rejection(client.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } })));
    expect([enable.name, enable.$metadata?.httpStatusCode]).toEqual(['BucketAlreadyExists', 409]);
    expect((await client.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBeUndefined();
  });

  it('honours Range (except suffix ranges)', async () => {
    const client = s3Client(accepted());
    const part = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, Range: 'bytes=4-11' }));
    expect([await part.Body?.transformToString(), part.ContentRange, part.ContentLength, part.$metadata.httpStatusCode]).toEqual([BODY.slice(4, 12), `bytes 4-11/${BODY.length}`, 8, 206]);
    expect(await read(client, KEY, { Range: 'bytes=40-' })).toBe(BODY.slice(40));
    const past = await rejection(read(client, KEY, { Range: 'bytes=1000-2000' }));
    expect([past.name, past.$metadata?.httpStatusCode]).toEqual(['InvalidRange', 416]);
    // Real S3 answers the last 5 bytes; s3rver reads '-5' as bytes 0-5.
    expect(await read(client, KEY, { Range: 'bytes=-5' })).toBe(BODY.slice(0, 6));
  });

  it('answers status faults with S3 XML errors, which the SDK retries (5xx) or not (4xx)', async () => {
    const isGet = (r: { method: string; path: string }) => r.method === 'GET' && r.path === `/${BUCKET}/${KEY}`;
    s3.faults.push({ kind: 'status', status: 500, times: 1, match: isGet });
    expect(await read(s3Client(accepted(), { maxAttempts: 3 }))).toBe(BODY);
    expect(s3.requests.map((r) => r.status)).toEqual([500, 200]);

    s3.faults.push({ kind: 'status', status: 503, times: 1, match: isGet });
    const slow = await rejection(read(s3Client(accepted())));
    expect([slow.name, slow.$metadata?.httpStatusCode]).toEqual(['SlowDown', 503]);

    s3.faults.push({ kind: 'status', status: 403, code: 'AccessDenied', times: 5, match: isGet });
    const denied = await rejection(read(s3Client(accepted(), { maxAttempts: 3 })));
    expect([denied.name, denied.message, denied.$metadata?.attempts]).toEqual(['AccessDenied', 'Access Denied', 1]);
    expect(s3.faults[0]?.times).toBe(4);
  });

  it('cuts a download midway: headers promise the full length, the body stream fails', async () => {
    for (const afterBytes of [10, 0]) {
      s3.faults.push({ kind: 'cut', afterBytes, times: 1, match: (r) => r.method === 'GET' });
      // send() resolves with the head; the loss shows only when the body is read.
      const response = await s3Client(accepted()).send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(response.ContentLength).toBe(BODY.length);
      const error = await rejection(response.Body!.transformToString());
      expect([error.name, error.code, error.message]).toEqual(['Error', 'ECONNRESET', 'aborted']);
    }
    expect(s3.faults).toEqual([]);
    expect(await read(s3Client(accepted()))).toBe(BODY);
  });

  it('carries large and streamed uploads intact (aws-chunked unframed for s3rver)', async () => {
    const client = s3Client(accepted());
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: big }));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    expect(Buffer.compare(Buffer.from(await got.Body!.transformToByteArray()), Buffer.from(big))).toBe(0);
    // A stream of known length goes as 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', aws-chunked with a CRC32 trailer.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed.txt', Body: Readable.from([Buffer.from('hello '), Buffer.from('stream')]), ContentLength: 12 }));
    expect(await read(client, 'streamed.txt')).toBe('hello stream');
    expect(s3.requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('goes down (ECONNREFUSED, fast) and comes back up on the same endpoint', async () => {
    const client = s3Client(accepted(), { maxAttempts: 3 });
    expect(await read(client)).toBe(BODY);
    await s3.down();
    const { ms, result: error } = await timed(() => rejection(read(client)));
    expect([error.name, error.code, error.$metadata?.attempts]).toEqual(['Error', 'ECONNREFUSED', 3]);
    expect(ms).toBeLessThan(5_000);
    await s3.up();
    expect(await read(client)).toBe(BODY);
  });
});

describe('versioning, emulated by the proxy', () => {
  const put = (client: S3Client, key: string, body: string | Readable, extra: { Metadata?: Record<string, string>; ContentType?: string; ContentLength?: number } = {}) =>
    client.send(new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: body, ...extra }));
  const get = async (client: S3Client, key: string, versionId?: string) => {
    const response = await client.send(new GetObjectCommand({ Bucket: VERSIONED, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    return { body: await response.Body?.transformToString(), versionId: response.VersionId, response };
  };
  /** Every page of ListObjectVersions, `maxKeys` versions a page, as the gate's pagination loop asks for them. */
  async function listAll(client: S3Client, prefix: string, maxKeys: number) {
    const pages = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const page = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: prefix, MaxKeys: maxKeys, ...markers }));
      pages.push(page);
      if (!page.IsTruncated) return pages;
      markers = { KeyMarker: page.NextKeyMarker!, VersionIdMarker: page.NextVersionIdMarker! };
    }
  }

  it('gives each put a new version id; each version reads back, and no id reads the latest', async () => {
    const client = s3Client(accepted());
    const first = await put(client, 'two/app.tgz', 'first body');
    const second = await put(client, 'two/app.tgz', 'second, longer body');
    expect(first.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(first.ETag).toBe(`"${createHash('md5').update('first body').digest('hex')}"`);
    expect(await get(client, 'two/app.tgz', first.VersionId)).toMatchObject({ body: 'first body', versionId: first.VersionId });
    expect(await get(client, 'two/app.tgz', second.VersionId)).toMatchObject({ body: 'second, longer body', versionId: second.VersionId });
    expect(await get(client, 'two/app.tgz')).toMatchObject({ body: 'second, longer body', versionId: second.VersionId });
    const head = await client.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: 'two/app.tgz', VersionId: first.VersionId }));
    expect([head.ContentLength, head.VersionId, head.ETag]).toEqual([10, first.VersionId, first.ETag]);
    const versions = s3.versions(VERSIONED, 'two/app.tgz');
    expect(versions.map((v) => [v.versionId, v.size])).toEqual([[first.VersionId, 10], [second.VersionId, 19]]);
    expect(versions[1]!.lastModified.getTime()).toBeGreaterThan(versions[0]!.lastModified.getTime());
    // s3rver has the latest content, so ListObjectsV2 (which it serves) and direct reads see it.
    const listing = await client.send(new ListObjectsV2Command({ Bucket: VERSIONED, Prefix: 'two/' }));
    expect(listing.Contents?.map((c) => [c.Key, c.Size])).toEqual([['two/app.tgz', 19]]);
    expect(await (await s3Client(accepted(), { endpoint: s3.directEndpoint }).send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'two/app.tgz' }))).Body?.transformToString()).toBe('second, longer body');
    expect(s3.requests.map((r) => `${r.method} ${r.path}?${r.query} ${r.status}`)).toEqual([
      'PUT /history/two/app.tgz?x-id=PutObject 200',
      'PUT /history/two/app.tgz?x-id=PutObject 200',
      `GET /history/two/app.tgz?versionId=${first.VersionId}&x-id=GetObject 200`,
      `GET /history/two/app.tgz?versionId=${second.VersionId}&x-id=GetObject 200`,
      'GET /history/two/app.tgz?x-id=GetObject 200',
      `HEAD /history/two/app.tgz?versionId=${first.VersionId} 200`,
      'GET /history/?list-type=2&prefix=two%2F 200',
    ]);
  });

  it('answers an unknown version NoSuchVersion, a missing key NoSuchKey (HEAD: NotFound, no body)', async () => {
    const client = s3Client(accepted());
    await put(client, 'missing/app.tgz', 'there');
    const unknown = 'A'.repeat(32);
    const version = await rejection(get(client, 'missing/app.tgz', unknown));
    expect([version.name, version.$metadata?.httpStatusCode, version.message]).toEqual(['NoSuchVersion', 404, 'The specified version does not exist.']);
    const key = await rejection(get(client, 'missing/none.tgz'));
    expect([key.name, key.$metadata?.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const head = await rejection(client.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: 'missing/app.tgz', VersionId: unknown })));
    expect([head.name, head.$metadata?.httpStatusCode]).toEqual(['NotFound', 404]);
    const headKey = await rejection(client.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: 'missing/none.tgz' })));
    expect([headKey.name, headKey.$metadata?.httpStatusCode]).toEqual(['NotFound', 404]);
  });

  it('keeps each version\'s metadata and content type; seeds versions with put()', async () => {
    const client = s3Client(accepted());
    const sent = await put(client, 'meta/app.tgz.asc', 'sig one', { Metadata: { 'siggate-object-version': 'v-one', Other: 'x y' }, ContentType: 'application/pgp-signature' });
    const seeded = await s3.put(VERSIONED, 'meta/app.tgz.asc', 'sig two', { metadata: { 'Siggate-Object-Version': 'v-two' } });
    expect(seeded).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await s3.put(BUCKET, 'meta/plain.txt', 'unversioned')).toBeNull();
    const one = await client.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: 'meta/app.tgz.asc', VersionId: sent.VersionId }));
    expect([one.Metadata, one.ContentType, one.ContentLength]).toEqual([{ 'siggate-object-version': 'v-one', other: 'x y' }, 'application/pgp-signature', 7]);
    const two = await get(client, 'meta/app.tgz.asc');
    expect([two.body, two.versionId, two.response.Metadata, two.response.ContentType]).toEqual(['sig two', seeded, { 'siggate-object-version': 'v-two' }, 'binary/octet-stream']);
    // Last-Modified is an HTTP date: whole seconds, at most a second before the stored time.
    const stored = s3.versions(VERSIONED, 'meta/app.tgz.asc')[1]!.lastModified;
    expect(two.response.LastModified!.getTime() % 1000).toBe(0);
    expect(stored.getTime() - two.response.LastModified!.getTime()).toBeLessThan(1000);
    expect(s3.requests.map((r) => r.path)).not.toContain(`/${BUCKET}/meta/plain.txt`);
  });

  it('lists versions newest first, keys in order, in pages of MaxKeys with key and version markers', async () => {
    const client = s3Client(accepted());
    const ids: Record<string, string[]> = { 'list/a': [], 'list/b': [], 'list/b/c': [] };
    for (const key of ['list/b', 'list/a', 'list/b', 'list/b/c', 'list/b']) ids[key]!.push((await put(client, key, `${key} #${ids[key]!.length + 1}`)).VersionId!);
    await put(client, 'listless', 'outside the prefix');
    const pages = await listAll(client, 'list/', 1);
    expect(pages).toHaveLength(5);
    expect(pages.map((p) => [p.IsTruncated, p.MaxKeys, p.Versions?.length])).toEqual([...Array(4).fill([true, 1, 1]), [false, 1, 1]]);
    const listed = pages.flatMap((p) => p.Versions ?? []);
    expect(listed.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size])).toEqual([
      ['list/a', ids['list/a']![0], true, 9],
      ['list/b', ids['list/b']![2], true, 9],
      ['list/b', ids['list/b']![1], false, 9],
      ['list/b', ids['list/b']![0], false, 9],
      ['list/b/c', ids['list/b/c']![0], true, 11],
    ]);
    expect(pages[2]).toMatchObject({ KeyMarker: 'list/b', VersionIdMarker: ids['list/b']![2], NextKeyMarker: 'list/b', NextVersionIdMarker: ids['list/b']![1] });
    // Listings carry the milliseconds the Last-Modified header drops: versions of one key are strictly ordered.
    const times = s3.versions(VERSIONED, 'list/b').map((v) => v.lastModified.getTime()).reverse();
    expect(listed.slice(1, 4).map((v) => v.LastModified?.getTime())).toEqual(times);
    expect(listed[0]?.ETag).toBe(`"${createHash('md5').update('list/a #1').digest('hex')}"`);
    expect(listed[0]?.StorageClass).toBe('STANDARD');
    // One page when it fits; a key marker alone skips every version of that key.
    const whole = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'list/' }));
    expect([whole.IsTruncated, whole.MaxKeys, whole.Versions?.length, whole.Name, whole.Prefix]).toEqual([false, 1000, 5, VERSIONED, 'list/']);
    const after = await client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'list/', KeyMarker: 'list/b' }));
    expect(after.Versions?.map((v) => v.Key)).toEqual(['list/b/c']);
    expect((await client.send(new GetBucketVersioningCommand({ Bucket: VERSIONED }))).Status).toBe('Enabled');
  });

  it('still checks signatures and key ids, and goes through faults', async () => {
    await s3.put(VERSIONED, 'guarded.txt', 'guarded body');
    const wrong = s3Client({ accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' });
    for (const attempt of [() => get(wrong, 'guarded.txt'), () => put(wrong, 'guarded.txt', 'forged'), () => wrong.send(new ListObjectVersionsCommand({ Bucket: VERSIONED }))]) {
      const error = await rejection(attempt());
      expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    }
    const unknown = await rejection(get(s3Client({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' }), 'guarded.txt'));
    expect([unknown.name, unknown.$metadata?.httpStatusCode]).toEqual(['InvalidAccessKeyId', 403]);
    expect(s3.versions(VERSIONED, 'guarded.txt')).toHaveLength(1);

    const client = s3Client(accepted());
    s3.faults.push({ kind: 'status', status: 503, times: 1, match: (r) => r.query.includes('versions') });
    expect((await rejection(client.send(new ListObjectVersionsCommand({ Bucket: VERSIONED })))).name).toBe('SlowDown');
    s3.faults.push({ kind: 'cut', afterBytes: 5, times: 1, match: (r) => r.method === 'GET' });
    const response = await client.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'guarded.txt' }));
    expect(response.ContentLength).toBe(12);
    const cut = await rejection(response.Body!.transformToString());
    expect([cut.code, cut.message]).toEqual(['ECONNRESET', 'aborted']);
    expect(s3.faults).toEqual([]);
  });

  it('stores streamed (aws-chunked) uploads unframed; refuses what it does not emulate', async () => {
    const client = s3Client(accepted());
    const streamed = await put(client, 'streamed.txt', Readable.from([Buffer.from('hello '), Buffer.from('stream')]), { ContentLength: 12 });
    expect(await get(client, 'streamed.txt', streamed.VersionId)).toMatchObject({ body: 'hello stream' });
    const del = await rejection(client.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'streamed.txt' })));
    expect([del.name, del.$metadata?.httpStatusCode]).toEqual(['NotImplemented', 501]);
    const range = await rejection(client.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'streamed.txt', Range: 'bytes=0-1' })));
    expect([range.name, range.message]).toEqual(['NotImplemented', "The fake S3's versioning emulation does not implement the range header on objects of versioned buckets."]);
  });
});

describe('IMDSv2', () => {
  const ROLE = 'siggate-instance-role';
  let imds: FakeImds;
  beforeEach(async () => {
    imds = await startImds({ roleName: ROLE, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, sessionToken: 'imds-session-token' } });
  });
  afterEach(() => imds.close());

  it('serves metadata only to requests with a token it issued', async () => {
    expect((await fetch(`${imds.endpoint}/latest/api/token`, { method: 'PUT' })).status).toBe(400);
    const token = await (await fetch(`${imds.endpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();
    expect(imds.tokens).toEqual([token]);
    const list = `${imds.endpoint}/latest/meta-data/iam/security-credentials/`;
    expect((await fetch(list)).status).toBe(401);
    expect((await fetch(list, { headers: { 'x-aws-ec2-metadata-token': 'forged' } })).status).toBe(401);
    expect(await (await fetch(list, { headers: { 'x-aws-ec2-metadata-token': token } })).text()).toBe(ROLE);
    const document = (await (await fetch(list + ROLE, { headers: { 'x-aws-ec2-metadata-token': token } })).json()) as Record<string, string>;
    expect(document).toMatchObject({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: 'S3RVER', Token: 'imds-session-token' });
    expect(Date.parse(document['Expiration'] ?? '') - Date.now()).toBeGreaterThan(5.9 * 3600_000);
  });

  it('is where fromNodeProviderChain finds credentials, over IMDSv2, and they read from S3', async () => {
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
    const credentials = await fromNodeProviderChain()();
    expect(credentials).toMatchObject({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'imds-session-token' });
    const [token] = imds.tokens;
    expect(imds.requests).toEqual([
      { method: 'PUT', path: '/latest/api/token', token: null, status: 200 },
      { method: 'GET', path: '/latest/meta-data/iam/security-credentials/', token, status: 200 },
      { method: 'GET', path: `/latest/meta-data/iam/security-credentials/${ROLE}`, token, status: 200 },
    ]);
    // The chain as the client's `credentials`, resolved on first use.
    expect(await read(s3Client(fromNodeProviderChain()))).toBe(BODY);
    expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken])).toEqual([['S3RVER', 'imds-session-token']]);
  });

  it('also gives a client without a region its region', async () => {
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, maxAttempts: 1 });
    clients.push(client);
    expect(await read(client)).toBe(BODY);
    expect(await client.config.region()).toBe('us-east-1');
    expect(imds.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET /latest/meta-data/placement/region 200');
  });

  it('fails fast when the metadata endpoint refuses connections: "Could not load credentials from any providers"', async () => {
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = await unusedEndpoint();
    const { ms, result: error } = await timed(() => rejection(fromNodeProviderChain()()));
    expect([error.name, error.message]).toEqual(['CredentialsProviderError', 'Could not load credentials from any providers']);
    expect(ms).toBeLessThan(1_000);
    // The provider alone says why.
    const direct = await rejection(fromInstanceMetadata()());
    expect([direct.name, direct.message, direct.code]).toEqual(['ProviderError', 'Unable to connect to instance metadata service', 'ECONNREFUSED']);
    // An S3 call with the default chain rejects with the chain's error, before any request.
    const viaClient = await rejection(read(s3Client(undefined)));
    expect(viaClient.name).toBe('CredentialsProviderError');
    expect(s3.requests).toEqual([]);
  });

  it('waits 1 s per request for a hanging one (token, then a tokenless IMDSv1 try); only provider options shorten it', async () => {
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
    imds.stall = true;
    // Environment knobs of other SDKs; this one does not read them.
    process.env['AWS_METADATA_SERVICE_TIMEOUT'] = '0.1';
    process.env['AWS_METADATA_SERVICE_NUM_ATTEMPTS'] = '1';
    const slow = await timed(() => rejection(fromNodeProviderChain()()));
    expect(slow.result.message).toBe('Could not load credentials from any providers');
    expect(slow.ms).toBeGreaterThan(1_900);
    expect(slow.ms).toBeLessThan(4_000);
    expect(imds.requests.map((r) => `${r.method} ${r.path} ${r.token ?? '-'}`)).toEqual(['PUT /latest/api/token -', 'GET /latest/meta-data/iam/security-credentials/ -']);

    imds.requests.length = 0;
    const fast = await timed(() => rejection(fromNodeProviderChain({ timeout: 200, maxRetries: 0 })()));
    expect(fast.result.message).toBe('Could not load credentials from any providers');
    expect(fast.ms).toBeLessThan(1_000);
    // maxRetries repeats each GET: 200 ms for the token + (1 + 2) × 200 ms for the role name.
    imds.requests.length = 0;
    const retried = await timed(() => rejection(fromNodeProviderChain({ timeout: 200, maxRetries: 2 })()));
    expect(retried.ms).toBeGreaterThan(750);
    expect(imds.requests).toHaveLength(4);
  });

  it('is never asked with AWS_EC2_METADATA_DISABLED=true', async () => {
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    const error = await rejection(fromNodeProviderChain()());
    expect(error.message).toBe('Could not load credentials from any providers');
    expect(imds.requests).toEqual([]);
  });
});

describe('STS AssumeRole', () => {
  const BASE = { accessKeyId: 'AKIABASEEXAMPLE', secretAccessKey: 'base-secret' };
  let sts: FakeSts;
  beforeEach(async () => {
    sts = await startSts({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, sessionToken: 'sts-session-token' } });
  });
  afterEach(() => sts.close());

  const assumeRole = (masterCredentials: Parameters<typeof fromTemporaryCredentials>[0]['masterCredentials']) =>
    fromTemporaryCredentials({
      params: { RoleArn: ROLE_ARN, RoleSessionName: 'siggate', DurationSeconds: 900 },
      masterCredentials,
      clientConfig: { endpoint: sts.endpoint, region: 'us-east-1' },
    });

  it('hands out its credentials to fromTemporaryCredentials over the awsQuery protocol, and they read from S3', async () => {
    const before = Date.now();
    const credentials = await assumeRole(BASE)();
    expect(credentials).toMatchObject({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'sts-session-token' });
    expect(credentials.expiration!.getTime() - before).toBeGreaterThanOrEqual(899_000);
    expect(credentials.expiration!.getTime() - before).toBeLessThan(905_000);
    expect(sts.calls).toEqual([{ roleArn: ROLE_ARN, roleSessionName: 'siggate', durationSeconds: 900, callerAccessKeyId: 'AKIABASEEXAMPLE' }]);
    expect(sts.requests).toEqual([{
      method: 'POST',
      path: '/',
      contentType: 'application/x-www-form-urlencoded',
      amzTarget: null,
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE_ARN)}&RoleSessionName=siggate&DurationSeconds=900`,
    }]);
    expect(await read(s3Client(assumeRole(BASE)))).toBe(BODY);
    expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken])).toEqual([['S3RVER', 'sts-session-token']]);
  });

  it('is called the same way by @aws-sdk/client-sts itself', async () => {
    const client = new STSClient({ endpoint: sts.endpoint, region: 'us-east-1', credentials: BASE });
    clients.push(client);
    const { Credentials, AssumedRoleUser } = await client.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'direct' }));
    expect(Credentials?.AccessKeyId).toBe('S3RVER');
    expect(AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/siggate-reader/direct');
    expect(sts.calls).toEqual([{ roleArn: ROLE_ARN, roleSessionName: 'direct', durationSeconds: null, callerAccessKeyId: 'AKIABASEEXAMPLE' }]);
    expect(sts.requests[0]).toMatchObject({ contentType: 'application/x-www-form-urlencoded', amzTarget: null });
  });

  it('answers the next call with an injected error, then serves again', async () => {
    sts.assumeRoleError = { status: 403, code: 'AccessDenied', message: `User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}` };
    const error = await rejection(assumeRole(BASE)());
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(error.message).toContain('is not authorized to perform: sts:AssumeRole');
    expect(await assumeRole(BASE)()).toMatchObject({ accessKeyId: 'S3RVER' });
    expect(sts.calls).toHaveLength(2);
  });

  it('chains from instance credentials, as the gate does with --role-arn on EC2', async () => {
    const imds = await startImds({ roleName: 'base-role', credentials: { accessKeyId: 'ASIAINSTANCE', secretAccessKey: 'instance-secret', sessionToken: 'instance-token' } });
    try {
      process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
      expect(await read(s3Client(assumeRole(fromNodeProviderChain())))).toBe(BODY);
      expect(sts.calls.map((c) => c.callerAccessKeyId)).toEqual(['ASIAINSTANCE']);
      expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken])).toEqual([['S3RVER', 'sts-session-token']]);
    } finally {
      await imds.close();
    }
  });
});
