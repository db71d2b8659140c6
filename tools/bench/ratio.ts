/**
 * A goal row of the benchmark: siggate against a reference, both timed in one run with their runs
 * interleaved (A B, B A, A B, …) so that machine load hits both alike, and compared by medians.
 */
import { median } from './measure.js';
import type { TimedRun } from './measure.js';
import { formatMs } from './table.js';

/** What a row's ratio must be: at most (`≤`) or at least (`≥`) `value`. */
export interface Goal {
  op: '≤' | '≥';
  value: number;
  /** How the value reads: `×` (a ratio, the default), ` MB`, ` ms/commit`. */
  unit?: string;
}

/** One measured goal row. */
export interface RatioRow {
  workload: string;
  siggate: string;
  reference: string;
  ratio: number;
  /** How the ratio reads: `1.4×` or `52× faster`. */
  ratioText: string;
  goal: Goal;
  /** Non-zero when a siggate run did not exit as expected: the row cannot pass. */
  failure: string | null;
}

/** Both sides' runs of an interleaved measurement. */
export interface Interleaved {
  a: TimedRun[];
  b: TimedRun[];
}

/** Runs `a` and `b` `rounds` times each, alternating which goes first, after `warmup` untimed rounds. */
export async function interleave(rounds: number, a: () => Promise<TimedRun>, b: () => Promise<TimedRun>, warmup = 1): Promise<Interleaved> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const result: Interleaved = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      result.a.push(await a());
      result.b.push(await b());
    } else {
      result.b.push(await b());
      result.a.push(await a());
    }
  }
  return result;
}

/** The median of runs' times. */
export function medianMs(runs: readonly TimedRun[]): number {
  return median(runs.map((run) => run.ms));
}

/** Why a set of runs cannot count: the first unexpected exit code, or null. */
export function failureOf(runs: readonly TimedRun[], expected = 0): string | null {
  const bad = runs.find((run) => run.code !== expected);
  return bad ? `exit ${bad.code}: ${bad.stderr.trim().split('\n').slice(-2).join(' / ')}` : null;
}

/** A row where siggate's median over the reference's median must stay under a goal. */
export function slowdownRow(workload: string, runs: Interleaved, reference: string, goal: number): RatioRow {
  const siggate = medianMs(runs.a);
  const base = medianMs(runs.b);
  const ratio = siggate / base;
  return {
    workload,
    siggate: `${formatMs(siggate)} (median of ${runs.a.length})`,
    reference: `${reference} ${formatMs(base)}`,
    ratio,
    ratioText: `${ratio.toFixed(2)}×`,
    goal: { op: '≤', value: goal },
    failure: failureOf(runs.a),
  };
}

/** Whether a row meets its goal. */
export function meets(row: RatioRow): boolean {
  return row.goal.op === '≤' ? row.ratio <= row.goal.value : row.ratio >= row.goal.value;
}

/** PASS, MISS, or why the row cannot be judged. */
export function verdictOf(row: RatioRow): string {
  if (row.failure) return `MISS (siggate ${row.failure.slice(0, 80)})`;
  return meets(row) ? 'PASS' : 'MISS';
}
