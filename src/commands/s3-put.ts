import type { SigningKeyRef } from '../core/key-source.js';
import { readFile } from 'node:fs/promises';
import type { S3AccessOptions, S3ClientLike } from '../s3/access.js';
import type { Signer, VerdictStatus } from '../core/verdict.js';
import { UsageError } from '../core/errors.js';
import { asS3Client, createS3Client } from '../s3/client.js';
import { verifyDetached } from '../trust/detached.js';
import { putObject, SIGNED_VERSION_METADATA } from '../s3/s3-objects.js';
import { formatS3Uri, parseS3Uri } from '../s3/s3-uri.js';
import { signBytes } from '../signing/detached.js';
import { resolveSigner } from '../signing/signer.js';
import { openTrustSession } from './gate.js';
import type { TrustSession } from '../trust/session.js';
import type { VerifyOptions } from './types.js';

/** Options of `siggate s3 put FILE s3://BUCKET/KEY`. */
export interface S3PutOptions extends Omit<VerifyOptions, 'repo' | 'reader'>, S3AccessOptions {
  file: string;
  object: string;
  /** An existing detached signature of FILE; it must verify. Default: sign FILE now. */
  signatureFile?: string | null;
  /** Sign with this armored OpenPGP secret key instead of git's configured signing. */
  keyFile?: SigningKeyRef | null;
  /** The passphrase of `keyFile`; default `SIGGATE_KEY_PASSPHRASE` or a prompt. */
  keyPassphrase?: string;
  namespace?: string;
  /** Where git's signing configuration is read (a repository or any directory). Default `.`. */
  cwd?: string;
  /** An AWS SDK v3 `S3Client` to use instead of one built from the access options. */
  client?: S3ClientLike;
}

/** What `s3 put` uploaded, or why it uploaded nothing. */
export interface PutReport {
  ok: boolean;
  status: VerdictStatus;
  object: { uri: string; versionId: string | null } | null;
  signature: { uri: string; versionId: string | null } | null;
  signer: Signer | null;
  reason: string | null;
  warnings: string[];
}

/**
 * Signs FILE (or takes its existing signature), verifies the signature against the keys, and only then
 * uploads the object and, next to it, the signature (`KEY.asc` when armored OpenPGP, else `KEY.sig`)
 * tagged with the object's version.
 */
export async function s3Put(options: S3PutOptions, deps: { trust?: TrustSession } = {}): Promise<PutReport> {
  const location = parseS3Uri(options.object, 'the destination');
  const bytes = await readLocal(options.file, 'FILE');
  const namespace = options.namespace ?? 'file';
  const now = options.now ?? new Date();
  const signature = options.signatureFile
    ? await readLocal(options.signatureFile, '--signature')
    : await signBytes(await resolveSigner(options.cwd ?? '.', options.keyFile ?? null, now, options.keyPassphrase), bytes, namespace, now);
  const client = options.client ? asS3Client(options.client) : createS3Client(options);
  const trust = deps.trust ?? (await openTrustSession({ ...options, workers: false }, { s3Client: () => client }));
  try {
    const { checker, warnings } = trust;
    const verdict = await verifyDetached(checker, bytes, signature, namespace, now);
    const refused = { object: null, signature: null, signer: verdict.signer, warnings };
    if (verdict.status !== 'valid') return { ...refused, ok: false, status: verdict.status, reason: `the signature does not verify (${verdict.reason}); nothing was uploaded` };
    const versionId = await putObject(client, location, bytes);
    const armoredOpenpgp = Buffer.from(signature.subarray(0, 64)).toString('latin1').trimStart().startsWith('-----BEGIN PGP');
    const signatureLocation = { bucket: location.bucket, key: `${location.key}${armoredOpenpgp ? '.asc' : '.sig'}` };
    const signatureVersion = await putObject(client, signatureLocation, signature, versionId ? { [SIGNED_VERSION_METADATA]: versionId } : {});
    return {
      ok: true,
      status: 'valid',
      object: { uri: formatS3Uri(location), versionId },
      signature: { uri: formatS3Uri(signatureLocation), versionId: signatureVersion },
      signer: verdict.signer,
      reason: null,
      warnings,
    };
  } finally {
    if (!deps.trust) await trust.close();
  }
}

async function readLocal(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}
