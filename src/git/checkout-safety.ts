import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../core/errors.js';
import { git, runGit } from './run-git.js';

/** A checkout's move: from its HEAD (null: unborn) and symbolic ref (null: detached) to a commit, and the branch it takes. */
export interface MovePlan {
  from: string | null;
  headRef: string | null;
  to: string;
  toBranch: string | null;
  /** What `toBranch` pointed at in the checkout before (null: no such branch). */
  branchBefore: string | null;
}

/** Some of the items of one kind, and how many there are. */
export interface Items {
  shown: string[];
  total: number;
}

/** What a move would discard. */
export interface WorkAtStake {
  commits: Items;
  changed: Items;
  untracked: Items;
}

/** How many items of each kind a message names. */
const SHOWN = 5;

/**
 * What moving the checkout would discard, read without writing anything in it (no index refresh, no lock):
 * commits that would lose their last ref or HEAD and that the fetched history (every ref in the quarantine,
 * and the target) does not contain; staged or unstaged changes to tracked files; untracked or ignored files
 * where the target has a file (git keeps other untracked files, and so does siggate). Null when nothing is.
 */
export async function findWorkAtStake(dir: string, quarantine: string, plan: MovePlan): Promise<WorkAtStake | null> {
  const [lost, changed, untracked] = await Promise.all([lostCommits(dir, quarantine, plan), changedTrackedFiles(dir), overwrittenUntracked(dir, quarantine, plan.to)]);
  if (lost.length === 0 && changed.length === 0 && untracked.length === 0) return null;
  return { commits: { shown: await describeCommits(dir, lost.slice(0, SHOWN)), total: lost.length }, changed: items(changed), untracked: items(untracked) };
}

/** The refusal message: each kind of work at stake with a few examples and a count. */
export function describeWorkAtStake(dir: string, stake: WorkAtStake): string {
  const lines: string[] = [];
  const list = (what: Items): string => `${what.shown.join(', ')}${what.total > what.shown.length ? `, and ${what.total - what.shown.length} more` : ''}`;
  if (stake.commits.total > 0) lines.push(`${count(stake.commits.total, 'commit')} that the fetched history does not contain: ${list(stake.commits)}`);
  if (stake.changed.total > 0) lines.push(`changes to ${count(stake.changed.total, 'tracked file')}: ${list(stake.changed)}`);
  if (stake.untracked.total > 0) lines.push(`${count(stake.untracked.total, 'untracked or ignored file')} the fetched commit would overwrite: ${list(stake.untracked)}`);
  return `refusing to update ${dir}: that would discard\n${lines.map((line) => `  - ${line}`).join('\n')}\nnothing was changed; pass --force to discard them`;
}

function items(all: string[]): Items {
  return { shown: all.slice(0, SHOWN).map((path) => clip(path)), total: all.length };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

async function describeCommits(dir: string, oids: string[]): Promise<string[]> {
  if (oids.length === 0) return [];
  const out = await git(['log', '--no-show-signature', '--no-walk=unsorted', '--format=%h %s', ...oids, '--'], dir);
  return out.split('\n').filter((line) => line !== '').map((line) => clip(line));
}

/** Commits only the old HEAD or the overwritten branch reach, and that the fetched history does not contain. */
async function lostCommits(dir: string, quarantine: string, plan: MovePlan): Promise<string[]> {
  const tips = new Set<string>();
  if (plan.headRef === null && plan.from !== null && plan.from !== plan.to) tips.add(plan.from);
  if (plan.branchBefore !== null && plan.branchBefore !== plan.to) tips.add(plan.branchBefore);
  if (tips.size === 0) return [];
  const kept = await refCommits(dir, plan.toBranch === null ? null : `refs/heads/${plan.toBranch}`);
  const fetched = [...(await refCommits(quarantine, null)), plan.to];
  // the quarantine's tips bound the walk where the checkout has them; the others are not in it
  const local = lines(await git(['rev-list', '--ignore-missing', '--stdin'], dir, { input: stdinOf([...tips], [...kept, ...fetched]) }));
  if (local.length === 0) return [];
  const present = await commitsIn(quarantine, local);
  if (present.size === 0) return local;
  const unreached = new Set(lines(await git(['rev-list', '--stdin'], quarantine, { input: stdinOf([...present], fetched) })));
  return local.filter((oid) => !present.has(oid) || unreached.has(oid));
}

/** The commits the refs of `repo` point at (tags peeled), but for `except`. */
async function refCommits(repo: string, except: string | null): Promise<string[]> {
  const out = await git(['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)'], repo);
  const commits: string[] = [];
  for (const line of lines(out)) {
    const [name, type, oid, peeledType, peeled] = line.split('\0');
    if (name === except) continue;
    if (type === 'commit' && oid) commits.push(oid);
    else if (type === 'tag' && peeledType === 'commit' && peeled) commits.push(peeled);
  }
  return commits;
}

async function commitsIn(repo: string, oids: string[]): Promise<Set<string>> {
  const out = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], repo, { input: Buffer.from(`${oids.join('\n')}\n`) });
  return new Set(lines(out).filter((line) => line.endsWith(' commit')).map((line) => line.split(' ')[0]!));
}

/** Staged or unstaged changes to tracked files; `--no-optional-locks`: status must not refresh (write) the index. */
async function changedTrackedFiles(dir: string): Promise<string[]> {
  const args = ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=no', '--ignore-submodules=none'];
  const result = await runGit(args, dir);
  if (result.code !== 0) throw new GitError(`git status failed in ${dir}: ${result.stderr.trim().slice(0, 500)}`, args, result.stderr);
  const tokens = result.stdout.toString('utf8').split('\0');
  const paths: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const entry = tokens[i]!;
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // a rename or copy is followed by its source path
    if (entry[0] === 'R' || entry[0] === 'C') i += 1;
  }
  return paths;
}

/** Untracked or ignored entries where the target commit has a file, or has a directory where they are a file. */
async function overwrittenUntracked(dir: string, quarantine: string, to: string): Promise<string[]> {
  const target = (await git(['ls-tree', '-r', '-z', '--name-only', '--full-tree', to], quarantine)).split('\0').filter(Boolean);
  const tracked = new Set((await git(['ls-files', '-z'], dir)).split('\0').filter(Boolean));
  const found = new Set<string>();
  const directories = new Set<string>();
  for (const path of target) {
    if (tracked.has(path)) continue;
    const blocker = await blockingEntry(dir, path, tracked, directories);
    if (blocker !== null) found.add(blocker);
  }
  return [...found];
}

async function blockingEntry(dir: string, path: string, tracked: Set<string>, directories: Set<string>): Promise<string | null> {
  const parts = path.split('/');
  for (let depth = 1; depth < parts.length; depth += 1) {
    const prefix = parts.slice(0, depth).join('/');
    if (directories.has(prefix)) continue;
    const entry = await lstat(join(dir, prefix)).catch(() => null);
    if (entry === null) return null;
    if (!entry.isDirectory()) return tracked.has(prefix) ? null : prefix;
    directories.add(prefix);
  }
  const entry = await lstat(join(dir, path)).catch(() => null);
  if (entry === null) return null;
  if (!entry.isDirectory()) return path;
  // a directory where a file will be: git removes the tracked files in it, and must not remove anything else
  const others = await git(['--literal-pathspecs', 'ls-files', '-z', '--others', '--', path], dir);
  return others === '' ? null : `${path}/`;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

function stdinOf(positive: readonly string[], negative: readonly string[]): Buffer {
  return Buffer.from([...positive, ...negative.map((oid) => `^${oid}`)].join('\n') + '\n');
}
