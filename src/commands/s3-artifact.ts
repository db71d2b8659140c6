import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3AccessOptions, S3ClientLike } from '../s3/access.js';
import type { Signer, VerdictStatus } from '../core/verdict.js';
import { asS3Client, createS3Client } from '../s3/client.js';
import { verifyDetached } from '../trust/detached.js';
import { MAX_SIGNATURE_BYTES } from '../core/signature-format.js';
import { getObject, objectExists, objectLastModified, ObjectTooLargeError, signatureVersionFor, type FetchedObject } from '../s3/s3-objects.js';
import { formatS3Uri, parseS3Uri, type S3Location } from '../s3/s3-uri.js';
import { writeFileAtomically } from '../files/atomic-file.js';
import { openTrustSession } from './gate.js';
import type { TrustSession } from '../trust/session.js';
import type { VerifyOptions } from './types.js';

/** Options of `siggate s3 verify` and `s3 get`. */
export interface S3VerifyOptions extends Omit<VerifyOptions, 'repo' | 'reader'>, S3AccessOptions {
  /** `s3://BUCKET/KEY` */
  object: string;
  versionId?: string | null;
  /** `s3://…` of the signature; default `KEY.sig`, then `KEY.asc`. */
  signature?: string | null;
  /** SSH signature namespace. Default `file`. */
  namespace?: string;
  /** An AWS SDK v3 `S3Client` to use instead of one built from the access options. */
  client?: S3ClientLike;
}

/** `not-found`: the object itself does not exist. */
export type ArtifactStatus = VerdictStatus | 'not-found';

/** What `s3 verify` / `s3 get` found. */
export interface ArtifactReport {
  ok: boolean;
  status: ArtifactStatus;
  object: { uri: string; versionId: string | null; size: number | null; sha256: string | null };
  signature: { uri: string; versionId: string | null } | null;
  signer: Signer | null;
  signedAt: string | null;
  reason: string | null;
  remedy?: string;
  /** The file written by `s3 get` (null when nothing was written). */
  written: string | null;
  /** Signature candidates S3 refused to read (403): without s3:ListBucket that is also how a missing one looks. */
  unreadable: string[];
  warnings: string[];
}

/** Downloads an object and its detached signature and verifies the signature over the object's exact bytes. */
export async function s3Verify(options: S3VerifyOptions, deps: ArtifactDeps = {}): Promise<ArtifactReport> {
  return withArtifact(options, deps, async (report) => report);
}

/** What a caller that verifies many artifacts shares between them: one trust session (keys parsed once). */
export interface ArtifactDeps {
  trust?: TrustSession;
}

