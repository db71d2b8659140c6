// A world for the S3 gate: the suite's real S3 (Ceph RGW, test/helpers/rgw.ts) behind the recording and fault-injecting
// proxy (s3-proxy.ts), an artifacts and a keys bucket of this test file's own, the demo OpenPGP keys, and helpers that
// upload artifacts with real gpg and ssh-keygen signatures. The gate runs as RGW's `admin`, who owns the buckets.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { run } from '../../fixtures/lib/run.js';
import { generateSshKey, writeAllowedSigners, type SshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir, registerCleanup } from '../../fixtures/lib/temp.js';
import type { S3AccessOptions } from '../../src/s3/access.js';
import { isolateAwsEnv } from './aws-fakes.js';
import { createBucket, keysOf, putAsAdmin, rgwInfo, uniqueBucket } from './rgw.js';
import { startS3Proxy, type S3Proxy } from './s3-proxy.js';
import { makeKeysDir, type DemoWorld } from './world.js';

// RGW serves the whole run: each test file (each module instance) has buckets of its own.
export const BUCKET = uniqueBucket('artifacts');
export const KEYS_BUCKET = uniqueBucket('keys');

/** RGW through the proxy, with the admin's keys, and how to seed it. */
export interface S3Access extends S3Proxy {
  accessKeyId: string;
  secretAccessKey: string;
  /** Uploads as admin, straight to RGW (not recorded, no faults); returns the version id in a versioned bucket. */
  put(bucket: string, key: string, body: string | Uint8Array, options?: { metadata?: Record<string, string> }): Promise<string | null>;
}

export interface S3World {
  s3: S3Access;
  demo: DemoWorld;
  /** Path-style access through the proxy with the region set (so the SDK never asks instance metadata for one). */
  access: S3AccessOptions;
  /** A keys directory allowing alice and bob, plus an allowed_signers file for `ssh`. */
  keysDir: string;
  ssh: SshKey;
  /** Uploads `body` as `key` with an armored detached signature by a demo key as `key.asc` (binary: `key.sig`), in BUCKET unless told. */
  putSigned(key: string, body: string | Uint8Array, signer?: 'alice' | 'bob' | 'mallory', options?: { binary?: boolean; bucket?: string }): Promise<void>;
  /** Uploads `body` with an SSH signature (`ssh-keygen -Y sign -n namespace`) as `key.sig`. */
  putSshSigned(key: string, body: string | Uint8Array, namespace?: string): Promise<void>;
}

/** Creates this file's buckets (and `versioned` ones) and the proxy; the environment holds admin's keys (restored by cleanupAll). */
export async function s3World(demo: DemoWorld, options: { versioned?: string[] } = {}): Promise<S3World> {
  const restore = isolateAwsEnv();
  registerCleanup(restore);
  for (const bucket of [BUCKET, KEYS_BUCKET]) await createBucket(bucket);
  for (const bucket of options.versioned ?? []) await createBucket(bucket, { versioned: true });
  const proxy = await startS3Proxy(rgwInfo().endpoint);
  registerCleanup(() => proxy.close());
  const admin = keysOf('admin');
  const s3: S3Access = Object.assign(proxy, { ...admin, put: (bucket: string, key: string, body: string | Uint8Array, extra: { metadata?: Record<string, string> } = {}) => putAsAdmin(bucket, key, body, extra.metadata) });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_REGION: rgwInfo().region });
  const sshDir = await makeTempDir('siggate-s3-ssh-');
  const ssh = await generateSshKey(sshDir, 'ed25519', { comment: 'ci@siggate.test' });
  const keysDir = await makeKeysDir({
    'alice.asc': await readFile(demoKeys.alice.publicKeyPath, 'utf8'),
    'bob.asc': await readFile(demoKeys.bob.publicKeyPath, 'utf8'),
  });
  await writeAllowedSigners(join(keysDir, 'allowed_signers'), [{ principal: 'ci@siggate.test', key: ssh, namespaces: 'file' }]);
  return {
    s3,
    demo,
    access: { endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', maxAttempts: 3 },
    keysDir,
    ssh,
    putSigned: async (key, body, signer = 'alice', opts = {}) => {
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      const args = ['--local-user', demo.fingerprints[signer], '--detach-sign', ...(opts.binary ? [] : ['--armor'])];
      const signature = (await demo.gpg.gpg(args, { input: data })).stdout;
      await s3.put(opts.bucket ?? BUCKET, key, data);
      await s3.put(opts.bucket ?? BUCKET, `${key}${opts.binary ? '.sig' : '.asc'}`, signature);
    },
    putSshSigned: async (key, body, namespace = 'file') => {
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      const signature = (await run('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', ssh.privateKeyPath], { input: data })).stdout;
      await s3.put(BUCKET, key, data);
      await s3.put(BUCKET, `${key}.sig`, signature);
    },
  };
}
