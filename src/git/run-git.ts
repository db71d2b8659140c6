import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { statSync } from 'node:fs';
import { GitError, RepositoryError, UsageError, type SiggateError } from '../core/errors.js';

/** Variables that point git at another repository (set inside git hooks); every git here names its own. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'];

/** A path that cannot exist (/dev/null is not a directory), so git reads no graft file, and says nothing about it. */
const NO_GRAFT_FILE = '/dev/null/siggate-no-grafts';

/**
 * Set on every git siggate runs, over whatever environment a caller built: git must see each object's own
 * bytes and parents — no `refs/replace/*`, no `info/grafts` — the history the signatures were made over.
 */
const PINNED: Readonly<Record<string, string>> = {
  GIT_NO_REPLACE_OBJECTS: '1',
  GIT_GRAFT_FILE: NO_GRAFT_FILE,
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  LC_ALL: 'C',
};

/** Environment for every git we run: no replace objects, no grafts, no prompts, no pager, no repository inherited from a hook. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return sealGitEnv({ ...process.env, ...extra });
}

/** `env` with the pinned variables forced and the repository variables removed; nothing a caller passes can undo them. */
function sealGitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const sealed: NodeJS.ProcessEnv = { ...env, ...PINNED };
  for (const name of REPOSITORY_VARIABLES) delete sealed[name];
  return sealed;
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunGitOptions {
  input?: Uint8Array;
  /** The whole environment (default `gitEnv()`); the variables of `gitEnv` are forced over it either way. */
  env?: NodeJS.ProcessEnv;
  /** An index file of siggate's own (`GIT_INDEX_FILE`), set after the seal: the only repository variable siggate ever sets. */
  indexFile?: string;
}

/**
 * Spawn git with an argument array and the sealed environment: the only way siggate starts a git process.
 * A start that fails because of what it was given (a NUL byte, arguments too long, a missing directory)
 * throws a UsageError or RepositoryError (exit 2); git itself missing is a GitError (exit 3).
 */
export function spawnGit(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; indexFile?: string } = {}): ChildProcessWithoutNullStreams {
  const env = sealGitEnv(options.env ?? process.env);
  if (options.indexFile !== undefined) env['GIT_INDEX_FILE'] = options.indexFile;
  try {
    // stdio defaults to three pipes
    return spawn('git', [...args], { cwd: options.cwd, env });
  } catch (error) {
    throw spawnFailure(error, args, options.cwd);
  }
}

/** Why git could not start, as the error class of its cause: the input's (exit 2) or the machine's (exit 3). */
export function spawnFailure(error: unknown, args: readonly string[], cwd: string | undefined): SiggateError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_INVALID_ARG_VALUE') return new UsageError('a value passed to git contains a NUL byte', { cause: error });
  if (code === 'E2BIG') {
    const bytes = args.reduce((sum, arg) => sum + Buffer.byteLength(arg), 0);
    return new UsageError(`a value passed to git is too long (${bytes} bytes of arguments)`, { cause: error });
  }
  // ENOENT is also what a missing git executable gives: blame the directory only when it is missing
  if ((code === 'ENOENT' || code === 'ENOTDIR') && cwd !== undefined && !isDirectory(cwd)) {
    return new RepositoryError(`${shorten(cwd)} does not exist or is not a directory`, { cause: error });
  }
  return new GitError(`cannot run git: ${(error as Error).message}`, args, '', { cause: error });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A value for a message, cut short: an absurd input must not come back as a 100 kB line. */
function shorten(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Run git with an argument array; resolves with the exit code, rejects only when git cannot start. */
export function runGit(args: readonly string[], cwd: string, options: RunGitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, { cwd, ...(options.env ? { env: options.env } : {}), ...(options.indexFile !== undefined ? { indexFile: options.indexFile } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(spawnFailure(error, args, cwd)));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? undefined);
  });
}

/** Run git and return stdout; a non-zero exit becomes a GitError carrying args and stderr. */
export async function git(args: readonly string[], cwd: string, options: RunGitOptions = {}): Promise<string> {
  const result = await runGit(args, cwd, options);
  if (result.code !== 0) {
    throw new GitError(`git ${shorten(args.join(' '))} failed: ${shorten(result.stderr.trim(), 1000)}`, args, result.stderr);
  }
  return result.stdout.toString('utf8');
}
