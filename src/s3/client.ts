import { S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { RemoteError, SiggateError } from '../core/errors.js';
import { awsProxyConfig } from '../remote/proxy.js';
import { validateAccessOptions, type S3AccessOptions, type S3ClientLike } from './access.js';
import { guardRoleChaining, reportStsFailure } from './role-session.js';

/**
 * The SDK's default chain (environment, shared config and profiles, web identity, ECS, EC2 instance
 * metadata over IMDSv2), optionally exchanged for a role's temporary credentials through STS. A session over an hour
 * asked by a caller that is itself a role is refused before STS is called (STS would: role chaining).
 */
export function credentialsFor(options: S3AccessOptions): ReturnType<typeof fromNodeProviderChain> {
  const base = fromNodeProviderChain();
  if (!options.roleArn) return base;
  return reportStsFailure(fromTemporaryCredentials({
    masterCredentials: guardRoleChaining(base, options),
    params: {
      RoleArn: options.roleArn,
      RoleSessionName: options.roleSessionName ?? 'siggate',
      DurationSeconds: options.roleDuration ?? 3600,
    },
    clientConfig: { ...(options.region ? { region: options.region } : {}), ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}), ...awsProxyConfig() },
  }), options);
}

/**
 * A caller's client as the SDK type. siggate sends it commands of its own @aws-sdk/client-s3; SDK v3
 * commands bring their own serializers, so a client of another 3.x release runs them (the same release
 * is the safest).
 */
export function asS3Client(client: S3ClientLike): S3Client {
  return client as S3Client;
}

/** An S3 client; validates the options first. */
export function createS3Client(options: S3AccessOptions): S3Client {
  validateAccessOptions(options);
  return withoutNodeVersionNotice(
    () =>
      new S3Client({
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        // a bucket in another region: S3 answers 301 with x-amz-bucket-region, and the SDK re-signs for that region
        followRegionRedirects: true,
        credentials: credentialsFor(options),
        maxAttempts: options.maxAttempts ?? 3,
        ...awsProxyConfig(),
      }),
  );
}

/** The SDK's documented switch for its notice that releases from 2027 on need Node.js 22 (aws/aws-sdk-js-v3#7983). */
const NODE_VERSION_NOTICE_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Builds an SDK client without that 8-line notice on stderr: siggate pins the SDK release and states the
 * Node.js versions it supports in package.json's engines, so the notice is for siggate's maintainers, not
 * for a pipeline's log. The SDK reads the switch when the first client is built and then never warns
 * again in this process; the environment is put back as it was, and a value the user set is left alone.
 */
function withoutNodeVersionNotice<T>(build: () => T): T {
  if (process.env[NODE_VERSION_NOTICE_SWITCH] !== undefined) return build();
  process.env[NODE_VERSION_NOTICE_SWITCH] = 'true';
  try {
    return build();
  } finally {
    delete process.env[NODE_VERSION_NOTICE_SWITCH];
  }
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
  // already said plainly: STS's refusal, a role session too long for the caller
  if (error instanceof SiggateError) return error;
  const name = s3ErrorCode(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new RemoteError(
      `no AWS credentials for ${what}: ${firstLine(message)} (looked in the environment, shared config, web identity, ECS and EC2 instance metadata; on EC2 containers need an IMDSv2 hop limit of 2)`,
      { cause: error },
    );
  }
  const status = httpStatusOf(error);
  if (name === 'NoSuchBucket') return new RemoteError(`no such bucket for ${what}: check the bucket name (and the endpoint)`, { cause: error });
  if (status === 403 || name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new RemoteError(`S3 refused ${what} (${name}${status ? ` ${status}` : ''}): check the credentials and the bucket policy`, { cause: error });
  }
  if (status === null) return new RemoteError(`cannot reach S3 for ${what}: ${firstLine(message)}`, { cause: error });
  return new RemoteError(`S3 failed ${what}: ${name} ${status}: ${firstLine(message)}`, { cause: error });
}

const firstLine = (text: string): string => text.split('\n')[0]!.trim();
