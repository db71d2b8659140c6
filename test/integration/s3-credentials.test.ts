// Which credentials reach S3: instance-profile credentials over IMDSv2 with no keys configured, a role assumed
// through STS (RGW's real STS; the recording stand-in where the exact request matters), and clear failures: none at all,
// STS refusing, a session longer than STS grants a caller that is itself a role.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { s3Verify } from '../../src/commands/s3-artifact.js';
import { RemoteError, UsageError } from '../../src/core/errors.js';
import { isolateAwsEnv, startImds, startSts, unusedEndpoint, type FakeImds, type FakeSts } from '../helpers/aws-fakes.js';
import { BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, rejection, useFixtureCleanup } from '../helpers/world.js';
import { createRole, describeRgw as describe, keysOf, rgwInfo, uniqueBucket } from '../helpers/rgw.js';

useFixtureCleanup();

const ROLE = 'arn:aws:iam::123456789012:role/deploy-reader';
let world: S3World;
let restore: (() => void) | null = null;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  world = await s3World(await demoWorld());
  await world.putSigned('app.tgz', 'artifact');
});
afterEach(async () => {
  restore?.();
  restore = null;
  await Promise.all(servers.splice(0).map((s) => s.close()));
  world.s3.requests.length = 0;
});

const verify = (extra: Record<string, unknown> = {}) => s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${BUCKET}/app.tgz`, ...extra });

async function imds(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): Promise<FakeImds> {
  const server = await startImds({ roleName: 'worker-profile', credentials });
  servers.push(server);
  return server;
}

async function sts(): Promise<FakeSts> {
  const server = await startSts({ credentials: { accessKeyId: world.s3.accessKeyId, secretAccessKey: world.s3.secretAccessKey, sessionToken: 'sts-session' } });
  servers.push(server);
  return server;
}

describe('credentials', () => {
  it('uses EC2 instance-profile credentials over IMDSv2 when no keys are configured', async () => {
    const metadata = await imds({ accessKeyId: world.s3.accessKeyId, secretAccessKey: world.s3.secretAccessKey, sessionToken: 'instance-session' });
    restore = isolateAwsEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.endpoint });
    expect((await verify()).status).toBe('valid');
    expect(metadata.requests[0]).toMatchObject({ method: 'PUT', path: '/latest/api/token' });
    expect(metadata.requests.filter((r) => r.method === 'GET').every((r) => r.token !== null)).toBe(true);
    expect(world.s3.requests.every((r) => r.accessKeyId === world.s3.accessKeyId && r.sessionToken === 'instance-session')).toBe(true);
  });

  it('fails with exit 3 and says where it looked when the metadata endpoint is unreachable', async () => {
    restore = isolateAwsEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedEndpoint() });
    const error = await rejection(verify());
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/no AWS credentials.*instance metadata/);
    expect(world.s3.requests).toEqual([]);
  });

  it('assumes --role-arn through STS with the session name and duration, and reads S3 as the role', async () => {
    const server = await sts();
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIABASEIDENTITY', AWS_SECRET_ACCESS_KEY: 'base-secret', AWS_EC2_METADATA_DISABLED: 'true' });
    expect((await verify({ roleArn: ROLE, roleSessionName: 'deploy-42', roleDuration: 900, stsEndpoint: server.endpoint })).status).toBe('valid');
    expect(server.calls).toEqual([{ roleArn: ROLE, roleSessionName: 'deploy-42', durationSeconds: 900, callerAccessKeyId: 'AKIABASEIDENTITY' }]);
    expect(world.s3.requests.every((r) => r.sessionToken === 'sts-session')).toBe(true);
  });

  it("assumes the role starting from the worker's instance profile, with the default session name and one hour", async () => {
    const metadata = await imds({ accessKeyId: 'AKIAINSTANCEPROFILE', secretAccessKey: 'instance-secret', sessionToken: 'instance-session' });
    const server = await sts();
    restore = isolateAwsEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.endpoint });
    expect((await verify({ roleArn: ROLE, stsEndpoint: server.endpoint })).status).toBe('valid');
    expect(server.calls).toEqual([{ roleArn: ROLE, roleSessionName: 'siggate', durationSeconds: 3600, callerAccessKeyId: 'AKIAINSTANCEPROFILE' }]);
  });

  it('keys S3 does not know are refused by S3: exit 3, and the secret never appears', async () => {
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN', AWS_SECRET_ACCESS_KEY: 'do-not-print-me', AWS_EC2_METADATA_DISABLED: 'true' });
    const error = await rejection(verify());
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/S3 refused/);
    expect((error as Error).message).not.toContain('do-not-print-me');
  });

  it('STS refusing the role is exit 3', async () => {
    const server = await sts();
    server.assumeRoleError = { status: 403, code: 'AccessDenied', message: 'not authorized to perform sts:AssumeRole' };
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIABASEIDENTITY', AWS_SECRET_ACCESS_KEY: 'base-secret', AWS_EC2_METADATA_DISABLED: 'true' });
    expect(await rejection(verify({ roleArn: ROLE, stsEndpoint: server.endpoint }))).toBeInstanceOf(RemoteError);
  });

  it.each([
    [{ roleArn: ROLE, roleDuration: 899 }],
    [{ roleArn: ROLE, roleDuration: 7200, env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/creds' } }],
    [{ roleArn: ROLE, roleDuration: 3601, env: { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks/token', AWS_ROLE_ARN: ROLE } }],
    [{ roleArn: ROLE, roleDuration: 43201 }],
    [{ roleArn: ROLE, roleSessionName: 'has spaces' }],
    [{ roleArn: 'deploy-reader' }],
    [{ endpoint: 'ftp://example' }],
  ])('refuses %j before any request', async ({ env, ...extra }: Record<string, unknown>) => {
    if (env) restore = isolateAwsEnv(env as Record<string, string>);
    expect(await rejection(verify(extra))).toBeInstanceOf(UsageError);
    expect(world.s3.requests).toEqual([]);
  });
});

describe('roles on the real STS (RGW)', () => {
  const bucket = BUCKET;
  let readRole: string;
  let longRole: string;
  beforeAll(async () => {
    const read = [{ Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }];
    const suffix = uniqueBucket('r');
    readRole = await createRole(`deploy-reader-${suffix}`, ['reader'], read);
    longRole = await createRole(`deploy-long-${suffix}`, ['reader'], read, 43200);
  });
  // S3 requests with session credentials go to RGW's gateway that takes them; AssumeRole to the other one, which (as
  // the gateway that checks SigV4 exactly) ignores a session token that comes with the base keys.
  const asRole = (extra: Record<string, unknown>) =>
    s3Verify({ endpoint: rgwInfo().stsEndpoint, stsEndpoint: rgwInfo().endpoint, forcePathStyle: true, region: rgwInfo().region, maxAttempts: 1, keys: [world.keysDir], object: `s3://${bucket}/app.tgz`, ...extra });
  const asReader = () => {
    const { accessKeyId, secretAccessKey } = keysOf('reader');
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' });
  };

  it('reader, who may not read the bucket, reads it as the role it assumes', async () => {
    asReader();
    expect(await rejection(asRole({}))).toBeInstanceOf(RemoteError);
    expect((await asRole({ roleArn: readRole })).status).toBe('valid');
  });

  it('STS refusing the role (caller not in its trust policy) is exit 3, said as STS', async () => {
    const { accessKeyId, secretAccessKey } = keysOf('outsider');
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' });
    const error = await rejection(asRole({ roleArn: readRole }));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/^STS /);
    expect((error as RemoteError).cause).toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it("a session longer than the role's maximum is STS's refusal (exit 3); a role allowing it grants it", async () => {
    asReader();
    const error = await rejection(asRole({ roleArn: readRole, roleDuration: 7200 }));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).cause).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect((await asRole({ roleArn: longRole, roleDuration: 7200 })).status).toBe('valid');
  });

  it('over an hour from instance-profile credentials (a role) is refused before STS is asked; an hour is fine', async () => {
    const { accessKeyId, secretAccessKey } = keysOf('reader');
    const metadata = await imds({ accessKeyId, secretAccessKey, sessionToken: 'instance-session' });
    restore = isolateAwsEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.endpoint });
    // STS at a closed port: asking it would be a RemoteError, not the UsageError
    expect(await rejection(asRole({ roleArn: longRole, roleDuration: 7200, stsEndpoint: await unusedEndpoint() }))).toBeInstanceOf(UsageError);
    expect(metadata.requests.length).toBeGreaterThan(0);
    // RGW's STS takes the reader's keys whatever session token IMDS adds: the same start with an hour works
    expect((await asRole({ roleArn: longRole, roleDuration: 3600 })).status).toBe('valid');
  });
});
