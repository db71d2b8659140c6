import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GateClosedError, RemoteError, UsageError } from '../../core/errors.js';
import type { RangeReport } from '../../core/report.js';
import { git, runGit } from '../../git/run-git.js';
import { withRemote, type RemoteAccess } from '../../remote/access.js';
import { loadKeyFile, type KeyFileSigner } from '../../signing/key-file.js';
import type { TrustSession } from '../../trust/session.js';
import { shownValue } from '../protocol/json.js';
import { openResourceTrust } from '../protocol/source-keys.js';
import type { Log, ResourceDeps, ResourceOutput } from '../protocol/types.js';
import { gitMetadata } from './metadata.js';
import { integrateRemote, REMOTE_TIP_REF, type IntegrationContext } from './out-integrate.js';
import { parseOutParams, type OutParams } from './out-params.js';
import { parsePromotionParams, promoteFromOut } from './out-promote.js';
import { buildNotesCommit, pushVersion } from './out-push.js';
import { checkLocalTags, createTag, readTagName } from './out-tags.js';
import { describeFailures } from './report-lines.js';
import { remoteSpecOf } from './source-remote.js';
import { usesTags, type ResourceRequest, type ResourceVersion } from './source.js';
import { verifyForPush } from './verify-for-push.js';

export { OUT_PARAMS } from './out-params.js';

/** git-resource retries a rebase or merge whose push lost a race for as long as it takes; siggate this many times. */
const MAX_ATTEMPTS = 10;

/**
 * `out SRC`, git-resource's put with the gate before anything leaves: the checkout's HEAD must pass the
 * gate; with params.rebase or params.merge, so must the remote's tip it builds on and every commit it
 * makes (signed by git, or by siggate with source.signing_key); every local tag must point into what
 * passed. Then HEAD goes to `REFS_PREFIX/BRANCH` with the tags and notes, atomically where the remote can.
 * Nothing is tagged remotely or pushed when any of that fails.
 */
export async function putVersion(request: ResourceRequest, src: string | undefined, log: Log, deps: ResourceDeps): Promise<ResourceOutput<ResourceVersion>> {
  if (!src) throw new UsageError('usage: out <path/to/source>: the source directory argument is missing');
  const promotion = parsePromotionParams(request.params);
  const params = parseOutParams(request.params, request.source, src, promotion !== null);
  if (params.debug) log('debug mode enabled (git tracing stays off: it would print credentials)');
  const repo = resolve(src, params.repository);
  if (!isDirectory(repo)) throw new UsageError(`params.repository ${shownValue(params.repository)} is not a directory under ${src}`);
  const original = (await git(['rev-parse', '--verify', 'HEAD^{commit}'], repo)).trim();
  if (promotion) return promoteFromOut(request, repo, original, promotion, log, deps);
  if (params.branchOverride) log(`Override ${request.source.branch ?? ''} with ${params.branchOverride}`);
  const trust = openResourceTrust(request.source.keys, log, { workers: false });
  try {
    const verify = (commit: string, ref: string): Promise<RangeReport> => verifyForPush(request, repo, commit, trust, deps, ref);
    const report = await verify(original, 'HEAD');
    refuseUnlessPassed(report, `commit ${original} did not pass verification (${report.status}); nothing was pushed`, log);
    const tag = params.tagFile ? await readTagName(repo, params.tagFile, params.tagPrefix) : null;
    const run: PutRun = { request, params, repo, original, report, tag, trust, log, verify, signingKey: signingKeyLoader(request) };
    const pushed = await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), (remote) => pushWithRetries(run, remote)).catch(async (error: unknown) => {
      // a refused or failed put leaves the checkout as it came, not rebased onto (or merged with) what was not pushed
      if ((await git(['rev-parse', 'HEAD'], repo)).trim() !== original) await git(['reset', '--quiet', '--hard', original], repo);
      throw error;
    });
    const commit = params.strategy === 'merge' && params.returning === 'unmerged' ? original : pushed.head;
    return { version: versionOf(run, commit), metadata: await gitMetadata(repo, pushed.head, { uri: request.source.uri, report: pushed.report }) };
  } finally {
    await trust.close();
    await runGit(['update-ref', '-d', REMOTE_TIP_REF], repo).catch(() => {});
  }
}

