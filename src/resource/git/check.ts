import { openGate, type GateSession } from '../../commands/gate.js';
import { verifyRangeIn } from '../../commands/verify-range.js';
import { verifyTagIn } from '../../commands/verify-tag.js';
import { firstParentsAfter, isAncestor, peelCommit } from '../../git/refs.js';
import { withRemote } from '../../remote/access.js';
import { openResourceTrust } from '../protocol/source-keys.js';
import type { Log, ResourceDeps } from '../protocol/types.js';
import { listTags, updateMirror, type TagEntry } from './mirror.js';
import { describeFailures, summarize } from './report-lines.js';
import { remoteSpecOf } from './source-remote.js';
import { usesTags, type ResourceRequest, type ResourceVersion } from './source.js';
import { join } from 'node:path';

/**
 * `check`: fetch into the cache mirror and return the versions after the given one that pass the gate,
 * oldest first (with no version: the current one, if it passes). Skipped versions are logged with their
 * status. One gate session serves every candidate: the keys are parsed once, one object reader is open.
 */
export async function check(request: ResourceRequest, log: Log, deps: ResourceDeps): Promise<ResourceVersion[]> {
  const trust = openResourceTrust(request.source.keys, log);
  try {
    const mirror = await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), (remote) => updateMirror(deps.cacheDir, request.source, remote));
    const gate = await openGate({ repo: mirror.gitDir }, { trust });
    try {
      if (usesTags(request.source)) return await checkTags(request, gate, log);
      return await checkBranch(request, gate, mirror.tip!, log);
    } finally {
      await gate.close();
    }
  } finally {
    await trust.close();
  }
}

async function checkBranch(request: ResourceRequest, gate: GateSession, tip: string, log: Log): Promise<ResourceVersion[]> {
  const candidates = await branchCandidates(request.version, gate.reader.gitDir, tip, log);
  const versions: ResourceVersion[] = [];
  for (const oid of candidates) {
    if (await commitPasses(request, gate, oid, log)) versions.push({ ref: oid });
  }
  return versions;
}

/** The input version and the first-parent commits after it; the tip alone when there is no usable version. */
async function branchCandidates(version: ResourceVersion | null, gitDir: string, tip: string, log: Log): Promise<string[]> {
  if (!version) return [tip];
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(version.ref) || (await peelCommit(gitDir, version.ref)) !== version.ref) {
    log(`version ${version.ref} is not in the repository; checking the current tip only`);
    return [tip];
  }
  if (!(await isAncestor(gitDir, version.ref, tip))) {
    log(`version ${version.ref} is not an ancestor of the tip ${tip}: the branch was rewound; checking the current tip only`);
    return [tip];
  }
  return [version.ref, ...(await firstParentsAfter(gitDir, version.ref, tip))];
}

async function commitPasses(request: ResourceRequest, gate: GateSession, oid: string, log: Log): Promise<boolean> {
  const report = await verifyRangeIn(gate, { ...request.source.range, target: oid, cache: true });
  if (report.ok) return true;
  log(`skipping ${oid}: ${summarize(report)}`);
  for (const line of describeFailures(report)) log(`  ${line}`);
  return false;
}

async function checkTags(request: ResourceRequest, gate: GateSession, log: Log): Promise<ResourceVersion[]> {
  const tags = await listTags(gate.reader.gitDir, request.source);
  const version = request.version;
  const start = version ? tags.findIndex((t) => t.name === version.ref) : -1;
  if (version && start < 0) log(`tag ${version.ref} no longer matches or exists; checking the newest tag only`);
  const candidates = start >= 0 ? tags.slice(start) : tags.slice(-1);
  const versions: ResourceVersion[] = [];
  for (const tag of candidates) {
    if (await tagPasses(request, gate, tag, log)) versions.push({ ref: tag.name, commit: tag.commit });
  }
  return versions;
}

async function tagPasses(request: ResourceRequest, gate: GateSession, tag: TagEntry, log: Log): Promise<boolean> {
  if (request.source.verifyTags) {
    if (!tag.annotated) {
      log(`skipping tag ${tag.name}: unsigned (a lightweight tag has no signature)`);
      return false;
    }
    const report = await verifyTagIn(gate, tag.name);
    if (!report.ok) {
      log(`skipping tag ${tag.name}: tag signature ${report.status}: ${report.reason ?? ''}`);
      return false;
    }
  }
  const report = await verifyRangeIn(gate, { ...request.source.range, target: tag.commit, cache: true });
  if (report.ok) return true;
  log(`skipping tag ${tag.name} (${tag.commit}): ${summarize(report)}`);
  for (const line of describeFailures(report)) log(`  ${line}`);
  return false;
}
