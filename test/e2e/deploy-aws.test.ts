// `bin/siggate deploy --register ssm:/PATH` and `secretsmanager:NAME` credentials, against the SigV4-checking fakes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDeployAws, type DeployAws } from '../helpers/aws-deploy-fakes.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const TOKEN = 'e2e-git-token-7Qx';
let w: DeployWorld;
let aws: DeployAws;
let server: GitHttpServer;
beforeEach(async () => {
  w = await deployWorld();
  aws = await startDeployAws();
  server = await startGitHttpServer({ root: w.dir, auth: { token: TOKEN } });
});
afterEach(async () => {
  await aws.close();
  await server.close();
});

function siggate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|SIGGATE_GIT_|GITHUB_TOKEN|GH_TOKEN|PROJECTNAME|GITBRANCH|CONFIGPATH)/.test(name)));
  return runBin('siggate', args, { env: { ...base, NO_COLOR: '1', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...aws.env, ...env } });
}

describe('siggate deploy with the register in SSM', () => {
  it('deploys (exit 0) with secrets that never appear in the output; a second, unsigned release is exit 1', async () => {
    const v1 = await w.release('v1');
    aws.secrets.secrets.set('/siggate/shop/git-token', TOKEN);
    aws.secrets.secrets.set('/siggate/db', 'db-secret-value-9Zk');
    aws.ssm.parameters.set('/deploy/shop', { value: JSON.stringify(w.entry({ gitUrl: server.repoUrl('shop.git'), authToken: '((git-token))', secrets: { DB: '((db))' } })), type: 'SecureString', version: 1 });
    const first = await siggate(['deploy', 'shop', '--register', 'ssm:/deploy', '--state', w.stateDir, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ deployed: true, target: v1 });
    expect((await w.runs())[0]!.env['DB']).toBe('db-secret-value-9Zk');
    await w.release('v2', null);
    const second = await siggate(['deploy', '--state', w.stateDir], { PROJECTNAME: 'shop', CONFIGPATH: 'ssm:/deploy' });
    expect(second.code).toBe(1);
    for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain('db-secret-value');
    }
  });

  it('an SSM parameter that is not JSON: exit 2, nothing run', async () => {
    aws.ssm.parameters.set('/deploy/shop', { value: 'gitUrl=x', type: 'String', version: 1 });
    const result = await siggate(['deploy', 'shop', '--register', 'ssm:/deploy', '--state', w.stateDir]);
    expect(result.code).toBe(2);
    expect(await w.runs()).toHaveLength(0);
  });

  it('a --secret-template without {{.Secret}}: exit 2', async () => {
    expect((await siggate(['deploy', 'shop', '--register', 'ssm:/deploy', '--secret-template', '/x/{{.Project}}'])).code).toBe(2);
  });
});

describe('secretsmanager:NAME credentials of other commands', () => {
  it('SIGGATE_GIT_TOKEN=secretsmanager:NAME lets siggate fetch through; a missing secret is exit 2 naming no value', async () => {
    await w.release('v1');
    aws.secrets.secrets.set('ci/git-token', TOKEN);
    const into = `${w.dir}/checkout`;
    const fetch = (token: string): Promise<CliResult> => siggate(['fetch', server.repoUrl('shop.git'), '--into', into, '--keys', w.demo.keysDir], { SIGGATE_GIT_TOKEN: token });
    // control: the reference itself is no token
    expect((await fetch('secretsmanager:ci/other')).code).toBe(2);
    expect((await fetch('not-the-token')).code).toBe(3);
    const ok = await fetch('secretsmanager:ci/git-token');
    expect(ok.code).toBe(0);
    expect(ok.stderr + ok.stdout).not.toContain(TOKEN);
    expect(aws.secrets.requests.map((r) => JSON.parse(r.body) as unknown)).toContainEqual({ SecretId: 'ci/git-token' });
  });
});
