// `bin/siggate deploy` as a subprocess: exit codes, the JSON report, the PROJECTNAME/GITBRANCH/CONFIGPATH convention, help.
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBin, type CliResult } from '../helpers/bin.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: DeployWorld;
beforeEach(async () => {
  w = await deployWorld();
});

function siggate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PROJECTNAME|GITBRANCH|CONFIGPATH|AWS_)/.test(name)));
  return runBin('siggate', args, { env: { ...base, NO_COLOR: '1', ...env } });
}

describe('siggate deploy', () => {
  it('deploys from a register file (exit 0), then refuses an unsigned commit (exit 1, JSON deployed false)', async () => {
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    const first = await siggate(['deploy', 'shop', '--register', w.registerPath, '--state', w.stateDir, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, deployed: true, project: 'shop', branch: 'main', target: v1 });
    await w.release('v2', null);
    const second = await siggate(['deploy', 'shop', '--register', w.registerPath, '--state', w.stateDir, '--json']);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: false, deployed: false, previous: v1 });
    expect(await w.runs()).toHaveLength(1);
  });

  it('takes PROJECTNAME, GITBRANCH and CONFIGPATH from the environment', async () => {
    const main = await w.release('v1');
    const feature = await w.work.commit({ message: 'feature\n', files: { 'version.txt': 'feature\n' }, sign: w.demo.as('bob'), parents: [main], update: false });
    await w.push(feature, 'feature');
    await w.writeRegister({ shop: w.entry() });
    const result = await siggate(['deploy', '--state', w.stateDir], { PROJECTNAME: 'shop', GITBRANCH: 'feature', CONFIGPATH: w.registerPath });
    expect(result.code).toBe(0);
    expect((await w.runs())[0]).toMatchObject({ args: ['feature'], version: 'feature\n' });
  });

  it('a project not in the register: exit 2; a failing command: exit 3 and nothing recorded', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), EXIT_WITH: '4' } }) });
    expect((await siggate(['deploy', 'shop2', '--register', w.registerPath, '--state', w.stateDir])).code).toBe(2);
    expect((await siggate(['deploy', 'shop', '--register', w.registerPath, '--state', w.stateDir])).code).toBe(3);
    expect(await w.deployed()).toBeNull();
  });

  it('without a project or a register: exit 2', async () => {
    expect((await siggate(['deploy', '--register', w.registerPath])).code).toBe(2);
    expect((await siggate(['deploy', 'shop'])).code).toBe(2);
  });

  it('--help shows an example register entry', async () => {
    const help = await siggate(['deploy', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/"gitUrl"[\s\S]*"command"[\s\S]*"keys"/);
  });
});
