import { randomBytes } from 'node:crypto';
import { copyFile, readFile, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GitError, RepositoryError, UsageError } from '../core/errors.js';
import { writeFileAtomically } from '../files/atomic-file.js';
import { withLockFile } from '../files/lock-file.js';
import { thisHost } from '../files/owner.js';
import { sweepStaleFiles } from '../files/temp-dirs.js';
import { describeWorkAtStake, findWorkAtStake, type MovePlan } from './checkout-safety.js';
import { restoreTree } from './checkout-restore.js';
import type { ResolvedTarget } from './quarantine.js';
import { git, runGit } from './run-git.js';

/** An existing checkout at DIR's top level, as found before the fetch. */
export interface CheckoutDestination {
  kind: 'checkout';
  path: string;
  /** Its git directory (absolute): where siggate keeps its lock and journal. */
  gitDir: string;
  /** `remote.origin.url` as configured, or null. */
  origin: string | null;
}

/** How to move a checkout: `force` discards local work; `origin` (non-null) replaces `remote.origin.url`. */
export interface MoveOptions {
  force: boolean;
  origin: string | null;
}

/** Written before the work tree changes, removed once HEAD moved: a journal left behind marks an interrupted update. */
interface Journal extends MovePlan {
  pid: number;
  host: string;
}

const JOURNAL = 'siggate-update.json';
const LOCK = 'siggate.lock';
const REFLOG = 'siggate fetch';

/** Copy the verified commit and its history from the quarantine; nothing else from the remote reaches DIR. */
export async function copyCommit(repo: string, quarantine: string, commit: string): Promise<void> {
  // no gc or maintenance detached into the background of a checkout siggate writes
  await git(['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', quarantine, commit], repo);
}

/**
 * Move an existing checkout to the verified commit. Unless `force`, refuse (UsageError, nothing changed)
 * when that would discard commits the fetched history does not contain, changes to tracked files, or
 * untracked or ignored files the commit would overwrite. The work tree is switched with a separate index
 * file and a journal, so that a kill at any point leaves the old HEAD and index, or the new ones, and a
 * later run puts back the files of an interrupted switch (see {@link recoverInterruptedUpdate}).
 */
export async function moveCheckout(dest: CheckoutDestination, quarantine: string, target: ResolvedTarget, options: MoveOptions): Promise<boolean> {
  return withDestinationLock(dest, async () => {
    await recoverLocked(dest);
    const plan = await planMove(dest, target);
    if (!options.force) {
      const stake = await findWorkAtStake(dest.path, quarantine, plan);
      if (stake) throw new UsageError(describeWorkAtStake(dest.path, stake));
    }
    await copyCommit(dest.path, quarantine, target.commit);
    const journal: Journal = { pid: process.pid, host: thisHost(), ...plan };
    await writeFileAtomically(join(dest.gitDir, JOURNAL), Buffer.from(`${JSON.stringify(journal)}\n`));
    await applyMove(dest, journal, options.force);
    await rm(join(dest.gitDir, JOURNAL), { force: true });
    if (options.origin !== null) await setOrigin(dest.path, options.origin);
    return plan.from !== plan.to || plan.headRef !== branchRef(plan.toBranch);
  });
}

/**
 * Finish what a killed update left: with a journal in DIR's git directory, put back the old HEAD, index and
 * the files the update was changing (files it did not touch keep any later edit). Returns whether it did.
 */
export async function recoverInterruptedUpdate(dest: CheckoutDestination): Promise<boolean> {
  return withDestinationLock(dest, () => recoverLocked(dest));
}

function withDestinationLock<T>(dest: CheckoutDestination, body: () => Promise<T>): Promise<T> {
  const busy = (holder: { pid: number; host: string } | null): Error =>
    new UsageError(`${dest.path} is being updated by another siggate fetch${holder ? ` (process ${holder.pid} on ${holder.host})` : ''}`);
  return withLockFile(join(dest.gitDir, LOCK), { busy }, body);
}

async function recoverLocked(dest: CheckoutDestination): Promise<boolean> {
  // Under the lock no other siggate works here: every index file of ours is a killed run's
  await sweepStaleFiles(dest.gitDir, /^siggate-index-/, 0);
  const journal = await readJournal(dest.gitDir);
  if (journal === null) return false;
  await refuseWhileIndexLocked(dest);
  await undo(dest, journal);
  return true;
}

/** Switch the tree, then HEAD; a failure puts the old state back, a refusal by git (nothing written yet) is a UsageError. */
async function applyMove(dest: CheckoutDestination, journal: Journal, force: boolean): Promise<void> {
  try {
    await switchTree(dest, journal, force);
  } catch (error) {
    if (!refusedBeforeWriting(error)) throw await undoing(dest, journal, error);
    // git checks every path before it writes one: a file changed after our check, and nothing was written
    await rm(join(dest.gitDir, JOURNAL), { force: true });
    const reason = (error as GitError).stderr.trim().split('\n')[0]?.slice(0, 300) ?? '';
    throw new UsageError(`${dest.path} changed while siggate was updating it; nothing was changed (${reason})`, { cause: error });
  }
  try {
    await moveRefs(dest.path, journal);
  } catch (error) {
    throw await undoing(dest, journal, error);
  }
}

/** Put the old state back after a failure (not a kill); when that fails too, the journal stays for the next run. */
async function undoing(dest: CheckoutDestination, journal: Journal, error: unknown): Promise<unknown> {
  await undo(dest, journal).catch(() => {});
  return error;
}

