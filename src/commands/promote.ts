import type { SigningKeyRef } from '../core/key-source.js';
import { planTagName, type PromotionNaming, type TagRef } from '../core/promotion.js';
import type { RangeReport } from '../core/report.js';
import { UsageError } from '../core/errors.js';
import { isValidTagName, requireCommit } from '../git/refs.js';
import { createTagRef, localTags } from '../git/tags.js';
import { openRemote, type RemoteAccess, type RemoteSpec } from '../remote/access.js';
import { resolveRemoteUrls } from '../remote/names.js';
import { redactUrl } from '../remote/redact.js';
import { pushNewTag, remoteTags } from '../remote/transfer.js';
import { configuredIdentity, createSignedTag, FALLBACK_IDENTITY, createUnsignedTag, resolveSigner, type ObjectSigner } from '../signing/signer.js';
import type { VerifyRangeOptions } from './types.js';
import { verifyRange } from './verify-range.js';
import { verifyTag } from './verify-tag.js';

export type { PromotionNaming } from '../core/promotion.js';

/** Options of `siggate promote`. */
export interface PromoteOptions extends Omit<VerifyRangeOptions, 'cache' | 'onProgress'> {
  naming: PromotionNaming;
  /** With `prefix` naming: the source tag's own signature must be valid under the keys. */
  verifySourceTag?: boolean;
  /** Default true: sign the tag (git's configured signing, or `keyFile`). */
  sign?: boolean;
  keyFile?: SigningKeyRef | null;
  /** A remote name or URL to push the tag to; null: create it locally only. */
  push?: string | null;
  /** Credentials and SSH key for the push remote (the resource's source); default: git's own configuration. */
  remoteAuth?: Omit<RemoteSpec, 'url'>;
  /** The gate; default `verifyRange` in the repository. The resource passes its own, which can use its mirror. */
  verify?: (target: string) => Promise<RangeReport>;
  /** The passphrase of `keyFile`; default `SIGGATE_KEY_PASSPHRASE` or a prompt. */
  keyPassphrase?: string;
  dryRun?: boolean;
  onStep?: (message: string) => void;
}

export type PromoteStatus = 'created' | 'already-promoted' | 'dry-run' | 'refused';

/** What `promote` did, would do, or why it refused. */
export interface PromoteResult {
  ok: boolean;
  status: PromoteStatus;
  reason: string | null;
  tag: string | null;
  /** Why this name (the source tag, the bump). */
  naming: string | null;
  target: string;
  /** The new tag object (null when none was created). */
  tagObject: string | null;
  signed: boolean;
  signer: { fingerprint: string; userId: string | null } | null;
  pushed: boolean;
  remote: string | null;
  /** The source tag of a prefix promotion. */
  source: { tag: string; object: string; status: string | null } | null;
  verification: RangeReport | null;
  warnings: string[];
}

