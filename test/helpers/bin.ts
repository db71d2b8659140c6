// The bin/ launchers as subprocesses, as users and Concourse run them.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export type BinName = 'siggate' | 'github-merge-sign' | 'check' | 'in' | 'out';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/NAME ARGS` with node; `env` is the whole environment (default: this process's), `stdin` is written and closed. */
export function runBin(bin: BinName, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  const path = resolve(import.meta.dirname, '../../bin', bin);
  return new Promise((done) => {
    const child = spawn(process.execPath, [path, ...args], { cwd: options.cwd, env: options.env ?? { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}
