import { openRepository } from '../git/open-repo.js';
import { describeOverrides } from '../git/overrides.js';
import type { ObjectReader } from '../git/object-reader.js';
import { buildAllowList, readAllowFiles, type AllowList } from '../keys/allow-list.js';
import type { VerifyPolicy } from '../core/verdict.js';
import { loadKeys } from '../keys/load-keys.js';
import type { Keyring } from '../trust/keyring.js';
import { CryptoPool } from '../trust/crypto-pool.js';
import { SignatureChecker } from './signature-checker.js';
import type { VerifyOptions } from './types.js';

/** Everything a verifying command needs, opened once. `close()` ends the object reader. */
export interface VerifyContext {
  reader: ObjectReader;
  keyring: Keyring;
  checker: SignatureChecker;
  allowList: AllowList;
  policy: VerifyPolicy;
  warnings: string[];
  warn(message: string): void;
  close(): Promise<void>;
}

/** Load keys and the allow list first (configuration errors before any repository work), then open the repository. */
export async function openVerifyContext(options: VerifyOptions): Promise<VerifyContext> {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  // git starts while the keys are parsed; a configuration error still wins over a repository error
  const opening = openRepository(options.repo ?? '.', options.reader ?? 'auto');
  opening.catch(() => {});
  let keyring: Keyring;
  let allowList: AllowList;
  try {
    keyring = await loadKeys(options.keys ?? ['./keys'], warn);
    const entries = [...(options.allow ?? []), ...(await readAllowFiles(options.allowFile ?? []))];
    allowList = buildAllowList(entries, keyring, warn);
  } catch (error) {
    await opening.then((reader) => reader.close(), () => {});
    throw error;
  }
  const policy = { now: options.now ?? new Date(), ignoreExpiry: options.ignoreExpiry ?? false, allowWeak: options.allowWeak ?? false };
  const reader = await opening;
  for (const warning of describeOverrides(reader.overrides)) warn(warning);
  const pool = new CryptoPool();
  return {
    reader,
    keyring,
    checker: new SignatureChecker(keyring, allowList, policy, pool),
    allowList,
    policy,
    warnings,
    warn,
    close: async () => {
      await Promise.all([reader.close(), pool.close()]);
    },
  };
}

/** A checker for signatures outside any repository (detached signatures on artifacts): keys, allow list and policy only. */
export async function openDetachedChecker(options: Omit<VerifyOptions, 'repo' | 'reader'>): Promise<{ checker: SignatureChecker; keyring: Keyring; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const keyring = await loadKeys(options.keys ?? ['./keys'], warn);
  const allowList = buildAllowList([...(options.allow ?? []), ...(await readAllowFiles(options.allowFile ?? []))], keyring, warn);
  const policy = { now: options.now ?? new Date(), ignoreExpiry: options.ignoreExpiry ?? false, allowWeak: options.allowWeak ?? false };
  return { checker: new SignatureChecker(keyring, allowList, policy, null), keyring, warnings };
}

/** Run `body` with a context and always close it. */
export async function withVerifyContext<T>(options: VerifyOptions, body: (context: VerifyContext) => Promise<T>): Promise<T> {
  const context = await openVerifyContext(options);
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}
