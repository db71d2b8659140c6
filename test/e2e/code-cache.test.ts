// bin/load-bundle.cjs runs a bundle from V8's code cache. V8 accepts a cache for any source of the same
// length, so a stale cache could run old bytecode; the loader must use a cache only for the exact bundle it
// was made from, and must run the bundle as usual when the cache is missing, foreign or damaged.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const LOADER = resolve(import.meta.dirname, '../../bin/load-bundle.cjs');

/** A package layout with the real loader and a small bundle printing `word` (padded so that every word gives the same length). */
async function layout(word: string): Promise<{ root: string; bundle: string; cache: string; run: (write?: boolean) => { stdout: string; status: number | null } }> {
  const root = await makeTempDir('siggate-code-cache-');
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist', 'bundle'), { recursive: true });
  copyFileSync(LOADER, join(root, 'bin', 'load-bundle.cjs'));
  const bundle = join(root, 'dist', 'bundle', 'demo.cjs');
  writeFileSync(bundle, bundleSource(word));
  const launcher = join(root, 'bin', 'demo.cjs');
  writeFileSync(launcher, "require('./load-bundle.cjs').loadBundle('demo').main();\n");
  const run = (write = false) => {
    const env = { ...process.env, SIGGATE_WRITE_CODE_CACHE: write ? '1' : '' };
    const result = spawnSync(process.execPath, [launcher], { env, encoding: 'utf8' });
    return { stdout: result.stdout.trim(), status: result.status };
  };
  return { root, bundle, cache: `${bundle}.v8cache`, run };
}

function bundleSource(word: string): string {
  // functions enough that V8 caches real bytecode, called so that they are compiled before the cache is written
  return `function say() { return ${JSON.stringify(word.padEnd(8, '.'))}; }\nfunction twice(f) { return f() + f(); }\nexports.main = () => console.log(twice(say));\n`;
}

describe('the code cache loader', () => {
  it('writes a cache when asked, and a later run uses it and prints the same', async () => {
    const { cache, run } = await layout('first');
    expect(run(true)).toEqual({ stdout: 'first...first...', status: 0 });
    expect(statSync(cache).size).toBeGreaterThan(32);
    expect(run()).toEqual({ stdout: 'first...first...', status: 0 });
  });

  it('a bundle replaced by one of the same length runs its own code, not the old cache', async () => {
    const { bundle, cache, run } = await layout('old');
    run(true);
    const before = readFileSync(bundle, 'utf8');
    writeFileSync(bundle, bundleSource('new'));
    expect(readFileSync(bundle, 'utf8').length).toBe(before.length);
    expect(statSync(cache).size).toBeGreaterThan(32);
    expect(run()).toEqual({ stdout: 'new.....new.....', status: 0 });
  });

  it('a damaged or truncated cache is ignored', async () => {
    const { cache, run } = await layout('sound');
    run(true);
    const bytes = readFileSync(cache);
    writeFileSync(cache, Buffer.concat([bytes.subarray(0, 32), Buffer.alloc(bytes.length - 32, 0x41)]));
    expect(run()).toEqual({ stdout: 'sound...sound...', status: 0 });
    writeFileSync(cache, bytes.subarray(0, 20));
    expect(run()).toEqual({ stdout: 'sound...sound...', status: 0 });
  });

  it('a cache that cannot be written leaves the run and its exit code alone, says so, and leaves no temporary file', async () => {
    const { bundle, cache, root } = await layout('kept');
    // a directory where the cache file would go: reading it fails, and so does renaming onto it
    mkdirSync(join(cache, 'occupied'), { recursive: true });
    const launcher = join(root, 'bin', 'demo.cjs');
    const result = spawnSync(process.execPath, [launcher], { env: { ...process.env, SIGGATE_WRITE_CODE_CACHE: '1' }, encoding: 'utf8' });
    expect([result.status, result.stdout.trim()]).toEqual([0, 'kept....kept....']);
    expect(result.stderr).toContain('cannot write the code cache');
    expect(readdirSync(join(bundle, '..')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('without a cache the bundle runs as usual and nothing is written unless asked', async () => {
    const { cache, run } = await layout('plain');
    expect(run()).toEqual({ stdout: 'plain...plain...', status: 0 });
    expect(() => statSync(cache)).toThrow();
  });

  it('the build wrote caches for both bundles, each naming its bundle', () => {
    for (const name of ['cli', 'resource']) {
      const bundle = resolve(import.meta.dirname, `../../dist/bundle/${name}.cjs`);
      const cache = readFileSync(`${bundle}.v8cache`);
      const digest = spawnSync(process.execPath, ['-e', `process.stdout.write(require('node:crypto').createHash('sha256').update(require('node:fs').readFileSync(${JSON.stringify(bundle)})).digest('hex'))`], { encoding: 'utf8' }).stdout;
      expect(cache.subarray(0, 32).toString('hex')).toBe(digest);
    }
  });
});
