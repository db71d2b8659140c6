import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { armorSignature, forgeSignature, SIG_TYPE, type ForgedKey, type Subpacket } from '../../fixtures/lib/packet-forge.js';
import type { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { unsignedPayload } from './craft.js';
import { gnupgSays, type GnupgVerdict } from './gnupg-oracle.js';
import { makeKeysDir } from './world.js';

/** A commit signed by a forged key: its id, the exact payload and the armored signature over it. */
export interface ForgedCommit {
  oid: string;
  payload: Buffer;
  signature: string;
  at: Date;
}

/** A new commit object (HEAD untouched) whose signature the forge made at `at`, with any extra subpackets. */
export async function forgedCommit(
  repo: Repo,
  signer: ForgedKey,
  at: Date,
  options: { message?: string; hashed?: Subpacket[]; type?: number } = {},
): Promise<ForgedCommit> {
  const payload = await unsignedPayload(repo, options.message ?? `signed at ${at.toISOString()}\n`);
  const signature = armorSignature(
    forgeSignature({ type: options.type ?? SIG_TYPE.binary, signer, at, over: { document: payload }, ...(options.hashed ? { hashed: options.hashed } : {}) }),
  );
  return { oid: await repo.writeRawCommit(addSignatureHeader(payload, signature)), payload, signature, at };
}

/** siggate's status for the commit with exactly `keys` (armored certificates, one file each). */
export async function siggateSays(repo: Repo, keys: readonly string[], commit: ForgedCommit): Promise<string> {
  const files = Object.fromEntries(keys.map((key, i) => [`key-${i}.asc`, key]));
  const report = await verifyCommit({ repo: repo.dir, keys: [await makeKeysDir(files)], rev: commit.oid });
  return report.status;
}

/** GnuPG's verdict on the same commit signature, its clock at the signature's time. */
export function gnupgSaysAt(keys: readonly string[], commit: ForgedCommit): Promise<GnupgVerdict> {
  return gnupgSays(keys, commit.signature, commit.payload, commit.at);
}
