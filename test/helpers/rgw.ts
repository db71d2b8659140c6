// The suite's real S3: the Ceph RGW that test/global/rgw.ts starts once per run (inject('rgw')). Buckets, bucket
// policies and IAM roles for one test file, made as the `admin` user; `reader`, `writer` and `outsider` own nothing and
// get only what a policy or role grants them. Users live in tenant 123456789012, so their ARNs look like AWS's.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, inject } from 'vitest';
import { CreateBucketCommand, PutBucketPolicyCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RgwInfo, RgwUser } from '../global/rgw.js';

export type { RgwInfo, RgwUser };

/** The running RGW, or null when the ceph packages are absent (globalSetup said so on stderr). */
export const rgw: RgwInfo | null = inject('rgw');

/** `describe`, skipped (and marked so in the report) without RGW. */
export const describeRgw: ReturnType<typeof describe.skipIf> = describe.skipIf(!rgw);

/** The RGW of this run; only call it inside `describeRgw`. */
export function rgwInfo(): RgwInfo {
  if (!rgw) throw new Error('RGW is not running (see the globalSetup message)');
  return rgw;
}

export type RgwUserName = keyof RgwInfo['users'];
/** A user's S3 keys. */
export const keysOf = (user: RgwUserName): { accessKeyId: string; secretAccessKey: string } => {
  const { accessKeyId, secretAccessKey } = rgwInfo().users[user];
  return { accessKeyId, secretAccessKey };
};

/** An SDK S3 client of `user` on the gateway that checks SigV4 exactly (or, with `sts`, the one that takes session credentials). */
export function rgwClient(user: RgwUserName = 'admin', options: { sts?: boolean } = {}): S3Client {
  const info = rgwInfo();
  return new S3Client({ endpoint: options.sts ? info.stsEndpoint : info.endpoint, region: info.region, forcePathStyle: true, maxAttempts: 1, credentials: keysOf(user) });
}

/** A bucket name no other test file (nor a later run) uses: RGW holds buckets for the whole run. */
export const uniqueBucket = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

/** Creates `bucket` as admin, versioned when asked. */
export async function createBucket(bucket: string, options: { versioned?: boolean } = {}): Promise<void> {
  const admin = rgwClient();
  try {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    if (options.versioned) await admin.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  } finally {
    admin.destroy();
  }
}

/** Uploads as admin; returns the version id (versioned buckets). */
export async function putAsAdmin(bucket: string, key: string, body: string | Uint8Array, metadata?: Record<string, string>): Promise<string | null> {
  const admin = rgwClient();
  try {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const response = await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentLength: data.length, ...(metadata ? { Metadata: metadata } : {}) }));
    return response.VersionId ?? null;
  } finally {
    admin.destroy();
  }
}

/** An IAM policy statement. */
export interface Statement {
  Effect?: 'Allow' | 'Deny';
  Principal?: { AWS: string[] };
  Action: string[];
  Resource: string[];
}

/** Replaces `bucket`'s policy; statements allow by default. */
export async function setBucketPolicy(bucket: string, statements: Statement[]): Promise<void> {
  const admin = rgwClient();
  try {
    await admin.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyDocument(statements) }));
  } finally {
    admin.destroy();
  }
}

const policyDocument = (statements: Statement[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) });

/**
 * Creates an IAM role that `trusted` users may assume, with `permissions` as its inline policy; returns its ARN
 * (`arn:aws:iam::123456789012:role/NAME`). RGW caps a session at the role's MaxSessionDuration (default 3600, as AWS).
 */
export async function createRole(name: string, trusted: RgwUserName[], permissions: Statement[], maxSessionDuration?: number): Promise<string> {
  const info = rgwInfo();
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: trusted.map((u) => info.users[u].arn) }, Action: ['sts:AssumeRole'] }] };
  const created = await iam('CreateRole', { RoleName: name, Path: '/', AssumeRolePolicyDocument: JSON.stringify(trust), ...(maxSessionDuration ? { MaxSessionDuration: String(maxSessionDuration) } : {}) });
  await iam('PutRolePolicy', { RoleName: name, PolicyName: 'permissions', PolicyDocument: policyDocument(permissions) });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(created)?.[1];
  if (!arn) throw new Error(`CreateRole gave no ARN: ${created}`);
  return arn;
}

/** One call of RGW's IAM API (awsQuery, SigV4 for service `iam`) as admin; the response body, or an Error. */
async function iam(action: string, params: Record<string, string>): Promise<string> {
  const info = rgwInfo();
  const url = new URL(info.endpoint);
  const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString();
  const signer = new SignatureV4({ service: 'iam', region: info.region, credentials: keysOf('admin'), sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const response = await fetch(info.endpoint, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${action}: ${response.status} ${text}`);
  return text;
}

/** The hash the signer wants, from node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}
