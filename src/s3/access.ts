import { UsageError } from '../core/errors.js';

/** How siggate reaches S3: region, endpoint and credentials; nothing here is ever printed. */
export interface S3AccessOptions {
  region?: string | null;
  /** An S3-compatible endpoint (MinIO, Ceph RGW, as in the tests). */
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
 * An AWS SDK for JavaScript v3 S3 client (`new S3Client(…)` from `@aws-sdk/client-s3`, any 3.x
 * version), as the library API takes it: siggate only calls `send`. Declared here so that siggate's
 * public types do not depend on the SDK's own declarations.
 */
export interface S3ClientLike {
  send(command: object, options?: object): Promise<unknown>;
}
