// Moving the branch while a deploy runs (after its fetch, before its checkout and command): the deployer checks out,
// runs and records only the commit it verified, and the moved tip is judged by the next deploy.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploy, type DeployOptions } from '../../src/commands/deploy.js';
import { fileRegister } from '../../src/deploy/register-file.js';
import { localState } from '../../src/deploy/state-local.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const TOKEN = 'deploy-moved-ref-token';
let w: DeployWorld;
let server: GitHttpServer;
beforeEach(async () => {
  w = await deployWorld();
  server = await startGitHttpServer({ root: w.dir, auth: { token: TOKEN } });
  await w.writeRegister({ shop: w.entry({ gitUrl: server.repoUrl('shop.git'), authToken: TOKEN }) });
});
afterEach(async () => server.close());

function options(): DeployOptions {
  return { project: 'shop', register: fileRegister(w.registerPath), state: localState(w.stateDir), env: { PATH: process.env['PATH'] ?? '' } };
}

describe('a branch moved during a deploy', () => {
  it('onto an unsigned commit after the fetch: the verified commit is what runs and is recorded; the next deploy refuses the moved tip', async () => {
    const v1 = await w.release('v1');
    const unsigned = await w.work.commit({ message: 'evil\n', files: { 'version.txt': 'evil\n' }, parents: [v1], update: false });
    server.faults.afterPack = () => w.push(unsigned);
    const result = await deploy(options());
    expect(server.faults.afterPack).toBeNull();
    expect(result).toMatchObject({ deployed: true, commit: v1 });
    expect((await w.runs()).map((r) => r.version)).toEqual(['v1\n']);
    expect(await w.deployed()).toBe(v1);
    const next = await deploy(options());
    expect(next).toMatchObject({ deployed: false, commit: unsigned });
    expect((await w.runs()).map((r) => r.version)).toEqual(['v1\n']);
  });

  it('control: an unmoved branch deploys its tip, and again on the next run', async () => {
    const v1 = await w.release('v1');
    expect(await deploy(options())).toMatchObject({ deployed: true, commit: v1 });
    expect(await deploy(options())).toMatchObject({ deployed: true, commit: v1, previous: v1 });
  });

  it('without the token the fetch is refused (exit 3) and nothing runs', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry({ gitUrl: server.repoUrl('shop.git') }) });
    await expect(deploy(options())).rejects.toMatchObject({ exitCode: 3 });
    expect(await w.runs()).toHaveLength(0);
  });
});
