import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { makeOwnedTempDir, removeOwnedTempDir, sweepStaleTempDirs } from '../files/temp-dirs.js';
import { copyCommit, moveCheckout, type CheckoutDestination, type MoveOptions } from './checkout-update.js';
import { git, runGit } from './run-git.js';
import type { ResolvedTarget } from './quarantine.js';

export type { CheckoutDestination, MoveOptions } from './checkout-update.js';
export { recoverInterruptedUpdate } from './checkout-update.js';

/** The destination before anything is written: absent (or an empty directory), or a checkout to update. */
export type Destination = { kind: 'new'; path: string } | CheckoutDestination;

/**
 * Inspect DIR without changing it; anything but nothing, an empty directory or a checkout's top level is a
 * usage error. Staging directories killed runs left beside DIR are removed on the way (see `makeOwnedTempDir`).
 */
export async function inspectDestination(into: string): Promise<Destination> {
  const path = resolve(into);
  await sweepStaleTempDirs(dirname(path), stagingPrefix(path));
  if (!existsSync(path)) return { kind: 'new', path };
  if (!lstatSync(path).isDirectory()) throw new UsageError(`${into} exists and is not a directory`);
  if ((await readdir(path)).length === 0) return { kind: 'new', path };
  const top = await runGit(['rev-parse', '--show-toplevel'], path);
  if (top.code !== 0 || realpathSync(top.stdout.toString('utf8').trim()) !== realpathSync(path)) {
    throw new UsageError(`${into} is neither empty nor the top of a git checkout; refusing to write into it`);
  }
  const gitDir = (await git(['rev-parse', '--absolute-git-dir'], path)).trim();
  const origin = await runGit(['config', '--get', 'remote.origin.url'], path);
  return { kind: 'checkout', path, gitDir, origin: origin.code === 0 ? origin.stdout.toString('utf8').trim() : null };
}

/**
 * Put the verified commit in place; returns whether the destination changed. Only called after the gate
 * passed. A checkout is updated only when that discards nothing of the user's (see `moveCheckout`).
 */
export async function placeCheckout(destination: Destination, quarantine: string, target: ResolvedTarget, remoteUrl: string, options: MoveOptions): Promise<boolean> {
  if (destination.kind === 'checkout') return moveCheckout(destination, quarantine, target, options);
  await createCheckout(destination.path, quarantine, target, remoteUrl);
  return true;
}

/**
 * Build the checkout in a sibling staging directory and rename it into place, so that DIR either does
 * not exist or holds the complete verified checkout, never a half-written one. A staging directory a
 * killed run left beside DIR is removed by a later run.
 */
async function createCheckout(path: string, quarantine: string, target: ResolvedTarget, remoteUrl: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const staging = await makeOwnedTempDir(dirname(path), stagingPrefix(path));
  try {
    await git(['init', '--quiet', staging], staging);
    await copyCommit(staging, quarantine, target.commit);
    const where = target.branch ? ['-B', target.branch, target.commit] : ['--detach', target.commit];
    await git(['checkout', '--quiet', '--force', ...where], staging);
    // Credentials were split off the URL before; this one is safe to store
    await git(['remote', 'add', 'origin', remoteUrl], staging);
    // rename(2) replaces an empty directory atomically
    await rename(staging, path);
  } finally {
    // after the rename there is nothing left to remove

    await removeOwnedTempDir(staging);
  }
}

/** `.DIR.siggate-`: the staging directories of DIR, beside it. */
function stagingPrefix(path: string): string {
  return `.${basename(path)}.siggate-`;
}
