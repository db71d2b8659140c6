import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { npmPack, PROJECT_ROOT, type PackResult } from '../helpers/npm-pack.js';

interface Manifest {
  license: string;
  engines: { node: string };
  main: string;
  types: string;
  exports: Record<string, Record<string, string>>;
  bin: Record<string, string>;
}

let pack: PackResult;
let paths: string[];
let manifest: Manifest;
beforeAll(async () => {
  pack = await npmPack(['--dry-run']);
  paths = pack.files.map((file) => file.path);
  manifest = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Manifest;
});

const shipped = (path: string): boolean => paths.includes(posix.normalize(path.replace(/^\.\//, '')));

describe('npm pack', () => {
  it('holds the launchers, the built library with its declarations, the README and the licence', () => {
    for (const path of ['package.json', 'README.md', 'LICENSE', 'bin/siggate', 'bin/github-merge-sign', 'bin/check', 'bin/in', 'bin/out', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/bundle/cli.cjs', 'dist/bundle/resource.cjs', 'bin/load-bundle.cjs', 'bin/package.json']) {
      expect(paths, path).toContain(path);
    }
  });

  it('holds every file package.json points at', () => {
    const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin), ...Object.values(manifest.exports).flatMap((entry) => Object.values(entry))];
    expect(targets.filter((target) => !shipped(target))).toEqual([]);
  });

  it('holds no keys, no tests, no fixtures, no tools and no build output but the library and the launchers\' bundles', () => {
    const unwanted = paths.filter((path) => /^(keys|test|fixtures|tools|src|\.ci)\//.test(path) || (path.startsWith('dist/') && !/^dist\/(src|bundle)\//.test(path)));
    expect(unwanted).toEqual([]);
    expect(paths.filter((path) => /\.(asc|gpg|key|pub|tgz)$|allowed_signers$/.test(path))).toEqual([]);
  });

  it('holds no source map whose sources are not in the package', async () => {
    const missing: string[] = [];
    for (const map of paths.filter((path) => path.endsWith('.map'))) {
      const { sources = [], sourceRoot = '' } = JSON.parse(await readFile(join(PROJECT_ROOT, map), 'utf8')) as { sources?: string[]; sourceRoot?: string };
      for (const source of sources) {
        const path = posix.join(posix.dirname(map), sourceRoot, source);
        if (!shipped(path)) missing.push(`${map} -> ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships no stale build output: every module in dist/src has its source in src/', () => {
    const stale = paths
      .filter((path) => path.startsWith('dist/src/') && path.endsWith('.js'))
      .filter((path) => !existsSync(join(PROJECT_ROOT, path.replace(/^dist\//, '').replace(/\.js$/, '.ts'))));
    expect(stale).toEqual([]);
  });

  it("declares a Node.js range within every runtime dependency's (package-lock.json)", async () => {
    const lock = JSON.parse(await readFile(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; engines?: { node?: string } }> };
    const ours = minimumNode(manifest.engines.node);
    expect(ours, manifest.engines.node).not.toBeNull();
    const conflicts: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = entry.engines?.node;
      if (path === '' || entry.dev || !range) continue;
      const theirs = minimumNode(range);
      if (!theirs || compareVersions(theirs, ours!) > 0) conflicts.push(`${path.replace(/^.*node_modules\//, '')}: node ${range}`);
    }
    expect(conflicts).toEqual([]);
  });

  it('carries the full Apache License 2.0 that package.json names', async () => {
    expect(manifest.license).toBe('Apache-2.0');
    const license = await readFile(join(PROJECT_ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\/\s/);
    for (let section = 1; section <= 9; section += 1) expect(license, `section ${section}`).toMatch(new RegExp(`\\n\\s*${section}\\. [A-Z]`));
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });
});

/** The lowest version a `>=X[.Y[.Z]]` range admits, or null for any other form (to be read by a person). */
function minimumNode(range: string): number[] | null {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : null;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