/** read-tree's refusals, made while it checks the paths and before it writes any. */
function refusedBeforeWriting(error: unknown): boolean {
  return error instanceof GitError && /would be overwritten|not uptodate|would lose untracked files|would be removed by/i.test(error.stderr);
}

async function undo(dest: CheckoutDestination, journal: Journal): Promise<void> {
  if (journal.from === null) {
    // an unborn HEAD has nothing to go back to: finish the update instead
    await switchTree(dest, journal, true);
    await moveRefs(dest.path, journal);
  } else {
    await restoreRefs(dest.path, journal);
    await withIndexCopy(dest, (index) => restoreTree(dest.path, index, journal.from!, journal.to));
  }
  await rm(join(dest.gitDir, JOURNAL), { force: true });
}

async function readJournal(gitDir: string): Promise<Journal | null> {
  const path = join(gitDir, JOURNAL);
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  const oid = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value);
  const name = (value: unknown): value is string | null => value === null || typeof value === 'string';
  try {
    const value = JSON.parse(text) as Journal;
    if ((value.from === null || oid(value.from)) && oid(value.to) && name(value.headRef) && name(value.toBranch) && (value.branchBefore === null || oid(value.branchBefore))) return value;
  } catch {
    // reported below
  }
  throw new RepositoryError(`${path} is not a journal siggate can read; check \`git status\` there and remove the file`);
}

async function refuseWhileIndexLocked(dest: CheckoutDestination): Promise<void> {
  const index = await indexPathOf(dest.path);
  if (existsSync(`${index}.lock`)) {
    throw new UsageError(`${index}.lock exists: a git command is running in ${dest.path}, or one was killed; remove the file if none is running`);
  }
}

async function planMove(dest: CheckoutDestination, target: ResolvedTarget): Promise<MovePlan> {
  await refuseWhileIndexLocked(dest);
  const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], dest.path);
  const symbolic = await runGit(['symbolic-ref', '--quiet', 'HEAD'], dest.path);
  const before = target.branch ? await runGit(['rev-parse', '--verify', '--quiet', `${branchRef(target.branch)}^{commit}`], dest.path) : null;
  const text = (result: { code: number; stdout: Buffer } | null): string | null => (result && result.code === 0 ? result.stdout.toString('utf8').trim() : null);
  return { from: text(head), headRef: text(symbolic), to: target.commit, toBranch: target.branch, branchBefore: text(before) };
}

/** Switch the work tree and index from `plan.from` to `plan.to` through a copy of the index, renamed over it at the end. */
async function switchTree(dest: CheckoutDestination, plan: MovePlan, force: boolean): Promise<void> {
  await withIndexCopy(dest, async (index) => {
    if (force || plan.from === null) {
      await git(['read-tree', '--reset', '-u', plan.to], dest.path, { indexFile: index });
      return;
    }
    // read-tree -m trusts the index's stat data: refresh it first (in our copy; exit 1 only lists changes)
    await runGit(['update-index', '-q', '--refresh'], dest.path, { indexFile: index });
    await git(['read-tree', '-m', '-u', plan.from, plan.to], dest.path, { indexFile: index });
  });
}

/** Run `work` on a copy of DIR's index (git locks the copy, never `index.lock`), then rename the copy over the index. */
async function withIndexCopy(dest: CheckoutDestination, work: (index: string) => Promise<void>): Promise<void> {
  const index = await indexPathOf(dest.path);
  const copy = join(dest.gitDir, `siggate-index-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (existsSync(index)) await copyFile(index, copy);
    await work(copy);
    await rename(copy, index);
  } finally {
    await rm(copy, { force: true });
    await rm(`${copy}.lock`, { force: true });
  }
}

async function moveRefs(dir: string, plan: MovePlan): Promise<void> {
  if (plan.toBranch === null) {
    await git(['update-ref', '-m', REFLOG, '--no-deref', 'HEAD', plan.to], dir);
    return;
  }
  await git(['update-ref', '-m', REFLOG, branchRef(plan.toBranch)!, plan.to], dir);
  await git(['symbolic-ref', '-m', REFLOG, 'HEAD', branchRef(plan.toBranch)!], dir);
}

/** HEAD and the branch the update moved, as they were; a branch someone moved since is left alone. */
async function restoreRefs(dir: string, journal: Journal): Promise<void> {
  const ref = branchRef(journal.toBranch);
  if (ref !== null && journal.branchBefore !== journal.to) {
    const now = await runGit(['rev-parse', '--verify', '--quiet', ref], dir);
    if (now.code === 0 && now.stdout.toString('utf8').trim() === journal.to) {
      if (journal.branchBefore !== null) await git(['update-ref', '-m', `${REFLOG}: interrupted, undone`, ref, journal.branchBefore, journal.to], dir);
      else await git(['update-ref', '-d', ref, journal.to], dir);
    }
  }
  if (journal.headRef !== null) await git(['symbolic-ref', '-m', `${REFLOG}: interrupted, undone`, 'HEAD', journal.headRef], dir);
  else await git(['update-ref', '-m', `${REFLOG}: interrupted, undone`, '--no-deref', 'HEAD', journal.from!], dir);
}

async function setOrigin(dir: string, url: string): Promise<void> {
  const has = (await runGit(['config', '--get', 'remote.origin.url'], dir)).code === 0;
  await git(has ? ['remote', 'set-url', 'origin', url] : ['remote', 'add', 'origin', url], dir);
}

async function indexPathOf(dir: string): Promise<string> {
  return resolve(dir, (await git(['rev-parse', '--git-path', 'index'], dir)).trim());
}

function branchRef(branch: string | null): string | null {
  return branch === null ? null : `refs/heads/${branch}`;
}
