import { spawn } from 'node:child_process';
import { GitError, UsageError } from '../../core/errors.js';

/**
 * The names `tag_regex` selects, in their order: exactly git-resource's `grep -Ex PATTERN` (a POSIX
 * extended regular expression matching the whole name; `prod-.*` never matches `not-prod-1`). grep itself
 * decides, so that a pattern means what it meant in git-resource; an invalid one is a configuration error.
 */
export async function matchTagRegex(names: readonly string[], pattern: string): Promise<string[]> {
  if (names.length === 0) return [];
  const { code, stdout, stderr } = await runGrep(['-Ex', '-e', pattern], `${names.join('\n')}\n`);
  if (code === 1) return [];
  if (code !== 0) throw new UsageError(`source.tag_regex is not a valid POSIX extended regular expression: ${stderr.trim() || `grep exited with ${code}`}`);
  const matched = new Set(stdout.split('\n'));
  return names.filter((name) => matched.has(name));
}

function runGrep(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('grep', args, { env: { ...process.env, LC_ALL: 'C' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new GitError(`cannot run grep for source.tag_regex: ${error.message}`, ['grep', ...args], '', { cause: error })));
    child.on('close', (code) => resolve({ code: code ?? 2, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
