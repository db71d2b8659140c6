/**
 * A small Guix channel built with the demo keys: a keyring branch, history before the introduction, the
 * introduction (signed by alice, authorizing alice and bob), and one commit by bob on top.
 *
 *   P0 ── I ── A        P0: unsigned, no .guix-authorizations; I: the introduction; A: by bob
 */
import { readFile } from 'node:fs/promises';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import type { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange, type RangeReport, type VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, type DemoWorld } from './world.js';

export type DemoName = 'alice' | 'bob' | 'mallory';

/** A channel and what its tests need. */
export interface GuixWorld {
  world: DemoWorld;
  repo: Repo;
  gpg: GpgHome;
  /** Commit ids by name: P0, I, A. */
  c: Record<string, string>;
  /** The introduction's signer (alice's fingerprint). */
  introSigner: string;
  /** `.guix-authorizations` listing these fingerprints (names or raw fingerprints), with comments as real channels have. */
  authorizations(entries: readonly (DemoName | string)[]): string;
  /** A keyring branch `ref` (under refs/heads) holding these demo keys (alice armored, bob binary, mallory armored). */
  keyring(ref: string, names: readonly DemoName[]): Promise<string>;
  /** `verifyRange` under the channel's policy from the introduction. */
  verify(target: string, extra?: Partial<VerifyRangeOptions>): Promise<RangeReport>;
}

/** Builds the channel in a fresh repository. */
export async function guixWorld(): Promise<GuixWorld> {
  const world = await demoWorld();
  const repo = await Repo.init();
  const fingerprint = (entry: DemoName | string): string => (entry in world.fingerprints ? world.fingerprints[entry as DemoName] : entry);
  const spaced = (hex: string): string => (hex.length === 40 ? `${hex.slice(0, 20).match(/.{4}/g)!.join(' ')}  ${hex.slice(20).match(/.{4}/g)!.join(' ')}` : hex);
  const authorizations = (entries: readonly (DemoName | string)[]): string =>
    [
      ';; This is the list of OpenPGP keys authorized to sign commits in this repository.',
      '(authorizations',
      ' (version 0)',
      ` (${entries.map((e) => `(;; ${e}\n   "${spaced(fingerprint(e))}"\n   (name "${e.length > 10 ? 'someone' : e}"))`).join('\n  ')}))`,
      '',
    ].join('\n');
  const keyring = async (ref: string, names: readonly DemoName[]): Promise<string> => {
    const files: Record<string, string | Uint8Array> = {};
    for (const name of names) {
      const armored = await readFile(demoKeys[name].publicKeyPath, 'utf8');
      files[`${name}.key`] = name === 'bob' ? await world.gpg.exportPublicBinary(world.fingerprints.bob) : armored;
    }
    files['README'] = 'not a key\n';
    const oid = await repo.commit({ message: `keyring ${ref}\n`, files, parents: [], update: false, sign: world.as('alice') });
    await repo.setRef(`refs/heads/${ref}`, oid);
    return oid;
  };
  await keyring('keyring', ['alice', 'bob']);
  const c: Record<string, string> = {};
  c['P0'] = await repo.commit({ message: 'P0 before the introduction\n', files: { '.guix-channel': '(channel (version 0))\n' } });
  c['I'] = await repo.commit({ message: "Add '.guix-authorizations'\n", files: { '.guix-authorizations': authorizations(['alice', 'bob']) }, sign: world.as('alice') });
  c['A'] = await repo.commit({ message: 'A by bob\n', sign: world.as('bob') });
  const introSigner = spaced(world.fingerprints.alice);
  const verify = (target: string, extra: Partial<VerifyRangeOptions> = {}): Promise<RangeReport> =>
    verifyRange({ repo: repo.dir, policy: 'guix', keysFromRepository: true, since: c['I']!, introSigner, target, ...extra });
  return { world, repo, gpg: world.gpg, c, introSigner, authorizations, keyring, verify };
}

/** Status by commit id. */
export function statusesOf(report: RangeReport): Map<string, string> {
  return new Map(report.commits.map((commit) => [commit.oid, commit.status]));
}
