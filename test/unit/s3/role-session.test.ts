// Telling a caller that is itself a role (STS then grants at most an hour: role chaining) from one that may not be.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { isolateAwsEnv } from '../../helpers/aws-fakes.js';
import { guardRoleChaining, roleCallerFromEnvironment, roleCallerOf } from '../../../src/s3/role-session.js';

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAUSER', AWS_SECRET_ACCESS_KEY: 'secret' };

describe('roleCallerFromEnvironment', () => {
  it('names ECS and EKS (web identity) roles, unless static keys or a profile come first in the chain', () => {
    expect(roleCallerFromEnvironment({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' })).toMatch(/ECS/);
    expect(roleCallerFromEnvironment({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' })).toMatch(/ECS/);
    expect(roleCallerFromEnvironment({ AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token' })).toMatch(/web identity/);
    expect(roleCallerFromEnvironment({ ...KEYS, AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token' })).toBeNull();
    expect(roleCallerFromEnvironment({ AWS_PROFILE: 'dev', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x' })).toBeNull();
    expect(roleCallerFromEnvironment({})).toBeNull();
  });
});

describe('roleCallerOf', () => {
  it("reads the SDK's record of the provider; no record at all is the chain's last link, instance metadata", () => {
    expect(roleCallerOf({ accessKeyId: 'A', $source: { CREDENTIALS_ENV_VARS: 'g' } }, {})).toBeNull();
    expect(roleCallerOf({ accessKeyId: 'A', $source: { CREDENTIALS_PROFILE: 'n' } }, {})).toBeNull();
    expect(roleCallerOf({ accessKeyId: 'A', $source: { CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: 'h' } }, {})).toMatch(/web identity/);
    expect(roleCallerOf({ accessKeyId: 'A', $source: { CREDENTIALS_HTTP: 'z' } }, {})).toMatch(/ECS/);
    expect(roleCallerOf({ accessKeyId: 'A', $source: { CREDENTIALS_SSO: 's' } }, {})).toMatch(/SSO/);
    expect(roleCallerOf({ accessKeyId: 'A', $source: { CREDENTIALS_PROFILE_SOURCE_PROFILE: 'o' } }, {})).toMatch(/role_arn/);
    expect(roleCallerOf({ accessKeyId: 'A' }, {})).toMatch(/instance profile/);
    expect(roleCallerOf({ accessKeyId: 'A' }, { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x' })).toMatch(/ECS/);
    // without a record, static keys in the environment may be a user's: not refused here (STS decides)
    expect(roleCallerOf({ accessKeyId: 'A' }, KEYS)).toBeNull();
  });
});

describe('guardRoleChaining', () => {
  const options = { roleArn: 'arn:aws:iam::123456789012:role/r' };
  it('passes an hour or less through untouched, and a user with keys at any length', async () => {
    const base = async () => ({ accessKeyId: 'ASIA' });
    expect(guardRoleChaining(base, { ...options, roleDuration: 3600 })).toBe(base);
    const user = async () => ({ accessKeyId: 'AKIA', $source: { CREDENTIALS_ENV_VARS: 'g' } });
    await expect(guardRoleChaining(user, { ...options, roleDuration: 43200 })()).resolves.toMatchObject({ accessKeyId: 'AKIA' });
  });

  it('refuses more than an hour for instance-profile credentials once they are resolved', async () => {
    const instance = async () => ({ accessKeyId: 'ASIA' });
    const restore = isolateAwsEnv();
    try {
      await expect(guardRoleChaining(instance, { ...options, roleDuration: 3601 })()).rejects.toBeInstanceOf(UsageError);
    } finally {
      restore();
    }
  });
});
