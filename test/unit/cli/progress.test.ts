import { describe, expect, it } from 'vitest';
import { createProgress, renderProgress } from '../../../src/cli/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

/** A clock that only moves when the test says so. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let ms = 1_000_000;
  return { now: () => ms, advance: (by) => void (ms += by) };
}

/** The `done` of every frame drawn. */
const framesDone = (written: string[]): number[] => written.flatMap((chunk) => [...chunk.matchAll(/\] (\d+)\/\d+/g)].map((m) => Number(m[1])));

describe('createProgress', () => {
  it('draws done/total, the rate and the time left, from the clock it is given', () => {
    const { stream, written } = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress(stream, { threshold: 10, now: clock.now });
    progress.update(100, 1000);
    // one measurement is no rate yet
    expect(written).toEqual([`\r[##......................] 100/1000\x1b[K`]);
    clock.advance(1000);
    progress.update(500, 1000);
    expect(written[1]).toBe(`\r[############............] 500/1000  400 commits/s  2s left\x1b[K`);
    clock.advance(60_000);
    progress.update(600, 100_000);
    expect(written[2]).toMatch(/\] 600\/100000 {2}1\.7 commits\/s {2}16h34m left/);
    for (const frame of written) expect(frame.replace(/\r|\x1b\[K/g, '').length).toBeLessThanOrEqual(80);
  });

  it('measures the rate over the last seconds, not since the start', () => {
    const { stream, written } = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress(stream, { threshold: 10, now: clock.now });
    progress.update(1, 10_000);
    clock.advance(10_000);
    progress.update(11, 10_000);
    for (const done of [1011, 2011, 3011]) {
      clock.advance(1000);
      progress.update(done, 10_000);
    }
    expect(written.at(-1)).toMatch(/ 3011\/10000 {2}1000 commits\/s {2}7s left/);
  });

  it('never counts backwards when completions are reported out of order', () => {
    const { stream, written } = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress(stream, { threshold: 10, now: clock.now });
    for (const done of [3, 1, 2, 7, 5, 6, 9, 8, 10]) {
      clock.advance(200);
      progress.update(done, 10);
    }
    const frames = framesDone(written);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    expect(frames.at(-1)).toBe(10);
    expect(new Set(frames).size).toBe(frames.length);
  });

  it('redraws at most every 100 ms, but always draws the last commit', () => {
    const { stream, written } = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress(stream, { threshold: 10, now: clock.now });
    for (let done = 1; done <= 50; done++) {
      clock.advance(10);
      progress.update(done, 50);
    }
    expect(framesDone(written)).toEqual([1, 11, 21, 31, 41, 50]);
  });

  it('clears its line at the end, and only if it drew one', () => {
    const { stream, written } = fakeStream(true);
    const progress = createProgress(stream, { threshold: 10, now: fakeClock().now });
    progress.update(20, 20);
    progress.end();
    expect(written.at(-1)).toBe('\r\x1b[K');
    progress.end();
    expect(written.filter((chunk) => chunk === '\r\x1b[K')).toHaveLength(1);
  });

  it('shows a running count while the total is unknown, once the range is long', () => {
    const { stream, written } = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress(stream, { threshold: 10, now: clock.now });
    progress.update(5, null);
    expect(written).toEqual([]);
    clock.advance(1000);
    progress.update(20, null);
    clock.advance(1000);
    progress.update(40, null);
    expect(written).toEqual(['\r20 commits checked\x1b[K', '\r40 commits checked  20 commits/s\x1b[K']);
  });

  it('stays silent, and says it is disabled, when the stream is not a terminal; silent for short ranges', () => {
    const pipe = fakeStream(false);
    const piped = createProgress(pipe.stream, { threshold: 10 });
    piped.update(50, 50);
    expect(piped.enabled).toBe(false);
    const short = fakeStream(true);
    const progress = createProgress(short.stream, { threshold: 10 });
    expect(progress.enabled).toBe(true);
    progress.update(5, 5);
    progress.end();
    expect(pipe.written).toEqual([]);
    expect(short.written).toEqual([]);
  });

  it('never draws more done than total when the count was short', () => {
    const { stream, written } = fakeStream(true);
    const progress = createProgress(stream, { threshold: 10, now: fakeClock().now });
    progress.update(12, 10);
    expect(framesDone(written)).toEqual([12]);
    expect(written[0]).toMatch(/\[#{24}\] 12\/12/);
    expect(renderProgress(0, 0, null)).toBe(`[${'#'.repeat(24)}] 0/0`);
  });
});
