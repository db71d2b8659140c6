import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, thisHost } from './owner.js';

/** Who holds a lock, as its file says. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** How long to wait, when a lock is stale, and what to throw when waiting is over. */
export interface LockOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** A holder refreshes its lock's mtime; one not refreshed for this long is dead, wherever it ran (default 60 s). */
  staleAfterMs?: number;
  /** The error thrown after `timeoutMs` (holder null: its file could not be read). */
  busy(holder: LockHolder | null): Error;
}

/** The nonces of the locks this process holds: a lock naming this pid is stale unless it is one of them. */
const heldHere = new Set<string>();

/** A lock file that is still empty this long after its creation lost its creator between open and write. */
const UNWRITTEN_STALE_MS = 2_000;

/**
 * Run `body` holding an exclusive lock: a file created with O_EXCL that holds the holder's pid, host and a
 * nonce. A lock whose holder is dead (same host, pid gone) or that was not refreshed for `staleAfterMs` is
 * taken over; otherwise wait with backoff up to `timeoutMs`. Released whatever `body` does.
 */
export async function withLockFile<T>(path: string, options: LockOptions, body: () => Promise<T>): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const nonce = randomBytes(8).toString('hex');
  const content = `${JSON.stringify({ pid: process.pid, host: thisHost(), since: new Date().toISOString(), nonce })}\n`;
  await acquire(path, content, options.timeoutMs ?? 600_000, staleAfterMs, options.busy);
  heldHere.add(nonce);
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(path, now, now).catch(() => {});
  }, Math.max(50, Math.floor(staleAfterMs / 4)));
  heartbeat.unref();
  try {
    return await body();
  } finally {
    clearInterval(heartbeat);
    heldHere.delete(nonce);
    // Someone may have judged us dead and taken over: remove the file only while it is still ours
    if ((await readFile(path, 'utf8').catch(() => null)) === content) await unlink(path).catch(() => {});
  }
}

async function acquire(path: string, content: string, timeoutMs: number, staleAfterMs: number, busy: LockOptions['busy']): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    if (await createExclusive(path, content)) return;
    const seen = await readLock(path);
    if (seen === null) continue;
    if (isStale(seen, staleAfterMs)) {
      await breakLock(path, seen.text);
      continue;
    }
    if (Date.now() >= deadline) throw busy(seen.holder);
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 1_000);
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

interface SeenLock {
  text: string;
  holder: (LockHolder & { nonce: string }) | null;
  ageMs: number;
}

/** The lock as it is now, or null when it vanished meanwhile. */
async function readLock(path: string): Promise<SeenLock | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseHolder(text: string): (LockHolder & { nonce: string }) | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder & { nonce: string }>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.nonce !== 'string') return null;
    return { pid: value.pid, host: value.host, since: String(value.since ?? ''), nonce: value.nonce };
  } catch {
    return null;
  }
}

function isStale(seen: SeenLock, staleAfterMs: number): boolean {
  const holder = seen.holder;
  if (holder === null) return seen.ageMs > UNWRITTEN_STALE_MS;
  if (holder.host === thisHost()) {
    if (holder.pid === process.pid) return !heldHere.has(holder.nonce);
    if (!isProcessAlive(holder.pid)) return true;
  }
  return seen.ageMs > staleAfterMs;
}

/**
 * Remove a stale lock, but only the one judged stale: a short-lived `.break` lock makes the re-read and
 * the unlink one step, so two waiters cannot both break it and one remove the other's fresh lock.
 */
async function breakLock(path: string, staleText: string): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await createExclusive(breaker, String(process.pid)))) {
    const info = await stat(breaker).catch(() => null);
    // a breaker holds it for microseconds; an old one lost its creator mid-break
    if (info && Date.now() - info.mtimeMs > 10_000) await unlink(breaker).catch(() => {});
    else await sleep(10);
    return;
  }
  try {
    if ((await readFile(path, 'utf8').catch(() => null)) === staleText) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}
