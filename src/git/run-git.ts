import { spawn } from 'node:child_process';
import { GitError } from '../errors.js';

/** Environment for every git we run: no replace objects, no prompts, no user pager. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GIT_NO_REPLACE_OBJECTS: '1', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C', ...extra };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run git with an argument array; resolves with the exit code, rejects only when git cannot start. */
export function runGit(args: readonly string[], cwd: string, input?: Uint8Array): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new GitError(`cannot run git: ${error.message}`, args, '', { cause: error })));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? undefined);
  });
}

/** Run git and return stdout; a non-zero exit becomes a GitError carrying args and stderr. */
export async function git(args: readonly string[], cwd: string, input?: Uint8Array): Promise<string> {
  const result = await runGit(args, cwd, input);
  if (result.code !== 0) {
    throw new GitError(`git ${args.join(' ')} failed: ${result.stderr.trim()}`, args, result.stderr);
  }
  return result.stdout.toString('utf8');
}
