import { availableParallelism } from 'node:os';
import { stat } from 'node:fs';

/**
 * One thread of libuv's pool per core, where signatures are checked (see trust/crypto/pool), unless
 * UV_THREADPOOL_SIZE says otherwise. libuv starts 4 by default: on 2 cores that is two more threads than
 * cores taking CPU from the thread that reads and parses the commits (measured on 2 cores, 10,000 Ed25519
 * commits: 1,241 -> 1,155 ms and 1,457 -> 1,373 ms, medians of 7 and 9 interleaved runs; 100,000:
 * 9.5 -> 9.0 s; 2,000 RSA and nonguix unchanged).
 *
 * libuv reads the variable once, when the first job is queued: the command-line faces call this before
 * anything uses the pool, and it queues that first job itself so that the environment can be put back at
 * once (the commands a deploy runs, git included, inherit the environment the user gave). A program using
 * siggate as a library keeps its own pool.
 */
export function sizeThreadPool(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism(), startPool: () => void = startLibuvPool): void {
  // a blank value counts as unset: libuv would read it as 0, and run 1 thread
  if (env.UV_THREADPOOL_SIZE?.trim()) return;
  const given = env.UV_THREADPOOL_SIZE;
  env.UV_THREADPOOL_SIZE = String(Math.max(1, cores));
  try {
    startPool();
  } finally {
    if (given === undefined) delete env.UV_THREADPOOL_SIZE;
    else env.UV_THREADPOOL_SIZE = given;
  }
}

/** Any asynchronous file-system call queues a job on the pool, which starts it (a pool already running stays as it is). */
function startLibuvPool(): void {
  stat('.', () => {});
}
