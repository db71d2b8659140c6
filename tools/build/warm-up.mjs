/**
 * The build's warm-up: runs the bundles once over a signed commit so that V8 writes their code caches
 * (see bin/load-bundle.cjs) with the functions an everyday run needs — a tip verify, human and JSON, and
 * a resource check. The commit and its public key are fixtures in warm-up/; the key's secret part was
 * discarded when the commit was signed. Everything happens in a temporary directory, with the user's
 * git configuration left out. Without git (a build stage that has none) the bundles run uncached.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'warm-up');

/** Runs the warm-up; a failure is reported and leaves the bundles uncached, never fails the build. */
export function warmUp(root) {
  const dir = mkdtempSync(join(tmpdir(), 'siggate-warm-up-'));
  try {
    const failure = runWarmUp(root, dir);
    if (failure) process.stderr.write(`siggate build: no code cache (${failure}); siggate works, but starts slower\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runWarmUp(root, dir) {
  const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', TMPDIR: dir, NO_COLOR: '1' };
  delete env.GIT_DIR;
  const repo = join(dir, 'repo.git');
  const git = (args, input) => execFileSync('git', args, { cwd: dir, env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  try {
    git(['init', '--quiet', '--bare', repo]);
    git(['--git-dir', repo, 'mktree'], '');
    const oid = git(['--git-dir', repo, 'hash-object', '-t', 'commit', '-w', '--stdin'], readFileSync(join(fixtures, 'commit.txt')));
    git(['--git-dir', repo, 'update-ref', 'refs/heads/main', oid]);
  } catch (error) {
    return `git: ${error.code === 'ENOENT' ? 'not installed' : String(error.stderr ?? error.message).trim()}`;
  }
  const keyFile = join(fixtures, 'key.asc');
  const verify = ['verify', 'main', '--repo', repo, '--keys', keyFile, '--mode', 'tip', '--no-cache'];
  const request = JSON.stringify({ source: { uri: repo, branch: 'main', commit_verification_keys: [readFileSync(keyFile, 'utf8')] } });
  // each run starts from the cache the one before wrote and adds what it compiled
  const runs = [
    ['siggate', verify],
    ['siggate', [...verify, '--json']],
    ['check', [], request],
  ];
  for (const [bin, args, input] of runs) {
    const run = spawnSync(process.execPath, [join(root, 'bin', bin), ...args], { cwd: dir, env: { ...env, SIGGATE_WRITE_CODE_CACHE: '1' }, input: input ?? '', encoding: 'utf8' });
    if (run.status !== 0) return `bin/${bin} ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr.trim().slice(0, 500)}`;
  }
  return null;
}

// `node tools/build/warm-up.mjs`: warm up an existing build (the Docker image does, where git is installed)
if (process.argv[1] === fileURLToPath(import.meta.url)) warmUp(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
