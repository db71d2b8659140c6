import { spawn } from 'node:child_process';
import { GitError } from '../errors.js';
import { gitEnv, type GitResult } from '../git/run-git.js';

/** Variables that would point git at another repository (set inside git hooks); every git here names its own. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'];

/** Run git with an argument array in `cwd`: no prompts, no inherited repository, extra environment. */
export function runGitIn(args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<GitResult> {
  const env = gitEnv({ GIT_TERMINAL_PROMPT: '0', ...extraEnv });
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new GitError(`cannot run git: ${error.message}`, args, '', { cause: error })));
    child.on('close', (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Run git and return stdout; a non-zero exit becomes a GitError carrying the arguments and stderr. */
export async function gitIn(args: readonly string[], cwd: string): Promise<string> {
  const result = await runGitIn(args, cwd);
  if (result.code !== 0) throw new GitError(`git ${args.join(' ')} failed: ${result.stderr.trim()}`, args, result.stderr);
  return result.stdout.toString('utf8');
}