/** One `out` run: what was asked, and the checkout's HEAD with the report that let it through. */
interface PutRun {
  request: ResourceRequest;
  params: OutParams;
  repo: string;
  original: string;
  report: RangeReport;
  tag: string | null;
  trust: TrustSession;
  log: Log;
  verify(commit: string, ref: string): Promise<RangeReport>;
  signingKey(): Promise<KeyFileSigner | null>;
}

/**
 * git-resource's loop: integrate the remote's branch (rebase or merge), tag, push; when the push lost a
 * race for the branch, fetch, verify and integrate again. Returns what was pushed and its report.
 */
async function pushWithRetries(run: PutRun, remote: RemoteAccess): Promise<{ head: string; report: RangeReport }> {
  const { params, repo, log } = run;
  const integrating = params.strategy !== 'push' && !params.onlyTag;
  const context: IntegrationContext = { ...run, uri: run.request.source.uri };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let head = run.original;
    let report = run.report;
    if (integrating) {
      head = await integrateRemote(context, remote);
      if (head !== run.original) {
        report = await run.verify(head, 'HEAD');
        refuseUnlessPassed(report, `the ${params.strategy}d commit ${head} did not pass verification (${report.status}); nothing was pushed`, log);
      }
    }
    if (run.tag) await createTag(repo, run.tag, head, params.annotateFile);
    await checkLocalTags(repo, head, remote, async (commit, ref) => {
      const tagReport = await run.verify(commit, ref);
      if (!tagReport.ok) for (const line of describeFailures(tagReport)) log(line);
      return tagReport.ok;
    });
    const notesCommit = params.notesFile && !params.onlyTag ? await buildNotesCommit(remote, repo, head, params.notesFile) : null;
    const target = params.onlyTag ? null : `${params.refsPrefix}/${params.branch}`;
    const outcome = await pushVersion(remote, repo, { head, target, notesCommit }, params);
    if (outcome.ok) {
      if (notesCommit) await runGit(['update-ref', 'refs/notes/commits', notesCommit], repo);
      log(`pushed ${head}${target ? ` to ${target}` : ''}${run.tag ? ` with the tag ${run.tag}` : ''}`);
      return { head, report };
    }
    if (!integrating || !outcome.retry) throw new RemoteError(`${remote.shown} refused the push: ${outcome.reason}`);
    log(`${params.strategy === 'rebase' ? 'rebasing' : 'merging'} and trying again... (${outcome.reason})`);
  }
  throw new RemoteError(`${params.branch} on ${remote.shown} kept moving: gave up after ${MAX_ATTEMPTS} attempts to ${params.strategy} and push`);
}

/** git-resource's version (`{ref}`, with `branch` when params.branch is set); in tag modes, the pushed tag as check reports it. */
function versionOf(run: PutRun, commit: string): ResourceVersion {
  const branch = run.params.branchOverride ? { branch: run.params.branchOverride } : {};
  if (run.tag && usesTags(run.request.source)) return { ref: run.tag, commit, ...branch };
  return { ...branch, ref: commit };
}

function refuseUnlessPassed(report: RangeReport, message: string, log: Log): void {
  if (report.ok) return;
  for (const line of describeFailures(report)) log(line);
  throw new GateClosedError(message);
}

/** source.signing_key, read and unlocked once, when the first commit needs it. */
function signingKeyLoader(request: ResourceRequest): () => Promise<KeyFileSigner | null> {
  const { signingKey, signingKeyPassphrase } = request.source;
  let loading: Promise<KeyFileSigner | null> | null = null;
  return () => (loading ??= signingKey ? loadKeyFile({ name: 'source.signing_key', armored: signingKey }, new Date(), signingKeyPassphrase ?? undefined) : Promise.resolve(null));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
