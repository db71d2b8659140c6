import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('createProgress', () => {
  it('draws a bar on a terminal for long ranges and clears it at the end', () => {
    const { stream, written } = fakeStream(true);
    const progress = createProgress(stream, 10);
    progress.update(20, 20);
    progress.end();
    expect(written[0]).toMatch(/\[#{30}\] 20\/20 commits/);
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('shows a running count while the total is unknown', () => {
    const { stream, written } = fakeStream(true);
    createProgress(stream, 10).update(20, null);
    expect(written[0]).toMatch(/20 commits checked/);
  });

  it('stays silent when stderr is not a terminal or the range is short', () => {
    const pipe = fakeStream(false);
    createProgress(pipe.stream, 10).update(50, 50);
    const short = fakeStream(true);
    const progress = createProgress(short.stream, 10);
    progress.update(5, 5);
    progress.end();
    expect(pipe.written).toEqual([]);
    expect(short.written).toEqual([]);
  });
});
