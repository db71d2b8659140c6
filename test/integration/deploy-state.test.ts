// Deploy state and its lock in each store: a local directory, SSM (the SigV4-checking fake), S3 (test/helpers/aws-fake-s3.ts).
// The same cases run against every store that can hold a lock; see `stateCases`.
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploy, type DeployOptions } from '../../src/commands/deploy.js';
import { fileRegister } from '../../src/deploy/register-file.js';
import { localState } from '../../src/deploy/state-local.js';
import { s3State } from '../../src/deploy/state-s3.js';
import { ssmState } from '../../src/deploy/state-ssm.js';
import type { StateStore } from '../../src/deploy/types.js';
import { DEPLOYER_KEY, startSsm, type FakeSsm } from '../helpers/aws-deploy-fakes.js';
import { isolateAwsEnv } from '../helpers/aws-fakes.js';
import { createBucket, describeRgw, keysOf, putAsAdmin, rgwInfo, uniqueBucket } from '../helpers/rgw.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { expectSiggateError, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: DeployWorld;
beforeEach(async () => {
  w = await deployWorld();
});

function options(state: StateStore, extra: Partial<DeployOptions> = {}): DeployOptions {
  return { project: 'shop', register: fileRegister(w.registerPath), state, env: { PATH: process.env['PATH'] ?? '' }, ...extra };
}

/** The cases every lock-capable store must pass; `holdLock` plants a lock as another deployer would. */
function stateCases(makeStore: () => StateStore, holdLock: (project: string) => Promise<void>, releaseLock: (project: string) => Promise<void>): void {
  it('records the deployed commit, which is the next trust root; a rewind is not-descendant', async () => {
    const store = makeStore();
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    expect(await deploy(options(store))).toMatchObject({ deployed: true, commit: v1 });
    expect(await store.read('shop')).toMatchObject({ project: 'shop', branch: 'main', commit: v1 });
    const v2 = await w.release('v2');
    expect(await deploy(options(store))).toMatchObject({ deployed: true, commit: v2, previous: v1 });
    await w.release('other', 'alice', { parents: [v1] });
    expect((await deploy(options(store))).report.status).toBe('not-descendant');
    expect((await store.read('shop'))!.commit).toBe(v2);
  });

  it('a failing command leaves the record as it was', async () => {
    const store = makeStore();
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await deploy(options(store));
    await w.release('v2');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), EXIT_WITH: '1' } }) });
    await expectSiggateError(deploy(options(store)), { exitCode: 3, code: 'DEPLOY_COMMAND_FAILED' });
    expect((await store.read('shop'))!.commit).toBe(v1);
  });

  it('a lock held by another deployer: refused after the wait (exit 3), nothing run; once released, the deploy runs', async () => {
    const store = makeStore();
    await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await holdLock('shop');
    await expectSiggateError(deploy(options(store, { lockWaitMs: 300 })), { exitCode: 3, code: 'DEPLOY_BUSY' });
    expect(await w.runs()).toHaveLength(0);
    await releaseLock('shop');
    expect((await deploy(options(store))).deployed).toBe(true);
  });

  it('two deploys at once: the second runs only after the first', async () => {
    const go = join(w.dir, 'go');
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), WAIT_FOR: go } }) });
    const first = deploy(options(makeStore()));
    while (!existsSync(`${go}.started`)) await sleep(20);
    const second = deploy(options(makeStore(), { lockWaitMs: 600_000 }));
    await sleep(300);
    expect(await w.runs()).toHaveLength(0);
    await writeFile(go, '');
    await first;
    expect(await second).toMatchObject({ deployed: true, previous: v1 });
  });
}

describe('a local state directory', () => {
  const lockFile = (project: string): string => join(w.stateDir, `${project}.lock`);
  stateCases(
    () => localState(w.stateDir),
    // a live holder on this host: this very process, under a nonce it does not hold
    async (project) => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(w.stateDir, { recursive: true });
      await writeFile(lockFile(project), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), since: new Date().toISOString(), nonce: 'other' }));
    },
    async (project) => (await import('node:fs/promises')).rm(lockFile(project)),
  );
});

describe('state in SSM Parameter Store', () => {
  let ssm: FakeSsm;
  let restore: () => void;
  beforeEach(async () => {
    ssm = await startSsm([DEPLOYER_KEY]);
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: DEPLOYER_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: DEPLOYER_KEY.secretAccessKey, AWS_REGION: 'eu-west-1' });
  });
  afterEach(async () => {
    restore();
    await ssm.close();
  });
  const store = (): StateStore => ssmState('/deploy-state', new SSMClient({ endpoint: ssm.endpoint, region: 'eu-west-1' }));
  stateCases(
    store,
    async (project) => void ssm.parameters.set(`/deploy-state/${project}/lock`, { value: '{"host":"other"}', type: 'String', version: 1 }),
    async (project) => void ssm.parameters.delete(`/deploy-state/${project}/lock`),
  );

  it('the lock is gone after a deploy, and the record is a String parameter of JSON', async () => {
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await deploy(options(store()));
    expect(ssm.parameters.has('/deploy-state/shop/lock')).toBe(false);
    expect(JSON.parse(ssm.parameters.get('/deploy-state/shop/state')!.value)).toMatchObject({ commit: v1 });
  });

  it('a record that is not a full commit id of this project is refused (exit 3), not trusted nor ignored', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    ssm.parameters.set('/deploy-state/shop/state', { value: JSON.stringify({ project: 'shop', branch: 'main', commit: 'HEAD~1' }), type: 'String', version: 1 });
    await expectSiggateError(deploy(options(store())), { exitCode: 3, code: 'DEPLOY_STATE' });
    expect(await w.runs()).toHaveLength(0);
  });
});

describeRgw('state in S3 (the real RGW)', () => {
  let bucket: string;
  let restore: () => void;
  beforeEach(async () => {
    bucket = uniqueBucket('deploy-state');
    await createBucket(bucket);
    restore = isolateAwsEnv({ AWS_ACCESS_KEY_ID: keysOf('admin').accessKeyId, AWS_SECRET_ACCESS_KEY: keysOf('admin').secretAccessKey, AWS_REGION: rgwInfo().region });
  });
  afterEach(() => restore());
  const client = (): S3Client => new S3Client({ endpoint: rgwInfo().endpoint, region: rgwInfo().region, forcePathStyle: true, credentials: keysOf('admin') });
  const store = (): StateStore => s3State(bucket, 'prod', client());
  stateCases(
    store,
    async (project) => void (await putAsAdmin(bucket, `prod/${project}.lock`, '{"host":"other"}')),
    async (project) => {
      const admin = client();
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: `prod/${project}.lock` }));
      admin.destroy();
    },
  );

  // A store that ignores If-None-Match on PUT (as s3rver and some S3 look-alikes do) cannot hold a lock: the probe
  // finds out and nothing runs. Staged by dropping the header on the client side, before signing.
  it('a store that ignores If-None-Match is refused before anything runs (fail closed)', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    const ignoring = client();
    ignoring.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) delete request.headers['if-none-match'];
        return next(args);
      },
      { step: 'build', name: 'dropIfNoneMatch' },
    );
    await expectSiggateError(deploy(options(s3State(bucket, 'prod', ignoring))), { exitCode: 3, code: 'DEPLOY_STATE' });
    expect(await w.runs()).toHaveLength(0);
  });
});
