import { UsageError } from '../../core/errors.js';
import { runProgram } from '../../process/run-program.js';

/**
 * The names `tag_regex` selects, in their order: exactly git-resource's `grep -Ex PATTERN` (a POSIX
 * extended regular expression matching the whole name; `prod-.*` never matches `not-prod-1`). grep itself
 * decides, so that a pattern means what it meant in git-resource; an invalid one is a configuration error.
 */
export async function matchTagRegex(names: readonly string[], pattern: string): Promise<string[]> {
  if (names.length === 0) return [];
  const { code, stdout, stderr } = await runProgram('grep', ['-Ex', '-e', pattern], { input: `${names.join('\n')}\n`, env: { ...process.env, LC_ALL: 'C' }, timeoutMs: 30_000 });
  if (code === 1) return [];
  if (code !== 0) throw new UsageError(`source.tag_regex is not a valid POSIX extended regular expression: ${stderr.trim() || `grep exited with ${code}`}`);
  const matched = new Set(stdout.toString('utf8').split('\n'));
  return names.filter((name) => matched.has(name));
}
