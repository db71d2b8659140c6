// The lock file that serialises writers of a cache repository or a checkout: O_EXCL, pid and host inside,
// stale when its holder is dead or stopped refreshing it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../fixtures/lib/temp.js';
import { withLockFile } from '../../../src/files/lock-file.js';
import { rejection, useFixtureCleanup } from '../../helpers/world.js';

useFixtureCleanup();

class Busy extends Error {}
const busy = (): Error => new Busy('busy');

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

const lockText = (pid: number, host = hostname()): string => `${JSON.stringify({ pid, host, since: '2026-01-01T00:00:00Z', nonce: 'n' })}\n`;

describe('withLockFile', () => {
  it('runs one holder at a time in a process and removes the file afterwards, also after a throw', async () => {
    const path = join(await makeTempDir('siggate-lock-'), 'x.lock');
    const events: string[] = [];
    const holder = (name: string, fail = false) =>
      withLockFile(path, { busy }, async () => {
        events.push(`${name} in`);
        await new Promise((done) => setTimeout(done, 30));
        events.push(`${name} out`);
        if (fail) throw new Error('body failed');
      });
    const results = await Promise.allSettled([holder('a', true), holder('b'), holder('c')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace('in', 'out'));
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose holder on this host is dead', async () => {
    const path = join(await makeTempDir('siggate-lock-'), 'x.lock');
    await writeFile(path, lockText(deadPid()));
    expect(await withLockFile(path, { busy, timeoutMs: 5_000 }, async () => JSON.parse(await readFile(path, 'utf8')).pid)).toBe(process.pid);
  });

  it('waits for a live holder and then throws the busy error, leaving its lock alone', async () => {
    const path = join(await makeTempDir('siggate-lock-'), 'x.lock');
    const text = lockText(process.ppid);
    await writeFile(path, text);
    expect(await rejection(withLockFile(path, { busy, timeoutMs: 300 }, async () => 'ran'))).toBeInstanceOf(Busy);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('judges a holder on another host by the age of its last refresh', async () => {
    const path = join(await makeTempDir('siggate-lock-'), 'x.lock');
    await writeFile(path, lockText(process.ppid, 'another-host'));
    expect(await rejection(withLockFile(path, { busy, timeoutMs: 300, staleAfterMs: 60_000 }, async () => 'ran'))).toBeInstanceOf(Busy);
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    expect(await withLockFile(path, { busy, timeoutMs: 5_000, staleAfterMs: 60_000 }, async () => 'ran')).toBe('ran');
  });

  it('takes over an empty lock file (its creator died before writing) once it is a few seconds old', async () => {
    const path = join(await makeTempDir('siggate-lock-'), 'x.lock');
    await writeFile(path, '');
    expect(await rejection(withLockFile(path, { busy, timeoutMs: 200 }, async () => 'ran'))).toBeInstanceOf(Busy);
    const old = new Date(Date.now() - 10_000);
    await utimes(path, old, old);
    expect(await withLockFile(path, { busy, timeoutMs: 5_000 }, async () => 'ran')).toBe('ran');
  });

  it('serialises processes: eight holders appending to one file never interleave', async () => {
    const dir = await makeTempDir('siggate-lock-');
    const log = join(dir, 'log');
    const module = resolve(import.meta.dirname, '../../../dist/src/files/lock-file.js');
    const script = `
      import { appendFileSync } from 'node:fs';
      const { withLockFile } = await import(${JSON.stringify(module)});
      await withLockFile(${JSON.stringify(join(dir, 'x.lock'))}, { busy: () => new Error('busy') }, async () => {
        appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        await new Promise((done) => setTimeout(done, 20));
        appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
      });`;
    const codes = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<number | null>((done) => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' }).on('close', done))),
    );
    expect(codes).toEqual(Array(8).fill(0));
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(16);
    for (let i = 0; i < lines.length; i += 2) expect(lines[i + 1]).toBe(lines[i]!.replace('in', 'out'));
  });
});
