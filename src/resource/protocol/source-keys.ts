import { classifyAllowEntry, shortKeyIdError } from '../../core/allow-list.js';
import type { GateOptions } from '../../core/gate-options.js';
import type { KeySource } from '../../core/key-source.js';
import { UsageError } from '../../core/errors.js';
import { openTrust, type TrustSession } from '../../trust/session.js';
import { optionalBoolean, stringOrList, type Json } from './json.js';
import type { Log } from './types.js';

/** The keys and key policy of a source (git or S3): the keys are data, never written anywhere. */
export interface SourceKeys {
  keys: KeySource[];
  /** `commit_verification_key_ids` and `allowed_fingerprints`, resolved against the keys. */
  allow: string[];
  ignoreExpiry: boolean;
  allowWeak: boolean;
  /** `source.policy: guix` or `sequoia`: the keys come from the repository. */
  keysFromRepository?: boolean;
}

/** Read `commit_verification_keys`, `commit_verification_key_ids`, `allowed_fingerprints`, `ignore_expiry`, `allow_weak`. */
export function parseSourceKeys(raw: Json, options: { keysFromRepository?: boolean } = {}): SourceKeys {
  if (options.keysFromRepository) {
    // a second source of keys would be a second, unaudited allow list
    for (const key of ['commit_verification_keys', 'commit_verification_key_ids', 'allowed_fingerprints', 'ignore_expiry']) {
      if (raw[key] !== undefined && raw[key] !== null) throw new UsageError(`source.${key} does not apply with policy guix or sequoia: keys and authorizations come from the repository`);
    }
    return { keys: [], allow: [], ignoreExpiry: true, allowWeak: optionalBoolean(raw, 'allow_weak'), keysFromRepository: true };
  }
  const armored = stringOrList(raw, 'commit_verification_keys');
  const keys = armored
    .map((text, index) => ({ name: `source.commit_verification_keys[${index}]`, bytes: new TextEncoder().encode(text) }))
    .filter((_key, index) => armored[index]!.trim() !== '');
  if (keys.length === 0) throw new UsageError('source.commit_verification_keys is required: siggate has no keys to verify against');
  const keyIds = stringOrList(raw, 'commit_verification_key_ids').map((id) => id.replace(/\s+/g, ''));
  for (const id of keyIds) {
    const entry = classifyAllowEntry(id);
    if (entry.kind === 'short-id') throw shortKeyIdError('source.commit_verification_key_ids', entry.value);
  }
  return {
    keys,
    allow: [...keyIds, ...stringOrList(raw, 'allowed_fingerprints')],
    ignoreExpiry: optionalBoolean(raw, 'ignore_expiry'),
    allowWeak: optionalBoolean(raw, 'allow_weak'),
  };
}

/** The gate options the source's keys stand for, warnings going to the log. */
export function gateOptionsOf(keys: SourceKeys, log: Log): GateOptions {
  return { keys: keys.keys, allow: keys.allow, ignoreExpiry: keys.ignoreExpiry, allowWeak: keys.allowWeak, onWarning: (message) => log(`warning: ${message}`) };
}

/**
 * The run's trust session from the source's keys: parsed once for every version `check` looks at. Bad
 * keys or allow-list entries are configuration errors (exit 2), reported before any network work.
 */
export function openResourceTrust(policy: SourceKeys, log: Log, options: { workers?: boolean } = {}): TrustSession {
  return openTrust({
    keys: policy.keys,
    allow: policy.allow,
    policy: { now: new Date(), ignoreExpiry: policy.ignoreExpiry, allowWeak: policy.allowWeak },
    ...(policy.keysFromRepository ? { keysFromRepository: true } : {}),
    onWarning: (message) => log(`warning: ${message}`),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });
}
