/** How a progress bar decides when and what to draw. */
export interface ProgressOptions {
  /** Ranges shorter than this get no bar: they finish before one would help. Default 200 commits. */
  threshold?: number;
  /** The clock in milliseconds (tests pass a fake one). Default `Date.now`. */
  now?: () => number;
}

/** A one-line progress bar on a terminal. */
export interface Progress {
  /** Whether it can show anything (the stream is a terminal): counting a range first is only worth it then. */
  readonly enabled: boolean;
  /** `done` commits settled out of `total` (null: not known, a running count is shown). */
  update(done: number, total: number | null): void;
  /** Clear the line, if anything was drawn. */
  end(): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
/** The rate is measured over the last few seconds: start-up and a slow first batch do not skew it. */
const RATE_WINDOW_MS = 3000;
/** Below this span of measurements a rate would be noise: none is shown. */
const RATE_MIN_MS = 500;

/**
 * A progress bar on `stream`: `[####....] done/total  rate/s  time left`, or a running count while the total
 * is unknown; only on a terminal, only for long ranges, redrawn at most every 100 ms, never counting backwards.
 */
export function createProgress(stream: NodeJS.WriteStream, options: ProgressOptions = {}): Progress {
  const threshold = options.threshold ?? 200;
  const now = options.now ?? Date.now;
  const enabled = stream.isTTY === true;
  const samples: { at: number; done: number }[] = [];
  let shown = false;
  let latest = 0;
  return {
    enabled,
    update(done, total) {
      // completions arrive from several workers: a smaller count is older news
      if (!enabled || done <= latest) return;
      latest = done;
      const end = total === null ? null : Math.max(total, done);
      if ((end ?? done) < threshold) return;
      const at = now();
      const last = samples.at(-1);
      if (last && done !== end && at - last.at < REDRAW_MS) return;
      samples.push({ at, done });
      while (samples.length > 2 && at - samples[1]!.at >= RATE_WINDOW_MS) samples.shift();
      const span = at - samples[0]!.at;
      const rate = span >= RATE_MIN_MS ? ((done - samples[0]!.done) * 1000) / span : null;
      stream.write(`\r${renderProgress(done, end, rate)}\x1b[K`);
      shown = true;
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** The bar's text for `done` of `total` commits at `rate` commits per second (null: not known yet). */
export function renderProgress(done: number, total: number | null, rate: number | null): string {
  const speed = rate === null ? '' : `  ${rate < 10 ? rate.toFixed(1) : Math.round(rate)} commits/s`;
  if (total === null) return `${done} commits checked${speed}`;
  const filled = total <= done ? BAR_WIDTH : Math.floor((done / total) * BAR_WIDTH);
  const left = rate ? `  ${formatDuration((total - done) / rate)} left` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}${speed}${left}`;
}

function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
