/** The most of one value (a revision, a path, a flag's argument) a message quotes. */
export const MAX_QUOTED_CHARS = 200;
/** The most of a whole message: a long argument full of spaces must not fill a terminal either. */
export const MAX_MESSAGE_CHARS = 2000;
const LONG_WORD = new RegExp(`\\S{${MAX_QUOTED_CHARS + 1},}`, 'g');

/** `text` cut to about `max` characters, the middle replaced by an ellipsis: the start and the end (a file name, a closing quote) stay. */
export function shortenText(text: string, max: number = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  const tail = Math.floor(max / 4);
  return `${wholeCharacters(text, 0, max - tail - 1)}…${wholeCharacters(text, text.length - tail, text.length)}`;
}

/**
 * A message as users see it: every quoted value and every run of non-space characters over
 * {@link MAX_QUOTED_CHARS} (a 100 kB revision, path or flag value in it) shortened, and the whole kept under
 * {@link MAX_MESSAGE_CHARS}. Every {@link SiggateError} message goes through it, so no message builder has to remember.
 */
export function boundMessage(message: string): string {
  return shortenText(shortenQuotedValues(message).replace(LONG_WORD, (word) => shortenText(word)), MAX_MESSAGE_CHARS);
}

/** Every `"…"` value (as JSON.stringify quotes a revision) shortened; one pass, so no input makes it slow. */
function shortenQuotedValues(message: string): string {
  let shown = '';
  let done = 0;
  for (;;) {
    const open = message.indexOf('"', done);
    if (open === -1) break;
    let close = open + 1;
    while (close < message.length && message[close] !== '"') close += message[close] === '\\' ? 2 : 1;
    // an unterminated quote is left to the other limits
    if (close >= message.length) break;
    shown += `${message.slice(done, open)}"${shortenText(message.slice(open + 1, close))}"`;
    done = close + 1;
  }
  return shown + message.slice(done);
}

/** `text.slice(start, end)` without half of a surrogate pair at either edge. */
function wholeCharacters(text: string, start: number, end: number): string {
  const low = (i: number): boolean => i > 0 && i < text.length && /[\uDC00-\uDFFF]/.test(text[i]!);
  return text.slice(low(start) ? start + 1 : start, low(end) ? end - 1 : end);
}

/** Failures of the machinery (not verdicts). Each class has a stable `code`; `exitCodeFor` maps them. */
export class SiggateError extends Error {
  static readonly code: string = 'SIGGATE_ERROR';
  readonly exitCode: 1 | 2 | 3 = 2;
  get code(): string {
    return (this.constructor as typeof SiggateError).code;
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super(boundMessage(message), options);
    this.name = new.target.name;
  }
}

/** Exit 2: a bad flag or option value. */
export class UsageError extends SiggateError {
  static override readonly code = 'USAGE';
}

/** Exit 2: keys that cannot be read or parsed, an empty keys directory, a short key ID. */
export class KeyConfigError extends SiggateError {
  static override readonly code = 'KEY_CONFIG';
}

/** Exit 2: not a repository, unknown revision. */
export class RepositoryError extends SiggateError {
  static override readonly code = 'REPOSITORY';
}

/** Exit 2: the signing key cannot be read, unlocked or used, or git's configured signing failed. */
export class SigningError extends SiggateError {
  static override readonly code = 'SIGNING_FAILED';
}

/** Exit 3: a git process that failed for reasons other than the user's input. */
export class GitError extends SiggateError {
  static override readonly code = 'GIT_FAILED';
  override readonly exitCode = 3;
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Exit 3: a program siggate needs (ssh-keygen, grep, git-lfs, git-crypt) is missing, or hung. */
export class ToolError extends SiggateError {
  static override readonly code = 'TOOL_FAILED';
  override readonly exitCode = 3;
}

/** Exit 3: the remote could not be reached, refused our credentials, or broke off mid-transfer. */
export class RemoteError extends SiggateError {
  static override readonly code = 'REMOTE_FAILED';
  override readonly exitCode = 3;
}

/** Exit 1: the gate is closed for a reason that is not a per-commit verdict. */
export class GateClosedError extends SiggateError {
  static override readonly code = 'GATE_CLOSED';
  override readonly exitCode = 1;
}

/** Exit code for any thrown value: 2 for our configuration errors, 3 for external failures, 1 never by accident. */
export function exitCodeFor(error: unknown): 1 | 2 | 3 {
  if (error instanceof SiggateError) return error.exitCode;
  return 3;
}
