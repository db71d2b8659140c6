import { spawn } from 'node:child_process';
import { ToolError } from '../core/errors.js';

/** What a program printed and how it exited. */
export interface ProgramResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunProgramOptions {
  input?: string | Uint8Array;
  cwd?: string;
  /** The whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kill the program after this long (default 5 minutes); a timeout is a ToolError. */
  timeoutMs?: number;
}

/**
 * Run a helper program that is not git (ssh-keygen, grep, git-crypt, git-lfs) with an argument array, never
 * a shell. A non-zero exit is returned for the caller to judge; a program that cannot start (not installed)
 * or that hangs past its timeout is a ToolError (exit 3) naming it. git itself goes through git/run-git.ts.
 */
export function runProgram(command: string, args: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult> {
  if (command === 'git') throw new TypeError('git runs through git/run-git.ts, with its sealed environment');
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ToolError(`${command} did not finish within ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s`));
    }, options.timeoutMs ?? 300_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = error.code === 'ENOENT' ? ': it is not installed or not on PATH' : `: ${error.message}`;
      reject(new ToolError(`cannot run ${command}${missing}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
