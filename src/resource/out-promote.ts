import { promote, type PromotionNaming } from '../commands/promote.js';
import { GateClosedError, UsageError } from '../errors.js';
import { describeFailures, type Log } from './gate.js';
import { commitMetadata, type ResourceOutput } from './in.js';
import { verifyForPush } from './verify-for-push.js';
import { openPolicy } from './policy.js';
import { openRemoteAccess } from './remote.js';
import { writeSigningKey } from './signing-key.js';
import { optionalString, usesTags, type ResourceRequest } from './source.js';

/** How `out` names a promotion tag. */
export interface OutPromotion {
  naming: PromotionNaming;
  verifySourceTag: boolean;
}

/**
 * `params.promote: {from_prefix, to_prefix, verify_source_tag}` or `params.bump: major|minor|patch` (with
 * `params.tag_prefix`): the naming of `siggate promote`, or null when `out` pushes a named tag or branch.
 */
export function parsePromotionParams(params: Record<string, unknown>): OutPromotion | null {
  const promoteParam = params['promote'];
  const bump = optionalString(params, 'bump', 'params');
  if (promoteParam !== undefined && promoteParam !== null && bump !== null) throw new UsageError('params.promote and params.bump are exclusive; give one');
  if (bump !== null) {
    if (bump !== 'major' && bump !== 'minor' && bump !== 'patch') throw new UsageError(`params.bump must be major, minor or patch, not "${bump}"`);
    return { naming: { kind: 'bump', level: bump, prefix: optionalString(params, 'tag_prefix', 'params') ?? '' }, verifySourceTag: false };
  }
  if (promoteParam === undefined || promoteParam === null) return null;
  if (typeof promoteParam !== 'object' || Array.isArray(promoteParam)) throw new UsageError('params.promote must be an object {from_prefix, to_prefix}');
  const fields = promoteParam as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!['from_prefix', 'to_prefix', 'verify_source_tag'].includes(key)) throw new UsageError(`unknown key "${key}" in params.promote`);
  }
  const from = optionalString(fields, 'from_prefix', 'params.promote');
  const to = optionalString(fields, 'to_prefix', 'params.promote');
  if (!from || !to || from === to) throw new UsageError('params.promote needs from_prefix and to_prefix, different and not empty');
  const verifySource = fields['verify_source_tag'];
  if (verifySource !== undefined && typeof verifySource !== 'boolean') throw new UsageError('params.promote.verify_source_tag must be true or false');
  return { naming: { kind: 'prefix', from, to }, verifySourceTag: verifySource === true };
}

/** `out` with promotion params: `siggate promote`'s code path, with the source's policy, credentials and signing key. */
export async function promoteFromOut(request: ResourceRequest, repo: string, commit: string, promotion: OutPromotion, log: Log): Promise<ResourceOutput> {
  const policy = await openPolicy(request.source, log);
  const access = await openRemoteAccess(request.source);
  const signing = await writeSigningKey(request.source.signingKey);
  try {
    if (!signing) log('warning: source.signing_key is not set: the promotion tag is unsigned, and check with verify_tags will skip it');
    const result = await promote({
      ...policy.verify,
      repo,
      target: commit,
      naming: promotion.naming,
      verifySourceTag: promotion.verifySourceTag,
      ...policy.range,
      sign: signing !== null,
      keyFile: signing?.path ?? null,
      ...(request.source.signingKeyPassphrase !== null ? { keyPassphrase: request.source.signingKeyPassphrase } : {}),
      push: access.uri,
      remoteAccess: { env: access.env, secrets: access.secrets },
      verify: (target) => verifyForPush(request, repo, target, policy),
      onStep: log,
    });
    if (!result.ok) {
      if (result.verification && !result.verification.ok) for (const line of describeFailures(result.verification)) log(line);
      throw new GateClosedError(`${result.reason ?? 'promotion refused'}; nothing was tagged or pushed`);
    }
    log(result.status === 'already-promoted' ? `already promoted: ${result.reason}` : `pushed ${result.tag} on ${commit}${result.signed ? `, signed by ${result.signer?.fingerprint}` : ', unsigned'}`);
    const metadata = result.verification ? await commitMetadata(repo, commit, result.verification) : [{ name: 'commit', value: commit }];
    const version = usesTags(request.source) ? { ref: result.tag!, commit } : { ref: commit };
    return { version, metadata: [...metadata, { name: 'tag', value: result.tag! }] };
  } finally {
    await signing?.dispose();
    await access.dispose();
    await policy.dispose();
  }
}
