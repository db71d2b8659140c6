// Every git siggate starts goes through spawnGit, whose environment pins off replace refs and grafts.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runProgram } from '../../../src/process/run-program.js';
import { describe, expect, it } from 'vitest';
import { gitEnv } from '../../../src/git/run-git.js';

const SRC = join(import.meta.dirname, '../../../src');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))));
  return nested.flat();
}

describe('gitEnv', () => {
  it('pins replace refs and grafts off, whatever the extra variables say', () => {
    const env = gitEnv({ GIT_GRAFT_FILE: '/repo/.git/info/grafts', GIT_DIR: '/elsewhere', GIT_SSH_COMMAND: 'ssh -i key' });
    expect(env['GIT_NO_REPLACE_OBJECTS']).toBe('1');
    expect(env['GIT_GRAFT_FILE']).toBe('/dev/null/siggate-no-grafts');
    expect(env['GIT_DIR']).toBeUndefined();
    expect(env['GIT_SSH_COMMAND']).toBe('ssh -i key');
  });
});

describe('processes started from src/', () => {
  it('only run-git.ts spawns git; other programs go through run-program.ts, signing programs through detached.ts, the deploy command through run-command.ts', async () => {
    const spawning: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      const text = await readFile(file, 'utf8');
      if (/^import (?!type)[^;]*from 'node:child_process'/m.test(text)) spawning.push(relative(SRC, file));
    }
    expect(spawning.sort()).toEqual(['git/run-git.ts', 'process/run-command.ts', 'process/run-program.ts', 'signing/detached.ts']);
    expect(await readFile(join(SRC, 'signing/detached.ts'), 'utf8')).not.toMatch(/spawn\('git'/);
    expect(() => runProgram('git', ['status'])).toThrow(/run-git/);
  });
});
