import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeployBusyError } from './errors.js';

/** A place that holds one lock: created only when absent (the store enforces it), read, removed. */
export interface LockSlot {
  /** For messages: `ssm:/…/lock`, `s3://…/PROJECT.lock`. */
  where: string;
  /** Create the lock holding `content`; false when it already exists. Must be atomic in the store. */
  create(content: string): Promise<boolean>;
  /** The lock's content, or null when there is none. */
  read(): Promise<string | null>;
  remove(): Promise<void>;
}

/**
 * Run `body` holding a lock in a remote store. Fails closed: the store refuses a second creation, and a lock
 * is never taken over — a deployer that died holding one leaves it, and the next deploys refuse (exit 3,
 * naming the holder and where to delete it) rather than guess it dead and risk two deploys at once.
 */
export async function withRemoteLock<T>(slot: LockSlot, waitMs: number, project: string, body: () => Promise<T>): Promise<T> {
  const content = JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString(), nonce: randomBytes(8).toString('hex') });
  const deadline = Date.now() + waitMs;
  let delay = 100;
  while (!(await slot.create(content))) {
    if (Date.now() >= deadline) {
      const holder = await slot.read().catch(() => null);
      throw new DeployBusyError(`another deploy of ${project} holds the lock ${slot.where}${holder ? ` (${holder})` : ''}; gave up after ${Math.round(waitMs / 1000)} s (if that deploy died, delete ${slot.where})`);
    }
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 2, 5_000);
  }
  try {
    return await body();
  } finally {
    // only ours: nobody else removes or replaces a held lock, this guards against an operator's mistake
    if ((await slot.read().catch(() => null)) === content) await slot.remove().catch(() => {});
  }
}
