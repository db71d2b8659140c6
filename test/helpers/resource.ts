// The resource scripts as the tests drive them: in-process through runResource (with an injected cache
// directory), or as Concourse does, bin/check|in|out subprocesses with JSON on stdin.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { runResource, type ResourceKind } from '../../src/resource/main.js';
import { runBin, type CliResult } from './bin.js';

/** What a script printed and how it exited. */
export interface ScriptOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** A resource harness: one cache directory shared by every run made through it, as on one Concourse worker. */
export interface ResourceHarness {
  cacheDir: string;
  /** The scripts' home directory, and its global git config (what `git_config` writes). */
  home: string;
  globalGitConfig: string;
  /** Run a script in-process. */
  run(kind: ResourceKind, request: unknown, argv?: readonly string[]): Promise<ScriptOutcome>;
  /** Run `bin/KIND` as a subprocess (its temp dir, and so its cache, under `cacheDir`). */
  runBin(kind: ResourceKind, request: unknown, argv?: readonly string[]): Promise<CliResult>;
}

/** A harness with a fresh cache directory. */
export async function resourceHarness(): Promise<ResourceHarness> {
  const cacheDir = await makeTempDir('siggate-resource-cache-');
  // the scripts' home (~/.ssh/config, the global git config): never the developer's
  const home = join(cacheDir, 'home');
  await mkdir(home, { recursive: true });
  const globalGitConfig = join(home, '.gitconfig');
  const text = (request: unknown): string => (typeof request === 'string' ? request : JSON.stringify(request));
  return {
    cacheDir,
    home,
    globalGitConfig,
    run: async (kind, request, argv = []) => {
      let stdout = '';
      let stderr = '';
      const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
      const code = await runResource(kind, argv, text(request), io, { cacheDir, home, globalGitConfig });
      return { code, stdout, stderr };
    },
    // os.tmpdir() follows TMPDIR: the subprocess keeps its mirrors in this harness's directory
    runBin: (kind, request, argv = []) => runBin(kind, argv, { stdin: text(request), env: { ...process.env, TMPDIR: cacheDir, HOME: home, GIT_CONFIG_GLOBAL: globalGitConfig, NO_COLOR: '1' } }),
  };
}
