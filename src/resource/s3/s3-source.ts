import { UsageError } from '../../core/errors.js';
import type { S3AccessOptions } from '../../s3/access.js';
import { isObject, optionalBoolean, optionalString, parseParams, shownValue } from '../protocol/json.js';
import { parseSourceKeys, type SourceKeys } from '../protocol/source-keys.js';

/** A `source` with `bucket` instead of `uri`: artifacts in S3, each with a detached signature. */
export interface S3Source {
  keys: SourceKeys;
  bucket: string;
  /** Versions from the first capture group of a full-key match, semver-ordered. */
  regexp: RegExp | null;
  /** One key in a versioned bucket; versions are S3 version ids. */
  versionedFile: string | null;
  access: S3AccessOptions;
  namespace: string;
  signingKey: string | null;
  signingKeyPassphrase: string | null;
}

/** An S3 version as Concourse passes it. */
export type S3Version = { path: string } | { version_id: string };

export interface S3Request {
  source: S3Source;
  version: S3Version | null;
  params: Record<string, unknown>;
}

const S3_SOURCE_KEYS = new Set([
  'bucket', 'regexp', 'versioned_file', 'region', 'endpoint', 'force_path_style', 'role_arn', 'role_session_name', 'role_duration', 'sts_endpoint',
  'commit_verification_keys', 'commit_verification_key_ids', 'allowed_fingerprints', 'ignore_expiry', 'allow_weak',
  'signature_namespace', 'signing_key', 'signing_key_passphrase',
]);

/** Keys s3-resource users bring along; siggate refuses secrets in pipeline configuration. */
const STATIC_CREDENTIALS = new Set(['access_key_id', 'secret_access_key', 'session_token', 'aws_access_key_id', 'aws_secret_access_key']);

/** Whether a raw `source` describes S3 objects rather than a git repository. */
export function isS3Source(raw: unknown): boolean {
  return isObject(raw) && 'bucket' in raw && !('uri' in raw);
}

/** Validates a request whose source has `bucket`; every problem is a UsageError (exit 2) naming the key. */
export function parseS3Request(raw: Record<string, unknown>, allowedParams: readonly string[]): S3Request {
  const source = raw['source'] as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (STATIC_CREDENTIALS.has(key)) {
      throw new UsageError(`source.${key}: siggate takes no AWS keys in pipeline configuration; use the worker's instance profile or role_arn`);
    }
    if (!S3_SOURCE_KEYS.has(key)) throw new UsageError(`unknown key ${shownValue(key, 60)} in source`);
  }
  const bucket = optionalString(source, 'bucket');
  if (!bucket) throw new UsageError('source.bucket must be a bucket name');
  const regexp = optionalString(source, 'regexp');
  const versionedFile = optionalString(source, 'versioned_file');
  if ((regexp === null) === (versionedFile === null)) throw new UsageError('source needs exactly one of regexp and versioned_file');
  const duration = source['role_duration'];
  if (duration !== undefined && duration !== null && typeof duration !== 'number') throw new UsageError('source.role_duration must be a number of seconds');
  return {
    source: {
      bucket,
      regexp: regexp === null ? null : compileKeyRegexp(regexp),
      versionedFile,
      access: {
        region: optionalString(source, 'region'),
        endpoint: optionalString(source, 'endpoint'),
        forcePathStyle: optionalBoolean(source, 'force_path_style'),
        roleArn: optionalString(source, 'role_arn'),
        roleSessionName: optionalString(source, 'role_session_name') ?? 'siggate',
        roleDuration: typeof duration === 'number' ? duration : 3600,
        stsEndpoint: optionalString(source, 'sts_endpoint'),
      },
      namespace: optionalString(source, 'signature_namespace') ?? 'file',
      signingKey: optionalString(source, 'signing_key'),
      signingKeyPassphrase: optionalString(source, 'signing_key_passphrase'),
      keys: parseSourceKeys(source),
    },
    version: parseS3Version(raw['version'], versionedFile !== null),
    params: parseParams(raw['params'], allowedParams),
  };
}

function compileKeyRegexp(pattern: string): RegExp {
  let regexp: RegExp;
  try {
    regexp = new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new UsageError(`source.regexp is not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
  if (new RegExp(`${regexp.source}|`).exec('')!.length < 2) throw new UsageError('source.regexp needs a capture group for the version, e.g. releases/app-(.*)\\.tgz');
  return regexp;
}

function parseS3Version(raw: unknown, versioned: boolean): S3Version | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new UsageError('"version" must be an object');
  const field = versioned ? 'version_id' : 'path';
  const value = raw[field];
  if (typeof value !== 'string' || value === '') throw new UsageError(`version.${field} is missing`);
  return versioned ? { version_id: value } : { path: value };
}

/** The literal start of a key regexp: everything before its first special character, cut at the last `/`. */
export function regexpPrefix(pattern: RegExp): string {
  const source = pattern.source.replace(/^\^\(\?:/, '');
  const literal = /^(?:[^\\^$.|?*+()[\]{}]|\\[./-])*/.exec(source)?.[0] ?? '';
  const unescaped = literal.replace(/\\(.)/g, '$1');
  return unescaped.slice(0, unescaped.lastIndexOf('/') + 1);
}

/** Everything in an S3 source that must never reach a log line. */
export function s3SecretsOf(source: Record<string, unknown>): string[] {
  const secrets: string[] = [];
  const key = source['signing_key'];
  if (typeof key === 'string') secrets.push(...key.split('\n').map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('-----')));
  const passphrase = source['signing_key_passphrase'];
  if (typeof passphrase === 'string') secrets.push(passphrase);
  return secrets.filter((s) => s.length >= 3);
}
