// Which credentials reach S3: instance-profile credentials over IMDSv2 with no keys configured, a role assumed
// through STS (from keys or from the instance profile), and clear failures when there are none.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { s3Verify } from '../../src/commands/s3-artifact.js';
import { RemoteError, UsageError } from '../../src/core/errors.js';
import { isolateAwsEnv, startImds, startSts, unusedEndpoint, type FakeImds, type FakeSts } from '../helpers/aws-fakes.js';
import { BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, rejection, useFixtureCleanup } from '../helpers/world.js';

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
    [{ roleArn: ROLE, roleDuration: 43201 }],
    [{ roleArn: ROLE, roleSessionName: 'has spaces' }],
    [{ roleArn: 'deploy-reader' }],
    [{ endpoint: 'ftp://example' }],
  ])('refuses %j before any request', async (extra) => {
    expect(await rejection(verify(extra))).toBeInstanceOf(UsageError);
    expect(world.s3.requests).toEqual([]);
  });
});
