import { git } from '../../git/run-git.js';
import type { Log } from '../protocol/types.js';
import { candidateCommits, lowerBound, resolveCursor, type CommitWalk } from './check-commits.js';
import { listTags, type Mirror, type TagEntry } from './mirror.js';
import type { ResourceSource, ResourceVersion } from './source.js';

/** A version selected, before the gate: the commit to verify, and in tag modes the tags that select it. */
export interface SelectedVersion {
  version: ResourceVersion;
  commit: string;
  /** match_tagged: the tag; match_tag_ancestors: the matching tags that point at or contain the commit. */
  tags: TagEntry[];
}

/**
 * Tag-mode versions as git-resource selects them (check:L239-334), oldest first, before the gate.
 * The tags: those matching the filter (merged into `source.branch` when one is set); with a version, those
 * containing it (with a branch) or those listed from it on (without one). `match_tagged`: the tags whose commit
 * is a candidate commit, the newest `version_depth` of them, as `{ref: TAG, commit}`. `match_tag_ancestors`:
 * the candidate commits that one of those tags points at or contains, the newest `version_depth`, as `{ref: COMMIT}`.
 */
export async function tagVersions(mirror: Mirror, source: ResourceSource, version: ResourceVersion | null, log: Log): Promise<SelectedVersion[]> {
  const cursor = version ? await resolveCursor(mirror.gitDir, version.ref, true) : null;
  if (version && !cursor) log(`version ${version.ref} is not in the repository; checking as if there were none`);
  const tags = await cursorTags(mirror.gitDir, source, version && cursor ? { name: version.ref, commit: cursor } : null);
  if (tags.length === 0) return [];
  const walk: CommitWalk = { gitDir: mirror.gitDir, revisions: mirror.revisions, cursor };
  const candidates = await candidateCommits(walk, source);
  if (source.tagBehaviour === 'match_tagged') {
    const listed = new Set(candidates);
    return tags
      .filter((tag) => listed.has(tag.commit))
      .slice(-source.versionDepth)
      .map((tag) => ({ version: { ref: tag.name, commit: tag.commit }, commit: tag.commit, tags: [tag] }));
  }
  const tagged = new Set(tags.map((tag) => tag.commit));
  const contained = await reachableFrom(walk, [...tagged]);
  const commits = candidates
    .reverse()
    .filter((commit) => tagged.has(commit) || contained.has(commit))
    .slice(-source.versionDepth);
  const selected: SelectedVersion[] = [];
  for (const commit of commits) selected.push({ version: { ref: commit }, commit, tags: await tagsContaining(mirror.gitDir, tags, commit) });
  return selected;
}

/** Which of `tags` point at `commit` or contain it (`git tag --contains`). */
async function tagsContaining(gitDir: string, tags: readonly TagEntry[], commit: string): Promise<TagEntry[]> {
  const out = await git(['for-each-ref', '--contains', commit, '--format=%(refname:strip=2)', 'refs/tags'], gitDir);
  const names = new Set(out.split('\n'));
  return tags.filter((tag) => names.has(tag.name));
}

/** The tags a check starts from (git-resource's cursor rule). */
async function cursorTags(gitDir: string, source: ResourceSource, cursor: { name: string; commit: string } | null): Promise<TagEntry[]> {
  if (!cursor) return listTags(gitDir, source);
  if (source.branch) return listTags(gitDir, source, { contains: cursor.commit });
  // without a branch, the tags listed from the version's own name on; none when the version is not one of them
  const tags = await listTags(gitDir, source);
  const start = tags.findIndex((tag) => tag.name === cursor.name);
  return start < 0 ? [] : tags.slice(start);
}

/** The commits reachable from `tips` (all parents, as `git tag --contains` sees them), above the walk's cursor. */
async function reachableFrom(walk: CommitWalk, tips: readonly string[]): Promise<Set<string>> {
  // every candidate is above the cursor's parent: nothing below it is needed
  const bound = await lowerBound(walk);
  if (bound === false) return new Set();
  const input = Buffer.from(`${[...tips, ...(bound ? [`^${bound}`] : [])].join('\n')}\n`);
  const out = await git(['rev-list', '--stdin'], walk.gitDir, { input });
  return new Set(out.split('\n').filter((line) => line !== ''));
}
