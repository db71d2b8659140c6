import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isAncestor } from '../../git/refs.js';
import { git, runGit } from '../../git/run-git.js';
import type { Log } from '../protocol/types.js';
import { deepenUntilFound } from './in-deepen.js';
import type { InParams } from './in-params.js';
import type { InPlan } from './in-plan.js';
import type { TagObject } from './in-refs.js';
import { applyGitConfig } from './setup.js';
import type { ResourceSource } from './source.js';

/** The environment of siggate's own checkouts: LFS content is fetched and checked afterwards (in-lfs.ts), never smudged blindly. */
export const CHECKOUT_ENV = { GIT_LFS_SKIP_SMUDGE: '1' };

/** How to lay out the destination: the request's params, the source, the origin to record, the ref as messages name it. */
export interface LayoutOptions {
  params: InParams;
  source: ResourceSource;
  /** The source's uri without credentials: `remote.origin.url`. */
  origin: string;
  /** The version's ref as given (`HEAD` without one), for the deepen messages. */
  shownRef: string;
  log: Log;
}

/**
 * Build in `dir` what `git clone` followed by `git checkout REF` gives, from the quarantine only and only
 * from commits that passed the gate: origin = the source's uri, the branch at its (verified) tip with its
 * remote-tracking ref, the tags that point into the history written, `git_config` and sparse paths applied,
 * HEAD on the branch or detached at the version. With `depth`, the history is shallow and deepened as
 * git-resource does until the version is in it.
 */
export async function layOutCheckout(dir: string, plan: InPlan, options: LayoutOptions): Promise<void> {
  const { params, source } = options;
  const format = (await git(['rev-parse', '--show-object-format'], plan.quarantine)).trim();
  await git(['init', '--quiet', `--object-format=${format}`, ...(plan.branch ? ['--initial-branch', plan.branch] : []), dir], dirname(dir));
  const gitDir = join(dir, '.git');
  const single = params.allBranches || plan.branch === null ? [] : ['-t', plan.branch];
  await git(['remote', 'add', ...single, '--', 'origin', options.origin], dir);
  if (plan.branchTip && plan.branch) {
    await git(['config', `branch.${plan.branch}.remote`, 'origin'], dir);
    await git(['config', `branch.${plan.branch}.merge`, `refs/heads/${plan.branch}`], dir);
  }
  if (source.gitConfig.length > 0) await applyGitConfig(join(gitDir, 'config'), source.gitConfig, dir);
  await configureSparse(dir, gitDir, source.sparsePaths);
  const roots = await fetchHistory(dir, plan, options);
  await writeRefs(dir, plan);
  await copyTags(dir, plan, roots, options);
  const where = plan.onBranch && plan.branch ? [plan.branch] : ['--detach', plan.target];
  await git(['checkout', '--force', '--quiet', ...where, '--'], dir, { env: { ...process.env, ...CHECKOUT_ENV } });
}

/** git-resource's sparse checkout: `core.sparseCheckout` and the paths appended to `info/sparse-checkout` (patterns, not cones). */
async function configureSparse(dir: string, gitDir: string, paths: readonly string[]): Promise<void> {
  const joined = paths.join('\n');
  if (joined === '' || joined === '.') return;
  await git(['config', 'core.sparseCheckout', 'true'], dir);
  await mkdir(join(gitDir, 'info'), { recursive: true });
  await appendFile(join(gitDir, 'info', 'sparse-checkout'), `${joined}\n`);
}

/** Copy the verified histories from the quarantine (shallow with `depth`); returns the commits the refs will name. */
async function fetchHistory(dir: string, plan: InPlan, options: LayoutOptions): Promise<string[]> {
  const tips = [plan.branchTip, ...plan.otherBranches.values(), ...plan.fetchBranches.values(), ...plan.tagCommits].filter((c): c is string => c !== null);
  const roots = unique([plan.target, ...tips]);
  const depth = options.params.depth;
  if (depth === 0) {
    await fetchObjects(dir, plan.quarantine, roots);
    return roots;
  }
  // as `git clone --depth N --branch B`: the branch's last N commits, deepened until the version is in them
  const onTip = plan.branchTip !== null && (await isAncestor(plan.quarantine, plan.target, plan.branchTip));
  const fetched = onTip ? unique(tips) : roots;
  await fetchObjects(dir, plan.quarantine, fetched, ['--depth', String(depth)]);
  const has = async (rev: string): Promise<boolean> => (await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], dir)).code === 0;
  await deepenUntilFound(depth, {
    shown: options.shownRef,
    has: (n) => has(`${plan.target}~${n}`),
    shallow: async () => existsSync(join(dir, '.git', 'shallow')),
    deepen: (by) => fetchObjects(dir, plan.quarantine, fetched, ['--deepen', String(by)]),
    unshallow: () => fetchObjects(dir, plan.quarantine, fetched, ['--unshallow']),
  }, options.log);
  if (!(await has(plan.target))) await fetchObjects(dir, plan.quarantine, [plan.target], ['--depth', String(depth)]);
  return roots;
}

/** `git fetch` of objects by id from the quarantine (protocol v2 serves any object it has); refspecs on stdin. */
export async function fetchObjects(dir: string, quarantine: string, oids: readonly string[], extra: readonly string[] = []): Promise<void> {
  if (oids.length === 0) return;
  const args = ['-c', 'protocol.version=2', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', ...extra, '--stdin', '--', quarantine];
  await git(args, dir, { input: Buffer.from(`${oids.join('\n')}\n`) });
}

/** The branch and its remote-tracking ref, the other branches' remote-tracking refs, the `params.fetch` branches, `origin/HEAD`. */
async function writeRefs(dir: string, plan: InPlan): Promise<void> {
  const updates: string[] = [];
  if (plan.branch && plan.branchTip) updates.push(`create refs/heads/${plan.branch} ${plan.branchTip}`, `create refs/remotes/origin/${plan.branch} ${plan.branchTip}`);
  for (const [name, tip] of plan.otherBranches) updates.push(`create refs/remotes/origin/${name} ${tip}`);
  for (const [name, tip] of plan.fetchBranches) if (name !== plan.branch || !plan.branchTip) updates.push(`create refs/heads/${name} ${tip}`);
  if (updates.length > 0) await git(['update-ref', '--stdin'], dir, { input: Buffer.from(`${updates.join('\n')}\n`) });
  if (plan.defaultBranch && plan.branch && plan.branchTip) await git(['symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${plan.branch}`], dir);
}

/**
 * The tags a clone would have: `fetch_tags` unset, those pointing into the history fetched (git's tag
 * following); `true` or a tag mode, also those whose commits were fetched for them (each passed the gate);
 * `false`, none. Never a tag to a commit DEST does not hold.
 */
async function copyTags(dir: string, plan: InPlan, roots: readonly string[], options: LayoutOptions): Promise<void> {
  if (options.params.fetchTags === false || plan.tags.length === 0) return;
  const held = new Set((await git(['rev-list', '--stdin'], dir, { input: Buffer.from(`${roots.join('\n')}\n`) })).split('\n').filter(Boolean));
  const kept: TagObject[] = plan.tags.filter((tag) => held.has(tag.commit));
  const objects = kept.filter((tag) => tag.object !== tag.commit).map((tag) => tag.object);
  await fetchObjects(dir, plan.quarantine, unique(objects));
  if (kept.length > 0) await git(['update-ref', '--stdin'], dir, { input: Buffer.from(`${kept.map((tag) => `create refs/tags/${tag.name} ${tag.object}`).join('\n')}\n`) });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
