import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { s3Verify } from '../../src/commands/s3-artifact.js';
import { s3Put } from '../../src/commands/s3-put.js';
import type { S3ClientLike } from '../../src/s3/access.js';
import { BUCKET, KEYS_BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';
import { describeRgw as describe } from '../helpers/rgw.js';

useFixtureCleanup();

let world: S3World;
let client: S3ClientLike;
beforeAll(async () => {
  world = await s3World(await demoWorld());
  client = new S3Client({ endpoint: world.s3.endpoint, forcePathStyle: true, region: 'us-east-1' });
});

// The access options point at a closed port: only the caller's client reaches the fake S3.
const nowhere = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1 };

describe("the library's client option (an S3Client typed as S3ClientLike)", () => {
  it('s3Verify reads the object, its signature and s3:// keys through it', async () => {
    await world.putSigned('own-client/app.tgz', 'read through the caller client');
    await world.s3.put(KEYS_BUCKET, 'own-client/alice.asc', await readFile(demoKeys.alice.publicKeyPath));
    const report = await s3Verify({ ...nowhere, client, keys: [`s3://${KEYS_BUCKET}/own-client/`], object: `s3://${BUCKET}/own-client/app.tgz` });
    expect(report).toMatchObject({ ok: true, status: 'valid', signer: { fingerprint: demoKeys.alice.fingerprint } });
  });

  it('s3Put uploads through it', async () => {
    const file = join(await makeTempDir('siggate-s3-client-'), 'put.tgz');
    await writeFile(file, 'uploaded through the caller client');
    await writeFile(`${file}.asc`, (await world.demo.gpg.gpg(['--local-user', world.demo.fingerprints.bob, '--detach-sign', '--armor'], { input: await readFile(file) })).stdout);
    const report = await s3Put({ ...nowhere, client, keys: [world.keysDir], file, signatureFile: `${file}.asc`, object: `s3://${BUCKET}/own-client/put.tgz` });
    expect(report).toMatchObject({ ok: true, status: 'valid' });
    expect((await s3Verify({ ...nowhere, client, keys: [world.keysDir], object: `s3://${BUCKET}/own-client/put.tgz` })).status).toBe('valid');
  });
});
