import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { ArtifactReport } from '../../src/index.js';
import { runBin } from '../helpers/merge-world.js';
import { BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';
import { describeRgw as describe, keysOf, rgwInfo, setBucketPolicy, uniqueBucket } from '../helpers/rgw.js';

useFixtureCleanup();

let world: S3World;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  world = await s3World(await demoWorld());
  await world.putSigned('cli/app.tgz', 'cli artifact');
  await world.s3.put(BUCKET, 'cli/unsigned.tgz', 'unsigned');
  // Without the SDK's switch for its Node.js version notice (the fakes set it for in-process clients): siggate's own runs.
  env = { ...process.env };
  delete env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
});

const common = (): string[] => ['--keys', world.keysDir, '--endpoint', world.s3.endpoint, '--force-path-style', '--region', 'us-east-1'];

describe('siggate s3', () => {
  it('get exits 0, writes the file and prints the JSON report', async () => {
    const out = join(await makeTempDir('siggate-cli-s3-'), 'app.tgz');
    const cli = await runBin('siggate', ['s3', 'get', `s3://${BUCKET}/cli/app.tgz`, '--out', out, '--json', ...common()], { cwd: world.keysDir, env });
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as ArtifactReport).status).toBe('valid');
    expect(await readFile(out, 'utf8')).toBe('cli artifact');
  });

  it('get exits 1 with "no signature" for an unsigned object and writes nothing', async () => {
    const out = join(await makeTempDir('siggate-cli-s3-'), 'unsigned.tgz');
    const cli = await runBin('siggate', ['s3', 'get', `s3://${BUCKET}/cli/unsigned.tgz`, '--out', out, ...common()], { cwd: world.keysDir, env });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/no signature/);
    expect(cli.stderr).toContain('nothing was written');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 3 when S3 cannot be reached, and 2 for a bad flag value or URI', async () => {
    const down = await runBin('siggate', ['s3', 'verify', `s3://${BUCKET}/cli/app.tgz`, '--keys', world.keysDir, '--endpoint', 'http://127.0.0.1:9', '--force-path-style', '--region', 'us-east-1'], { cwd: world.keysDir, env });
    expect(down.code).toBe(3);
    for (const args of [
      ['s3', 'verify', 'https://bucket/key', ...common()],
      ['s3', 'verify', `s3://${BUCKET}/cli/app.tgz`, '--role-arn', 'arn:aws:iam::123456789012:role/r', '--role-duration', '60', ...common()],
      ['s3', 'get', `s3://${BUCKET}/cli/app.tgz`, ...common()],
    ]) {
      expect((await runBin('siggate', args, { cwd: world.keysDir, env })).code, args.join(' ')).toBe(2);
    }
  });

  it("prints none of the AWS SDK's Node.js version notices, for the object or for s3:// keys", async () => {
    const closed = ['--endpoint', 'http://127.0.0.1:9', '--force-path-style', '--region', 'us-east-1'];
    for (const keys of [world.keysDir, 's3://keys/deploy/']) {
      const cli = await runBin('siggate', ['s3', 'verify', `s3://${BUCKET}/cli/app.tgz`, '--keys', keys, ...closed], { cwd: world.keysDir, env });
      expect(cli.code, keys).toBe(3);
      expect(cli.stderr, keys).not.toMatch(/NodeVersionSupportWarning|Node\.js|node >=|\(node:\d+\)/);
    }
  });

  it('a reader allowed only s3:GetObject: exit 0 for a signed artifact, 1 when no signature is readable, 3 for a missing bucket', async () => {
    await world.putSigned('cli/reader.tgz', 'for the reader');
    await setBucketPolicy(BUCKET, [{ Principal: { AWS: [rgwInfo().users.reader.arn] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${BUCKET}/cli/*`] }]);
    const { accessKeyId, secretAccessKey } = keysOf('reader');
    const asReader = { ...env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
    const run = (object: string) => runBin('siggate', ['s3', 'verify', object, '--json', ...common()], { cwd: world.keysDir, env: asReader });
    expect((await run(`s3://${BUCKET}/cli/reader.tgz`)).code).toBe(0);
    const unsigned = await run(`s3://${BUCKET}/cli/unsigned.tgz`);
    expect(unsigned.code).toBe(1);
    expect(JSON.parse(unsigned.stdout)).toMatchObject({ status: 'unsigned', unreadable: [`s3://${BUCKET}/cli/unsigned.tgz.sig`, `s3://${BUCKET}/cli/unsigned.tgz.asc`] });
    expect((await run(`s3://${uniqueBucket('nosuch')}/cli/reader.tgz`)).code).toBe(3);
  });

  it('never prints the secret key', async () => {
    const cli = await runBin('siggate', ['s3', 'verify', `s3://${BUCKET}/cli/app.tgz`, ...common()], {
      cwd: world.keysDir,
      env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAWRONG', AWS_SECRET_ACCESS_KEY: 'hunter2-secret-value' },
    });
    expect(cli.code).toBe(3);
    expect(cli.stdout + cli.stderr).not.toContain('hunter2-secret-value');
  });
});
