function drawBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** A one-line progress bar (a running count when the total is not known yet) on stderr, only on a terminal and only for long ranges. */
export function createProgress(stream: NodeJS.WriteStream, threshold = 200): { update(done: number, total: number | null): void; end(): void } {
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (!stream.isTTY || (total ?? done) < threshold) return;
      const now = Date.now();
      if (done !== total && now - last < 100) return;
      last = now;
      stream.write(total === null ? `\r${done} commits checked…` : `\r${drawBar(done, total)} ${done}/${total} commits`);
      shown = true;
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
