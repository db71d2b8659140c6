import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Get, s3Verify, type ArtifactReport } from '../../commands/s3-artifact.js';
import { s3Put } from '../../commands/s3-put.js';
import { compareVersionText } from '../../core/semver.js';
import { GateClosedError, UsageError } from '../../core/errors.js';
import { createS3Client } from '../../s3/client.js';
import { listObjectKeys, listVersions } from '../../s3/s3-objects.js';
import { writeFileAtomically } from '../../files/atomic-file.js';
import type { TrustSession } from '../../trust/session.js';
import { openResourceTrust } from '../protocol/source-keys.js';
import type { Log, Metadata } from '../protocol/types.js';
import { regexpPrefix, type S3Request, type S3Source, type S3Version } from './s3-source.js';

/** The `params` keys `out` accepts in S3 mode. */
export const S3_OUT_PARAMS = ['file', 'signature'] as const;


/** One version of the watched artifact: where it is and how it sorts. */
interface Candidate {
  version: S3Version;
  key: string;
  versionId: string | null;
}

/** Runs `work` with the source's client and its trust session (keys parsed once for every version), always cleaning up. */
async function withS3<T>(request: S3Request, log: Log, work: (client: S3Client, trust: TrustSession) => Promise<T>): Promise<T> {
  const trust = openResourceTrust(request.source.keys, log, { workers: false });
  try {
    return await work(createS3Client(request.source.access), trust);
  } finally {
    await trust.close();
  }
}

/** `check`: the versions from the given one on whose signature verifies, oldest first; without one, the newest that verifies. */
export async function checkS3(request: S3Request, log: Log): Promise<S3Version[]> {
  return withS3(request, log, async (client, trust) => {
    const all = await listCandidates(client, request.source);
    const from = request.version ? all.findIndex((c) => sameVersion(c.version, request.version!)) : -1;
    if (request.version && from < 0) log(`version ${JSON.stringify(request.version)} is gone; checking the newest only`);
    const emitted: S3Version[] = [];
    if (from >= 0) {
      for (const candidate of all.slice(from)) if (await passes(client, request.source, trust, candidate, log)) emitted.push(candidate.version);
      return emitted;
    }
    for (const candidate of [...all].reverse()) {
      if (await passes(client, request.source, trust, candidate, log)) return [candidate.version];
    }
    return [];
  });
}

/** `in DEST`: download the version, verify it, and only then write `DEST/<file name>` and `DEST/version`. */
export async function getS3(request: S3Request, dest: string | undefined, log: Log): Promise<{ version: S3Version; metadata: Metadata }> {
  if (!dest) throw new UsageError('in: the destination directory argument is missing');
  if (!request.version) throw new UsageError('in: no version to fetch');
  const version = request.version;
  return withS3(request, log, async (client, trust) => {
    const candidate = locate(request.source, version);
    const out = join(dest, basename(candidate.key));
    const report = await s3Get({ client, object: `s3://${request.source.bucket}/${candidate.key}`, versionId: candidate.versionId, namespace: request.source.namespace, out }, { trust });
    if (!report.ok) throw new GateClosedError(`${report.object.uri} did not pass verification (${report.status}: ${report.reason}); nothing was written`);
    await writeFileAtomically(join(dest, 'version'), new TextEncoder().encode(`${'path' in version ? versionOfKey(request.source, candidate.key) : version.version_id}\n`));
    log(`verified and wrote ${out}`);
    return { version, metadata: metadataOf(report) };
  });
}

