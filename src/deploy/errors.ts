import { SiggateError } from '../core/errors.js';

/** Exit 3: another deploy of the project holds its lock, and did not let go within the wait. */
export class DeployBusyError extends SiggateError {
  static override readonly code = 'DEPLOY_BUSY';
  override readonly exitCode = 3;
}

/** Exit 3: the deploy command did not exit 0 (the state is not advanced). */
export class DeployCommandError extends SiggateError {
  static override readonly code = 'DEPLOY_COMMAND_FAILED';
  override readonly exitCode = 3;
  constructor(
    message: string,
    readonly exitStatus: number | null,
    readonly signal: string | null,
  ) {
    super(message);
  }
}

/** Exit 3: the deploy state could not be read or written (a local file system, S3 or SSM failure). */
export class DeployStateError extends SiggateError {
  static override readonly code = 'DEPLOY_STATE';
  override readonly exitCode = 3;
}
