// Getting the deployer to read, write or run something its register did not name: project names that are paths,
// branch names that are shell, a deploy command that sees the deployer's own credentials.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { deploy, type DeployOptions } from '../../src/commands/deploy.js';
import type { RegisterSource } from '../../src/deploy/types.js';
import { fileRegister } from '../../src/deploy/register-file.js';
import { localState } from '../../src/deploy/state-local.js';
import { deployWorld, type DeployWorld } from '../helpers/deploy-world.js';
import { expectSiggateError, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let w: DeployWorld;
beforeEach(async () => {
  w = await deployWorld();
});

function options(extra: Partial<DeployOptions> = {}): DeployOptions {
  return { project: 'shop', register: fileRegister(w.registerPath), state: localState(join(w.dir, 'state')), env: { PATH: process.env['PATH'] ?? '' }, ...extra };
}

describe('project names that are paths', () => {
  it.each(['../escape', 'sub/../../escape', '.shop', '..', 'a/b'])('%j is refused (exit 2) before the register or the state is touched', async (project) => {
    await w.release('v1');
    const asked: string[] = [];
    // a register that would answer any name: the refusal must come from the name itself
    const register: RegisterSource = { description: 'any', readEntry: async (name) => (asked.push(name), w.entry()) };
    await expectSiggateError(deploy(options({ project, register })), { exitCode: 2, code: 'REGISTER' });
    expect(asked).toEqual([]);
    expect(existsSync(join(w.dir, 'state'))).toBe(false);
    expect(existsSync(join(w.dir, 'escape.json'))).toBe(false);
    expect(await w.runs()).toHaveLength(0);
  });

  it('control: a plain name deploys and its state stays in the state directory', async () => {
    await w.release('v1');
    const register: RegisterSource = { description: 'any', readEntry: async () => w.entry() };
    expect((await deploy(options({ register }))).deployed).toBe(true);
    expect(await readdir(join(w.dir, 'state'))).toEqual(['shop.json']);
  });
});

describe('branch names that are shell', () => {
  const script = 'printf %s "$1" > "$OUT"';

  it('with shell: true the branch is $1, never spliced into the script: `x;touch pwned` creates nothing', async () => {
    const main = await w.release('v1');
    const branch = 'x;touch${IFS}$OUT.pwned;$(touch${IFS}$OUT.pwned2)';
    await w.push(main, branch);
    const out = join(w.dir, 'out');
    await w.writeRegister({ shop: w.entry({ command: script, shell: true, env: { OUT: out } }) });
    expect((await deploy(options({ branch }))).deployed).toBe(true);
    expect(await readFile(out, 'utf8')).toBe(branch);
    expect((await readdir(w.dir)).filter((f) => f.includes('pwned'))).toEqual([]);
  });

  it('control: the same script with an ordinary branch prints it', async () => {
    await w.release('v1');
    const out = join(w.dir, 'out');
    await w.writeRegister({ shop: w.entry({ command: script, shell: true, env: { OUT: out } }) });
    expect((await deploy(options())).deployed).toBe(true);
    expect(await readFile(out, 'utf8')).toBe('main');
  });

  it('without shell, a command string is one program name, not a command line', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry({ command: `touch ${join(w.dir, 'pwned')}` }) });
    await expectSiggateError(deploy(options()), { exitCode: 3, code: 'TOOL_FAILED' });
    expect(existsSync(join(w.dir, 'pwned'))).toBe(false);
  });

  it('a branch that is an option or a revision expression is refused (exit 2)', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    for (const branch of ['--upload-pack=touch /tmp/x', 'main~1', 'main..x', 'main@{1}']) {
      await expectSiggateError(deploy(options({ branch })), { exitCode: 2, code: 'REGISTER' });
    }
    expect(await w.runs()).toHaveLength(0);
  });
});

describe("the command and the deployer's credentials", () => {
  const deployerEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: '/home/deployer',
    AWS_ACCESS_KEY_ID: 'AKIADEPLOYER',
    AWS_SECRET_ACCESS_KEY: 'deployer-secret',
    AWS_SESSION_TOKEN: 'deployer-session',
    AWS_PROFILE: 'deployer',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/deployer',
    SIGGATE_GIT_TOKEN: 'deployer-git-token',
    GITHUB_TOKEN: 'deployer-github-token',
    SIGGATE_SIGNING_KEY_PASSPHRASE: 'deployer-passphrase',
  };

  it('the command sees none of them, only PATH/HOME, the entry env and the deploy variables', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await deploy(options({ env: deployerEnv }));
    const [run] = await w.runs();
    const leaked = Object.entries(run!.env).filter(([, value]) => value.includes('deployer'));
    expect(leaked).toEqual([['HOME', '/home/deployer']]);
    expect(Object.keys(run!.env).filter((name) => name.startsWith('AWS_'))).toEqual([]);
  });

  it('control: what the entry names does reach the command', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), STAGE: 'prod' } }) });
    await deploy(options({ env: deployerEnv }));
    expect((await w.runs())[0]!.env).toMatchObject({ STAGE: 'prod', PATH: deployerEnv.PATH, PROJECTNAME: 'shop' });
  });

  it('an entry cannot set AWS_* itself (exit 2, nothing run)', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), AWS_SECRET_ACCESS_KEY: 'x' } }) });
    await expectSiggateError(deploy(options()), { exitCode: 2, code: 'REGISTER' });
    expect(await w.runs()).toHaveLength(0);
  });
});
