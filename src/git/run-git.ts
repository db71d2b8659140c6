import { spawn } from 'node:child_process';
import { GitError } from '../errors.js';

/** Variables that point git at another repository (set inside git hooks); every git here names its own. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'];

/** Environment for every git we run: no replace objects, no prompts, no pager, no repository inherited from a hook. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_NO_REPLACE_OBJECTS: '1', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunGitOptions {
  input?: Uint8Array;
  /** The whole environment; default `gitEnv()`. */
  env?: NodeJS.ProcessEnv;
}

/** Run git with an argument array; resolves with the exit code, rejects only when git cannot start. */
export function runGit(args: readonly string[], cwd: string, options: RunGitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, env: options.env ?? gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new GitError(`cannot run git: ${error.message}`, args, '', { cause: error })));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? undefined);
  });
}

/** Run git and return stdout; a non-zero exit becomes a GitError carrying args and stderr. */
export async function git(args: readonly string[], cwd: string, options: RunGitOptions = {}): Promise<string> {
  const result = await runGit(args, cwd, options);
  if (result.code !== 0) {
    throw new GitError(`git ${args.join(' ')} failed: ${result.stderr.trim()}`, args, result.stderr);
  }
  return result.stdout.toString('utf8');
}
