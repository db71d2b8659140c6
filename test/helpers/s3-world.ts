// A world for the S3 gate: the fake S3 (s3rver behind the checking proxy) with an `artifacts` and a `keys` bucket,
// the demo OpenPGP keys, and helpers that upload artifacts with real gpg and ssh-keygen signatures.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { run } from '../../fixtures/lib/run.js';
import { generateSshKey, writeAllowedSigners, type SshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir, registerCleanup } from '../../fixtures/lib/temp.js';
import type { S3AccessOptions } from '../../src/s3/access.js';
import { isolateAwsEnv, startS3, type FakeS3 } from './aws-fakes.js';
import { makeKeysDir, type DemoWorld } from './world.js';

export const BUCKET = 'artifacts';
export const KEYS_BUCKET = 'keys';

export interface S3World {
  s3: FakeS3;
  demo: DemoWorld;
  /** Path-style access to the fake with the region set (so the SDK never asks instance metadata for one). */
  access: S3AccessOptions;
  /** A keys directory allowing alice and bob, plus an allowed_signers file for `ssh`. */
  keysDir: string;
  ssh: SshKey;
  /** Uploads `body` as `key` with an armored detached signature by a demo key as `key.asc`. */
  putSigned(key: string, body: string | Uint8Array, signer?: 'alice' | 'bob' | 'mallory', options?: { binary?: boolean }): Promise<void>;
  /** Uploads `body` with an SSH signature (`ssh-keygen -Y sign -n namespace`) as `key.sig`. */
  putSshSigned(key: string, body: string | Uint8Array, namespace?: string): Promise<void>;
}

/** Starts the fake S3 for one test file; the environment holds the accepted credentials (restored by cleanupAll). */
export async function s3World(demo: DemoWorld, options: { versioned?: string[] } = {}): Promise<S3World> {
  const restore = isolateAwsEnv();
  registerCleanup(restore);
  const s3 = await startS3({ buckets: [BUCKET, KEYS_BUCKET], ...(options.versioned ? { versioned: options.versioned } : {}) });
  registerCleanup(() => s3.close());
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: 'us-east-1' });
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
      await s3.put(BUCKET, key, data);
      await s3.put(BUCKET, `${key}${opts.binary ? '.sig' : '.asc'}`, signature);
    },
    putSshSigned: async (key, body, namespace = 'file') => {
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      const signature = (await run('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', ssh.privateKeyPath], { input: data })).stdout;
      await s3.put(BUCKET, key, data);
      await s3.put(BUCKET, `${key}.sig`, signature);
    },
  };
}
