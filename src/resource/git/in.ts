import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { openGate } from '../../commands/gate.js';
import { GateClosedError, KeyConfigError, UsageError } from '../../core/errors.js';
import { openCacheRepository } from '../../git/cache-repo.js';
import { peelCommit } from '../../git/refs.js';
import { git, runGit } from '../../git/run-git.js';
import { withRemote, type RemoteAccess } from '../../remote/access.js';
import { parseKeySources } from '../../trust/key-sources.js';
import type { TrustSession } from '../../trust/session.js';
import { openResourceTrust, type SourceKeys } from '../protocol/source-keys.js';
import type { Log, Metadata, ResourceDeps, ResourceOutput } from '../protocol/types.js';
import { writeMetadataFiles } from './in-files.js';
import { unlockGitCrypt } from './in-git-crypt.js';
import { layOutCheckout } from './in-layout.js';
import { fetchLfsContent } from './in-lfs.js';
import { parseInParams, type InParams } from './in-params.js';
import { fetchForIn, gateClosedLines, verifyPlan, type InPlan } from './in-plan.js';
import { checkVersionRef } from './in-refs.js';
import { updateSubmodules } from './in-submodules.js';
import { buildInEmptyDir } from './into-empty-dir.js';
import { gitMetadata, type MetadataEntry } from './metadata.js';
import { mirrorPath } from './mirror.js';
import { remoteSpecOf } from './source-remote.js';
import type { ResourceRequest, ResourceVersion } from './source.js';

export { IN_PARAMS } from './in-params.js';

/**
 * `in DEST`, a drop-in for git-resource's: fetch every branch and tag into the quarantine (the cache
 * repository `check` uses), verify the version there under the source's policy — and every other commit
 * DEST would name — and only then build DEST as `git clone` + `git checkout REF` would, from the
 * quarantine, with git-resource's params and its files in DEST/.git. A closed gate is a GateClosedError
 * (exit 1) after the reasons are logged; DEST stays empty on any failure.
 */
export async function getVersion(request: ResourceRequest, dest: string | undefined, log: Log, deps: ResourceDeps): Promise<ResourceOutput<ResourceVersion>> {
  if (!dest) throw new UsageError('usage: in <path/to/destination>');
  const { source, version } = request;
  const params = parseInParams(request.params, source);
  if (params.debug && !source.debug) log('debug mode enabled (git tracing stays off: it would print credentials)');
  if (version) for (const ref of [version.ref, version.commit]) if (ref !== undefined) checkVersionRef(ref);
  const trust = openInTrust(source.keys, log);
  try {
    const knownHostsFile = join(deps.cacheDir, 'known_hosts');
    return await withRemote(remoteSpecOf(source, knownHostsFile), async (remote) => {
      const plan = await verifiedPlan(request, params, remote, trust, deps, log);
      const returnRef = !version || version.ref === 'HEAD' ? plan.target : version.ref;
      const context: BuildContext = { request, params, plan, remote, returnRef, knownHostsFile, log };
      const metadata = await buildInEmptyDir(dest, (into) => buildDestination(into, context), (existing) => answerAgain(existing, context));
      return { version: answerVersion(version, plan.target), metadata };
    });
  } finally {
    await trust.close();
  }
}

/** Fetch into the quarantine and verify there; a closed gate logs siggate's reasons and git-resource's lines. */
async function verifiedPlan(request: ResourceRequest, params: InParams, remote: RemoteAccess, trust: TrustSession, deps: ResourceDeps, log: Log): Promise<InPlan> {
  const quarantine = await openCacheRepository(mirrorPath(deps.cacheDir, request.source));
  const inputs = await fetchForIn(request, remote, quarantine, log);
  const gate = await openGate({ repo: quarantine }, { trust });
  let plan: InPlan;
  try {
    plan = await verifyPlan(request, params, inputs, gate, log);
  } finally {
    await gate.close();
  }
  if (!plan.report.ok) {
    for (const line of gateClosedLines(plan.report)) log(line);
    throw new GateClosedError(`version ${request.version?.ref ?? plan.target} did not pass verification (${plan.report.status}); nothing was checked out`);
  }
  return plan;
}

