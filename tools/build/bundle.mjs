#!/usr/bin/env node
/**
 * Bundles the bin/ entry points into dist/bundle/ with esbuild: one CommonJS file per entry (the CLI,
 * the Concourse resource), then runs each once over a signed commit so that `bin/load-bundle.cjs` can
 * start the next process from V8's code cache instead of compiling (see warm-up.mjs).
 *
 * CommonJS, not ES modules: only a classic script can take V8's code cache on Node 20 (`vm.Script`'s
 * `cachedData`; ES modules have no such option before Node 22). What only some commands use stays in
 * node_modules (openpgp.js for signing, the AWS SDK, Octokit, isomorphic-git, undici) and is
 * `require`d on first use. `tsc` still builds dist/src (the library `import 'siggate'` uses, and its
 * declarations); this only serves bin/. Plain JavaScript so that the test setup can run it without a
 * build.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { warmUp } from './warm-up.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = join(root, 'dist', 'bundle');

const ENTRIES = { cli: 'src/cli/main.ts', resource: 'src/resource/main.ts' };

/** Build dist/bundle/{cli,resource}.cjs from src/, then their code caches. */
export async function bundle() {
  const outputs = (await Promise.all(Object.entries(ENTRIES).map(([name, source]) => bundleEntry(name, source)))).flat();
  mkdirSync(outdir, { recursive: true });
  // each file replaced at once: a launcher started meanwhile (another test run, the bench) never reads half a bundle;
  // a code cache names the bundle's digest, so an old cache is never applied to a new bundle
  for (const file of outputs) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  removeStale(new Set(outputs.map((file) => basename(file.path))));
  warmUp(root);
}

async function bundleEntry(name, source) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [name]: source },
    outExtension: { '.js': '.cjs' },
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'linked',
    external: ['@aws-sdk/*', '@smithy/*', '@octokit/*', 'isomorphic-git', 'openpgp', 'undici'],
    // the one `import.meta.url` (the CLI finding its package.json) becomes the bundle's own URL
    define: { 'import.meta.url': '__siggateBundleUrl' },
    banner: { js: "const __siggateBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
    write: false,
  });
  return result.outputFiles;
}

/** Removes what earlier builds left in outdir (ES module chunks, caches of other bundles). */
function removeStale(current) {
  for (const name of readdirSync(outdir)) {
    const keep = current.has(name) || [...current].some((output) => name.startsWith(`${output}.`) && name.endsWith('.v8cache'));
    if (!keep && !name.endsWith('.tmp')) rmSync(join(outdir, name), { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
