import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchVerified } from '../../commands/fetch.js';
import { openGate } from '../../commands/gate.js';
import { verifyTagIn } from '../../commands/verify-tag.js';
import type { CommitReport, RangeReport } from '../../core/report.js';
import { GateClosedError, UsageError } from '../../core/errors.js';
import { git } from '../../git/run-git.js';
import { withRemote } from '../../remote/access.js';
import { gateOptionsOf, openResourceTrust } from '../protocol/source-keys.js';
import type { Log, Metadata, ResourceDeps, ResourceOutput } from '../protocol/types.js';
import { fetchIntoEmptyDir } from './into-empty-dir.js';
import { listTags, mirrorPath, updateMirror } from './mirror.js';
import { describeFailures } from './report-lines.js';
import { remoteSpecOf } from './source-remote.js';
import { usesTags, type ResourceRequest, type ResourceVersion } from './source.js';

/** The `params` keys `in` accepts (git-resource's in_schema.json). */
export const IN_PARAMS: ReadonlySet<string> = new Set([
  'depth', 'fetch', 'fetch_tags', 'submodules', 'submodule_recursive', 'submodule_remote', 'disable_git_lfs', 'clean_tags',
  'short_ref_format', 'timestamp_format', 'describe_ref_options', 'all_branches', 'debug',
]);

/**
 * `in DEST`: a quarantined fetch of the version into DEST; DEST is only written when the gate passes.
 * A gate failure is a GateClosedError (exit 1) after the reasons are logged.
 */
export async function getVersion(request: ResourceRequest, dest: string | undefined, log: Log, deps: ResourceDeps): Promise<ResourceOutput<ResourceVersion>> {
  const version = request.version;
  if (!dest) throw new UsageError('in: the destination directory argument is missing');
  if (!version) throw new UsageError('in: "version" is required');
  const source = request.source;
  if (usesTags(source) && source.verifyTags) await requireSignedTag(request, version, log, deps);
  const remote = remoteSpecOf(source, join(deps.cacheDir, 'known_hosts'));
  const result = await fetchIntoEmptyDir(dest, (into) => fetchVerified({
    ...gateOptionsOf(source.keys, log),
    ...source.range,
    url: remote.url,
    into,
    // A tag version carries its commit: fetch exactly what check verified, even if the tag moved since.
    ref: version.commit ?? version.ref,
    ...(remote.auth ? { auth: remote.auth } : {}),
    ...(remote.sshKey ? { sshPrivateKey: remote.sshKey } : {}),
    knownHostsFile: remote.knownHostsFile!,
    // the same cache repository check fetched into: one transport, and only what is new comes over the wire
    quarantine: mirrorPath(deps.cacheDir, source),
  }));
  if (!result.report.ok) {
    for (const line of describeFailures(result.report)) log(line);
    throw new GateClosedError(`version ${version.ref} did not pass verification (${result.report.status}); nothing was checked out`);
  }
  const gitDir = (await git(['rev-parse', '--absolute-git-dir'], dest)).trim();
  await writeFile(join(gitDir, 'siggate-report.json'), `${JSON.stringify(result.report, null, 2)}\n`);
  return { version: usesTags(source) ? { ref: version.ref, commit: result.commit } : { ref: result.commit }, metadata: await commitMetadata(dest, result.commit, result.report) };
}

/** With `verify_tags`, the tag object must be signed by an allowed key before anything is fetched into DEST. */
async function requireSignedTag(request: ResourceRequest, version: ResourceVersion, log: Log, deps: ResourceDeps): Promise<void> {
  const mirror = await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), (remote) => updateMirror(deps.cacheDir, request.source, remote));
  const trust = openResourceTrust(request.source.keys, log, { workers: false });
  const gate = await openGate({ repo: mirror.gitDir }, { trust });
  try {
    const tag = (await listTags(mirror.gitDir, request.source)).find((t) => t.name === version.ref);
    if (!tag) throw new GateClosedError(`tag ${version.ref} is not on the remote or does not match the tag filter`);
    if (version.commit && tag.commit !== version.commit) {
      throw new GateClosedError(`tag ${version.ref} now points at ${tag.commit}, not at the version's commit ${version.commit}`);
    }
    if (!tag.annotated) throw new GateClosedError(`tag ${version.ref} is a lightweight tag: it carries no signature (verify_tags)`);
    const report = await verifyTagIn(gate, tag.name);
    if (!report.ok) {
      log(`tag ${tag.name}: ${report.status}: ${report.reason ?? ''}`);
      throw new GateClosedError(`tag ${tag.name} is not signed by an allowed key (${report.status}); nothing was checked out`);
    }
  } finally {
    await gate.close();
    await trust.close();
  }
}

/** Concourse metadata for a verified commit: identities, date, subject, signer and verdict. */
export async function commitMetadata(repo: string, commit: string, report: RangeReport): Promise<Metadata> {
  const format = '%an <%ae>%x00%cn <%ce>%x00%cI%x00%s';
  const [author = '', committer = '', date = '', subject = ''] = (await git(['log', '-1', `--format=${format}`, commit, '--'], repo)).replace(/\n$/, '').split('\0');
  const entry: CommitReport | undefined = report.commits.find((c) => c.oid === commit);
  const metadata = [
    { name: 'commit', value: commit },
    { name: 'author', value: author },
    { name: 'committer', value: committer },
    { name: 'date', value: date },
    { name: 'message', value: subject },
  ];
  if (entry?.signer) {
    metadata.push({ name: 'signer_fingerprint', value: entry.signer.fingerprint }, { name: 'signer', value: entry.signer.userId ?? '' });
  }
  metadata.push({ name: 'verification', value: entry?.status ?? (report.ok ? 'valid' : report.status) });
  return metadata;
}
