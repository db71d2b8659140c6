import { UsageError } from '../core/errors.js';

/** An object (or, with a trailing `/`, a prefix) in a bucket. */
export interface S3Location {
  bucket: string;
  key: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://BUCKET/KEY`; `allowPrefix` accepts `s3://BUCKET/PREFIX/` and `s3://BUCKET`. */
export function parseS3Uri(value: string, what: string, options: { allowPrefix?: boolean } = {}): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value);
  const bucket = match?.[1] ?? '';
  const key = match?.[2] ?? '';
  if (!match || !BUCKET.test(bucket)) throw new UsageError(`${what} must be s3://BUCKET/KEY, got "${value}"`);
  if (!options.allowPrefix && (key === '' || key.endsWith('/'))) throw new UsageError(`${what} must name an object, not a prefix: "${value}"`);
  return { bucket, key };
}

export const formatS3Uri = (location: S3Location, versionId?: string | null): string =>
  `s3://${location.bucket}/${location.key}${versionId ? ` (version ${versionId})` : ''}`;

/** Whether a `--keys` value names S3 rather than the file system. */
export const isS3Uri = (value: string): boolean => value.startsWith('s3://');
