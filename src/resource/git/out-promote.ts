import { join } from 'node:path';
import { promote } from '../../commands/promote.js';
import { promotionNamingOf, type PromotionNaming } from '../../core/promotion.js';
import { GateClosedError, UsageError } from '../../core/errors.js';
import { isObject, optionalBoolean, optionalString, shownValue } from '../protocol/json.js';
import { gateOptionsOf, openResourceTrust } from '../protocol/source-keys.js';
import type { Log, ResourceDeps, ResourceOutput } from '../protocol/types.js';
import { gitMetadata } from './metadata.js';
import { describeFailures } from './report-lines.js';
import { remoteSpecOf } from './source-remote.js';
import { usesTags, type ResourceRequest, type ResourceVersion } from './source.js';
import { verifyForPush } from './verify-for-push.js';

/** How `out` names a promotion tag. */
export interface OutPromotion {
  naming: PromotionNaming;
  verifySourceTag: boolean;
}

const PARAM_WORDS = {
  tag: 'params.tag',
  fromPrefix: 'params.promote.from_prefix',
  toPrefix: 'params.promote.to_prefix',
  bump: 'params.bump',
  prefix: 'params.tag_prefix',
  verifySourceTag: 'params.promote.verify_source_tag',
};

/**
 * `params.promote: {from_prefix, to_prefix, verify_source_tag}` or `params.bump: major|minor|patch` (with
 * `params.tag_prefix`): the naming of `siggate promote`, or null when `out` pushes a named tag or branch.
 */
export function parsePromotionParams(params: Record<string, unknown>): OutPromotion | null {
  const promoteParam = params['promote'];
  const bump = optionalString(params, 'bump', 'params');
  if (bump === null && (promoteParam === undefined || promoteParam === null)) return null;
  if (promoteParam !== undefined && promoteParam !== null && !isObject(promoteParam)) throw new UsageError('params.promote must be an object {from_prefix, to_prefix}');
  const fields = isObject(promoteParam) ? promoteParam : {};
  for (const key of Object.keys(fields)) {
    if (!['from_prefix', 'to_prefix', 'verify_source_tag'].includes(key)) throw new UsageError(`unknown key ${shownValue(key, 60)} in params.promote`);
  }
  const verifySourceTag = optionalBoolean(fields, 'verify_source_tag', 'params.promote');
  const naming = promotionNamingOf(
    {
      bump,
      fromPrefix: isObject(promoteParam) ? (optionalString(fields, 'from_prefix', 'params.promote', 1024) ?? '') : null,
      toPrefix: isObject(promoteParam) ? (optionalString(fields, 'to_prefix', 'params.promote', 1024) ?? '') : null,
      prefix: optionalString(params, 'tag_prefix', 'params', 1024),
      verifySourceTag,
    },
    PARAM_WORDS,
    '',
  );
  return { naming, verifySourceTag };
}

/** `out` with promotion params: `siggate promote`'s code path, with the source's policy, credentials and signing key. */
export async function promoteFromOut(request: ResourceRequest, repo: string, commit: string, promotion: OutPromotion, log: Log, deps: ResourceDeps): Promise<ResourceOutput<ResourceVersion>> {
  const source = request.source;
  const trust = openResourceTrust(source.keys, log, { workers: false });
  const remote = remoteSpecOf(source, join(deps.cacheDir, 'known_hosts'));
  try {
    if (!source.signingKey) log('warning: source.signing_key is not set: the promotion tag is unsigned, and check with verify_tags will skip it');
    const result = await promote({
      ...gateOptionsOf(source.keys, log),
      repo,
      target: commit,
      naming: promotion.naming,
      verifySourceTag: promotion.verifySourceTag,
      ...source.range,
      sign: source.signingKey !== null,
      keyFile: source.signingKey !== null ? { name: 'source.signing_key', armored: source.signingKey } : null,
      ...(source.signingKeyPassphrase !== null ? { keyPassphrase: source.signingKeyPassphrase } : {}),
      push: remote.url,
      remoteAuth: remote,
      verify: (target) => verifyForPush(request, repo, target, trust, deps),
      onStep: log,
    });
    if (!result.ok) {
      if (result.verification && !result.verification.ok) for (const line of describeFailures(result.verification)) log(line);
      throw new GateClosedError(`${result.reason ?? 'promotion refused'}; nothing was tagged or pushed`);
    }
    log(result.status === 'already-promoted' ? `already promoted: ${result.reason}` : `pushed ${result.tag} on ${commit}${result.signed ? `, signed by ${result.signer?.fingerprint}` : ', unsigned'}`);
    const metadata = await gitMetadata(repo, commit, { uri: source.uri, report: result.verification ?? null });
    const version = usesTags(request.source) ? { ref: result.tag!, commit } : { ref: commit };
    return { version, metadata: [...metadata, { name: 'tag', value: result.tag! }] };
  } finally {
    await trust.close();
  }
}
