import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { git, runGit } from './run-git.js';
import type { ResolvedTarget } from './quarantine.js';

/** The destination before anything is written: absent (or an empty directory), or a checkout to update. */
export type Destination = { kind: 'new'; path: string } | { kind: 'checkout'; path: string; head: string | null };

/** Inspect DIR without changing it; anything but nothing, an empty directory or a checkout's top level is a usage error. */
export async function inspectDestination(into: string): Promise<Destination> {
  const path = resolve(into);
  if (!existsSync(path)) return { kind: 'new', path };
  if (!lstatSync(path).isDirectory()) throw new UsageError(`${into} exists and is not a directory`);
  if ((await readdir(path)).length === 0) return { kind: 'new', path };
  const top = await runGit(['rev-parse', '--show-toplevel'], path);
  if (top.code !== 0 || realpathSync(top.stdout.toString('utf8').trim()) !== realpathSync(path)) {
    throw new UsageError(`${into} is neither empty nor the top of a git checkout; refusing to write into it`);
  }
  const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD'], path);
  return { kind: 'checkout', path, head: head.code === 0 ? head.stdout.toString('utf8').trim() : null };
}

/** Put the verified commit in place; returns whether the destination changed. Only called after the gate passed. */
export async function placeCheckout(destination: Destination, quarantine: string, target: ResolvedTarget, remoteUrl: string): Promise<boolean> {
  if (destination.kind === 'checkout') return updateCheckout(destination, quarantine, target);
  await createCheckout(destination.path, quarantine, target, remoteUrl);
  return true;
}

/**
 * Build the checkout in a sibling staging directory and rename it into place, so that DIR either does
 * not exist or holds the complete verified checkout, never a half-written one.
 */
async function createCheckout(path: string, quarantine: string, target: ResolvedTarget, remoteUrl: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const staging = await mkdtemp(join(dirname(path), `.${basename(path)}.siggate-`));
  try {
    await git(['init', '--quiet', staging], staging);
    await copyCommit(staging, quarantine, target.commit);
    await checkOut(staging, target);
    // Credentials were split off the URL before; this one is safe to store
    await git(['remote', 'add', 'origin', remoteUrl], staging);
    // rename(2) replaces an empty directory atomically
    await rename(staging, path);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function updateCheckout(destination: Destination & { kind: 'checkout' }, quarantine: string, target: ResolvedTarget): Promise<boolean> {
  await copyCommit(destination.path, quarantine, target.commit);
  const before = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], destination.path).catch(() => null);
  await checkOut(destination.path, target);
  return destination.head !== target.commit || (before?.trim() ?? null) !== target.branch;
}

/** Copy the verified commit and its history from the quarantine; nothing else from the remote reaches DIR. */
async function copyCommit(repo: string, quarantine: string, commit: string): Promise<void> {
  await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', quarantine, commit], repo);
}

/** Check out exactly the verified tree: local changes to tracked files are discarded. */
async function checkOut(repo: string, target: ResolvedTarget): Promise<void> {
  const where = target.branch ? ['-B', target.branch, target.commit] : ['--detach', target.commit];
  await git(['checkout', '--quiet', '--force', ...where], repo);
}
