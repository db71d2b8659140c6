// The trigger path: `siggate trigger` publishes {project, branch} to SNS; the Lambda handler checks a message
// against the register and starts the worker through CodeBuild with PROJECTNAME/GITBRANCH only. SNS and CodeBuild are
// SigV4-checking fakes (test/helpers/aws-deploy-fakes.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleDeployTrigger, type DeployTriggerOptions, type SnsEvent } from '../../src/lambda/deploy-trigger.js';
import { createCodeBuildClient, startWorkerBuild } from '../../src/deploy/trigger-aws.js';
import { fileRegister } from '../../src/deploy/register-file.js';
import { DEPLOYER_KEY, startCodeBuild, startSns, type FakeCodeBuild, type FakeSns } from '../helpers/aws-deploy-fakes.js';
import { isolateAwsEnv } from '../helpers/aws-fakes.js';
import { runBin } from '../helpers/bin.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:deploy-requests';
let w: DeployWorld;
let sns: FakeSns;
let codebuild: FakeCodeBuild;
let restore: () => void;
const awsEnv = (): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: DEPLOYER_KEY.accessKeyId,
  AWS_SECRET_ACCESS_KEY: DEPLOYER_KEY.secretAccessKey,
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL_SNS: sns.endpoint,
  AWS_ENDPOINT_URL_CODEBUILD: codebuild.endpoint,
});
beforeEach(async () => {
  w = await deployWorld();
  [sns, codebuild] = await Promise.all([startSns([DEPLOYER_KEY]), startCodeBuild([DEPLOYER_KEY])]);
  restore = isolateAwsEnv(awsEnv());
  await w.writeRegister({ shop: w.entry() });
});
afterEach(async () => {
  restore();
  await Promise.all([sns.close(), codebuild.close()]);
});

const event = (...messages: string[]): SnsEvent => ({ Records: messages.map((Message) => ({ EventSource: 'aws:sns', Sns: { TopicArn: TOPIC, Message } })) });

function handlerOptions(extra: Partial<DeployTriggerOptions> = {}): DeployTriggerOptions {
  const client = createCodeBuildClient({});
  return { register: fileRegister(w.registerPath), startBuild: (r) => startWorkerBuild(client, 'siggate-worker', r.project, r.branch), log: () => {}, ...extra };
}

describe('siggate trigger', () => {
  it('publishes exactly {project, branch} to the topic, signed with the caller key', async () => {
    const result = await runBin('siggate', ['trigger', 'shop', '--branch', 'main', '--topic-arn', TOPIC, '--json'], { env: { ...process.env, ...awsEnv() } });
    expect(result.code).toBe(0);
    expect(sns.published).toEqual([{ topicArn: TOPIC, message: JSON.stringify({ project: 'shop', branch: 'main' }) }]);
    expect(sns.requests[0]).toMatchObject({ accessKeyId: DEPLOYER_KEY.accessKeyId, refused: null });
  });

  it('a bad project or branch name is exit 2 and nothing is published; SNS refusing the signature is exit 3', async () => {
    const env = { ...process.env, ...awsEnv() };
    expect((await runBin('siggate', ['trigger', '../shop', '--branch', 'main', '--topic-arn', TOPIC], { env })).code).toBe(2);
    expect((await runBin('siggate', ['trigger', 'shop', '--branch=main~1', '--topic-arn', TOPIC], { env })).code).toBe(2);
    expect(sns.published).toEqual([]);
    expect((await runBin('siggate', ['trigger', 'shop', '--branch', 'main', '--topic-arn', TOPIC], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' } })).code).toBe(3);
    expect(sns.requests.at(-1)!.refused).toBe('InvalidSignatureException');
  });
});

describe('the Lambda handler', () => {
  it('starts the worker with PROJECTNAME and GITBRANCH overrides only', async () => {
    const result = await handleDeployTrigger(event(JSON.stringify({ project: 'shop', branch: 'release/2' })), handlerOptions());
    expect(result.started).toHaveLength(1);
    expect(codebuild.builds).toEqual([
      {
        projectName: 'siggate-worker',
        environmentVariablesOverride: [
          { name: 'PROJECTNAME', value: 'shop', type: 'PLAINTEXT' },
          { name: 'GITBRANCH', value: 'release/2', type: 'PLAINTEXT' },
        ],
      },
    ]);
    expect(codebuild.requests[0]).toMatchObject({ target: 'CodeBuild_20161006.StartBuild', accessKeyId: DEPLOYER_KEY.accessKeyId });
  });

  it('a project not in the register, a malformed entry, bad JSON or a bad branch start nothing', async () => {
    await w.writeRegister({ shop: w.entry(), broken: { gitUrl: 'x' } });
    const result = await handleDeployTrigger(
      event(JSON.stringify({ project: 'nope', branch: 'main' }), JSON.stringify({ project: 'broken', branch: 'main' }), '{', JSON.stringify({ project: 'shop', branch: 'main~1' })),
      handlerOptions(),
    );
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(codebuild.builds).toEqual([]);
  });

  it('only the accepted topics, when given', async () => {
    const result = await handleDeployTrigger({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: `${TOPIC}-other`, Message: JSON.stringify({ project: 'shop', branch: 'main' }) } }] }, handlerOptions({ topicArns: [TOPIC] }));
    expect(result.started).toEqual([]);
    expect((await handleDeployTrigger(event(JSON.stringify({ project: 'shop', branch: 'main' })), handlerOptions({ topicArns: [TOPIC] }))).started).toHaveLength(1);
  });

  it('CodeBuild refusing the call is thrown, so that Lambda retries', async () => {
    codebuild.keys.clear();
    await expect(handleDeployTrigger(event(JSON.stringify({ project: 'shop', branch: 'main' })), handlerOptions())).rejects.toMatchObject({ exitCode: 3 });
  });
});
