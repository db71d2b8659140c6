// A work repository and the bare remote a resource's `check` reads, built the way git-resource's own tests
// build theirs: commits touching named files, messages, branches, merges and tags, all signed by alice unless
// told otherwise, pushed with `git push --mirror` (every branch and tag, moved and deleted ones too).
import { readFile } from 'node:fs/promises';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import type { DemoWorld } from './world.js';

/** Who signs a commit or tag: a demo key, or nobody. */
export type Signer = 'alice' | 'bob' | 'mallory' | null;

export interface CommitSpec {
  /** The file the commit changes (default `some-file`); null: an empty commit. */
  file?: string | null;
  message?: string;
  signer?: Signer;
  date?: Date;
}

/** A remote and the work repository that pushes to it. */
export class CheckRemote {
  private n = 0;

  private constructor(
    readonly world: DemoWorld,
    readonly work: Repo,
    readonly bare: Repo,
  ) {}

  static async create(world: DemoWorld): Promise<CheckRemote> {
    return new CheckRemote(world, await Repo.init(), await Repo.init({ bare: true }));
  }

  get uri(): string {
    return `file://${this.bare.dir}`;
  }

  /** A commit on the current branch; returns its oid. */
  async commit(spec: CommitSpec = {}): Promise<string> {
    const file = spec.file === undefined ? 'some-file' : spec.file;
    const signer = spec.signer === undefined ? 'alice' : spec.signer;
    return this.work.commit({
      message: `${spec.message ?? `commit ${++this.n}`}\n`,
      files: file === null ? {} : { [file]: `${++this.n}\n` },
      ...(signer ? { sign: this.world.as(signer) } : {}),
      ...(spec.date ? { date: spec.date } : {}),
    });
  }

  /** Switch to `branch`, created at `from` (default: the current commit) when it does not exist. */
  async onBranch(branch: string, from?: string): Promise<void> {
    const exists = (await this.work.gitRaw(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { allowFailure: true })).code === 0;
    await this.work.checkout(branch, exists ? {} : { create: true, ...(from ? { startPoint: from } : {}) });
  }

  /** `git merge --no-ff branch` into the current branch, signed by alice. */
  async merge(branch: string, signer: Signer = 'alice'): Promise<string> {
    return this.work.merge(branch, signer ? { sign: this.world.as(signer) } : {});
  }

  /** An annotated tag (unsigned unless `signer`), moved if it exists; `date` orders tags as git's creatordate does. */
  async tag(name: string, options: { target?: string; signer?: Signer; date?: Date; lightweight?: boolean } = {}): Promise<void> {
    await this.work.gitRaw(['tag', '-d', name], { allowFailure: true });
    await this.work.tag(name, {
      ...(options.target ? { target: options.target } : {}),
      ...(options.signer ? { sign: this.world.as(options.signer) } : {}),
      ...(options.date ? { date: options.date } : {}),
      ...(options.lightweight ? { lightweight: true } : {}),
    });
  }

  /** Make the remote hold exactly the work repository's branches and tags. */
  async push(): Promise<void> {
    await this.work.git('push', '--quiet', '--mirror', this.bare.dir);
  }
}

/** The armored public keys of alice and bob: what `commit_verification_keys` holds in these tests. */
export async function allowedKeys(): Promise<string[]> {
  return [await readFile(demoKeys.alice.publicKeyPath, 'utf8'), await readFile(demoKeys.bob.publicKeyPath, 'utf8')];
}

/**
 * A time `seconds` after a fixed point, whole seconds: tags and commits ordered by date, never by the clock.
 * The point is after the demo keys were made (2026-11-22) and before today.
 */
export function at(seconds: number): Date {
  return new Date(Date.UTC(2026, 10, 24) + seconds * 1000);
}
