/** A one-line progress bar on stderr, only on a terminal and only for long ranges. */
export function createProgress(stream: NodeJS.WriteStream, threshold = 200): { update(done: number, total: number | null): void; end(): void } {
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (!stream.isTTY || total === null || total < threshold) return;
      const now = Date.now();
      if (done !== total && now - last < 100) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} commits`);
      shown = true;
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
