/**
 * sequoia-git's `openpgp-policy.toml` (draft-nhw-openpgp-supply-chain-security-vcs, sequoia-git 0.4.0
 * `src/policy.rs`): who may sign what, each entity with its capabilities and its keyring of armored
 * certificates. Pure: bytes in, a policy or the reason it cannot be read out.
 */
import { parseTomlSubset, TomlSubsetError, type TomlTable, type TomlValue } from './toml-subset.js';

/** The file, at the root of a commit's tree. */
export const SEQUOIA_POLICY_FILE = 'openpgp-policy.toml';

/** The six capabilities, as the file names them. */
export const RIGHTS = ['sign_commit', 'sign_tag', 'sign_archive', 'add_user', 'retire_user', 'audit'] as const;
export type Right = (typeof RIGHTS)[number];

/** One `[authorization."name"]` table. */
export interface SequoiaAuthorization {
  name: string;
  rights: ReadonlySet<Right>;
  /** The armored certificates, exactly as written (compared byte for byte before anything is parsed). */
  keyring: string;
}

/** A policy as sequoia-git reads it. */
export interface SequoiaPolicy {
  version: bigint;
  /** Commit ids, lower-cased. */
  goodlist: readonly string[];
  authorizations: ReadonlyMap<string, SequoiaAuthorization>;
}

export type ParsedSequoiaPolicy = { ok: true; policy: SequoiaPolicy } | { ok: false; problem: string };

/**
 * Read an `openpgp-policy.toml`. Unknown keys are ignored (as the specification asks), but a known key of
 * the wrong type, a missing `keyring`, invalid UTF-8 or TOML outside the subset make it unreadable.
 */
export function parseSequoiaPolicy(bytes: Uint8Array): ParsedSequoiaPolicy {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'it is not valid UTF-8' };
  }
  try {
    return { ok: true, policy: policyOf(parseTomlSubset(text)) };
  } catch (error) {
    if (error instanceof TomlSubsetError || error instanceof PolicyShapeError) return { ok: false, problem: error.message };
    throw error;
  }
}

class PolicyShapeError extends Error {}

function policyOf(root: TomlTable): SequoiaPolicy {
  const version = root.get('version') ?? 0n;
  if (typeof version !== 'bigint' || version < 0n) throw new PolicyShapeError('version must be a non-negative integer');
  // the specification defines version 0 only and says a reader SHOULD refuse another (sq-git 0.4.0 reads any)
  if (version !== 0n) throw new PolicyShapeError(`version ${version} is not 0, the only version the specification defines`);
  const goodlist = root.get('commit_goodlist') ?? [];
  if (!Array.isArray(goodlist) || !goodlist.every((id): id is string => typeof id === 'string')) throw new PolicyShapeError('commit_goodlist must be an array of strings');
  const table = root.get('authorization') ?? new Map<string, TomlValue>();
  if (!(table instanceof Map)) throw new PolicyShapeError('authorization must be a table');
  const authorizations = new Map<string, SequoiaAuthorization>();
  for (const [name, entry] of table) authorizations.set(name, authorizationOf(name, entry));
  return { version, goodlist: goodlist.map((id) => id.toLowerCase()), authorizations };
}

function authorizationOf(name: string, entry: TomlValue): SequoiaAuthorization {
  if (!(entry instanceof Map)) throw new PolicyShapeError(`authorization ${JSON.stringify(name)} must be a table`);
  const rights = new Set<Right>();
  for (const right of RIGHTS) {
    const value = entry.get(right) ?? false;
    if (typeof value !== 'boolean') throw new PolicyShapeError(`authorization ${JSON.stringify(name)}: ${right} must be a boolean`);
    if (value) rights.add(right);
  }
  const keyring = entry.get('keyring');
  if (typeof keyring !== 'string') throw new PolicyShapeError(`authorization ${JSON.stringify(name)} has no keyring string`);
  return { name, rights, keyring };
}

/** What a keyring string holds, for comparing two policies: each certificate's (component, signature) pairs. */
export type KeyringSummary = { ok: true; certificates: ReadonlyMap<string, ReadonlySet<string>> } | { ok: false; problem: string };

