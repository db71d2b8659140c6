import { S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { RemoteError, UsageError } from '../core/errors.js';

/** How siggate reaches S3: region, endpoint and credentials; nothing here is ever printed. */
export interface S3AccessOptions {
  region?: string | null;
  /** An S3-compatible endpoint (MinIO, Ceph, the tests' s3rver). */
  endpoint?: string | null;
  forcePathStyle?: boolean;
  /** Assume this role through STS, starting from the default credential chain. */
  roleArn?: string | null;
  roleSessionName?: string;
  /** Seconds, 900 to 43200. */
  roleDuration?: number;
  /** An STS endpoint (a VPC endpoint, a partition's regional endpoint); default the SDK's. */
  stsEndpoint?: string | null;
  /** Attempts per request, retries included (the SDK's standard retry mode). Default 3. */
  maxAttempts?: number;
}

export const MIN_ROLE_DURATION = 900;
export const MAX_ROLE_DURATION = 43200;

/** Checks the role options before any network work: a wrong value is exit 2. */
export function validateAccessOptions(options: S3AccessOptions): void {
  const duration = options.roleDuration ?? 3600;
  if (!Number.isInteger(duration) || duration < MIN_ROLE_DURATION || duration > MAX_ROLE_DURATION) {
    throw new UsageError(`--role-duration must be whole seconds from ${MIN_ROLE_DURATION} to ${MAX_ROLE_DURATION}, got ${options.roleDuration}`);
  }
  const session = options.roleSessionName ?? 'siggate';
  if (!/^[\w+=,.@-]{2,64}$/.test(session)) throw new UsageError(`--role-session-name must be 2-64 characters of letters, digits and +=,.@_-, got "${session}"`);
  if (options.roleArn && !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(options.roleArn)) {
    throw new UsageError(`--role-arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), got "${options.roleArn}"`);
  }
  for (const [flag, value] of [['--endpoint', options.endpoint], ['--sts-endpoint', options.stsEndpoint]] as const) {
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
    }
  }
}

/**
 * The SDK's default chain (environment, shared config and profiles, web identity, ECS, EC2 instance
 * metadata over IMDSv2), optionally exchanged for a role's temporary credentials through STS.
 */
export function credentialsFor(options: S3AccessOptions): ReturnType<typeof fromNodeProviderChain> {
  const base = fromNodeProviderChain();
  if (!options.roleArn) return base;
  return fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: options.roleArn,
      RoleSessionName: options.roleSessionName ?? 'siggate',
      DurationSeconds: options.roleDuration ?? 3600,
    },
    clientConfig: { ...(options.region ? { region: options.region } : {}), ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}) },
  });
}

/** An S3 client; validates the options first. */
export function createS3Client(options: S3AccessOptions): S3Client {
  validateAccessOptions(options);
  return new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: credentialsFor(options),
    maxAttempts: options.maxAttempts ?? 3,
  });
}

/** The S3 error code (`NoSuchKey`, `AccessDenied`, …) of an SDK error, or null. */
export function s3ErrorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const name = 'name' in error && typeof error.name === 'string' ? error.name : null;
  const code = 'Code' in error && typeof error.Code === 'string' ? error.Code : null;
  return code ?? name;
}

export function httpStatusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return null;
  const metadata = error.$metadata as { httpStatusCode?: number } | undefined;
  return metadata?.httpStatusCode ?? null;
}

/** An SDK failure as a siggate error (exit 3), with what to check and never a secret. */
export function translateS3Error(error: unknown, what: string): Error {
  const name = s3ErrorCode(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new RemoteError(
      `no AWS credentials for ${what}: ${firstLine(message)} (looked in the environment, shared config, web identity, ECS and EC2 instance metadata; on EC2 containers need an IMDSv2 hop limit of 2)`,
      { cause: error },
    );
  }
  const status = httpStatusOf(error);
  if (status === 403 || name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new RemoteError(`S3 refused ${what} (${name}${status ? ` ${status}` : ''}): check the credentials and the bucket policy`, { cause: error });
  }
  if (status === null) return new RemoteError(`cannot reach S3 for ${what}: ${firstLine(message)}`, { cause: error });
  return new RemoteError(`S3 failed ${what}: ${name} ${status}: ${firstLine(message)}`, { cause: error });
}

const firstLine = (text: string): string => text.split('\n')[0]!.trim();
