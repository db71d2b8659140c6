import { describe, expect, it } from 'vitest';
import { allowHeapGrowthLimit, limitHeapGrowthFor, LONG_RANGE } from '../../../src/process/heap-growth.js';

describe('limitHeapGrowthFor', () => {
  it('changes V8 flags only where a command-line face allowed it, only for a long range, and once', () => {
    const set: string[] = [];
    const record = (flags: string): void => void set.push(flags);
    // a program using siggate as a library: its V8 flags stay as they are
    limitHeapGrowthFor(LONG_RANGE * 5, record);
    expect(set).toEqual([]);
    allowHeapGrowthLimit();
    limitHeapGrowthFor(LONG_RANGE - 1, record);
    expect(set).toEqual([]);
    limitHeapGrowthFor(LONG_RANGE, record);
    expect(set).toEqual(['--heap-growing-percent=50']);
    limitHeapGrowthFor(LONG_RANGE * 5, record);
    expect(set).toEqual(['--heap-growing-percent=50']);
  });
});
