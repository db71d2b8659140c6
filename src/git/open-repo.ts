import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HashAlgo } from '../core/bytes.js';
import { GitError, RepositoryError, UsageError } from '../core/errors.js';

import { CatFileReader } from './cat-file.js';
import type { ObjectReader, ReaderKind } from './object-reader.js';
import type { HistoryOverrides } from './overrides.js';
import { runGit } from './run-git.js';

/** Open a repository (work tree or git dir) for reading objects; `auto` prefers the git binary. */
export async function openRepository(dir: string, kind: ReaderKind = 'auto'): Promise<ObjectReader> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RepositoryError(`${dir} is not a directory`);
  if (kind !== 'isomorphic') {
    // cat-file starts beside rev-parse, from the same directory: one process start less before the first object
    const reader = startReader(dir);
    const located = await locateWithGit(dir).catch(async (error: unknown) => {
      await reader?.close();
      throw error;
    });
    if (located && reader) return reader.located(located.gitDir, located.hashAlgo, located.overrides);
    await reader?.close();
    if (located) return new CatFileReader(located.gitDir, located.hashAlgo, located.overrides);
    if (kind === 'git') throw new UsageError('the git reader was requested but git is not installed');
  }
  const gitDir = locateWithoutGit(dir);
  if (readObjectFormat(gitDir) !== 'sha1') {
    throw new RepositoryError(`${dir} is a SHA-256 repository; reading it needs the git binary`);
  }
  // isomorphic-git is large; load it only on machines that need it
  const { IsomorphicReader } = await import('./iso-reader.js');
  return IsomorphicReader.open(gitDir);
}

function startReader(dir: string): CatFileReader | null {
  try {
    return new CatFileReader({ cwd: dir });
  } catch {
    // locateWithGit says why git cannot run here
    return null;
  }
}

/** What git says about a repository: where it is, its hash, and what plain git would read differently. */
interface Located {
  gitDir: string;
  hashAlgo: HashAlgo;
  overrides: HistoryOverrides;
}

/** One `git rev-parse` for all of it (it prints one line per option, in order); null when git cannot be run at all. */
async function locateWithGit(dir: string): Promise<Located | null> {
  const args = ['rev-parse', '--absolute-git-dir', '--show-object-format', '--is-shallow-repository', '--git-common-dir', '--symbolic-full-name', '--glob=refs/replace/*'];
  let result;
  try {
    result = await runGit(args, dir);
  } catch (error) {
    if (error instanceof GitError) return null;
    throw error;
  }
  if (result.code !== 0) throw new RepositoryError(`${dir} is not a git repository`);
  const [gitDir, format, shallow, commonDir, ...replaceRefs] = result.stdout.toString('utf8').trim().split('\n');
  // git itself is told to read no graft file (gitEnv): look for the one plain git would read
  const graftFile = join(resolve(dir, commonDir!), 'info', 'grafts');
  return {
    gitDir: gitDir!,
    hashAlgo: format === 'sha256' ? 'sha256' : 'sha1',
    overrides: { replaceRefs: replaceRefs.filter((ref) => ref !== ''), graftFile: existsSync(graftFile) ? graftFile : null, shallow: shallow === 'true' },
  };
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