/** `out SRC`: sign `params.file` (or take `params.signature`), verify, and only then upload object and signature. */
export async function putS3(request: S3Request, src: string | undefined, log: Log): Promise<{ version: S3Version; metadata: Metadata }> {
  if (!src) throw new UsageError('out: the source directory argument is missing');
  const file = await resolveOne(src, request.params['file'], 'params.file');
  const signatureFile = request.params['signature'] === undefined ? null : await resolveOne(src, request.params['signature'], 'params.signature');
  const source = request.source;
  const key = source.versionedFile ?? `${regexpPrefix(source.regexp!)}${basename(file)}`;
  if (source.regexp && !source.regexp.test(key)) throw new UsageError(`${basename(file)} does not match source.regexp (${key})`);
  if (!signatureFile && !source.signingKey) throw new UsageError('out needs params.signature or source.signing_key: siggate uploads nothing unsigned');
  const keyFile = signatureFile || !source.signingKey ? null : { name: 'source.signing_key', armored: source.signingKey };
  {
    return await withS3(request, log, async (client, trust) => {
      const report = await s3Put({
        client,
        file,
        object: `s3://${source.bucket}/${key}`,
        signatureFile,
        keyFile,
        ...(source.signingKeyPassphrase !== null ? { keyPassphrase: source.signingKeyPassphrase } : {}),
        namespace: source.namespace,
      }, { trust });
      if (!report.ok) throw new GateClosedError(report.reason ?? 'the signature does not verify; nothing was uploaded');
      if (source.versionedFile && !report.object?.versionId) throw new UsageError(`bucket ${source.bucket} is not versioned: versioned_file needs S3 versioning`);
      log(`uploaded ${report.object?.uri} and ${report.signature?.uri}`);
      const version: S3Version = source.versionedFile ? { version_id: report.object!.versionId! } : { path: key };
      return { version, metadata: [{ name: 'signature', value: report.signature?.uri ?? '' }, ...(report.signer ? [{ name: 'signer_fingerprint', value: report.signer.fingerprint }] : [])] };
    });
  }
}

async function passes(client: S3Client, source: S3Source, trust: TrustSession, candidate: Candidate, log: Log): Promise<boolean> {
  const report = await s3Verify({ client, object: `s3://${source.bucket}/${candidate.key}`, versionId: candidate.versionId, namespace: source.namespace }, { trust });
  if (!report.ok) log(`skipping ${JSON.stringify(candidate.version)}: ${report.status}: ${report.reason}`);
  return report.ok;
}

/** Every version of the artifact, oldest first. */
async function listCandidates(client: S3Client, source: S3Source): Promise<Candidate[]> {
  if (source.versionedFile) {
    const versions = await listVersions(client, { bucket: source.bucket, key: source.versionedFile });
    return versions.map((v) => ({ version: { version_id: v.versionId }, key: source.versionedFile!, versionId: v.versionId }));
  }
  const keys = (await listObjectKeys(client, source.bucket, regexpPrefix(source.regexp!))).filter((key) => source.regexp!.test(key));
  return keys
    .map((key) => ({ version: { path: key }, key, versionId: null }))
    .sort((a, b) => compareVersionText(versionOfKey(source, a.key), versionOfKey(source, b.key)));
}

function locate(source: S3Source, version: S3Version): Candidate {
  if ('version_id' in version) return { version, key: source.versionedFile!, versionId: version.version_id };
  if (!source.regexp!.test(version.path)) throw new UsageError(`version.path ${version.path} does not match source.regexp`);
  return { version, key: version.path, versionId: null };
}

function versionOfKey(source: S3Source, key: string): string {
  const match = source.regexp?.exec(key);
  return match?.slice(1).find((group) => group !== undefined) ?? key;
}

function sameVersion(a: S3Version, b: S3Version): boolean {
  return 'path' in a && 'path' in b ? a.path === b.path : 'version_id' in a && 'version_id' in b && a.version_id === b.version_id;
}

function metadataOf(report: ArtifactReport): Metadata {
  return [
    { name: 'object', value: report.object.uri },
    { name: 'sha256', value: report.object.sha256 ?? '' },
    { name: 'signature', value: report.signature?.uri ?? '' },
    { name: 'signer', value: report.signer?.userId ?? '' },
    { name: 'signer_fingerprint', value: report.signer?.fingerprint ?? '' },
  ];
}

/** A file under SRC named by a param; `*` in its last part must match exactly one file. */
async function resolveOne(src: string, value: unknown, what: string): Promise<string> {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${what} must name a file under the source directory`);
  const path = resolve(src, value);
  if (!basename(path).includes('*')) return path;
  const pattern = new RegExp(`^${basename(path).split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const matches = (await readdir(dirname(path)).catch(() => [])).filter((name) => pattern.test(name));
  if (matches.length !== 1) throw new UsageError(`${what} ${value} matches ${matches.length} files; it must match exactly one`);
  return join(dirname(path), matches[0]!);
}
