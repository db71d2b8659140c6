// The layering of src/ (README, "Architecture"): no import cycle between folders, and core/ pure.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const IO_MODULES = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|dns|worker_threads|os|process|tls|cluster|readline)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import and re-export of a file, static and dynamic. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

const folderOf = (file: string): string => relative(SRC, dirname(file)) || '.';

function folderGraph(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    if (file === join(SRC, 'index.ts')) continue;
    for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
      const from = folderOf(file);
      const to = folderOf(resolve(dirname(file), spec));
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  return edges;
}

/** The folders that reach themselves again. */
function cycles(edges: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  const reach = (start: string): Set<string> => {
    const seen = new Set<string>();
    const queue = [...(edges.get(start) ?? [])];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(edges.get(next) ?? []));
    }
    return seen;
  };
  for (const folder of edges.keys()) if (reach(folder).has(folder)) found.push(folder);
  return found.sort();
}

describe('the layering of src/', () => {
  it('has no import cycle between folders', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('core/ imports only core/ and no I/O module', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(join(SRC, 'core'))) {
      for (const spec of importsOf(file)) {
        const outside = spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(join(SRC, 'core') + sep);
        if (outside || IO_MODULES.test(spec) || !spec.startsWith('.')) offending.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('the check itself sees a cycle when there is one', () => {
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['a'])], ['c', new Set(['a'])]]))).toEqual(['a', 'b']);
  });
});
