import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** One signature check: `scheme` says how node:crypto is called; `digest` hashes `data` first (EdDSA in OpenPGP signs the digest). */
export interface CryptoJob {
  scheme: 'rsa' | 'ecdsa' | 'eddsa';
  hash: string;
  data: Uint8Array;
  signature: Uint8Array;
}

/** Checks run inline until this many have been made in a process: worker start-up only pays off for long ranges. */
const INLINE_JOBS = 512;
const BATCH = 64;

// Plain JavaScript so that it runs the same from dist/ and from the TypeScript sources under test.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash, verify } = require('node:crypto');
const keys = new Map();
function check(job) {
  const key = keys.get(job.key);
  try {
    if (job.scheme === 'eddsa') return verify(null, createHash(job.hash).update(job.data).digest(), key, job.signature);
    if (job.scheme === 'ecdsa') return verify(job.hash, job.data, { key, dsaEncoding: 'der' }, job.signature);
    return verify(job.hash, job.data, key, job.signature);
  } catch {
    return false;
  }
}
parentPort.on('message', (message) => {
  if (message.type === 'key') keys.set(message.id, message.key);
  else parentPort.postMessage(message.jobs.map((job) => check(job)));
});
`;

interface Batch {
  jobs: (CryptoJob & { key: number })[];
  resolvers: ((ok: boolean) => void)[];
}

/** One worker per core (at most 4); `SIGGATE_WORKERS` overrides it, 0 checks everything in the main thread. */
function defaultPoolSize(): number {
  const configured = Number.parseInt(process.env.SIGGATE_WORKERS ?? '', 10);
  if (Number.isInteger(configured) && configured >= 0) return Math.min(configured, 16);
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** A small pool of worker threads verifying signatures on the other cores. */
export class CryptoPool {
  private readonly workers: { worker: Worker; keys: Set<number>; waiting: Batch[]; pending: number }[] = [];
  private readonly keyIds = new Map<KeyObject, number>();
  private readonly keyList: KeyObject[] = [];
  private queued: Batch = { jobs: [], resolvers: [] };
  private made = 0;
  private closed = false;

  constructor(
    private readonly size = defaultPoolSize(),
    private readonly inlineJobs = INLINE_JOBS,
  ) {}

  /** Whether the next check should go to the pool rather than run inline. */
  wants(): boolean {
    return this.size > 0 && !this.closed && ++this.made > this.inlineJobs;
  }

  verify(key: KeyObject, job: CryptoJob): Promise<boolean> {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      this.keyIds.set(key, (id = this.keyList.length));
      this.keyList.push(key);
    }
    return new Promise((resolve) => {
      if (this.queued.jobs.push({ ...job, key: id }) === 1) setImmediate(() => this.flush());
      this.queued.resolvers.push(resolve);
      if (this.queued.jobs.length >= BATCH) this.flush();
    });
  }

  /** The same check in this thread. */
  static run(key: KeyObject, job: CryptoJob): boolean {
    try {
      if (job.scheme === 'eddsa') return cryptoVerify(null, createHash(job.hash).update(job.data).digest(), key, job.signature);
      if (job.scheme === 'ecdsa') return cryptoVerify(job.hash, job.data, { key, dsaEncoding: 'der' }, job.signature);
      return cryptoVerify(job.hash, job.data, key, job.signature);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private flush(): void {
    const batch = this.queued;
    if (batch.jobs.length === 0) return;
    this.queued = { jobs: [], resolvers: [] };
    if (this.closed) {
      batch.jobs.forEach((job, i) => batch.resolvers[i]!(CryptoPool.run(this.keyList[job.key]!, job)));
      return;
    }
    const slot = this.pickWorker();
    for (const job of batch.jobs) {
      if (slot.keys.has(job.key)) continue;
      slot.keys.add(job.key);
      slot.worker.postMessage({ type: 'key', id: job.key, key: this.keyList[job.key] });
    }
    slot.waiting.push(batch);
    slot.pending += batch.jobs.length;
    slot.worker.postMessage({ type: 'batch', jobs: batch.jobs });
  }

  private pickWorker(): (typeof this.workers)[number] {
    if (this.workers.length < this.size) {
      // execArgv: [] — inherited flags such as --input-type=module would change how the source runs
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      worker.unref();
      const slot = { worker, keys: new Set<number>(), waiting: [] as Batch[], pending: 0 };
      worker.on('message', (results: boolean[]) => {
        const batch = slot.waiting.shift()!;
        slot.pending -= batch.jobs.length;
        batch.resolvers.forEach((resolve, i) => resolve(results[i] === true));
      });
      worker.on('error', () => this.abandon(slot));
      worker.on('exit', () => this.abandon(slot));
      this.workers.push(slot);
      return slot;
    }
    return this.workers.reduce((best, slot) => (slot.pending < best.pending ? slot : best));
  }

  /** A worker died: check what it held in this thread, and stop using the pool. */
  private abandon(slot: (typeof this.workers)[number]): void {
    this.closed = true;
    for (const batch of slot.waiting.splice(0)) {
      batch.jobs.forEach((job, i) => batch.resolvers[i]!(CryptoPool.run(this.keyList[job.key]!, job)));
    }
    slot.pending = 0;
  }
}
