import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GateClosedError, UsageError } from '../../core/errors.js';
import { isValidTagName } from '../../git/refs.js';
import { git, runGit } from '../../git/run-git.js';
import { remoteFailure, withRemote } from '../../remote/access.js';
import { FALLBACK_IDENTITY } from '../../signing/signer.js';
import { optionalString, shownValue } from '../protocol/json.js';
import { openResourceTrust } from '../protocol/source-keys.js';
import type { Log, ResourceDeps, ResourceOutput } from '../protocol/types.js';
import { commitMetadata } from './in.js';
import { parsePromotionParams, promoteFromOut } from './out-promote.js';
import { describeFailures } from './report-lines.js';
import { remoteSpecOf } from './source-remote.js';
import { parseBranch, usesTags, type ResourceRequest, type ResourceVersion } from './source.js';
import { verifyForPush } from './verify-for-push.js';

/** Bounds of the params that name files and refs. */
const PATH_MAX_BYTES = 4096;
const NAME_MAX_BYTES = 1024;

/** The `params` keys `out` accepts: git-resource's (its out_schema.json), then siggate's. */
export const OUT_PARAMS: ReadonlySet<string> = new Set([
  'repository', 'rebase', 'rebase_strategy', 'rebase_strategy_option', 'merge', 'returning', 'tag', 'only_tag', 'tag_prefix',
  'force', 'annotate', 'notes', 'branch', 'refs_prefix', 'debug', 'push_options',
  'promote', 'bump',
]);

interface OutParams {
  repository: string;
  tagFile: string | null;
  tagPrefix: string;
  annotateFile: string | null;
  branch: string | null;
}

/**
 * `out SRC`: verify the checkout's HEAD under the source's policy, then push it to `params.branch` and/or
 * as the tag named in `params.tag`, atomically. Nothing is tagged or pushed when verification fails.
 */
export async function putVersion(request: ResourceRequest, src: string | undefined, log: Log, deps: ResourceDeps): Promise<ResourceOutput<ResourceVersion>> {
  if (!src) throw new UsageError('out: the source directory argument is missing');
  const promotion = parsePromotionParams(request.params);
  const params = parseOutParams(request.params, promotion !== null);
  const repo = resolve(src, params.repository);
  if (!isDirectory(repo)) throw new UsageError(`params.repository ${shownValue(params.repository)} is not a directory under ${src}`);
  const commit = (await git(['rev-parse', '--verify', 'HEAD^{commit}'], repo)).trim();
  if (promotion) return promoteFromOut(request, repo, commit, promotion, log, deps);
  const tag = params.tagFile ? await readTagName(src, params) : null;
  const trust = openResourceTrust(request.source.keys, log, { workers: false });
  try {
    const report = await verifyForPush(request, repo, commit, trust, deps);
    if (!report.ok) {
      for (const line of describeFailures(report)) log(line);
      throw new GateClosedError(`commit ${commit} did not pass verification (${report.status}); nothing was pushed`);
    }
    const refspecs: string[] = [];
    if (params.branch) refspecs.push(`${commit}:refs/heads/${params.branch}`);
    if (tag) {
      await createTag(repo, tag, commit, params.annotateFile ? await readFile(resolve(src, params.annotateFile), 'utf8') : null);
      refspecs.push(`refs/tags/${tag}:refs/tags/${tag}`);
    }
    await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), async (remote) => {
      const pushed = await remote.git(['push', '--quiet', '--atomic', '--end-of-options', remote.url, ...refspecs], repo);
      if (pushed.code !== 0) throw remoteFailure(remote, 'pushing to', pushed.stderr);
    });
    log(`pushed ${commit}${params.branch ? ` to ${params.branch}` : ''}${tag ? ` as tag ${tag}` : ''}`);
    const version = tag && usesTags(request.source) ? { ref: tag, commit } : { ref: commit };
    return { version, metadata: await commitMetadata(repo, commit, report) };
  } finally {
    await trust.close();
  }
}

function parseOutParams(params: Record<string, unknown>, promoting: boolean): OutParams {
  const repository = optionalString(params, 'repository', 'params', PATH_MAX_BYTES);
  if (!repository) throw new UsageError('params.repository is required');
  const parsed = {
    repository,
    tagFile: optionalString(params, 'tag', 'params', PATH_MAX_BYTES),
    tagPrefix: optionalString(params, 'tag_prefix', 'params', NAME_MAX_BYTES) ?? '',
    annotateFile: optionalString(params, 'annotate', 'params', PATH_MAX_BYTES),
    branch: parseBranch(params, 'branch', 'params'),
  };
  if (promoting) {
    if (parsed.tagFile || parsed.branch || parsed.annotateFile) throw new UsageError('params.promote and params.bump go without params.tag, params.branch and params.annotate');
    return parsed;
  }
  if (!parsed.tagFile && !parsed.branch) throw new UsageError('out needs params.branch, params.tag, params.promote or params.bump: there is nothing to push');
  if (parsed.annotateFile && !parsed.tagFile) throw new UsageError('params.annotate needs params.tag');
  return parsed;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function readTagName(src: string, params: OutParams): Promise<string> {
  const file = resolve(src, params.tagFile!);
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new UsageError(`cannot read params.tag file ${params.tagFile}: ${(error as Error).message}`, { cause: error });
  });
  const name = `${params.tagPrefix}${text.trim()}`;
  if (name === params.tagPrefix || !(await isValidTagName(src, name))) {
    throw new UsageError(`"${name}" (from params.tag) is not a valid tag name`);
  }
  return name;
}

async function createTag(repo: string, name: string, commit: string, message: string | null): Promise<void> {
  // An annotated tag needs a tagger; a resource container usually has no git identity configured.
  const configured = async (key: string): Promise<boolean> => (await runGit(['config', '--get', key], repo)).code === 0;
  const hasIdentity = (await configured('user.name')) && (await configured('user.email'));
  const identity = hasIdentity ? [] : ['-c', `user.name=${FALLBACK_IDENTITY.name}`, '-c', `user.email=${FALLBACK_IDENTITY.email}`];
  const annotate = message === null ? [] : ['-a', '-m', message];
  await git([...identity, 'tag', '-f', ...annotate, '--', name, commit], repo);
}
