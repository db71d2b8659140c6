import { join } from 'node:path';
import { openGate, type GateSession } from '../../commands/gate.js';
import { verifyRangeIn } from '../../commands/verify-range.js';
import { verifyTagIn } from '../../commands/verify-tag.js';
import { withCacheRepositoryLock } from '../../git/cache-repo.js';
import { peelCommit } from '../../git/refs.js';
import { withRemote, type RemoteAccess } from '../../remote/access.js';
import { openResourceTrust } from '../protocol/source-keys.js';
import type { Log, ResourceDeps } from '../protocol/types.js';
import { branchVersions, resolveCursor } from './check-commits.js';
import { tagVersions, type SelectedVersion } from './check-tags.js';
import { fetchCommit, updateMirror, type Mirror, type TagEntry } from './mirror.js';
import { describeFailures, summarize } from './report-lines.js';
import { remoteSpecOf } from './source-remote.js';
import { usesTags, type ResourceRequest, type ResourceVersion } from './source.js';

/**
 * `check`: fetch into the cache mirror, select versions exactly as git-resource does (paths, ignore_paths,
 * commit_filter, ci skip, version_depth, tag modes), then yield, oldest first, only those that pass the gate
 * under `source.range`. The gate never changes the selection: a version that fails is dropped and logged,
 * never replaced by an older one. One gate session serves every version: the keys are parsed once, one
 * object reader is open, and the verification cache carries each verified range over to the next.
 */
export async function check(request: ResourceRequest, log: Log, deps: ResourceDeps): Promise<ResourceVersion[]> {
  const trust = openResourceTrust(request.source.keys, log);
  try {
    let versionCommit: string | null = null;
    const mirror = await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), async (remote) => {
      const updated = await updateMirror(deps.cacheDir, request.source, remote);
      versionCommit = await fetchVersionCommit(updated, request.version, remote);
      return updated;
    });
    // under the mirror's lock: a concurrent fetch does not move refs between two git calls of the selection
    const selected = await withCacheRepositoryLock(mirror.gitDir, () => selectVersions(mirror, request, log, versionCommit));
    if (selected.length === 0) return [];
    const gate = await openGate({ repo: mirror.gitDir }, { trust });
    try {
      const versions: ResourceVersion[] = [];
      for (const candidate of selected) if (await versionPasses(request, gate, candidate, log)) versions.push(candidate.version);
      return versions;
    } finally {
      await gate.close();
    }
  } finally {
    await trust.close();
  }
}

/**
 * A version that is a commit id the mirror lacks is fetched by id, as git-resource's partial clone does (see
 * fetchCommit). Returns the commit when the mirror already had it (a commit id names the same commit forever).
 */
async function fetchVersionCommit(mirror: Mirror, version: ResourceVersion | null, remote: RemoteAccess): Promise<string | null> {
  if (!version || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(version.ref)) return null;
  const present = await peelCommit(mirror.gitDir, version.ref);
  if (!present) await fetchCommit(remote, mirror.gitDir, version.ref);
  return present;
}

async function selectVersions(mirror: Mirror, request: ResourceRequest, log: Log, versionCommit: string | null): Promise<SelectedVersion[]> {
  if (usesTags(request.source)) return tagVersions(mirror, request.source, request.version, log);
  const version = request.version;
  // the version's commit as fetchVersionCommit found it spares a second git rev-parse of the same id
  const cursor = version ? (versionCommit ?? (await resolveCursor(mirror.gitDir, version.ref, false))) : null;
  if (version && !cursor) log(`version ${version.ref} is not in the repository; checking as if there were none`);
  const commits = await branchVersions({ gitDir: mirror.gitDir, revisions: mirror.revisions, cursor }, request.source);
  return commits.map((commit) => ({ version: { ref: commit }, commit, tags: [] }));
}

/**
 * The gate on one selected version: with `verify_tags`, one of the tags that select it must carry a valid
 * signature by an allowed key; then its commit must pass the range verification of the source (trust root,
 * mode), which covers every commit the mode requires below it, whether the filters selected them or not.
 */
async function versionPasses(request: ResourceRequest, gate: GateSession, candidate: SelectedVersion, log: Log): Promise<boolean> {
  const label = candidate.version.ref === candidate.commit ? candidate.commit : `tag ${candidate.version.ref} (${candidate.commit})`;
  if (request.source.verifyTags && usesTags(request.source) && !(await someTagSigned(gate, candidate, log))) return false;
  const report = await verifyRangeIn(gate, { ...request.source.range, target: candidate.commit, cache: true });
  if (report.ok) return true;
  log(`skipping ${label}: ${summarize(report)}`);
  for (const line of describeFailures(report)) log(`  ${line}`);
  return false;
}

/** Whether one of the candidate's tags is an annotated tag object whose own signature is valid (`verify_tags`). */
async function someTagSigned(gate: GateSession, candidate: SelectedVersion, log: Log): Promise<boolean> {
  for (const tag of candidate.tags) if (await tagSigned(gate, tag, log)) return true;
  if (candidate.tags.length === 0) log(`skipping ${candidate.commit}: no tag selects it (verify_tags)`);
  return false;
}

async function tagSigned(gate: GateSession, tag: TagEntry, log: Log): Promise<boolean> {
  if (!tag.annotated) {
    log(`skipping tag ${tag.name}: unsigned (a lightweight tag has no signature)`);
    return false;
  }
  // the tag object listed, by id: a tag moved meanwhile is not the one verified
  const report = await verifyTagIn(gate, tag.object);
  if (report.ok) return true;
  log(`skipping tag ${tag.name}: tag signature ${report.status}: ${report.reason ?? ''}`);
  return false;
}
