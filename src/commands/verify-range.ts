import { makeVerdict } from '../core/verdict.js';
import { selectRange } from '../git/walk.js';
import { withVerifyContext, type VerifyContext } from './context.js';
import { checkCommit, peelToCommit, resolveRevision } from './objects.js';
import { checkTagObject } from './verify-tag.js';
import type { CommitReport, RangeReport, RangeStatus, VerifyOptions, VerifyRangeOptions } from './types.js';

/** Verify the commits a mode requires between a trust root and a target (`siggate verify`). */
export async function verifyRange(options: VerifyRangeOptions): Promise<RangeReport> {
  return withVerifyContext(options, async (context) => {
    const targetRev = options.target ?? 'HEAD';
    const target = (await peelToCommit(context.reader, await resolveRevision(context.reader, targetRev), targetRev)).oid;
    const root = options.since ? await resolveTrustRoot(context, options.since) : null;
    const mode = options.mode ?? (root ? 'first-parent' : 'tip');
    const selection = await selectRange(context.reader, target, root?.commit ?? null, mode);
    const commits: CommitReport[] = [];
    for (const oid of selection.oids) {
      commits.push(await checkCommit(context.reader, context.checker, oid));
      options.onProgress?.(commits.length, selection.oids.length);
    }
    const failed = commits.filter((c) => c.status !== 'valid').length;
    let status: RangeStatus = failed > 0 ? 'failed' : 'passed';
    let reason: string | null = null;
    if (root?.problem) {
      status = 'untrusted-root';
      reason = root.problem;
    } else if (selection.descends === false && !options.allowRewind) {
      status = 'not-descendant';
      reason = `${targetRev} does not descend from the trust root ${options.since}: the branch was rewound or rewritten`;
    }
    return {
      ok: status === 'passed',
      status,
      target,
      since: root?.commit ?? null,
      mode,
      checked: commits.length,
      failed,
      reason,
      commits,
      warnings: context.warnings,
    };
  });
}

/** Verify a single commit (tip mode, no trust root). */
export async function verifyCommit(options: VerifyOptions & { rev: string }): Promise<CommitReport> {
  return withVerifyContext(options, async (context) => {
    const commit = await peelToCommit(context.reader, await resolveRevision(context.reader, options.rev), options.rev);
    return checkCommit(context.reader, context.checker, commit.oid);
  });
}

/** A trust root is a commit, or a tag; a signed tag vouches only if its own signature is valid. */
async function resolveTrustRoot(context: VerifyContext, since: string): Promise<{ commit: string; problem: string | null }> {
  const object = await resolveRevision(context.reader, since);
  const commit = (await peelToCommit(context.reader, object, since)).oid;
  if (object.type !== 'tag') return { commit, problem: null };
  const { verdict } = await checkTagObject(context, object);
  if (verdict.status === 'valid' || (verdict.status === 'unsigned' && verdict.format === 'none')) {
    return { commit, problem: null };
  }
  const why = makeVerdict(verdict.status, verdict.format, verdict.reason);
  return { commit, problem: `trust root tag ${since} has a signature that is not valid (${why.status}: ${why.reason})` };
}
