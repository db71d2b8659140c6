import { hostname } from 'node:os';

/**
 * Whether a process with this id runs on this machine. EPERM means it exists under another user. A pid
 * can be reused, so a live answer is only "maybe ours"; callers treat it as alive and keep what it owns.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The name of this machine, recorded beside a pid: a pid says nothing about a process on another host. */
export function thisHost(): string {
  return hostname();
}