/** `s3 verify`, then writes the bytes to `out` atomically (temp file in the same directory, fsync, rename) only when valid. */
export async function s3Get(options: S3VerifyOptions & { out: string }, deps: ArtifactDeps = {}): Promise<ArtifactReport> {
  await assertWritableDirectory(dirname(resolve(options.out)), options.out);
  return withArtifact(options, deps, async (report, object) => {
    if (!report.ok || !object) return report;
    try {
      await writeFileAtomically(options.out, object.bytes);
    } catch (error) {
      throw new UsageError(`cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    return { ...report, written: options.out };
  });
}

async function assertWritableDirectory(dir: string, out: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('ENOTDIR');
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--out ${out}: ${dir} is not a writable directory`, { cause: error });
  }
}

async function withArtifact(options: S3VerifyOptions, deps: ArtifactDeps, finish: (report: ArtifactReport, object: FetchedObject | null) => Promise<ArtifactReport>): Promise<ArtifactReport> {
  const location = parseS3Uri(options.object, 'the object');
  const explicit = options.signature ? parseS3Uri(options.signature, '--signature') : null;
  const client = options.client ? asS3Client(options.client) : createS3Client(options);
  const trust = deps.trust ?? (await openTrustSession({ ...options, workers: false }, { s3Client: () => client }));
  try {
    const { checker, warnings } = trust;
    const now = trust.policy.now;
    const base: ArtifactReport = {
      ok: false,
      status: 'unsigned',
      object: { uri: formatS3Uri(location), versionId: options.versionId ?? null, size: null, sha256: null },
      signature: null,
      signer: null,
      signedAt: null,
      reason: null,
      written: null,
      unreadable: [],
      warnings,
    };
    const signatures = await findSignatures(client, location, options.versionId ?? null, explicit);
    if (signatures.found.length === 0) return finish(await noSignature(client, location, options.versionId ?? null, signatures, base), null);
    const object = await getObject(client, location, options.versionId ?? null);
    if (!object) return finish({ ...base, status: 'not-found', reason: `${formatS3Uri(location, options.versionId)} does not exist` }, null);
    // any signature that verifies over the exact bytes will do; otherwise the first one's verdict is reported
    const verdicts = [];
    for (const signature of signatures.found) {
      const verdict = await verifyDetached(checker, object.bytes, signature.bytes, options.namespace ?? 'file', now);
      verdicts.push({ signature, verdict });
      if (verdict.status === 'valid') break;
    }
    const { signature, verdict } = verdicts.find((v) => v.verdict.status === 'valid') ?? verdicts[0]!;
    const report: ArtifactReport = {
      ...base,
      ok: verdict.status === 'valid',
      status: verdict.status,
      object: { uri: formatS3Uri(location), versionId: object.versionId, size: object.bytes.length, sha256: createHash('sha256').update(object.bytes).digest('hex') },
      signature: { uri: formatS3Uri(signature.location), versionId: signature.versionId },
      unreadable: signatures.unreadable,
      signer: verdict.signer,
      signedAt: verdict.signedAt?.toISOString() ?? null,
      reason: verdict.reason,
      ...(verdict.remedy ? { remedy: verdict.remedy } : {}),
    };
    return finish(report, object);
  } finally {
    if (!deps.trust) await trust.close();
  }
}

/**
 * The report when no signature could be read. The object is asked for first (its first byte): S3 refusing the artifact
 * itself is an S3 failure (exit 3), never "unsigned", and a missing one is not-found.
 */
async function noSignature(client: S3Client, location: S3Location, versionId: string | null, signatures: FoundSignatures, base: ArtifactReport): Promise<ArtifactReport> {
  if (!(await objectExists(client, location, versionId))) return { ...base, status: 'not-found', reason: `${formatS3Uri(location, versionId)} does not exist` };
  if (signatures.unreadable.length === 0) {
    return { ...base, reason: `no signature: ${signatures.looked.join(' nor ')} exists`, remedy: `upload a detached signature next to the object (siggate s3 put, or gpg --detach-sign)` };
  }
  return {
    ...base,
    unreadable: signatures.unreadable,
    reason: `no readable signature: S3 refused ${signatures.unreadable.join(' and ')} (403)${signatures.unreadable.length < signatures.looked.length ? ` and ${signatures.looked.filter((l) => !signatures.unreadable.includes(l)).join(' nor ')} does not exist` : ''}`,
    remedy: 'if the signatures exist, grant s3:GetObject on them; s3:ListBucket on the bucket turns S3\'s 403 for a missing object into 404, telling missing from forbidden',
  };
}

interface FoundSignatures {
  found: FetchedObject[];
  looked: string[];
  /** Candidates S3 refused (403). */
  unreadable: string[];
}

/**
 * The signature objects: the one named, else `KEY.sig` and `KEY.asc`; of the version that goes with the object's. A
 * candidate S3 refuses (403: forbidden, or missing to a reader without s3:ListBucket) is skipped for the next one.
 */
async function findSignatures(client: S3Client, object: S3Location, objectVersion: string | null, explicit: S3Location | null): Promise<FoundSignatures> {
  const candidates = explicit ? [explicit] : [`${object.key}.sig`, `${object.key}.asc`].map((key) => ({ bucket: object.bucket, key }));
  const looked: string[] = [];
  const unreadable: string[] = [];
  const found: FetchedObject[] = [];
  let objectTime: Date | null = null;
  if (objectVersion) objectTime = await objectLastModified(client, object, objectVersion);
  for (const candidate of candidates) {
    looked.push(formatS3Uri(candidate));
    const version = objectVersion ? await signatureVersionFor(client, candidate, objectVersion, objectTime) : null;
    if (objectVersion && !version) continue;
    try {
      const signature = await getObject(client, candidate, version, MAX_SIGNATURE_BYTES, 'report');
      if (signature === 'denied') unreadable.push(formatS3Uri(candidate));
      else if (signature) found.push(signature);
    } catch (error) {
      if (!(error instanceof ObjectTooLargeError)) throw error;
      // judged like any other unusable signature (malformed), without downloading it
      found.push({ location: candidate, bytes: new Uint8Array(MAX_SIGNATURE_BYTES + 1), versionId: version, lastModified: null, metadata: {} });
    }
  }
  return { found, looked, unreadable };
}
