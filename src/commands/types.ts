/** The options of the library's verifying commands. */
import type { GateOptions, RangeOptions } from '../core/gate-options.js';
import type { RepositoryOptions } from './gate.js';

export type { ReaderKind } from '../git/object-reader.js';

/** Options shared by every verifying command: the keys and policy, and the repository. */
export interface VerifyOptions extends GateOptions, RepositoryOptions {}

/** Options of `verifyRange`: a target, a range policy, the cache. */
export interface VerifyRangeOptions extends VerifyOptions, RangeOptions {
  /** The revision to verify. Default `HEAD`. */
  target?: string;
  /** Reuse and extend the verification cache under the git directory. Default false (the CLI turns it on). */
  cache?: boolean;
  onProgress?: (done: number, total: number | null) => void;
}
