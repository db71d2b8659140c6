/**
 * siggate's library API: the commands, the reports and verdicts they return, the errors they throw.
 * Everything else is internal and may change.
 */
export { verifyRange, verifyCommit } from './commands/verify-range.js';
export { verifyTag } from './commands/verify-tag.js';
export { listKeys, type KeySummary } from './commands/list-keys.js';
export { fetchVerified, type FetchOptions, type FetchResult } from './commands/fetch.js';
export { runResource, type ResourceDeps, type ResourceIo, type ResourceKind } from './resource/main.js';
export { mergeSign, type MergeSignOptions, type MergeSignResult, type MergeSignStatus } from './commands/merge-sign.js';
export { s3Get, s3Verify, type S3VerifyOptions, type ArtifactReport, type ArtifactStatus } from './commands/s3-artifact.js';
export { s3Put, type S3PutOptions, type PutReport } from './commands/s3-put.js';
export { promote, type PromoteOptions, type PromoteResult, type PromoteStatus } from './commands/promote.js';
export { showPolicy, type PolicyEntry, type PolicyReport, type PolicyShowOptions } from './commands/policy-show.js';
export { showSequoiaPolicy, type SequoiaPolicyEntry, type SequoiaPolicyReport, type SequoiaPolicyShowOptions } from './commands/policy-show-sequoia.js';
export type { PromotionNaming } from './core/promotion.js';
export type { Verdict, VerdictStatus, SignatureFormat, Signer } from './core/verdict.js';
export type { CommitReport, MergeCheck, RangeMode, RangeReport, RangeStatus, TagReport } from './core/report.js';
export type { GateOptions, PolicyKind, RangeOptions } from './core/gate-options.js';
export type { KeyRef, KeySource, SigningKeyRef } from './core/key-source.js';
export type { ReaderKind, VerifyOptions, VerifyRangeOptions } from './commands/types.js';
export type { S3AccessOptions, S3ClientLike } from './s3/access.js';
export { awsProxyAgents, proxiedFetch } from './remote/proxy.js';
export type { RemoteAuth } from './remote/url.js';
export { SiggateError, UsageError, KeyConfigError, RepositoryError, GitError, RemoteError, GateClosedError, SigningError, exitCodeFor } from './core/errors.js';
export { deploy, type DeployOptions, type DeployResult, type RoleRequest, type CommandCredentials, type DeployRecord, type RegisterSource, type SecretResolver, type StateStore } from './commands/deploy.js';
export { handleDeployTrigger, deployTriggerHandler, type DeployTriggerOptions, type DeployTriggerResult, type SnsEvent } from './lambda/deploy-trigger.js';
export { fileRegister } from './deploy/register-file.js';
export { localState } from './deploy/state-local.js';
export { RegisterError } from './core/deploy-entry.js';
