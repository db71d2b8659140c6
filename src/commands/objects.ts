import { parseCommit, type ParsedCommit } from '../core/commit.js';
import { parseTag } from '../core/tag.js';
import { makeVerdict, type Signer, type Verdict } from '../core/verdict.js';
import { RepositoryError } from '../errors.js';
import type { GitObject, ObjectReader } from '../git/object-reader.js';
import type { SignatureChecker } from './signature-checker.js';
import type { CommitReport } from './types.js';

/** Resolve a revision to an object id, or fail with a usage-level error naming it. */
export async function resolveRevision(reader: ObjectReader, rev: string): Promise<GitObject> {
  const oid = await reader.resolve(rev);
  const object = oid ? await reader.read(oid) : null;
  if (!object) throw new RepositoryError(`unknown revision ${JSON.stringify(rev)}`);
  return object;
}

/** Follow tag objects to the commit they name. */
export async function peelToCommit(reader: ObjectReader, object: GitObject, rev: string): Promise<GitObject> {
  let current: GitObject | null = object;
  for (let depth = 0; current?.type === 'tag' && depth < 16; depth++) {
    const target: string | null = parseTag(current.content).object;
    current = target ? await reader.read(target) : null;
  }
  if (current?.type !== 'commit') throw new RepositoryError(`${rev} does not name a commit`);
  return current;
}

/** Read and check one commit's signature. */
export async function checkCommit(reader: ObjectReader, checker: SignatureChecker, oid: string): Promise<CommitReport> {
  const object = await reader.read(oid);
  const commit = object?.type === 'commit' ? parseCommit(object.content, reader.hashAlgo) : null;
  return checkParsedCommit(checker, oid, commit);
}

/** Check a parsed commit (null: the object is not a readable commit) and turn the verdict into its report entry. */
export async function checkParsedCommit(checker: SignatureChecker, oid: string, commit: ParsedCommit | null): Promise<CommitReport> {
  if (commit === null) {
    return toCommitReport(oid, '', makeVerdict('malformed', 'none', `object ${oid} is not a readable commit`));
  }
  if (commit.problems.length > 0) {
    return toCommitReport(oid, commit.subject, makeVerdict('malformed', 'none', commit.problems.join('; '), {
      remedy: 'this commit object is not well formed; it cannot be trusted whatever its signature',
    }));
  }
  let verdict = await checker.check({ signature: commit.signature, payload: commit.payload, signedTime: commit.committerTime });
  if (verdict.status === 'unsigned' && commit.otherAlgorithmSignature) {
    verdict = { ...verdict, reason: `no signature for this repository's hash algorithm (only a signature for the other one)` };
  }
  return toCommitReport(oid, commit.subject, verdict);
}

export function toCommitReport(oid: string, subject: string, verdict: Verdict): CommitReport {
  return {
    oid,
    status: verdict.status,
    format: verdict.format,
    signer: verdict.signer ? reportedSigner(verdict.signer) : null,
    signedAt: verdict.signedAt ? verdict.signedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
    subject,
    reason: verdict.reason,
    ...(verdict.remedy && verdict.status !== 'valid' ? { remedy: verdict.remedy } : {}),
  };
}

// One report object per signer, shared by all the commits it signed: a 100,000-commit report stays small.
const reportedSigners = new WeakMap<Signer, CommitReport['signer']>();

function reportedSigner(signer: Signer): CommitReport['signer'] {
  let reported = reportedSigners.get(signer);
  if (!reported) {
    reported = { fingerprint: signer.fingerprint, signingKey: signer.signingKey, userId: signer.userId };
    reportedSigners.set(signer, reported);
  }
  return reported;
}
