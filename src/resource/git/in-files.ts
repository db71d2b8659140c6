import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { RangeReport } from '../../core/report.js';
import { git, runGit } from '../../git/run-git.js';
import type { InParams } from './in-params.js';
import type { MetadataEntry } from './metadata.js';

/**
 * The files git-resource writes in DEST/.git for the tasks that follow (its `in`, same names, contents and
 * newlines), and siggate's report: `siggate-report.json`.
 */
export async function writeMetadataFiles(dir: string, returnRef: string, metadata: readonly MetadataEntry[], params: InParams, report: RangeReport): Promise<void> {
  const gitDir = join(dir, '.git');
  const write = (name: string, text: string): Promise<void> => writeFile(join(gitDir, name), text);
  const log = async (...args: string[]): Promise<string> => git(['log', '-1', '--no-show-signature', ...args, 'HEAD', '--'], dir);
  const value = (name: string): string | undefined => metadata.find((entry) => entry.name === name)?.value;
  // `jq -r` prints a value and a newline; nothing at all when the entry is absent
  const line = (name: string): string => {
    const found = value(name);
    return found === undefined ? '' : `${found}\n`;
  };
  await write('committer', await log('--pretty=format:%ae'));
  await write('committer_name', await log('--pretty=format:%an'));
  await write('ref', `${returnRef}\n`);
  await write('metadata.json', `${JSON.stringify(metadata, null, 2)}\n`);
  await write('short_ref', formatLikeAwk(params.shortRefFormat, [...returnRef].slice(0, 7).join('')));
  for (const name of ['commit', 'author', 'author_date', 'branch', 'tags', 'url', 'committer_date']) await write(name, line(name));
  await write('commit_message', await log('--format=format:%B'));
  await write('commit_timestamp', await commitTimestamp(dir, params.timestampFormat));
  const describe = await runGit(['describe', ...params.describeRefOptions], dir);
  await write('describe_ref', `${describe.code === 0 ? describe.stdout.toString('utf8').replace(/\n+$/, '') : ''}\n`);
  await write('siggate-report.json', `${JSON.stringify(report, null, 2)}\n`);
}

async function commitTimestamp(dir: string, format: string): Promise<string> {
  const result = await runGit(['log', '-1', '--no-show-signature', '--format=%cd', `--date=${format}`, 'HEAD', '--'], dir);
  if (result.code !== 0) throw new UsageError(`params.timestamp_format ${JSON.stringify(format)} is not a format \`git log --date\` knows: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  return result.stdout.toString('utf8');
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', '/': '/' };

/**
 * `awk '{ printf FORMAT, $1 }'` as git-resource formats `short_ref`: the string's escapes, `%%`, and
 * conversions with flags, width and precision; the first conversion takes the value, later ones nothing.
 */
export function formatLikeAwk(format: string, value: string): string {
  const unescaped = format.replace(/\\([0-7]{1,3}|.)/g, (whole, char: string) => (/^[0-7]+$/.test(char) ? String.fromCharCode(parseInt(char, 8)) : (ESCAPES[char] ?? whole)));
  let used = false;
  return unescaped.replace(/%([-+ #0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width: string, precision: string | undefined, conversion: string) => {
    if (conversion === '%') return '%';
    const argument = used ? '' : value;
    used = true;
    let text: string;
    if (conversion === 's') text = precision === undefined ? argument : argument.slice(0, Number(precision));
    else if (conversion === 'c') text = argument.slice(0, 1);
    // awk reads the numeric prefix of a string ("1a2b3c4" is 1)
    else if ('dioxXu'.includes(conversion)) text = String(Math.trunc(Number(/^[-+]?\d+/.exec(argument)?.[0] ?? 0)));
    else return whole;
    const pad = Number(width || 0) - text.length;
    if (pad <= 0) return text;
    return flags.includes('-') ? text + ' '.repeat(pad) : (flags.includes('0') && conversion !== 's' ? '0' : ' ').repeat(pad) + text;
  });
}
