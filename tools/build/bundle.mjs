#!/usr/bin/env node
/**
 * Bundles the bin/ entry points into dist/bundle/ with esbuild: one file per entry (the CLI, the
 * Concourse resource) plus chunks for what a command loads lazily (a tip verify loads a handful of
 * modules instead of ~50). `tsc` still builds dist/src (the library `import 'siggate'` uses, and its
 * declarations); this only serves bin/. Plain JavaScript so that the test setup can run it without a build.
 * What only some commands load stays in node_modules (openpgp.js for signing, the AWS SDK, Octokit,
 * isomorphic-git): the chunk that needs it imports it on first use. `SIGGATE_BUNDLE_OUT` writes elsewhere.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = process.env.SIGGATE_BUNDLE_OUT ?? join(root, 'dist', 'bundle');

/** Build dist/bundle/{cli,resource}.js from src/. */
export async function bundle() {
  // one build per entry point: chunks then only split off what that entry loads lazily
  const outputs = await Promise.all(Object.entries(ENTRIES).map(([name, source]) => bundleEntry(name, source)));
  // each file replaced at once: a launcher started meanwhile (another test run, the bench) never reads half a bundle
  mkdirSync(outdir, { recursive: true });
  for (const file of outputs.flat()) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

const ENTRIES = { cli: 'src/cli/main.ts', resource: 'src/resource/main.ts' };

async function bundleEntry(name, source) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [name]: source },
    chunkNames: `${name}-[name]-[hash]`,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'linked',
    external: ['@aws-sdk/*', '@smithy/*', '@octokit/*', 'isomorphic-git', 'openpgp'],
    // CommonJS dependencies call require(); an ES module has none of its own
    banner: { js: "import { createRequire as __siggateRequire } from 'node:module'; const require = __siggateRequire(import.meta.url);" },
    logLevel: 'warning',
    write: false,
  });
  return result.outputFiles;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
