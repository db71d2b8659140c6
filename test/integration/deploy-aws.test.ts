// The deployer against SSM, Secrets Manager and STS: fakes on 127.0.0.1 speaking the services' protocols and checking
// SigV4 (test/helpers/aws-deploy-fakes.ts), reached by the real SDK clients through AWS_ENDPOINT_URL_<SERVICE>.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSourceOf, roleAssumerOf, secretResolverOf } from '../../src/cli/deploy-sources.js';
import { deploy, type DeployOptions } from '../../src/commands/deploy.js';
import { createSecretsManagerClient } from '../../src/deploy/aws-clients.js';
import { localState } from '../../src/deploy/state-local.js';
import { secretsManagerResolver } from '../../src/deploy/secrets-manager.js';
import { startDeployAws, type DeployAws } from '../helpers/aws-deploy-fakes.js';
import { isolateAwsEnv } from '../helpers/aws-fakes.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { expectSiggateError, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const ROLE = 'arn:aws:iam::123456789012:role/shop-deploy';
let w: DeployWorld;
let aws: DeployAws;
let restoreEnv: () => void;
beforeEach(async () => {
  w = await deployWorld();
  aws = await startDeployAws();
  restoreEnv = isolateAwsEnv(aws.env);
});
afterEach(async () => {
  restoreEnv();
  await aws.close();
});

function putEntry(entry: unknown, name = '/deploy/shop'): void {
  aws.ssm.parameters.set(name, { value: typeof entry === 'string' ? entry : JSON.stringify(entry), type: 'SecureString', version: 1 });
}

async function options(extra: Partial<DeployOptions> = {}): Promise<DeployOptions> {
  return {
    project: 'shop',
    register: await registerSourceOf('ssm:/deploy', {}),
    state: localState(w.stateDir),
    secrets: secretResolverOf(undefined, {}),
    assumeRole: roleAssumerOf({}),
    env: { PATH: process.env['PATH'] ?? '', ...aws.env },
    ...extra,
  };
}

describe('a register in SSM', () => {
  it('reads /PATH/PROJECT with decryption, signed with the deployer key, and deploys', async () => {
    const v1 = await w.release('v1');
    putEntry(w.entry());
    expect(await deploy(await options())).toMatchObject({ deployed: true, commit: v1 });
    expect(aws.ssm.requests).toEqual([expect.objectContaining({ target: 'AmazonSSM.GetParameter', accessKeyId: 'AKIADEPLOYER0000TEST', refused: null })]);
    expect(JSON.parse(aws.ssm.requests[0]!.body)).toEqual({ Name: '/deploy/shop', WithDecryption: true });
  });

  it('a parameter that is not JSON: exit 2, nothing fetched or run', async () => {
    await w.release('v1');
    putEntry('{"gitUrl": ');
    await expectSiggateError(deploy(await options()), { exitCode: 2, code: 'REGISTER' });
    expect(await w.runs()).toHaveLength(0);
    expect(await w.deployed()).toBeNull();
  });

  it('no parameter for the project: exit 2', async () => {
    putEntry(w.entry(), '/deploy/other');
    await expectSiggateError(deploy(await options()), { exitCode: 2, code: 'REGISTER' });
  });

  it('a deployer whose secret is wrong is refused by SSM (SigV4): exit 3, nothing run', async () => {
    await w.release('v1');
    putEntry(w.entry());
    process.env['AWS_SECRET_ACCESS_KEY'] = 'not-the-secret';
    await expectSiggateError(deploy(await options()), { exitCode: 3 });
    expect(aws.ssm.requests.every((r) => r.refused === 'InvalidSignatureException')).toBe(true);
    expect(await w.runs()).toHaveLength(0);
  });
});

