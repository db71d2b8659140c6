// `npm pack` of this repository, as a publisher would run it (without the prepare build: the tests run
// after `npm run build`, and a build here would rewrite dist/ under the other end-to-end tests).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/** The repository root (where package.json is). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** One `npm pack --json` entry. */
export interface PackResult {
  name: string;
  version: string;
  /** The tarball's file name (in the destination directory). */
  filename: string;
  files: { path: string; size: number; mode: number }[];
}

/** Runs `npm pack --json --ignore-scripts ARGS` in the repository and returns its report. */
export async function npmPack(args: readonly string[]): Promise<PackResult> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--json', '--ignore-scripts', '--loglevel=error', ...args], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [result] = JSON.parse(stdout) as PackResult[];
  if (!result) throw new Error(`npm pack printed no result: ${stdout}`);
  return result;
}
