import { parseTag } from '../core/tag.js';
import { makeVerdict, type Verdict } from '../core/verdict.js';
import type { GitObject } from '../git/object-reader.js';
import { withVerifyContext, type VerifyContext } from './context.js';
import { resolveRevision, toCommitReport } from './objects.js';
import type { TagReport, VerifyOptions } from './types.js';

/** Verify an annotated tag object's own signature (`siggate verify-tag`). A lightweight tag has none: `unsigned`. */
export async function verifyTag(options: VerifyOptions & { tag: string }): Promise<TagReport> {
  return withVerifyContext(options, async (context) => {
    const object = await resolveTagObject(context, options.tag);
    const { verdict, target, targetType } =
      object.type === 'tag'
        ? await checkTagObject(context, object)
        : {
            verdict: makeVerdict('unsigned', 'none', `${options.tag} names a ${object.type}, not a tag object: a lightweight tag carries no signature`, {
              remedy: `replace it with a signed annotated tag (git tag -s ${options.tag})`,
            }),
            target: object.oid,
            targetType: object.type,
          };
    const entry = toCommitReport(object.oid, '', verdict);
    return {
      ok: verdict.status === 'valid',
      tag: options.tag,
      oid: object.oid,
      target,
      targetType,
      status: entry.status,
      format: entry.format,
      signer: entry.signer,
      signedAt: entry.signedAt,
      reason: entry.reason,
      ...(entry.remedy ? { remedy: entry.remedy } : {}),
      warnings: context.warnings,
    };
  });
}

/** The object a tag name (tried as `refs/tags/NAME` first) or any revision names; unknown names are usage errors. */
export async function resolveTagObject(context: VerifyContext, tag: string): Promise<GitObject> {
  const oid = (await context.reader.resolve(`refs/tags/${tag}`)) ?? (await context.reader.resolve(tag));
  const object = oid ? await context.reader.read(oid) : null;
  return object ?? resolveRevision(context.reader, tag);
}

/** The verdict on a tag object's signature, and what it points at. */
export async function checkTagObject(context: VerifyContext, object: GitObject): Promise<{ verdict: Verdict; target: string; targetType: string }> {
  const tag = parseTag(object.content);
  const target = tag.object ?? '';
  const targetType = tag.type ?? 'unknown';
  if (tag.problems.length > 0) return { verdict: makeVerdict('malformed', 'none', tag.problems.join('; ')), target, targetType };
  const verdict = await context.checker.check({ signature: tag.signature, payload: tag.payload, signedTime: tag.taggerTime });
  return { verdict, target, targetType };
}