describe('secrets from Secrets Manager', () => {
  let server: GitHttpServer;
  beforeEach(async () => {
    server = await startGitHttpServer({ root: w.dir, auth: { token: 'git-token-value' } });
  });
  afterEach(async () => server.close());

  it('resolves ((name)) in authToken, env and secrets: the project path first, then the shared one', async () => {
    await w.release('v1');
    aws.secrets.secrets.set('/siggate/git-token', 'git-token-value');
    aws.secrets.secrets.set('/siggate/shop/db', 'db-for-shop');
    aws.secrets.secrets.set('/siggate/db', 'db-shared');
    aws.secrets.secrets.set('/siggate/stage', 'prod');
    putEntry(w.entry({ gitUrl: server.repoUrl('shop.git'), authToken: '((git-token))', env: { RECORD: `${w.dir}/runs.jsonl`, URL: 'https://((stage)).example.com' }, secrets: { DB_PASSWORD: '((db))' } }));
    expect((await deploy(await options())).deployed).toBe(true);
    expect((await w.runs())[0]!.env).toMatchObject({ DB_PASSWORD: 'db-for-shop', URL: 'https://prod.example.com' });
    expect(aws.secrets.requests.every((r) => r.accessKeyId === 'AKIADEPLOYER0000TEST')).toBe(true);
  });

  it('a secret in neither place: exit 2 naming both paths, not fetched, not run', async () => {
    await w.release('v1');
    putEntry(w.entry({ secrets: { DB_PASSWORD: '((db))' } }));
    const error = await expectSiggateError(deploy(await options()), { exitCode: 2, code: 'REGISTER' });
    expect(error.message).toContain('/siggate/shop/db');
    expect(error.message).toContain('/siggate/db');
    expect(await w.runs()).toHaveLength(0);
  });

  it('--secret-template replaces the lookup order', async () => {
    await w.release('v1');
    aws.secrets.secrets.set('teams/shop/db', 'from-template');
    aws.secrets.secrets.set('/siggate/shop/db', 'default-path');
    putEntry(w.entry({ secrets: { DB_PASSWORD: '((db))' } }));
    await deploy(await options({ secrets: secretResolverOf(['teams/{{.Project}}/{{.Secret}}'], {}) }));
    expect((await w.runs())[0]!.env['DB_PASSWORD']).toBe('from-template');
  });

  it('throttling is retried a bounded number of times: two throttles pass, endless throttling is exit 3', async () => {
    aws.secrets.secrets.set('/siggate/shop/db', 'v');
    const resolver = secretsManagerResolver({ client: createSecretsManagerClient({}), retryDelaysMs: [1, 1, 1] });
    aws.secrets.throttle = 2;
    expect(await resolver.resolve('shop', 'db')).toBe('v');
    aws.secrets.requests.length = 0;
    aws.secrets.throttle = 1_000;
    await expectSiggateError(resolver.resolve('shop', 'db'), { exitCode: 3, code: 'REMOTE_FAILED' });
    expect(aws.secrets.requests).toHaveLength(4);
  });
});

describe("the project's role", () => {
  it('is assumed with the deployer key for roleDuration; the command gets its credentials and the region, not the deployer’s', async () => {
    await w.release('v1');
    putEntry(w.entry({ roleArn: ROLE, roleDuration: 1800 }));
    await deploy(await options());
    expect(aws.sts.calls).toEqual([{ roleArn: ROLE, durationSeconds: 1800, caller: 'AKIADEPLOYER0000TEST' }]);
    const issued = aws.sts.issued.get(ROLE)!;
    const env = (await w.runs())[0]!.env;
    expect(env).toMatchObject({ AWS_ACCESS_KEY_ID: issued.accessKeyId, AWS_SECRET_ACCESS_KEY: issued.secretAccessKey, AWS_SESSION_TOKEN: issued.sessionToken, AWS_REGION: 'eu-west-1' });
    expect(Object.keys(env).filter((name) => name.startsWith('AWS_')).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
  });

  it('aws_assume_role_arn / aws_assume_role_duration name it when the entry does not (default 3600)', async () => {
    await w.release('v1');
    putEntry(w.entry());
    await deploy(await options({ env: { PATH: process.env['PATH'] ?? '', aws_assume_role_arn: ROLE } }));
    expect(aws.sts.calls[0]).toMatchObject({ roleArn: ROLE, durationSeconds: 3600 });
    await w.release('v2');
    await deploy(await options({ env: { PATH: process.env['PATH'] ?? '', aws_assume_role_arn: ROLE, aws_assume_role_duration: '900' } }));
    expect(aws.sts.calls[1]).toMatchObject({ roleArn: ROLE, durationSeconds: 900 });
  });

  it('STS refusing the role: exit 3, nothing fetched, nothing run, no state', async () => {
    await w.release('v1');
    aws.sts.refuse.add(ROLE);
    putEntry(w.entry({ roleArn: ROLE }));
    await expectSiggateError(deploy(await options()), { exitCode: 3, code: 'ROLE_REFUSED' });
    expect(await w.runs()).toHaveLength(0);
    expect(await w.deployed()).toBeNull();
  });
});
