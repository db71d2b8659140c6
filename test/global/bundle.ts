// bin/ runs the esbuild bundle in dist/bundle/: build it from src/ before any test spawns a launcher,
// so that `npx vitest run` alone tests the sources as they are (esbuild takes about a second).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Vitest's global setup: runs once before every test file. */
export default function setup(): void {
  execFileSync(process.execPath, [resolve(import.meta.dirname, '../../tools/build/bundle.mjs')], { stdio: 'inherit' });
}
