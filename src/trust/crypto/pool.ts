import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** One signature check: `scheme` says how node:crypto is called; `digest` hashes `data` first (EdDSA in OpenPGP signs the digest). */
export interface CryptoJob {
  scheme: 'rsa' | 'ecdsa' | 'eddsa';
  hash: string;
  data: Uint8Array;
  signature: Uint8Array;
}

/** More checks than a walk keeps in flight; past this many, checks wait in this thread's queue. */
const QUEUED = 256;

type Done = (error: Error | null, ok: boolean) => void;

/**
 * Signature checks on libuv's thread pool, through node:crypto's asynchronous `verify`: the same OpenSSL
 * call as the inline check, run on the other cores while this thread reads and parses the next commits.
 *
 * This replaced worker threads. A worker is a whole V8 isolate: starting two cost ~60 ms of CPU and
 * ~30 MB, every batch was copied and posted, and on 2 cores handing an RSA check to a worker cost this
 * thread about what the check costs. Measured on 2 cores, 10,000 Ed25519 commits: 1,338 ms with two
 * workers, 1,256 ms on the thread pool.
 *
 * The walks keep ~128 checks in flight. They all go to the thread pool's queue at once: its threads then
 * never wait for this thread to come back to the event loop (measured, 10,000 Ed25519 commits on 2 cores:
 * 1,256 ms with every check queued, 1,428 ms with at most 4 at a time, 1,670 with 2). A caller that starts
 * more than `limit` at once has the rest wait here, in order, so that file reads and DNS lookups, which
 * share the thread pool, are never queued behind a whole history.
 */
export class CryptoPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(private readonly limit = defaultLimit()) {}

  /** Whether this check should go to the thread pool rather than run inline. */
  wants(_job: CryptoJob): boolean {
    return this.limit > 0 && !this.closed;
  }

  /** The check on the thread pool; resolves like {@link CryptoPool.run} would return. */
  verify(key: KeyObject, job: CryptoJob): Promise<boolean> {
    return new Promise((resolve) => {
      const start = (): void => {
        this.running++;
        const done: Done = (error, ok) => {
          this.running--;
          this.waiting.shift()?.();
          resolve(error === null && ok === true);
        };
        try {
          startCheck(key, job, done);
        } catch {
          done(null, false); // arguments node:crypto refuses before starting: an invalid signature, as inline
        }
      };
      if (this.running < this.limit && !this.closed) start();
      else if (this.closed) resolve(CryptoPool.run(key, job));
      else this.waiting.push(start);
    });
  }

  /** The same check in this thread. */
  static run(key: KeyObject, job: CryptoJob): boolean {
    try {
      if (job.scheme === 'eddsa') return cryptoVerify(null, digestOf(job), key, job.signature);
      if (job.scheme === 'ecdsa') return cryptoVerify(job.hash, job.data, { key, dsaEncoding: 'der' }, job.signature);
      return cryptoVerify(job.hash, job.data, key, job.signature);
    } catch {
      return false;
    }
  }

  /** No new checks go to the thread pool; those already there finish. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

function startCheck(key: KeyObject, job: CryptoJob, done: Done): void {
  if (job.scheme === 'eddsa') cryptoVerify(null, digestOf(job), key, job.signature, done);
  else if (job.scheme === 'ecdsa') cryptoVerify(job.hash, job.data, { key, dsaEncoding: 'der' }, job.signature, done);
  else cryptoVerify(job.hash, job.data, key, job.signature, done);
}

function digestOf(job: CryptoJob): Buffer {
  return createHash(job.hash).update(job.data).digest();
}

/** `SIGGATE_WORKERS=0` checks everything in this thread; UV_THREADPOOL_SIZE sets how many threads check (the command line: one per core, see process/thread-pool). */
function defaultLimit(): number {
  return process.env.SIGGATE_WORKERS?.trim() === '0' ? 0 : QUEUED;
}
