// The AWS stand-ins of test/helpers/aws-fakes.ts (IMDSv2, STS AssumeRole) driven by the real SDK v3 clients, as the S3
// artifact gate drives them: credential chains ending in a read from the real S3 (RGW, through the recording proxy),
// and how long the SDK takes to give up on a dead metadata service.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromInstanceMetadata, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { cleanupAll } from '../../fixtures/lib/temp.js';
import { isolateAwsEnv, startImds, startSts, unusedEndpoint } from './aws-fakes.js';
import type { FakeImds, FakeSts } from './aws-fakes.js';
import { createBucket, describeRgw as describe, keysOf, putAsAdmin, rgw, rgwInfo, uniqueBucket } from './rgw.js';
import { startS3Proxy, type S3Proxy } from './s3-proxy.js';

const BUCKET = uniqueBucket('fakes');
const KEY = 'releases/app-1.2.3.tgz';
const BODY = 'the artifact: 0123456789abcdefghijklmnopqrstuvwxyz';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/siggate-reader';

let s3: S3Proxy & { accessKeyId: string; secretAccessKey: string };
let restoreEnv: () => void;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  if (!rgw) return;
  // The seeding client is the first SDK client: isolated, it does not print the Node-version warning.
  const restore = isolateAwsEnv();
  try {
    await createBucket(BUCKET);
    await putAsAdmin(BUCKET, KEY, BODY);
    s3 = Object.assign(await startS3Proxy(rgwInfo().endpoint), keysOf('admin'));
  } finally {
    restore();
  }
});
afterAll(async () => {
  await s3?.close();
  await cleanupAll();
});
beforeEach(() => {
  restoreEnv = isolateAwsEnv();
  if (s3) s3.requests.length = 0;
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  restoreEnv();
});

type Credentials = NonNullable<S3ClientConfig['credentials']>;

/** An S3 client of RGW through the proxy as the gate makes one: path-style, one attempt unless told. */
function s3Client(credentials: Credentials | undefined, config: S3ClientConfig = {}): S3Client {
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, ...(credentials ? { credentials } : {}), ...config });
  clients.push(client);
  return client;
}

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
    expect(document).toMatchObject({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: s3.accessKeyId, Token: 'imds-session-token' });
    expect(Date.parse(document['Expiration'] ?? '') - Date.now()).toBeGreaterThan(5.9 * 3600_000);
  });

  it('is where fromNodeProviderChain finds credentials, over IMDSv2, and they read from S3', async () => {
    process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
    const credentials = await fromNodeProviderChain()();
    expect(credentials).toMatchObject({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, sessionToken: 'imds-session-token' });
    const [token] = imds.tokens;
    expect(imds.requests).toEqual([
      { method: 'PUT', path: '/latest/api/token', token: null, status: 200 },
      { method: 'GET', path: '/latest/meta-data/iam/security-credentials/', token, status: 200 },
      { method: 'GET', path: `/latest/meta-data/iam/security-credentials/${ROLE}`, token, status: 200 },
    ]);
    // The chain as the client's `credentials`, resolved on first use.
    expect(await read(s3Client(fromNodeProviderChain()))).toBe(BODY);
    expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken, r.status])).toEqual([[s3.accessKeyId, 'imds-session-token', 200]]);
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
    expect(credentials).toMatchObject({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, sessionToken: 'sts-session-token' });
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
    expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken, r.status])).toEqual([[s3.accessKeyId, 'sts-session-token', 200]]);
  });

  it('is called the same way by @aws-sdk/client-sts itself', async () => {
    const client = new STSClient({ endpoint: sts.endpoint, region: 'us-east-1', credentials: BASE });
    clients.push(client);
    const { Credentials, AssumedRoleUser } = await client.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'direct' }));
    expect(Credentials?.AccessKeyId).toBe(s3.accessKeyId);
    expect(AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/siggate-reader/direct');
    expect(sts.calls).toEqual([{ roleArn: ROLE_ARN, roleSessionName: 'direct', durationSeconds: null, callerAccessKeyId: 'AKIABASEEXAMPLE' }]);
    expect(sts.requests[0]).toMatchObject({ contentType: 'application/x-www-form-urlencoded', amzTarget: null });
  });

  it('answers the next call with an injected error, then serves again', async () => {
    sts.assumeRoleError = { status: 403, code: 'AccessDenied', message: `User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}` };
    const error = await rejection(assumeRole(BASE)());
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(error.message).toContain('is not authorized to perform: sts:AssumeRole');
    expect(await assumeRole(BASE)()).toMatchObject({ accessKeyId: s3.accessKeyId });
    expect(sts.calls).toHaveLength(2);
  });

  it('chains from instance credentials, as the gate does with --role-arn on EC2', async () => {
    const imds = await startImds({ roleName: 'base-role', credentials: { accessKeyId: 'ASIAINSTANCE', secretAccessKey: 'instance-secret', sessionToken: 'instance-token' } });
    try {
      process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = imds.endpoint;
      expect(await read(s3Client(assumeRole(fromNodeProviderChain())))).toBe(BODY);
      expect(sts.calls.map((c) => c.callerAccessKeyId)).toEqual(['ASIAINSTANCE']);
      expect(s3.requests.map((r) => [r.accessKeyId, r.sessionToken, r.status])).toEqual([[s3.accessKeyId, 'sts-session-token', 200]]);
    } finally {
      await imds.close();
    }
  });
});
