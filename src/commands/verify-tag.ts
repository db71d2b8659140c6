import { toCommitReport, type TagReport } from '../core/report.js';
import { parseTag } from '../core/tag.js';
import { makeVerdict, type Verdict } from '../core/verdict.js';
import type { GitObject } from '../git/object-reader.js';
import { resolveTagObject } from '../git/revisions.js';
import { withGate, type GateSession } from './gate.js';
import type { VerifyOptions } from './types.js';

/** Verify an annotated tag object's own signature (`siggate verify-tag`). A lightweight tag has none: `unsigned`. */
export async function verifyTag(options: VerifyOptions & { tag: string }): Promise<TagReport> {
  return withGate({ ...options, workers: false }, (gate) => verifyTagIn(gate, options.tag));
}

/** `verify-tag` within an open gate session. */
export async function verifyTagIn(gate: GateSession, tag: string): Promise<TagReport> {
  const object = await resolveTagObject(gate.reader, tag);
  const { verdict, target, targetType } =
    object.type === 'tag'
      ? await checkTagObject(gate, object)
      : {
          verdict: makeVerdict('unsigned', 'none', `${tag} names a ${object.type}, not a tag object: a lightweight tag carries no signature`, {
            remedy: `replace it with a signed annotated tag (git tag -s ${tag})`,
          }),
          target: object.oid,
          targetType: object.type,
        };
  const entry = toCommitReport(object.oid, '', verdict);
  return {
    ok: verdict.status === 'valid',
    tag,
    oid: object.oid,
    target,
    targetType,
    status: entry.status,
    format: entry.format,
    signer: entry.signer,
    signedAt: entry.signedAt,
    reason: entry.reason,
    ...(entry.remedy ? { remedy: entry.remedy } : {}),
    warnings: gate.trust.warnings,
  };
}

/** The verdict on a tag object's signature, and what it points at. */
export async function checkTagObject(gate: GateSession, object: GitObject): Promise<{ verdict: Verdict; target: string; targetType: string }> {
  const tag = parseTag(object.content);
  return { verdict: await gate.trust.checker.checkTag(tag), target: tag.object ?? '', targetType: tag.type ?? 'unknown' };
}
