import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sizeThreadPool } from '../../../src/process/thread-pool.js';

// the built module (npm test builds first): the child process runs it as the CLI does
const BUILT = fileURLToPath(new URL('../../../dist/src/process/thread-pool.js', import.meta.url));

describe('sizeThreadPool', () => {
  it("sizes libuv's pool to the cores, and leaves a size the user chose alone", () => {
    const unset: NodeJS.ProcessEnv = {};
    sizeThreadPool(unset, 2);
    expect(unset.UV_THREADPOOL_SIZE).toBe('2');
    const blank: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: ' ' };
    sizeThreadPool(blank, 8);
    expect(blank.UV_THREADPOOL_SIZE).toBe('8');
    const chosen: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '6' };
    sizeThreadPool(chosen, 2);
    expect(chosen.UV_THREADPOOL_SIZE).toBe('6');
  });

  it('takes effect when set in the process before the pool first runs', () => {
    // one process: size the pool as the faces do, run 8 slow jobs on it, count the threads that ran them
    const script = `
      const { sizeThreadPool } = require(${JSON.stringify(BUILT)});
      sizeThreadPool(process.env, 3);
      const { pbkdf2 } = require('node:crypto');
      const { readdirSync } = require('node:fs');
      let left = 8;
      for (let i = 0; i < 8; i++) pbkdf2('p', 's', 20000, 32, 'sha256', () => {
        if (--left === 0) console.log(readdirSync('/proc/self/task').length);
      });`;
    // no UV_THREADPOOL_SIZE at all: libuv's default of 4 (an empty value would mean 1 to libuv)
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const threads = (source: string): number => Number(execFileSync(process.execPath, ['-e', source], { encoding: 'utf8', env }));
    const sized = threads(script);
    const unsized = threads(script.replace('sizeThreadPool(process.env, 3);', ''));
    // sized to 3, the process runs one thread fewer than with libuv's 4
    expect(unsized - sized).toBe(1);
  });
});
