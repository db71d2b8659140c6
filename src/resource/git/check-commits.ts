import { peelCommit } from '../../git/refs.js';
import { git } from '../../git/run-git.js';
import type { ResourceSource } from './source.js';

/**
 * Which commits git-resource's `check` considers (its check:L163-237), computed by git itself so that
 * pathspecs and message patterns mean exactly what they meant there. Selection only: whether a version
 * may be yielded is the gate's decision, made afterwards on every selected commit.
 */
export interface CommitWalk {
  gitDir: string;
  /** Where the walk starts: the mirror's revisions (the branch; in tag mode every branch and tag). */
  revisions: readonly string[];
  /** The version's commit, or null when there is no usable version. */
  cursor: string | null;
}

/** git-resource's ci-skip patterns: git's basic regular expressions, `\s` any one whitespace character. */
const CI_SKIP_PATTERNS = ['\\[ci\\sskip\\]', '\\[skip\\sci\\]'];

/** One `git rev-list --grep` filter over the commit messages. */
interface GrepStage {
  patterns: readonly string[];
  invert: boolean;
  allMatch: boolean;
}

/**
 * The commit a version names in the mirror, or null: git-resource ignores a version that names no object
 * (`bogus-ref`, a commit the remote no longer has) and checks as if there were none. In tag modes the
 * version is a tag name, which wins over any other meaning of the name.
 */
export async function resolveCursor(gitDir: string, ref: string, tagMode: boolean): Promise<string | null> {
  if (tagMode) {
    const tagged = await peelCommit(gitDir, `refs/tags/${ref}`);
    if (tagged) return tagged;
  }
  return peelCommit(gitDir, ref);
}

/**
 * The candidate commits, newest first: `git rev-list --first-parent` from the walk's revisions, above the
 * cursor's parent (`REF~1..`; the whole history when the cursor is a root commit), limited to commits that
 * change `paths` outside `ignore_paths`, then `commit_filter.include`, `commit_filter.exclude` and the ci-skip
 * markers. With `limit`, only the first (newest) `limit` of them.
 */
export async function candidateCommits(walk: CommitWalk, source: ResourceSource, limit: number | null = null): Promise<string[]> {
  const [first, ...rest] = grepStages(source);
  const bound = await lowerBound(walk);
  if (bound === false) return [];
  // git stops walking after `limit` commits that pass its filters: a first check of a long history reads little
  const max = limit !== null && rest.length === 0 ? [`--max-count=${limit}`] : [];
  const base = ['rev-list', '--first-parent', ...max, ...(first ? grepArgs(first) : []), ...walk.revisions, ...(bound ? [`^${bound}`] : [])];
  let list = lines(await git([...base, '--', ...pathspecOf(source)], walk.gitDir));
  for (const stage of rest) {
    if (list.length === 0) break;
    const input = Buffer.from(`${list.join('\n')}\n`);
    list = lines(await git(['rev-list', '--stdin', '--no-walk=unsorted', ...grepArgs(stage)], walk.gitDir, { input }));
  }
  return limit !== null ? list.slice(0, limit) : list;
}

/**
 * Below which commit candidates stop: the cursor's first parent (`REF~1..`); null without a cursor or
 * when the cursor is a root commit of the walk (the whole history, also for a second root merged in);
 * false for a root commit the walk does not reach, where git-resource's `REF~1` fails and nothing is listed.
 */
export async function lowerBound(walk: CommitWalk): Promise<string | null | false> {
  if (!walk.cursor) return null;
  const parent = await peelCommit(walk.gitDir, `${walk.cursor}~1`);
  if (parent) return parent;
  const roots = lines(await git(['rev-list', '--max-parents=0', ...walk.revisions, '--'], walk.gitDir));
  return roots.includes(walk.cursor) ? null : false;
}

/**
 * Branch-mode versions, oldest first. With a version: every candidate from it on (`version_depth` does not
 * apply). Without one: the newest candidate and, for a `version_depth` above 1, the commits git-resource's
 * `git rev-list --stdin --date-order --no-walk=unsorted -N` gives: `-N` turns the walk back on (git resets
 * `--no-walk` for a count), so the older versions are the first commits of a date-ordered walk of every
 * parent from the candidates, filtered or not. The gate judges each of them like any other version.
 */
export async function branchVersions(walk: CommitWalk, source: ResourceSource): Promise<string[]> {
  if (walk.cursor) return (await candidateCommits(walk, source)).reverse();
  if (source.versionDepth === 1) return candidateCommits(walk, source, 1);
  const candidates = await candidateCommits(walk, source);
  if (candidates.length === 0) return [];
  const input = Buffer.from(`${candidates.join('\n')}\n`);
  return lines(await git(['rev-list', '--stdin', '--date-order', '--no-walk=unsorted', `-${source.versionDepth}`], walk.gitDir, { input })).reverse();
}

/**
 * git-resource's pathspec: none when `paths` is `.` (its default) and nothing is ignored; otherwise the
 * paths (git's globs: `*` also matches `/`) and each ignored path as a `:!` exclusion. Each path is one
 * pathspec (git-resource split them at spaces).
 */
export function pathspecOf(source: ResourceSource): string[] {
  const paths = source.paths.length > 0 ? source.paths : ['.'];
  if (source.ignorePaths.length === 0 && paths.length === 1 && paths[0] === '.') return [];
  return [...paths, ...source.ignorePaths.map((path) => `:!${path}`)];
}

/**
 * The message filters in git-resource's order. Exclusions and ci-skip are one inverted stage when
 * `exclude_all_match` is off (matching none of A and none of B is matching none of A and B).
 */
function grepStages(source: ResourceSource): GrepStage[] {
  const { include, exclude, includeAllMatch, excludeAllMatch } = source.commitFilter;
  const ciSkip = source.disableCiSkip ? [] : CI_SKIP_PATTERNS;
  const stages: GrepStage[] = [];
  if (include.length > 0) stages.push({ patterns: include, invert: false, allMatch: includeAllMatch });
  if (exclude.length > 0 && excludeAllMatch) {
    stages.push({ patterns: exclude, invert: true, allMatch: true });
    if (ciSkip.length > 0) stages.push({ patterns: ciSkip, invert: true, allMatch: false });
  } else if (exclude.length + ciSkip.length > 0) {
    stages.push({ patterns: [...exclude, ...ciSkip], invert: true, allMatch: false });
  }
  return stages;
}

function grepArgs(stage: GrepStage): string[] {
  return [...stage.patterns.map((pattern) => `--grep=${pattern}`), ...(stage.invert ? ['--invert-grep'] : []), ...(stage.allMatch ? ['--all-match'] : [])];
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
