// A bin/ script killed as a container or a timeout kills it: SIGKILL to its whole process group (node and
// the git processes it started), at a chosen moment.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { BinName } from './bin.js';

/** How a run ended: killed by us, or exited on its own first (with its code and stderr). */
export interface KillOutcome {
  killed: boolean;
  code: number | null;
  stderr: string;
}

/** When to kill: `afterMs` after the start, or as soon as `when()` holds (polled every millisecond), whichever comes first. */
export interface KillAt {
  afterMs: number;
  when?: () => boolean;
}

/** Runs `bin/NAME ARGS` in its own process group and SIGKILLs the group at `at`. */
export function runAndKill(bin: BinName, args: readonly string[], at: KillAt, options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<KillOutcome> {
  const path = resolve(import.meta.dirname, '../../bin', bin);
  return new Promise((done) => {
    const child = spawn(process.execPath, [path, ...args], { detached: true, env: options.env ?? process.env });
    let stderr = '';
    let killed = false;
    let exited = false;
    const kill = (): void => {
      if (exited || killed) return;
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    };
    const started = Date.now();
    const poll = setInterval(() => {
      if (Date.now() - started >= at.afterMs || at.when?.()) kill();
    }, 1);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => {
      exited = true;
      clearInterval(poll);
      done({ killed, code, stderr });
    });
  });
}
