import { RemoteError } from '../core/errors.js';

/** An AWS SDK error's service code (`ParameterNotFound`, `ThrottlingException`, …), or '' for anything else. */
export function awsErrorName(error: unknown): string {
  return error instanceof Error && '$metadata' in error ? error.name : '';
}

/** Exit 3 for an AWS call that failed: the service and the operation named, the error's code, never a secret value. */
export function awsFailure(what: string, error: unknown): RemoteError {
  const code = awsErrorName(error) || (error as Error)?.name || 'Error';
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new RemoteError(`${what} failed: ${code}: ${detail}`, { cause: error });
}