/**
 * Verifies REV with the gate and only then creates an annotated tag recording what was verified,
 * signed by default. Idempotent (the same tag on the same commit is "already promoted"), never moves
 * a tag, and atomic: the local tag ref is created only after the push (if any) succeeded.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const repo = options.repo ?? '.';
  const remote = options.push ? await openRemote({ ...options.remoteAuth, url: (await resolveRemoteUrls(repo, options.push)).pushUrl }) : null;
  try {
    return await promoteWith(options, repo, remote);
  } finally {
    await remote?.dispose();
  }
}

async function promoteWith(options: PromoteOptions, repo: string, remote: RemoteAccess | null): Promise<PromoteResult> {
  // the remote as the user named it (`origin`), credentials hidden
  const shownRemote = remote === null ? null : redactUrl(options.push!);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const step = options.onStep ?? (() => {});
  const target = await requireCommit(repo, options.target ?? 'HEAD');
  const result: PromoteResult = { ok: false, status: 'refused', reason: null, tag: null, naming: null, target, tagObject: null, signed: false, signer: null, pushed: false, remote: shownRemote, source: null, verification: null, warnings };
  const refuse = (reason: string): PromoteResult => ({ ...result, ok: false, status: 'refused', reason });
  const signer = options.sign === false ? null : await resolveSigner(repo, options.keyFile ?? null, options.now, options.keyPassphrase);

  const local = await localTags(repo);
  const remote_ = remote ? await remoteTags(remote, repo) : new Map<string, TagRef>();
  const plan = planTagName(options.naming, target, new Map([...local, ...remote_]));
  if (!plan.ok) return refuse(plan.reason);
  if (!(await isValidTagName(repo, plan.tag))) throw new UsageError(`"${plan.tag}" is not a valid tag name`);
  result.tag = plan.tag;
  result.naming = plan.why;

  const existing = remote_.get(plan.tag) ?? local.get(plan.tag);
  if (existing && existing.commit !== target) {
    return refuse(`${plan.tag} already exists on ${existing.commit.slice(0, 12)}${remote_.has(plan.tag) ? ` in ${shownRemote}` : ''}; a promotion tag is never moved`);
  }
  if (existing && (!remote || remote_.has(plan.tag))) {
    return { ...result, ok: true, status: 'already-promoted', reason: `${plan.tag} already names ${target.slice(0, 12)}`, tagObject: existing.object };
  }

  step(`verifying ${target.slice(0, 12)} before tagging`);
  const report = options.verify ? await options.verify(target) : await verifyRange({ ...options, repo, target, cache: false, onWarning: warn });
  result.verification = report;
  if (!report.ok) return refuse(`${target.slice(0, 12)} did not pass verification (${report.status}${report.reason ? `: ${report.reason}` : `, ${report.failed} of ${report.checked} commits failed`})`);
  if (options.naming.kind === 'prefix' && plan.source) {
    const source = await verifyTag({ ...options, repo, tag: plan.source.object });
    result.source = { tag: plan.source.name, object: plan.source.object, status: source.status };
    if (options.verifySourceTag && !source.ok) return refuse(`source tag ${plan.source.name} is not validly signed (${source.status}: ${source.reason})`);
  }
  if (options.dryRun) return { ...result, ok: true, status: 'dry-run' };

  // a local tag on the same commit, not yet on the remote: push that one rather than make a second
  const object = existing?.object ?? (await makeTag(repo, signer, options, plan.tag, target, tagMessage(plan.tag, report, result.source, plan.why)));
  result.tagObject = object;
  if (!existing) step(`created tag object ${object.slice(0, 12)} for ${plan.tag}`);
  if (signer || existing) {
    const check = await verifyTag({ ...options, repo, tag: object });
    if (signer && !check.ok) {
      return refuse(`${existing ? `the local tag ${plan.tag}` : "the new tag"}'s signature does not verify with the keys (${check.status}: ${check.reason}); nothing was ${existing ? 'pushed' : 'tagged'}`);
    }
    result.signed = check.status === 'valid';
    result.signer = check.signer ? { fingerprint: check.signer.fingerprint, userId: check.signer.userId } : null;
  }
  if (remote) {
    step(`pushing ${plan.tag} to ${shownRemote}`);
    const pushed = await pushNewTag(remote, repo, object, plan.tag);
    if (!pushed.ok) return refuse(pushed.exists ? `${plan.tag} was created on ${shownRemote} meanwhile (${pushed.reason}); nothing was tagged here` : `${shownRemote} refused ${plan.tag}: ${pushed.reason}`);
    result.pushed = !pushed.upToDate;
    if (pushed.upToDate) result.reason = `${shownRemote} already had this very tag object`;
  }
  if (!existing && !(await createTagRef(repo, plan.tag, object))) {
    return refuse(`${plan.tag} was created locally meanwhile${result.pushed ? `; the pushed tag stays on ${shownRemote}` : ''}`);
  }
  return { ...result, ok: true, status: result.reason ? 'already-promoted' : 'created' };
}

async function makeTag(repo: string, signer: ObjectSigner | null, options: PromoteOptions, tag: string, target: string, message: string): Promise<string> {
  const spec = { object: target, type: 'commit', tag, at: options.now ?? new Date(), message };
  if (signer) return createSignedTag(repo, signer, spec);
  return createUnsignedTag(repo, spec, (await configuredIdentity(repo)) ?? FALLBACK_IDENTITY);
}

/** The tag message: what was verified, so that the tag itself documents why it exists. */
function tagMessage(tag: string, report: RangeReport, source: PromoteResult['source'], why: string): string {
  const signers = new Map<string, string>();
  for (const commit of report.commits) {
    if (commit.signer) signers.set(commit.signer.fingerprint, `${commit.signer.userId ?? 'unknown'} ${commit.signer.fingerprint}`);
  }
  const lines = [
    `Promote ${report.target.slice(0, 12)} to ${tag}`,
    '',
    'Verified by siggate before tagging:',
    `target: ${report.target}`,
    `mode: ${report.mode}`,
    `trust root: ${report.since ?? 'none'}`,
    `commits checked: ${report.checked}${report.reused.length > 0 ? ` (and reused ${report.reused.length})` : ''}`,
    `signers: ${signers.size > 0 ? [...signers.values()].join(', ') : 'none'}`,
    `naming: ${why}`,
    ...(source ? [`source tag: ${source.tag} ${source.object} (signature ${source.status})`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
