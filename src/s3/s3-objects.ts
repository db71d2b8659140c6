import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RemoteError, SiggateError } from '../core/errors.js';
import { httpStatusOf, s3ErrorCode, translateS3Error } from './client.js';
import { formatS3Uri, type S3Location } from './s3-uri.js';

/** Objects are verified in memory: a signature covers the exact bytes, all of them. */
export const MAX_ARTIFACT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** An object's bytes and what S3 says about them. */
export interface FetchedObject {
  location: S3Location;
  bytes: Uint8Array;
  versionId: string | null;
  lastModified: Date | null;
  metadata: Record<string, string>;
}

/** An object larger than the caller is willing to hold in memory. */
export class ObjectTooLargeError extends SiggateError {
  static override readonly code = 'OBJECT_TOO_LARGE';
  constructor(
    location: S3Location,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${formatS3Uri(location)} is ${size} bytes, over the ${limit}-byte limit siggate verifies in memory`);
  }
}

/** Metadata `s3 put` gives a signature: the version of the object it was uploaded with. */
export const SIGNED_VERSION_METADATA = 'siggate-object-version';

// A missing bucket is a 404 too, but it is a wrong name or endpoint (exit 3), never "no such object".
const isMissing = (error: unknown): boolean => {
  const code = s3ErrorCode(error);
  if (code === 'NoSuchBucket') return false;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchVersion' || httpStatusOf(error) === 404;
};

/**
 * S3 refusing to read one object (403 AccessDenied, or a bare 403), as opposed to refusing the caller's keys. Without
 * s3:ListBucket, S3 answers a missing object 403 too: the caller cannot tell "forbidden" from "absent".
 */
export const isObjectDenied = (error: unknown): boolean => {
  const code = s3ErrorCode(error);
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'ExpiredToken' || code === 'InvalidToken') return false;
  return code === 'AccessDenied' || httpStatusOf(error) === 403;
};

/** Whether an object (version) exists, reading at most its first byte; S3 refusing it is a RemoteError (exit 3). */
export async function objectExists(client: S3Client, location: S3Location, versionId: string | null = null): Promise<boolean> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: 'bytes=0-0', ...(versionId ? { VersionId: versionId } : {}) }));
    response.Body?.transformToWebStream?.().cancel().catch(() => {});
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    // an empty object has no first byte
    if (s3ErrorCode(error) === 'InvalidRange' || httpStatusOf(error) === 416) return true;
    throw translateS3Error(error, `GetObject ${formatS3Uri(location, versionId)}`);
  }
}

/**
 * Downloads an object whole; null when it does not exist, and with `denied: 'report'` the string 'denied' when S3
 * refuses this object (see {@link isObjectDenied}). A body shorter than announced is a RemoteError.
 */
export async function getObject(client: S3Client, location: S3Location, versionId?: string | null, maxBytes?: number): Promise<FetchedObject | null>;
export async function getObject(client: S3Client, location: S3Location, versionId: string | null, maxBytes: number, denied: 'report'): Promise<FetchedObject | null | 'denied'>;
export async function getObject(client: S3Client, location: S3Location, versionId: string | null = null, maxBytes = MAX_ARTIFACT_BYTES, denied: 'throw' | 'report' = 'throw'): Promise<FetchedObject | null | 'denied'> {
  const what = `GetObject ${formatS3Uri(location, versionId)}`;
  let response;
  try {
    response = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ...(versionId ? { VersionId: versionId } : {}) }));
  } catch (error) {
    if (isMissing(error)) return null;
    if (denied === 'report' && isObjectDenied(error)) return 'denied';
    throw translateS3Error(error, what);
  }
  const announced = response.ContentLength ?? null;
  if (announced !== null && announced > maxBytes) {
    response.Body?.transformToWebStream?.().cancel().catch(() => {});
    throw new ObjectTooLargeError(location, announced, maxBytes);
  }
  let bytes: Uint8Array;
  try {
    bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    throw new RemoteError(`the download of ${formatS3Uri(location)} was cut off: ${(error as Error).message}`, { cause: error });
  }
  if (announced !== null && bytes.length !== announced) {
    throw new RemoteError(`the download of ${formatS3Uri(location)} was cut off: ${bytes.length} of ${announced} bytes`);
  }
  return { location, bytes, versionId: response.VersionId ?? null, lastModified: response.LastModified ?? null, metadata: response.Metadata ?? {} };
}

/** Uploads bytes; returns the new version id when the bucket is versioned. */
export async function putObject(client: S3Client, location: S3Location, bytes: Uint8Array, metadata: Record<string, string> = {}): Promise<string | null> {
  try {
    const response = await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: bytes, ContentLength: bytes.length, Metadata: metadata }));
    return response.VersionId ?? null;
  } catch (error) {
    throw translateS3Error(error, `PutObject ${formatS3Uri(location)}`);
  }
}

/** Every key under a prefix (all pages). */
export async function listObjectKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })).catch((error: unknown) => {
      throw translateS3Error(error, `ListObjectsV2 s3://${bucket}/${prefix}`);
    });
    for (const entry of page.Contents ?? []) if (entry.Key) keys.push(entry.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Every version of one key, oldest first; an unversioned bucket lists one version with id `null` (S3) or none. */
export async function listVersions(client: S3Client, location: S3Location): Promise<{ versionId: string; lastModified: Date | null }[]> {
  return (await listAllVersions(client, location)).filter((v) => v.versionId !== 'null');
}

/** Every version of one key, the `null` one included, oldest first: all pages (S3 gives at most 1,000 a page). */
async function listAllVersions(client: S3Client, location: S3Location): Promise<{ versionId: string; lastModified: Date | null }[]> {
  const versions: { versionId: string; lastModified: Date | null }[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client
      .send(new ListObjectVersionsCommand({ Bucket: location.bucket, Prefix: location.key, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(versionMarker ? { VersionIdMarker: versionMarker } : {}) }))
      .catch((error: unknown) => {
        throw translateS3Error(error, `ListObjectVersions ${formatS3Uri(location)}`);
      });
    for (const v of page.Versions ?? []) {
      if (v.Key === location.key && v.VersionId) versions.push({ versionId: v.VersionId, lastModified: v.LastModified ?? null });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return versions.sort((a, b) => (a.lastModified?.getTime() ?? 0) - (b.lastModified?.getTime() ?? 0));
}

/** When an object version was uploaded; null when S3 does not say. */
export async function objectLastModified(client: S3Client, location: S3Location, versionId: string): Promise<Date | null> {
  const head = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: versionId })).catch(() => null);
  return head?.LastModified ?? null;
}

/**
 * The signature version that belongs to an object version: the one `s3 put` tagged with it, else the
 * newest uploaded at or after it. (Soundness does not depend on this choice: any signature must
 * verify over the object's exact bytes.)
 */
export async function signatureVersionFor(client: S3Client, signature: S3Location, objectVersion: string, objectTime: Date | null): Promise<string | null> {
  const versions = await listAllVersions(client, signature);
  for (const version of versions.slice(-20).reverse()) {
    const head = await client.send(new HeadObjectCommand({ Bucket: signature.bucket, Key: signature.key, VersionId: version.versionId })).catch(() => null);
    if (head?.Metadata?.[SIGNED_VERSION_METADATA] === objectVersion) return version.versionId;
  }
  return versions.find((v) => !objectTime || (v.lastModified && v.lastModified.getTime() >= objectTime.getTime()))?.versionId ?? null;
}
