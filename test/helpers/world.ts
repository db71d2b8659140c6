import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { demoKeys, importDemoKeys } from '../../fixtures/lib/demo-keys.js';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import type { GpgSignSpec } from '../../fixtures/lib/repo.js';
import { cleanupAll, makeTempDir } from '../../fixtures/lib/temp.js';
import { SiggateError } from '../../src/index.js';
import type { ReaderKind } from '../../src/index.js';

/** The object readers the core integration cases run under. */
export const READERS: readonly ReaderKind[] = ['git', 'isomorphic'];

/** Registers `cleanupAll` (temp dirs, gpg-agents) to run after the file's tests. Call once at the top of a test file. */
export function useFixtureCleanup(): void {
  afterAll(cleanupAll);
}

/** A keys directory in a temp dir: `files` maps a file name to its content, or to a path to copy (`{ copy }`). */
export async function makeKeysDir(files: Record<string, string | Uint8Array | { copy: string }>): Promise<string> {
  const dir = await makeTempDir('siggate-keys-');
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    if (typeof content === 'string' || content instanceof Uint8Array) await writeFile(path, content);
    else await copyFile(content.copy, path);
  }
  return dir;
}

/** A GnuPG home holding the demo secret keys, and a keys directory allowing alice and bob (not mallory). */
export interface DemoWorld {
  gpg: GpgHome;
  keysDir: string;
  fingerprints: { alice: string; bob: string; mallory: string };
  /** Sign as a demo key (optionally at a given time). */
  as(name: 'alice' | 'bob' | 'mallory', at?: Date): GpgSignSpec;
}

/** Builds the {@link DemoWorld} (no key generation: the demo keys are imported). */
export async function demoWorld(): Promise<DemoWorld> {
  const gpg = await GpgHome.create();
  await importDemoKeys(gpg);
  const keysDir = await makeKeysDir({
    [basename(demoKeys.alice.publicKeyPath)]: { copy: demoKeys.alice.publicKeyPath },
    [basename(demoKeys.bob.publicKeyPath)]: { copy: demoKeys.bob.publicKeyPath },
  });
  const fingerprints = {
    alice: demoKeys.alice.fingerprint,
    bob: demoKeys.bob.fingerprint,
    mallory: demoKeys.mallory.fingerprint,
  };
  return {
    gpg,
    keysDir,
    fingerprints,
    as: (name, at) => ({ gpg, key: fingerprints[name], ...(at ? { at } : {}) }),
  };
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it resolved');
}

/** Asserts the promise rejects with a SiggateError of the given exit code (and code, when given); returns it. */
export async function expectSiggateError(
  promise: Promise<unknown>,
  expected: { exitCode: 1 | 2 | 3; code?: string | readonly string[] },
): Promise<SiggateError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(SiggateError);
  const siggateError = error as SiggateError;
  expect(siggateError.exitCode).toBe(expected.exitCode);
  if (typeof expected.code === 'string') expect(siggateError.code).toBe(expected.code);
  else if (expected.code) expect(expected.code).toContain(siggateError.code);
  return siggateError;
}

/** Dates on a fixed timeline for keys and signatures made with a faked clock. */
export function utc(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

/** The outcome of a promise, as data: for calls that may either reject or resolve with a failing report. */
export async function settle<T>(promise: Promise<T>): Promise<{ resolved: true; value: T } | { resolved: false; error: unknown }> {
  try {
    return { resolved: true, value: await promise };
  } catch (error) {
    return { resolved: false, error };
  }
}
