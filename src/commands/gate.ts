import type { GateOptions, GatePolicy } from '../core/gate-options.js';
import { gatePolicyOf } from '../core/gate-options.js';
import type { RangeGraph } from '../core/range.js';

import type { ObjectReader, ReaderKind } from '../git/object-reader.js';
import { openRepository } from '../git/open-repo.js';
import { describeOverrides } from '../git/overrides.js';
import { rangeGraphOf } from '../git/range-graph.js';
import { openTrust, type TrustSession } from '../trust/session.js';
import { readAllowFiles, readKeySources, type KeyReadDeps } from './key-sources.js';

/** Where a gate reads its repository. */
export interface RepositoryOptions {
  /** Repository directory (work tree or git dir). Default `.`. */
  repo?: string;
  reader?: ReaderKind;
}

/** A gate session: the run's trust material and one repository, opened once and shared by every check of the run. */
export interface GateSession {
  readonly trust: TrustSession;
  readonly reader: ObjectReader;
  readonly graph: RangeGraph;
  readonly policy: GatePolicy;
  warn(message: string): void;
  close(): Promise<void>;
}

/** Options of {@link openTrustSession}: the gate's options, and whether checks may run on libuv's thread pool. */
export interface TrustSessionOptions extends GateOptions {
  workers?: boolean;
}

/** Read the keys and allow files, then parse them once: configuration errors come before any repository or network work. */
export async function openTrustSession(options: TrustSessionOptions, deps: KeyReadDeps = {}): Promise<TrustSession> {
  const policy = gatePolicyOf(options);
  const keys = await readKeySources(policy.keys, deps);
  const allow = [...policy.allow, ...(await readAllowFiles(policy.allowFile))];
  return openTrust({
    keys,
    allow,
    policy: { now: policy.now, ignoreExpiry: policy.ignoreExpiry, allowWeak: policy.allowWeak },
    ...(policy.keysFromRepository ? { keysFromRepository: true } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
}

/** Open a gate on a repository: the trust session (or the one given, shared across repositories) and one object reader. */
export async function openGate(options: TrustSessionOptions & RepositoryOptions, deps: KeyReadDeps & { trust?: TrustSession } = {}): Promise<GateSession> {
  const policy = gatePolicyOf(options);
  // git starts while the keys are parsed; a configuration error still wins over a repository error
  const opening = openRepository(options.repo ?? '.', options.reader ?? 'auto');
  opening.catch(() => {});
  let trust: TrustSession;
  try {
    trust = deps.trust ?? (await openTrustSession({ ...options, now: policy.now }, deps));
  } catch (error) {
    await opening.then((reader) => reader.close(), () => {});
    throw error;
  }
  const reader = await opening.catch(async (error: unknown) => {
    if (!deps.trust) await trust.close();
    throw error;
  });
  for (const warning of describeOverrides(reader.overrides)) trust.warn(warning);
  return {
    trust,
    reader,
    graph: rangeGraphOf(reader),
    policy,
    warn: (message) => trust.warn(message),
    close: async () => {
      await Promise.all([reader.close(), deps.trust ? undefined : trust.close()]);
    },
  };
}

/** Run `body` with a gate and always close it. */
export async function withGate<T>(options: TrustSessionOptions & RepositoryOptions, body: (gate: GateSession) => Promise<T>, deps: KeyReadDeps & { trust?: TrustSession } = {}): Promise<T> {
  const gate = await openGate(options, deps);
  try {
    return await body(gate);
  } finally {
    await gate.close();
  }
}
