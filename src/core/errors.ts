/** Failures of the machinery (not verdicts). Each class has a stable `code`; `exitCodeFor` maps them. */
export class SiggateError extends Error {
  static readonly code: string = 'SIGGATE_ERROR';
  readonly exitCode: 1 | 2 | 3 = 2;
  get code(): string {
    return (this.constructor as typeof SiggateError).code;
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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
