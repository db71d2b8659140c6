/** siggate's library API: verify commit and tag signatures against an allow list of keys. */
export { verifyRange, verifyCommit } from './commands/verify-range.js';
export { verifyTag } from './commands/verify-tag.js';
export { listKeys, type KeySummary } from './commands/list-keys.js';
export { loadKeys } from './keys/load-keys.js';
export { fetchVerified, type FetchOptions, type FetchResult } from './fetch/fetch.js';
export { runResource } from './resource/main.js';
export { mergeSign, type MergeSignOptions, type MergeSignResult, type MergeSignStatus } from './commands/merge-sign.js';
export type { MergeCheck } from './github/merge-checks.js';
export { s3Get, s3Verify, type S3VerifyOptions, type ArtifactReport, type ArtifactStatus } from './commands/s3-artifact.js';
export { s3Put, type S3PutOptions, type PutReport } from './commands/s3-put.js';
export { promote, type PromoteOptions, type PromoteResult, type PromoteStatus, type PromotionNaming } from './commands/promote.js';
export { Keyring, type OpenpgpKeyEntry } from './trust/keyring.js';
export { parseCommit, type ParsedCommit } from './core/commit.js';
export { parseTag, type ParsedTag } from './core/tag.js';
export type { Verdict, VerdictStatus, SignatureFormat, Signer, VerifyPolicy } from './core/verdict.js';
export type {
  CommitReport,
  RangeMode,
  RangeReport,
  RangeStatus,
  ReaderKind,
  TagReport,
  VerifyOptions,
  VerifyRangeOptions,
} from './commands/types.js';
export { SiggateError, UsageError, KeyConfigError, RepositoryError, GitError, RemoteError, GateClosedError, SigningError, exitCodeFor } from './errors.js';
