import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';

/** One signature check: `scheme` says how node:crypto is called; `digest` hashes `data` first (EdDSA in OpenPGP signs the digest). */
export interface CryptoJob {
  scheme: 'rsa' | 'ecdsa' | 'eddsa';
  hash: string;
  data: Uint8Array;
  signature: Uint8Array;
}

/**
 * Checks run inline until this many have been made in a process, or until a caller announces more: starting
 * a worker costs tens of milliseconds of CPU, which only a long range wins back. Counted over the checks that
 * would go to a worker (see RSA_OFFLOAD_CORES): the nonguix channel's 571 EdDSA commits among 2,177 started
 * the workers for its last few dozen at 512, which cost ~60 ms.
 */
const INLINE_JOBS = 1024;
/**
 * From how many cores RSA checks go to the workers too. One costs 0.02–0.08 ms, about what handing it to a
 * worker costs this thread, and on 2 cores the workers compete with this thread and git for the CPU
 * (measured on 2 cores: 2,000 RSA-3072 commits took 410 ms inline and 447 ms with two workers; the nonguix
 * channel, mostly RSA, 603 and 640 ms). EdDSA and ECDSA checks (about 0.1 ms each) win on 2 cores.
 */
const RSA_OFFLOAD_CORES = 4;
const BATCH = 64;
const WORKER_YOUNG_MB = 4;

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
  if (message.type === 'key') return keys.set(message.id, message.key);
  if (message.type !== 'batch') return;
  const bytes = new Uint8Array(message.bytes);
  parentPort.postMessage(message.jobs.map(([scheme, hash, key, data, signature, end]) => check({ scheme, hash, key, data: bytes.subarray(data, signature), signature: bytes.subarray(signature, end) })));
});
`;

interface Batch {
  jobs: (CryptoJob & { key: number })[];
  resolvers: ((ok: boolean) => void)[];
}

/** A job as the worker reads it: its bytes are offsets into the batch's one transferred buffer. */
type PackedJob = [scheme: CryptoJob['scheme'], hash: string, key: number, data: number, signature: number, end: number];

/**
 * A batch's bytes copied into one buffer of their own, moved (not copied) to the worker: a job's bytes are
 * often a view into Node's 8 KiB buffer pool, which posting the view itself would copy whole.
 */
function packBatch(jobs: Batch['jobs']): { jobs: PackedJob[]; bytes: ArrayBuffer } {
  let size = 0;
  for (const job of jobs) size += job.data.byteLength + job.signature.byteLength;
  const bytes = new Uint8Array(new ArrayBuffer(size));
  const packed: PackedJob[] = [];
  let at = 0;
  for (const job of jobs) {
    bytes.set(job.data, at);
    bytes.set(job.signature, at + job.data.byteLength);
    const end = at + job.data.byteLength + job.signature.byteLength;
    packed.push([job.scheme, job.hash, job.key, at, at + job.data.byteLength, end]);
    at = end;
  }
  return { jobs: packed, bytes: bytes.buffer };
}

/**
 * One worker per core (at most 4): measured on 2 cores, two workers beat one at 10,000 Ed25519 commits
 * (1.45 s against 1.8–2.4 s) at the cost of one more worker's memory. `SIGGATE_WORKERS` overrides it,
 * 0 checks everything in the main thread.
 */
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
  private announced = 0;
  private closed = false;

  constructor(
    private readonly size = defaultPoolSize(),
    private readonly inlineJobs = INLINE_JOBS,
    private readonly cores = availableParallelism(),
  ) {}

  private offloads(job: CryptoJob): boolean {
    return job.scheme !== 'rsa' || this.cores >= RSA_OFFLOAD_CORES;
  }

  /**
   * Whether this check should go to the pool rather than run inline: once enough checks that pay off in a
   * worker were made or announced. The workers start with the first batch they are given.
   */
  wants(job: CryptoJob): boolean {
    if (this.size === 0 || this.closed || !this.offloads(job)) return false;
    return ++this.made > this.inlineJobs || this.announced > this.inlineJobs;
  }

  /** About `count` checks are coming (a range's length): when that is enough for the workers to pay off, the first check that pays off in one goes to them. */
  expect(count: number): void {
    this.announced = Math.max(this.announced, count);
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
    const packed = packBatch(batch.jobs);
    slot.worker.postMessage({ type: 'batch', jobs: packed.jobs, bytes: packed.bytes }, [packed.bytes]);
  }

  private pickWorker(): (typeof this.workers)[number] {
    if (this.workers.length < this.size) return this.startWorker();
    return this.workers.reduce((best, slot) => (slot.pending < best.pending ? slot : best));
  }

  private startWorker(): (typeof this.workers)[number] {
    // execArgv: [] — inherited flags such as --input-type=module would change how the source runs
    // loaded on first use: a run that never starts a worker (a tip, a short range) does not load worker_threads
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    // a worker holds only a batch at a time: a small young generation keeps each one's memory small
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
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

  /** A worker died: check what it held in this thread, and stop using the pool. */
  private abandon(slot: (typeof this.workers)[number]): void {
    this.closed = true;
    for (const batch of slot.waiting.splice(0)) {
      batch.jobs.forEach((job, i) => batch.resolvers[i]!(CryptoPool.run(this.keyList[job.key]!, job)));
    }
    slot.pending = 0;
  }
}
