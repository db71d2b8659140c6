import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HashAlgo } from '../core/bytes.js';
import { RepositoryError, UsageError } from '../errors.js';
import type { ReaderKind } from '../commands/types.js';
import { CatFileReader } from './cat-file.js';
import type { ObjectReader } from './object-reader.js';
import { runGit } from './run-git.js';

let gitAvailable: boolean | null = null;

/** Whether a `git` binary can be run here (checked once per process). */
export async function hasGit(): Promise<boolean> {
  if (gitAvailable === null) {
    gitAvailable = await runGit(['--version'], process.cwd()).then(
      (result) => result.code === 0,
      () => false,
    );
  }
  return gitAvailable;
}

/** Open a repository (work tree or git dir) for reading objects; `auto` prefers the git binary. */
export async function openRepository(dir: string, kind: ReaderKind = 'auto'): Promise<ObjectReader> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RepositoryError(`${dir} is not a directory`);
  const useGit = kind === 'git' || (kind === 'auto' && (await hasGit()));
  if (kind === 'git' && !(await hasGit())) throw new UsageError('the git reader was requested but git is not installed');
  if (useGit) {
    const { gitDir, hashAlgo } = await locateWithGit(dir);
    return new CatFileReader(gitDir, hashAlgo);
  }
  const gitDir = locateWithoutGit(dir);
  if (readObjectFormat(gitDir) !== 'sha1') {
    throw new RepositoryError(`${dir} is a SHA-256 repository; reading it needs the git binary`);
  }
  // isomorphic-git is large; load it only on machines that need it
  const { IsomorphicReader } = await import('./iso-reader.js');
  return new IsomorphicReader(gitDir);
}

async function locateWithGit(dir: string): Promise<{ gitDir: string; hashAlgo: HashAlgo }> {
  const result = await runGit(['rev-parse', '--absolute-git-dir', '--show-object-format'], dir);
  if (result.code !== 0) throw new RepositoryError(`${dir} is not a git repository`);
  const [gitDir, format] = result.stdout.toString('utf8').trim().split('\n');
  return { gitDir: gitDir!, hashAlgo: format === 'sha256' ? 'sha256' : 'sha1' };
}

function locateWithoutGit(dir: string): string {
  const absolute = resolve(dir);
  for (const candidate of [join(absolute, '.git'), absolute]) {
    if (existsSync(join(candidate, 'objects')) && existsSync(join(candidate, 'HEAD'))) return candidate;
  }
  throw new RepositoryError(`${dir} is not a git repository`);
}

function readObjectFormat(gitDir: string): HashAlgo {
  const config = join(gitDir, 'config');
  const text = existsSync(config) ? readFileSync(config, 'utf8') : '';
  return /objectformat\s*=\s*sha256/i.test(text) ? 'sha256' : 'sha1';
}
