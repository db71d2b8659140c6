import { describeFailures, summarize, verifyTagUnderPolicy, verifyUnderPolicy, type Log } from './gate.js';
import { firstParentAfter, hasCommit, isAncestor, listTags, updateMirror, type TagEntry } from './mirror.js';
import { openPolicy, type ResourcePolicy } from './policy.js';
import { openRemoteAccess } from './remote.js';
import { usesTags, type ResourceRequest, type ResourceVersion } from './source.js';

/**
 * `check`: fetch into the cache mirror and return the versions after the given one that pass the gate,
 * oldest first (with no version: the current one, if it passes). Skipped versions are logged with their status.
 */
export async function check(request: ResourceRequest, log: Log): Promise<ResourceVersion[]> {
  const policy = await openPolicy(request.source, log);
  const access = await openRemoteAccess(request.source);
  try {
    const mirror = await updateMirror(request.source, access);
    if (usesTags(request.source)) return await checkTags(request, mirror.gitDir, policy, log);
    return await checkBranch(request.version, mirror.gitDir, mirror.tip!, policy, log);
  } finally {
    await access.dispose();
    await policy.dispose();
  }
}

async function checkBranch(version: ResourceVersion | null, gitDir: string, tip: string, policy: ResourcePolicy, log: Log): Promise<ResourceVersion[]> {
  const candidates = await branchCandidates(version, gitDir, tip, log);
  const versions: ResourceVersion[] = [];
  for (const oid of candidates) {
    if (await commitPasses(gitDir, oid, policy, log)) versions.push({ ref: oid });
  }
  return versions;
}

/** The input version and the first-parent commits after it; the tip alone when there is no usable version. */
async function branchCandidates(version: ResourceVersion | null, gitDir: string, tip: string, log: Log): Promise<string[]> {
  if (!version) return [tip];
  if (!(await hasCommit(gitDir, version.ref))) {
    log(`version ${version.ref} is not in the repository; checking the current tip only`);
    return [tip];
  }
  if (!(await isAncestor(gitDir, version.ref, tip))) {
    log(`version ${version.ref} is not an ancestor of the tip ${tip}: the branch was rewound; checking the current tip only`);
    return [tip];
  }
  return [version.ref, ...(await firstParentAfter(gitDir, version.ref, tip))];
}

async function commitPasses(gitDir: string, oid: string, policy: ResourcePolicy, log: Log): Promise<boolean> {
  const report = await verifyUnderPolicy(gitDir, oid, policy, true);
  if (report.ok) return true;
  log(`skipping ${oid}: ${summarize(report)}`);
  for (const line of describeFailures(report)) log(`  ${line}`);
  return false;
}

async function checkTags(request: ResourceRequest, gitDir: string, policy: ResourcePolicy, log: Log): Promise<ResourceVersion[]> {
  const tags = await listTags(gitDir, request.source);
  const version = request.version;
  const start = version ? tags.findIndex((t) => t.name === version.ref) : -1;
  if (version && start < 0) log(`tag ${version.ref} no longer matches or exists; checking the newest tag only`);
  const candidates = start >= 0 ? tags.slice(start) : tags.slice(-1);
  const versions: ResourceVersion[] = [];
  for (const tag of candidates) {
    if (await tagPasses(gitDir, tag, request.source.verifyTags, policy, log)) versions.push({ ref: tag.name, commit: tag.commit });
  }
  return versions;
}

async function tagPasses(gitDir: string, tag: TagEntry, verifyTags: boolean, policy: ResourcePolicy, log: Log): Promise<boolean> {
  if (verifyTags) {
    if (!tag.annotated) {
      log(`skipping tag ${tag.name}: unsigned (a lightweight tag has no signature)`);
      return false;
    }
    const report = await verifyTagUnderPolicy(gitDir, tag.name, policy);
    if (!report.ok) {
      log(`skipping tag ${tag.name}: tag signature ${report.status}: ${report.reason ?? ''}`);
      return false;
    }
  }
  const report = await verifyUnderPolicy(gitDir, tag.commit, policy, true);
  if (report.ok) return true;
  log(`skipping tag ${tag.name} (${tag.commit}): ${summarize(report)}`);
  for (const line of describeFailures(report)) log(`  ${line}`);
  return false;
}
