import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sizeThreadPool } from '../../../src/process/thread-pool.js';

// the built module (npm test builds first): the child process runs it as the CLI does
const BUILT = fileURLToPath(new URL('../../../dist/src/process/thread-pool.js', import.meta.url));

describe('sizeThreadPool', () => {
  it('starts the pool with one thread per core, then gives the environment back as it was', () => {
    const seen: (string | undefined)[] = [];
    const unset: NodeJS.ProcessEnv = {};
    sizeThreadPool(unset, 2, () => seen.push(unset.UV_THREADPOOL_SIZE));
    const blank: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: ' ' };
    sizeThreadPool(blank, 8, () => seen.push(blank.UV_THREADPOOL_SIZE));
    // what the pool saw when it started, and what the commands siggate runs will see
    expect(seen).toEqual(['2', '8']);
    expect(unset).toEqual({});
    expect(blank).toEqual({ UV_THREADPOOL_SIZE: ' ' });
  });

  it('leaves a size the user chose alone', () => {
    const chosen: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '6' };
    let started = false;
    sizeThreadPool(chosen, 2, () => (started = true));
    expect(chosen.UV_THREADPOOL_SIZE).toBe('6');
    expect(started).toBe(false);
  });

  it('sizes the pool of a real process, and leaves no trace in its environment', () => {
    // one process: size the pool as the faces do, run 8 slow jobs on it, count the threads that ran them
    const script = `
      const { sizeThreadPool } = require(${JSON.stringify(BUILT)});
      sizeThreadPool(process.env, 3);
      const { pbkdf2 } = require('node:crypto');
      const { readdirSync } = require('node:fs');
      let left = 8;
      for (let i = 0; i < 8; i++) pbkdf2('p', 's', 20000, 32, 'sha256', () => {
        if (--left === 0) console.log(JSON.stringify([readdirSync('/proc/self/task').length, process.env.UV_THREADPOOL_SIZE ?? null]));
      });`;
    // no UV_THREADPOOL_SIZE at all: libuv's default of 4 (an empty value would mean 1 to libuv)
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const run = (source: string): [number, string | null] => JSON.parse(execFileSync(process.execPath, ['-e', source], { encoding: 'utf8', env }));
    const [sized, variable] = run(script);
    const [unsized] = run(script.replace('sizeThreadPool(process.env, 3);', ''));
    // sized to 3, the process runs one thread fewer than with libuv's 4
    expect(unsized - sized).toBe(1);
    expect(variable).toBeNull();
  });
});
