// The deployer's AWS fakes check SigV4 as the services do: the real SDK clients get through with the known secret,
// and are refused with a wrong secret or an unknown access key (so a test passing through them proves who signed).
import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYER_KEY, startCodeBuild, startRoleSts, startSecretsManager, startSns, startSsm, type FakeService, type FakeKey } from './aws-deploy-fakes.js';
import { isolateAwsEnv } from './aws-fakes.js';

type Call = (endpoint: string, key: FakeKey) => Promise<unknown>;
const config = (endpoint: string, key: FakeKey) => ({ endpoint, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });

const services: [string, () => Promise<FakeService>, Call][] = [
  ['SSM', async () => {
    const ssm = await startSsm([DEPLOYER_KEY]);
    ssm.parameters.set('/p', { value: '{}', type: 'SecureString', version: 1 });
    return ssm;
  }, (e, k) => new SSMClient(config(e, k)).send(new GetParameterCommand({ Name: '/p', WithDecryption: true }))],
  ['Secrets Manager', async () => {
    const sm = await startSecretsManager([DEPLOYER_KEY]);
    sm.secrets.set('s', 'v');
    return sm;
  }, (e, k) => new SecretsManagerClient(config(e, k)).send(new GetSecretValueCommand({ SecretId: 's' }))],
  ['STS', () => startRoleSts([DEPLOYER_KEY]), (e, k) => new STSClient(config(e, k)).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 's' }))],
  ['SNS', () => startSns([DEPLOYER_KEY]), (e, k) => new SNSClient(config(e, k)).send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: 'm' }))],
  ['CodeBuild', () => startCodeBuild([DEPLOYER_KEY]), (e, k) => new CodeBuildClient(config(e, k)).send(new StartBuildCommand({ projectName: 'p' }))],
];

let restore: () => void;
beforeAll(() => {
  restore = isolateAwsEnv();
});
afterAll(() => restore());

describe.each(services)('the %s fake', (_, start, call) => {
  let fake: FakeService;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(async () => fake.close());

  it('answers the real SDK client signing with the known secret', async () => {
    await call(fake.endpoint, DEPLOYER_KEY);
    expect(fake.requests.at(-1)).toMatchObject({ accessKeyId: DEPLOYER_KEY.accessKeyId, refused: null });
  });

  it('refuses a wrong secret and an unknown access key', async () => {
    await expect(call(fake.endpoint, { ...DEPLOYER_KEY, secretAccessKey: 'wrong' })).rejects.toThrow();
    expect(fake.requests.at(-1)!.refused).toBe('InvalidSignatureException');
    await expect(call(fake.endpoint, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: DEPLOYER_KEY.secretAccessKey })).rejects.toThrow();
    expect(fake.requests.at(-1)!.refused).toBe('UnrecognizedClientException');
  });
});
