import { execFileSync } from 'node:child_process';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const NODE_20_V8 = '11.3.244.8-node.38';

/** A fresh copy of the module: its once-per-process state starts over in each test. */
async function fresh(): Promise<typeof import('../../../src/process/v8-tuning.js')> {
  vi.resetModules();
  return import('../../../src/process/v8-tuning.js');
}

describe('tuneV8For', () => {
  let set: string[];
  const record = (flags: string): void => void set.push(flags);
  beforeEach(() => {
    set = [];
  });

  it('changes nothing in a program that uses siggate as a library', async () => {
    const { tuneV8For, LONG_RANGE, LATE_TIER_UP } = await fresh();
    tuneV8For(LONG_RANGE * 5, record, NODE_20_V8);
    tuneV8For(LATE_TIER_UP.from, record, NODE_20_V8);
    expect(set).toEqual([]);
  });

  it('limits heap growth from a long range on, once', async () => {
    const { allowV8Tuning, tuneV8For, LONG_RANGE } = await fresh();
    allowV8Tuning();
    tuneV8For(LONG_RANGE - 1, record, NODE_20_V8);
    expect(set).toEqual([]);
    tuneV8For(LONG_RANGE, record, NODE_20_V8);
    tuneV8For(LONG_RANGE * 5, record, NODE_20_V8);
    expect(set).toEqual(['--heap-growing-percent=50']);
  });

  it("delays optimizing for mid-sized ranges only, on Node 20's V8 only, once", async () => {
    const { allowV8Tuning, tuneV8For, LATE_TIER_UP } = await fresh();
    allowV8Tuning();
    // a tip, a few commits, and a range long enough for optimized code to pay back its compiles
    tuneV8For(1, record, NODE_20_V8);
    tuneV8For(LATE_TIER_UP.from - 1, record, NODE_20_V8);
    tuneV8For(LATE_TIER_UP.until, record, NODE_20_V8);
    // another V8 tiers up otherwise (Maglev): left alone
    tuneV8For(LATE_TIER_UP.from, record, '12.4.254.21-node.33');
    expect(set).toEqual([]);
    tuneV8For(LATE_TIER_UP.from, record, NODE_20_V8);
    tuneV8For(LATE_TIER_UP.until - 1, record, NODE_20_V8);
    expect(set).toEqual(['--interrupt-budget=270336']);
  });

  it('tunes both for a long range after a mid-sized one', async () => {
    const { allowV8Tuning, tuneV8For, LONG_RANGE } = await fresh();
    allowV8Tuning();
    tuneV8For(2_000, record, NODE_20_V8);
    tuneV8For(LONG_RANGE, record, NODE_20_V8);
    expect(set).toEqual(['--interrupt-budget=270336', '--heap-growing-percent=50']);
  });

  it('sets only flags this V8 knows', async () => {
    const { allowV8Tuning, tuneV8For, LONG_RANGE } = await fresh();
    allowV8Tuning();
    tuneV8For(2_000, record, NODE_20_V8);
    tuneV8For(LONG_RANGE, record, NODE_20_V8);
    // V8 only warns about a flag it does not know: compare with its own list
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(set).toHaveLength(2);
    for (const flag of set) expect(known).toContain(`  ${flag.split('=')[0]} (`);
  });
});
