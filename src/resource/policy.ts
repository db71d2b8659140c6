import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RangeMode, VerifyOptions } from '../commands/types.js';
import { KeyConfigError } from '../errors.js';
import { buildAllowList } from '../keys/allow-list.js';
import { loadKeys } from '../keys/load-keys.js';
import type { ResourceSource } from './source.js';

/** The verification policy a source describes, with its inline keys written to a private temp dir. */
export interface ResourcePolicy {
  /** keys, allow list, expiry and weak-algorithm settings for verifyRange/verifyTag/fetchVerified. */
  verify: Required<Pick<VerifyOptions, 'keys' | 'allow' | 'ignoreExpiry' | 'allowWeak' | 'onWarning'>>;
  /** The trust root, mode and trust-root rule for verifyRange/fetchVerified/promote: the same for every script. */
  range: { since: string | null; mode: RangeMode; allowUnsignedRoot: boolean };
  /** Remove the temp keys dir. */
  dispose(): Promise<void>;
}

/** The parts of a source (git or S3) that describe the keys and the policy. */
export type PolicySource = Pick<
  ResourceSource,
  'verificationKeys' | 'verificationKeyIds' | 'allowedFingerprints' | 'ignoreExpiry' | 'allowWeak' | 'trustRoot' | 'mode' | 'allowUnsignedRoot'
>;

/** Write the source's armored keys to a 0700 temp dir and build the options every verification uses. */
export async function openPolicy(source: PolicySource, log: (line: string) => void): Promise<ResourcePolicy> {
  // Key IDs are resolved against the inline keys by the allow list (long IDs only; short ones were refused).
  const allow = [...source.verificationKeyIds, ...source.allowedFingerprints];
  const dir = await mkdtemp(join(tmpdir(), 'siggate-resource-keys-'));
  try {
    for (const [index, armored] of source.verificationKeys.entries()) {
      await writeFile(join(dir, `source-key-${index + 1}.asc`), armored.endsWith('\n') ? armored : `${armored}\n`, { mode: 0o600 });
    }
    // Bad keys or allow-list entries are configuration errors (exit 2): report them before any network work.
    buildAllowList(allow, await loadKeys([dir], () => undefined), () => undefined);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (!(error instanceof KeyConfigError)) throw error;
    // Name the source key, not a temp file the user never wrote.
    const message = error.message.replace(/\S*source-key-(\d+)\.asc/g, (_m, n: string) => `source.commit_verification_keys[${Number(n) - 1}]`);
    throw new KeyConfigError(message, { cause: error });
  }
  return {
    verify: {
      keys: [dir],
      allow,
      ignoreExpiry: source.ignoreExpiry,
      allowWeak: source.allowWeak,
      onWarning: (message) => log(`warning: ${message}`),
    },
    range: {
      since: source.trustRoot,
      mode: source.mode ?? (source.trustRoot ? 'first-parent' : 'tip'),
      allowUnsignedRoot: source.allowUnsignedRoot,
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