/** The change a child's policy makes to its parent's, and the rights that change needs, or why it cannot be judged. */
export type RequiredRights = { ok: true; rights: ReadonlySet<Right> } | { ok: false; problem: string };

const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The rights a signer must hold in the parent's policy for the child's policy to replace it (sequoia-git
 * `Policy::diff` and `Change::assert`): `audit` for the version or the goodlist, `add_user` for a new entity
 * or certificate, `retire_user` for a removed one, `add_user`+X to grant X, `retire_user`+X to take X away.
 * Stricter than sequoia-git where it compares packets: a changed certificate needs nothing only when every
 * signature of the parent's copy is still in the child's (sequoia-git exempts third-party signatures);
 * a keyring that cannot be read while it changed needs judging nobody can do: refused.
 */
export function requiredRights(parent: SequoiaPolicy, child: SequoiaPolicy, summarize: (keyring: string) => KeyringSummary): RequiredRights {
  const rights = new Set<Right>();
  if (parent.version !== child.version) rights.add('audit');
  const before = new Set(parent.goodlist);
  const after = new Set(child.goodlist);
  for (const id of [...before].filter((i) => !after.has(i)).concat([...after].filter((i) => !before.has(i)))) {
    if (!COMMIT_ID.test(id)) return { ok: false, problem: `commit_goodlist entry ${JSON.stringify(id)} is not a commit id` };
    rights.add('audit');
  }
  for (const [name, old] of parent.authorizations) {
    const current = child.authorizations.get(name);
    if (!current) {
      rights.add('retire_user');
      for (const right of old.rights) rights.add(right);
      continue;
    }
    for (const right of old.rights) if (!current.rights.has(right)) rights.add('retire_user').add(right);
    for (const right of current.rights) if (!old.rights.has(right)) rights.add('add_user').add(right);
    if (old.keyring === current.keyring) continue;
    const problem = keyringChange(summarize(old.keyring), summarize(current.keyring), rights);
    if (problem) return { ok: false, problem: `authorization ${JSON.stringify(name)}: ${problem}` };
  }
  for (const [name, added] of child.authorizations) {
    if (parent.authorizations.has(name)) continue;
    rights.add('add_user');
    for (const right of added.rights) rights.add(right);
  }
  return { ok: true, rights };
}

function keyringChange(old: KeyringSummary, current: KeyringSummary, rights: Set<Right>): string | null {
  if (!old.ok) return `the parent's keyring cannot be read (${old.problem})`;
  if (!current.ok) return `the changed keyring cannot be read (${current.problem})`;
  for (const [fingerprint, signatures] of old.certificates) {
    const kept = current.certificates.get(fingerprint);
    if (!kept) rights.add('retire_user');
    else if ([...signatures].some((s) => !kept.has(s))) rights.add('retire_user');
  }
  for (const fingerprint of current.certificates.keys()) if (!old.certificates.has(fingerprint)) rights.add('add_user');
  return null;
}

/** The verdict of a parent's policy on a child signed by a certificate. */
export type EdgeJudgement = { ok: true; name: string } | { ok: false; reason: string; missing: readonly Right[] };

/**
 * Whether the parent's policy lets `signer` (a certificate's primary fingerprint, whichever of its keys
 * signed) make this child: some entity listing that certificate holds `sign_commit` and every right the
 * policy change needs. The rights come from the parent: nobody grants themselves rights in the same commit.
 */
export function judgeEdge(parent: SequoiaPolicy, signer: string, required: ReadonlySet<Right>, holds: (keyring: string, fingerprint: string) => boolean): EdgeJudgement {
  const needed: Right[] = ['sign_commit', ...[...required].filter((r) => r !== 'sign_commit')];
  let best: Right[] | null = null;
  for (const entry of parent.authorizations.values()) {
    if (!holds(entry.keyring, signer)) continue;
    const missing = needed.filter((r) => !entry.rights.has(r));
    if (missing.length === 0) return { ok: true, name: entry.name };
    if (!best || missing.length < best.length) best = missing;
  }
  if (!best) return { ok: false, reason: `certificate ${signer} is not in any authorization of the parent's policy`, missing: needed };
  return { ok: false, reason: `the signer's entry in the parent's policy lacks ${best.join(', ')}`, missing: best };
}
