import { CommanderError } from 'commander';
import type { RangeReport } from '../core/report.js';
import { boundMessage, exitCodeFor, SiggateError } from '../core/errors.js';

/** What a command prints: JSON on stdout when asked, else its human report on stderr; and the exit code it leaves. */
export interface Outcome<T> {
  ok: boolean;
  json: T;
  human: () => string;
}

/** What `--json` prints on stdout when a command fails before it has a report: a pipeline never parses an empty stdout. */
export interface ErrorOutcome {
  ok: false;
  error: { code: string; message: string; exitCode: number };
}

/** Print a command's outcome and set the exit code (0 passed, 1 the gate closed). */
export async function finish<T>(outcome: Outcome<T>, asJson: boolean): Promise<void> {
  if (asJson) await writeOut(JSON.stringify(outcome.json, null, 2) + '\n');
  else await writeErr(withoutShownWarnings(outcome.human()));
  process.exitCode = outcome.ok ? 0 : 1;
}

/** A range report's outcome: the JSON streams (a 100,000-commit report is never one string). */
export async function finishRange(report: RangeReport, asJson: boolean, human: () => string): Promise<void> {
  if (asJson) await writeRangeReportJson(process.stdout, report);
  else await writeErr(withoutShownWarnings(human()));
  process.exitCode = report.ok ? 0 : 1;
}

const shownWarnings = new Set<string>();

/** A warning on stderr as it happens, each message once however often it is raised. */
export function printWarning(message: string): void {
  if (shownWarnings.has(message)) return;
  shownWarnings.add(message);
  void writeErr(`warning: ${oneLine(message)}\n`);
}

/** A report's own `warning:` lines, less the ones already printed as they happened: each warning is read once. */
function withoutShownWarnings(text: string): string {
  if (shownWarnings.size === 0) return text;
  return text.replace(/^warning: (.*)\n/gm, (line, message: string) => (shownWarnings.has(message) ? '' : line));
}

/**
 * The exit code for anything a command threw, with one line on stderr saying why, and with `--json` the
 * same as an {@link ErrorOutcome} on stdout. Help and `--version` are not failures (0).
 */
export async function reportError(error: unknown, asJson: boolean): Promise<number> {
  const failure = describeFailure(error);
  if (failure === null) return 0;
  await writeErr(`siggate: ${failure.message}\n`);
  if (process.env.SIGGATE_DEBUG && error instanceof Error) await writeErr(`${error.stack}\n`);
  if (asJson) await writeOut(JSON.stringify({ ok: false, error: failure } satisfies ErrorOutcome, null, 2) + '\n');
  return failure.exitCode;
}

/** A thrown value as a stable code, a one-line message and an exit code; null for help and the version. */
function describeFailure(error: unknown): ErrorOutcome['error'] | null {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return null;
    // commander has shown the help on stderr because no command was given
    if (error.code === 'commander.help') return { code: 'USAGE', message: 'which command? the help above lists them', exitCode: 2 };
    return { code: 'USAGE', message: oneLine(boundMessage(error.message.replace(/^error: /, ''))), exitCode: 2 };
  }
  if (error instanceof SiggateError) return { code: error.code, message: oneLine(error.message), exitCode: exitCodeFor(error) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `internal error: ${oneLine(boundMessage(message))}`, exitCode: exitCodeFor(error) };
}

/** One line on a terminal: line breaks become spaces, other control characters (an escape sequence in a path) are shown, not obeyed. */
function oneLine(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .trim();
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
  for (let i = 0; i < commits.length; i += JSON_CHUNK) {
    // one native stringify per chunk, nested as the commits are in the report, so already indented as they must be
    const nested = JSON.stringify({ commits: commits.slice(i, i + JSON_CHUNK) }, null, 2);
    const chunk = nested.slice(NESTED_OPEN.length, nested.length - NESTED_CLOSE.length);
    await write(stream, chunk + (i + JSON_CHUNK < commits.length ? ',\n' : '\n'));
  }
  await write(stream, `  ]${after}\n`);
}

/** Commits per chunk of the JSON report: each chunk is one string and its bytes, a few hundred KB at most, never large objects. */
const JSON_CHUNK = 200;
const NESTED_OPEN = '{\n  "commits": [\n';
const NESTED_CLOSE = '\n  ]\n}';

/** Text on stdout; nothing once the reader has gone (`siggate … --json | head -c 10`). */
export function writeOut(text: string): Promise<void> {
  return write(process.stdout, text);
}

/** Text on stderr; nothing once the reader has gone. Never rejects: there is nowhere left to say that stderr failed. */
export function writeErr(text: string): Promise<void> {
  return write(process.stderr, text).catch(() => {});
}

const closedStreams = new WeakSet<NodeJS.WritableStream>();

/**
 * Make stdout and stderr quiet when their reader goes away, as other command-line tools are: a closed pipe
 * (EPIPE) stops the writing to it, is no error, and leaves the exit code to the verdict. Call once, first.
 */
export function guardOutputStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    // without a listener a stream's 'error' event would end the process with a stack trace
    if (stream.listenerCount('error') === 0) stream.on('error', (error: NodeJS.ErrnoException) => void (isClosedPipe(error) && closedStreams.add(stream)));
  }
}

/** Resolves once `text` is handed to the stream (backpressure), or at once when the stream's reader has gone. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (closedStreams.has(stream)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.write(text, (error?: Error | null) => {
      if (!error) return resolve();
      if (!isClosedPipe(error)) return reject(error);
      closedStreams.add(stream);
      resolve();
    });
  });
}

function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