interface BuildContext {
  request: ResourceRequest;
  params: InParams;
  plan: InPlan;
  remote: RemoteAccess;
  returnRef: string;
  knownHostsFile: string;
  log: Log;
}

/** Everything DEST gets, in git-resource's order, built in the stage: checkout, LFS, git-crypt, submodules, files. */
async function buildDestination(into: string, context: BuildContext): Promise<Metadata> {
  const { request, params, plan, remote, log } = context;
  const { source } = request;
  await layOutCheckout(into, plan, { params, source, origin: remote.url, shownRef: request.version?.ref ?? 'HEAD', log });
  if (!params.disableGitLfs) await fetchLfsContent(into, plan.target, remote.env, log);
  if (source.gitCryptKey) await unlockGitCrypt(into, source.gitCryptKey, log);
  await updateSubmodules(into, plan.target, remote.url, { params, source, knownHostsFile: context.knownHostsFile, log });
  return writeFiles(into, context);
}

/** The metadata (git-resource's, then siggate's), its files in .git, then `clean_tags`. */
async function writeFiles(dir: string, context: BuildContext): Promise<MetadataEntry[]> {
  const { plan, params } = context;
  const metadata = await gitMetadata(dir, plan.target, { uri: context.request.source.uri, report: plan.report });
  await writeMetadataFiles(dir, context.returnRef, metadata, params, plan.report);
  if (params.cleanTags) {
    const deletes = (await git(['for-each-ref', '--format=delete %(refname)', 'refs/tags/'], dir)).trim();
    if (deletes !== '') await git(['update-ref', '--stdin'], dir, { input: Buffer.from(`${deletes}\n`) });
  }
  return metadata;
}

/**
 * A DEST that is not empty: git clone refuses it, and so does siggate — unless it already holds the verified
 * commit, checked out by a run killed after its last move (a retry answers again).
 */
async function answerAgain(dest: string, context: BuildContext): Promise<Metadata> {
  const top = await runGit(['rev-parse', '--show-toplevel'], dest);
  const isTop = top.code === 0 && realpathSync(top.stdout.toString('utf8').trim()) === realpathSync(dest);
  const head = isTop ? await peelCommit(dest, 'HEAD') : null;
  if (head === null || head !== context.plan.target) {
    throw new UsageError(`${dest} is not empty: in writes its checkout into an empty directory`);
  }
  context.log(`${dest} already holds the verified commit ${head}: answering again`);
  return writeFiles(dest, context);
}

/**
 * The version `in` answers: the one it was given — `ref` verbatim (`HEAD` or none: the commit checked out),
 * with the `commit` check's tag versions carry when it was given one. Concourse knows a version by all its
 * fields, so a get answers exactly the version check emitted, whatever shape that is. A version's
 * `branch` only chose what to clone (git-resource drops it too).
 */
export function answerVersion(version: ResourceVersion | null, commit: string): ResourceVersion {
  if (!version || version.ref === 'HEAD') return { ref: commit };
  return version.commit !== undefined ? { ref: version.ref, commit: version.commit } : { ref: version.ref };
}

/** The trust session; key material gpg could not import is also reported in git-resource's words. */
function openInTrust(keys: SourceKeys, log: Log): TrustSession {
  try {
    return openResourceTrust(keys, log);
  } catch (error) {
    if (error instanceof KeyConfigError && !keysParse(keys)) {
      log(`Invalid GPG key in: ${keys.keys.map((key) => Buffer.from(key.bytes).toString('utf8')).join('\n')}`);
    }
    throw error;
  }
}

function keysParse(keys: SourceKeys): boolean {
  try {
    parseKeySources(keys.keys);
    return true;
  } catch {
    return false;
  }
}

