// The Dockerfile's targets, read as text (no Docker daemon in the test environment): the resource image stays the
// default (last) stage, and `--target worker` is the deployer's image whose entry point is `siggate deploy`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const text = readFileSync(resolve(import.meta.dirname, '../../Dockerfile'), 'utf8');
const stages = [...text.matchAll(/^FROM\s+\S+(?:\s+AS\s+(\S+))?$/gim)].map((m) => m[1] ?? null);

function stage(name: string): string {
  const start = text.search(new RegExp(`^FROM .* AS ${name}$`, 'm'));
  const rest = text.slice(start + 1);
  const next = rest.search(/^FROM /m);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('Dockerfile', () => {
  it('builds the resource image by default (last stage) with /opt/resource/{check,in,out}', () => {
    expect(stages.at(-1)).toBe('resource');
    expect(stage('resource')).toContain('for script in check in out');
  });

  it('has a worker target whose entry point is siggate deploy', () => {
    expect(stages).toContain('worker');
    expect(stage('worker')).toMatch(/^ENTRYPOINT \["node", "\/opt\/siggate\/bin\/siggate", "deploy"\]$/m);
  });
});
