// `bin/siggate deploy --register ssm:/PATH` behind a proxy: the deployer's SSM client follows HTTP_PROXY /
// HTTPS_PROXY / NO_PROXY (src/remote/proxy.ts) through a real CONNECT proxy on loopback. The SSM fake is an
// http:// endpoint, so HTTP_PROXY is the variable that applies (HTTPS_PROXY is for https:// targets, as in curl).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDeployAws, type DeployAws } from '../helpers/aws-deploy-fakes.js';
import { runBin, type CliResult } from '../helpers/bin.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { withoutProxy } from '../helpers/merge-world.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/sshd.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: DeployWorld;
let aws: DeployAws;
let proxy: ConnectProxy;
beforeEach(async () => {
  w = await deployWorld();
  aws = await startDeployAws();
  proxy = await startConnectProxy({ user: 'deployer', password: 'pr0xy pass' });
  await w.release('v1');
  aws.ssm.parameters.set('/deploy/shop', { value: JSON.stringify(w.entry()), type: 'SecureString', version: 1 });
});
afterEach(async () => {
  await aws.close();
  await proxy.close();
});

const proxyUrl = (password = 'pr0xy pass') => `http://deployer:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}`;
const ssmHost = () => new URL(aws.ssm.endpoint).host;
const getParameters = () => aws.ssm.requests.filter((r) => r.target === 'AmazonSSM.GetParameter' && r.refused === null);

function deploy(env: NodeJS.ProcessEnv): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(withoutProxy(process.env)).filter(([name]) => !/^(AWS_|PROJECTNAME|GITBRANCH|CONFIGPATH)/.test(name)));
  const aws_ = { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...aws.env };
  return runBin('siggate', ['deploy', 'shop', '--register', 'ssm:/deploy', '--state', w.stateDir, '--json'], { env: { ...base, NO_COLOR: '1', ...aws_, ...env } });
}

describe('the deployer behind a proxy', () => {
  it('reads the register from SSM through HTTP_PROXY, with the proxy credentials', async () => {
    const result = await deploy({ HTTP_PROXY: proxyUrl() });
    expect(result.code).toBe(0);
    expect(getParameters()).toHaveLength(1);
    expect(proxy.connects).toContain(`${ssmHost()} Basic ${Buffer.from('deployer:pr0xy pass').toString('base64')}`);
    expect(await w.runs()).toHaveLength(1);
  });

  it('lower-case http_proxy too; HTTPS_PROXY alone does not apply to an http:// endpoint (control)', async () => {
    expect((await deploy({ http_proxy: proxyUrl() })).code).toBe(0);
    expect(proxy.connects).toHaveLength(1);
    expect((await deploy({ HTTPS_PROXY: proxyUrl() })).code).toBe(0);
    expect(proxy.connects).toHaveLength(1);
    expect(getParameters()).toHaveLength(2);
  });

  it('goes direct when NO_PROXY names the endpoint host (control: the register was read all the same)', async () => {
    const result = await deploy({ HTTP_PROXY: proxyUrl(), HTTPS_PROXY: proxyUrl(), NO_PROXY: 'example.com, 127.0.0.1' });
    expect(result.code).toBe(0);
    expect(getParameters()).toHaveLength(1);
    expect(proxy.connects).toEqual([]);
  });

  it('a proxy refusing the credentials: the register is never read around it, nothing runs (exit 3)', async () => {
    const result = await deploy({ HTTP_PROXY: proxyUrl('wrong') });
    expect(result.code).toBe(3);
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(getParameters()).toHaveLength(0);
    expect(await w.runs()).toHaveLength(0);
  });
});
