import { buildAllowList, type AllowList } from '../core/allow-list.js';
import type { KeySource } from '../core/key-source.js';
import type { VerifyPolicy } from '../core/verdict.js';
import { tuneV8For } from '../process/v8-tuning.js';
import { CryptoPool } from './crypto/pool.js';
import { parseKeySources } from './key-sources.js';
import { Keyring } from './keyring.js';
import { OpenpgpKeyring } from './openpgp/keyring.js';
import { SignatureChecker } from './signature-checker.js';

/** What a trust session is built from: key material already read, allow-list entries, the policy flags. */
export interface TrustOptions {
  keys: readonly KeySource[];
  allow: readonly string[];
  policy: VerifyPolicy;
  /** Checks on libuv's thread pool while this thread reads on (see crypto/pool); off for sessions that check a handful of signatures. Default true. */
  workers?: boolean;
  onWarning?: (message: string) => void;
  /** The keys come from the repository, per range (`--policy guix`): `keys` is empty and the session's keyring stays empty. */
  keysFromRepository?: boolean;
}

/**
 * The trust material of one run, built once: keys parsed, allow list resolved, one checker and one crypto
 * pool. Every verification of the run (ranges, tags, detached signatures) goes through it, so a
 * resource `check` over many candidates parses its keys once.
 */
export interface TrustSession {
  readonly keyring: Keyring;
  readonly allowList: AllowList;
  readonly policy: VerifyPolicy;
  readonly checker: SignatureChecker;
  /** The thread-pool checks, shared with checkers built for keys found in a repository; null: every check inline. */
  readonly pool: CryptoPool | null;
  /** Every warning so far (configuration, and what the commands add). */
  readonly warnings: string[];
  warn(message: string): void;
  /** About `count` signatures are coming (a range's length): V8 is fitted to a range of that size (see process/v8-tuning). */
  expectChecks(count: number): void;
  close(): Promise<void>;
}

/** Parse the keys and resolve the allow list; a bad key or allow-list entry is a KeyConfigError (exit 2). */
export function openTrust(options: TrustOptions): TrustSession {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (warnings.includes(message)) return;
    warnings.push(message);
    options.onWarning?.(message);
  };
  const keyring = options.keysFromRepository ? new Keyring(new OpenpgpKeyring([], []), [], []) : parseKeySources(options.keys, warn);
  const allowList = buildAllowList(options.allow, keyring, warn);
  const pool = options.workers === false ? null : new CryptoPool();
  return {
    keyring,
    allowList,
    policy: options.policy,
    checker: new SignatureChecker(keyring, allowList, options.policy, pool),
    pool,
    warnings,
    warn,
    expectChecks: (count) => {
      tuneV8For(count);
    },
    close: async () => {
      await pool?.close();
    },
  };
}
