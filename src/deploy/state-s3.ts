import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorName } from './aws-errors.js';
import { DeployStateError } from './errors.js';
import { parseDeployRecord } from './record.js';
import { withRemoteLock, type LockSlot } from './remote-lock.js';
import type { DeployRecord, StateStore } from './types.js';

/** The most a record or a lock may be: both are a few hundred bytes. */
const MAX_STATE_BYTES = 64 * 1024;

/**
 * Deploy state in S3: `PREFIX/PROJECT.json` (one PutObject replaces it whole) and the lock `PREFIX/PROJECT.lock`,
 * created with `If-None-Match: *` — S3 answers 412 while it exists. A store that ignores that header would let
 * two deployers both "create" it, so before the first lock the store is probed (a second conditional PUT of
 * an object that exists must be refused) and a store that fails the probe is refused (exit 3): fail closed.
 */
export function s3State(bucket: string, prefix: string, client: S3Client): StateStore {
  const key = (leaf: string): string => (prefix ? `${prefix.replace(/\/+$/, '')}/${leaf}` : leaf);
  const where = (leaf: string): string => `s3://${bucket}/${key(leaf)}`;
  let probed: Promise<void> | null = null;
  const get = async (leaf: string): Promise<string | null> => {
    try {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(leaf) }));
      const bytes = await answer.Body!.transformToByteArray();
      if (bytes.length > MAX_STATE_BYTES) throw new DeployStateError(`${where(leaf)} is over ${MAX_STATE_BYTES} bytes`);
      return Buffer.from(bytes).toString('utf8');
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey') return null;
      throw stateFailure(`S3 GetObject ${where(leaf)}`, error);
    }
  };
  const createOnly = async (leaf: string, content: string): Promise<boolean> => {
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(leaf), Body: content, IfNoneMatch: '*', ContentType: 'application/json' }));
      return true;
    } catch (error) {
      // 412: it exists; 409: a concurrent conditional write is in flight — both mean "not ours now"
      if (['PreconditionFailed', 'ConditionalRequestConflict'].includes(awsErrorName(error))) return false;
      throw stateFailure(`S3 PutObject ${where(leaf)}`, error);
    }
  };
  const probe = async (): Promise<void> => {
    const leaf = '.siggate-lock-probe';
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(leaf), Body: 'probe' })).catch((error: unknown) => {
      throw stateFailure(`S3 PutObject ${where(leaf)}`, error);
    });
    if (await createOnly(leaf, 'probe')) {
      throw new DeployStateError(`the S3 store of ${where('')} ignores If-None-Match on PUT: it cannot hold a lock, so no deploy runs (use ssm:/PATH state, or a store with conditional writes)`);
    }
  };
  return {
    description: `s3://${bucket}/${prefix}`,
    async read(project) {
      const text = await get(`${project}.json`);
      return text === null ? null : parseDeployRecord(text, project, where(`${project}.json`));
    },
    async write(record: DeployRecord) {
      const leaf = `${record.project}.json`;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(leaf), Body: JSON.stringify(record), ContentType: 'application/json' })).catch((error: unknown) => {
        throw stateFailure(`S3 PutObject ${where(leaf)}`, error);
      });
    },
    async withLock(project, waitMs, body) {
      probed ??= probe();
      await probed;
      const leaf = `${project}.lock`;
      const slot: LockSlot = {
        where: where(leaf),
        create: (content) => createOnly(leaf, content),
        read: () => get(leaf),
        async remove() {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key(leaf) }));
        },
      };
      return withRemoteLock(slot, waitMs, project, body);
    },
  };
}

function stateFailure(what: string, error: unknown): DeployStateError {
  if (error instanceof DeployStateError) return error;
  return new DeployStateError(`${what} failed: ${awsErrorName(error) || (error as Error).name}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
}
