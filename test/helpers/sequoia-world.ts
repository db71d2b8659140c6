/**
 * A small repository under sequoia-git's policy, signed with the demo keys: the trust root R carries an
 * `openpgp-policy.toml` making alice a project maintainer (every right) and bob a committer.
 *
 *   P0 ── R        P0: unsigned, no policy; R: the trust root (unsigned: sq-git never checks it)
 */
import { GpgHome, type RevocationReason } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange, type RangeReport, type VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, type DemoWorld } from './world.js';

export type DemoName = 'alice' | 'bob' | 'mallory';
export type Right = 'sign_commit' | 'sign_tag' | 'sign_archive' | 'add_user' | 'retire_user' | 'audit';

export const MAINTAINER: readonly Right[] = ['sign_commit', 'sign_tag', 'sign_archive', 'add_user', 'retire_user', 'audit'];
export const COMMITTER: readonly Right[] = ['sign_commit'];

/** One `[authorization."name"]`: its rights and its keyring (demo names, or armored text). */
export interface Entry {
  name: string;
  rights: readonly Right[];
  keys: readonly (DemoName | { armored: string })[];
}

/** The repository and what its tests need. */
export interface SequoiaWorld {
  world: DemoWorld;
  repo: Repo;
  /** Commit ids by name: P0, R. */
  c: Record<string, string>;
  /** The demo public keys, armored as gpg exports them. */
  armored: Record<DemoName, string>;
  /** The policy at R. */
  base: Entry[];
  /** An `openpgp-policy.toml` as `sq-git policy authorize` writes it. */
  policy(entries: readonly Entry[], extra?: { version?: number; goodlist?: readonly string[] }): string;
  /** Commit `files` on top of HEAD (or `parents`), signed by a demo key. */
  commit(by: DemoName | null, files?: Record<string, string>, parents?: string[]): Promise<string>;
  /** A demo key's public certificate with its revocation merged in (made now, not imported into the signing home). */
  revoked(name: DemoName, reason: RevocationReason): Promise<string>;
  /** `verifyRange` under sequoia-git's policy from R (or `since`). */
  verify(target: string, extra?: Partial<VerifyRangeOptions>): Promise<RangeReport>;
}

/** Builds the repository. */
export async function sequoiaWorld(): Promise<SequoiaWorld> {
  const world = await demoWorld();
  const repo = await Repo.init();
  const armored = {} as Record<DemoName, string>;
  for (const name of ['alice', 'bob', 'mallory'] as const) armored[name] = await world.gpg.exportPublic(world.fingerprints[name]);
  const policy = (entries: readonly Entry[], extra: { version?: number; goodlist?: readonly string[] } = {}): string => {
    const lines = [`version = ${extra.version ?? 0}`, `commit_goodlist = [${(extra.goodlist ?? []).map((id) => JSON.stringify(id)).join(', ')}]`, ''];
    for (const entry of entries) {
      lines.push(`[authorization.${JSON.stringify(entry.name)}]`);
      for (const right of entry.rights) lines.push(`${right} = true`);
      const keyring = entry.keys.map((k) => (typeof k === 'string' ? armored[k] : k.armored)).join('');
      lines.push(`keyring = """\n${keyring}"""`, '');
    }
    return lines.join('\n');
  };
  const base: Entry[] = [
    { name: 'Alice <alice@example.org>', rights: MAINTAINER, keys: ['alice'] },
    { name: 'Bob <bob@example.org>', rights: COMMITTER, keys: ['bob'] },
  ];
  let counter = 0;
  const commit = (by: DemoName | null, files: Record<string, string> = {}, parents?: string[]): Promise<string> =>
    repo.commit({ message: `commit ${++counter}${by ? ` by ${by}` : ''}\n`, files: { [`file-${counter}.txt`]: `${counter}\n`, ...files }, ...(by ? { sign: world.as(by) } : {}), ...(parents ? { parents } : {}) });
  const c: Record<string, string> = {};
  c['P0'] = await commit(null);
  c['R'] = await commit(null, { 'openpgp-policy.toml': policy(base) });
  const revoked = async (name: DemoName, reason: RevocationReason): Promise<string> => {
    const certificate = await world.gpg.revocationCertificate(world.fingerprints[name], { reason });
    const other = await GpgHome.create();
    // importing a revocation updates the trust database, which trust-model always never creates
    await other.importKey(armored[name]);
    await other.gpg(['--trust-model', 'pgp', '--import'], { input: certificate });
    return other.exportPublic(world.fingerprints[name]);
  };
  const verify = (target: string, extra: Partial<VerifyRangeOptions> = {}): Promise<RangeReport> =>
    verifyRange({ repo: repo.dir, policy: 'sequoia', keysFromRepository: true, since: c['R']!, target, ...extra });
  return { world, repo, c, armored, base, policy, commit, revoked, verify };
}

/** Status by commit id. */
export function statusesOf(report: RangeReport): Map<string, string> {
  return new Map(report.commits.map((commit) => [commit.oid, commit.status]));
}
