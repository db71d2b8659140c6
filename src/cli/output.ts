import { CommanderError } from 'commander';
import type { RangeReport } from '../core/report.js';
import { exitCodeFor, SiggateError } from '../core/errors.js';

/** What a command prints: JSON on stdout when asked, else its human report on stderr; and the exit code it leaves. */
export interface Outcome<T> {
  ok: boolean;
  json: T;
  human: () => string;
}

/** Print a command's outcome and set the exit code (0 passed, 1 the gate closed). */
export async function finish<T>(outcome: Outcome<T>, asJson: boolean): Promise<void> {
  if (asJson) await write(process.stdout, JSON.stringify(outcome.json, null, 2) + '\n');
  else process.stderr.write(outcome.human());
  process.exitCode = outcome.ok ? 0 : 1;
}

/** A range report's outcome: the JSON streams (a 100,000-commit report is never one string). */
export async function finishRange(report: RangeReport, asJson: boolean, human: () => string): Promise<void> {
  if (asJson) await writeRangeReportJson(process.stdout, report);
  else process.stderr.write(human());
  process.exitCode = report.ok ? 0 : 1;
}

/** The exit code for anything a command threw, with one line on stderr saying why. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (error instanceof SiggateError) {
    process.stderr.write(`siggate: ${error.message}\n`);
    return exitCodeFor(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`siggate: internal error: ${message}\n`);
  if (process.env.SIGGATE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodeFor(error);
}

/**
 * Write a range report as JSON without building one string for all of it: a 100,000-commit report
 * would otherwise need tens of megabytes at once. The text is what `JSON.stringify(report, null, 2)` gives.
 */
export async function writeRangeReportJson(stream: NodeJS.WritableStream, report: RangeReport): Promise<void> {
  const { commits, ...rest } = report;
  const head = JSON.stringify({ ...rest, commits: [] }, null, 2);
  const open = head.lastIndexOf('"commits": []');
  const before = head.slice(0, open) + '"commits": [';
  const after = head.slice(open + '"commits": []'.length);
  await write(stream, commits.length === 0 ? `${before}]${after}\n` : `${before}\n`);
  if (commits.length === 0) return;
  for (let i = 0; i < commits.length; i += 1000) {
    const chunk = commits.slice(i, i + 1000).map((commit) => indent(JSON.stringify(commit, null, 2), '    '));
    await write(stream, chunk.join(',\n') + (i + 1000 < commits.length ? ',\n' : '\n'));
  }
  await write(stream, `  ]${after}\n`);
}

function indent(text: string, prefix: string): string {
  return prefix + text.replace(/\n/g, `\n${prefix}`);
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve).once('error', reject);
  });
}
