// `deploy()` from the library: a local register and state, a file:// remote with real gpg-signed commits, a real command.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { deploy, type DeployOptions } from '../../src/commands/deploy.js';
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
  return { project: 'shop', register: fileRegister(w.registerPath), state: localState(w.stateDir), env: { PATH: process.env['PATH'] ?? '' }, ...extra };
}

describe('deploy from a local register', () => {
  it('runs the command in the verified tree with the branch as first argument, then records the commit', async () => {
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    const result = await deploy(options());
    expect(result).toMatchObject({ deployed: true, commit: v1, previous: null, branch: 'main' });
    const [run] = await w.runs();
    expect(run).toMatchObject({ args: ['main'], version: 'v1\n' });
    expect(run!.env).toMatchObject({ PROJECTNAME: 'shop', GITBRANCH: 'main', SIGGATE_DEPLOY_COMMIT: v1 });
    expect(await w.deployed()).toBe(v1);
  });

  it('verifies every first-parent commit since the last deployed one, which becomes the trust root', async () => {
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await deploy(options());
    await w.release('v2', 'bob');
    const v3 = await w.release('v3');
    const result = await deploy(options());
    expect(result).toMatchObject({ deployed: true, commit: v3, previous: v1 });
    expect(result.report).toMatchObject({ since: v1, mode: 'first-parent', checked: 2 });
    expect(await w.deployed()).toBe(v3);
  });

  it('an unsigned commit since the last deploy closes the gate: the command never runs, nothing is checked out, the state stays', async () => {
    const deployDir = join(w.dir, 'live');
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry({ deployDir }) });
    await deploy(options());
    await w.release('v2', null);
    await w.release('v3');
    const result = await deploy(options());
    expect(result.deployed).toBe(false);
    expect(result.report.status).toBe('failed');
    expect(result.report.commits.map((c) => c.status)).toContain('unsigned');
    expect(await w.runs()).toHaveLength(1);
    expect(await readFile(join(deployDir, 'version.txt'), 'utf8')).toBe('v1\n');
    expect(await w.deployed()).toBe(v1);
  });

  it('a commit by a key outside the register entry closes the gate (unknown-key)', async () => {
    await w.release('v1', 'mallory');
    await w.writeRegister({ shop: w.entry() });
    const result = await deploy(options());
    expect(result.report.commits[0]!.status).toBe('unknown-key');
    expect(result.deployed).toBe(false);
    expect(await w.runs()).toHaveLength(0);
    expect(await w.deployed()).toBeNull();
  });

  it('a failing command: exit 3, the state is not advanced, and the next deploy still verifies from the old root', async () => {
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await deploy(options());
    const v2 = await w.release('v2');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), EXIT_WITH: '7' } }) });
    await expectSiggateError(deploy(options()), { exitCode: 3, code: 'DEPLOY_COMMAND_FAILED' });
    expect(await w.deployed()).toBe(v1);
    await w.writeRegister({ shop: w.entry() });
    expect(await deploy(options())).toMatchObject({ deployed: true, commit: v2, previous: v1 });
  });

  it('a branch rewritten so that it no longer contains the deployed commit is not-descendant, unless allowRewind', async () => {
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await deploy(options());
    const v2 = await w.release('v2');
    await deploy(options());
    // the remote forgets v2: a force-push back onto v1's line
    const other = await w.release('v2-rewritten', 'alice', { parents: [v1] });
    const refused = await deploy(options());
    expect(refused.report.status).toBe('not-descendant');
    expect(refused.deployed).toBe(false);
    expect(await w.runs()).toHaveLength(2);
    expect(await w.deployed()).toBe(v2);
    expect(await deploy(options({ allowRewind: true }))).toMatchObject({ deployed: true, commit: other });
    expect(await w.deployed()).toBe(other);
  });

  it('a rewind onto an older commit (the deployed one is gone from the remote) is not-descendant, with a kept deployDir too', async () => {
    const deployDir = join(w.dir, 'live');
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry({ deployDir }) });
    await deploy(options());
    await w.release('v2');
    await deploy(options());
    await w.push(v1);
    await w.remote.git('reflog', 'expire', '--expire=now', '--all');
    await w.remote.git('gc', '--quiet', '--prune=now');
    expect((await deploy(options())).report.status).toBe('not-descendant');
    expect(await readFile(join(deployDir, 'version.txt'), 'utf8')).toBe('v2\n');
  });

  it('the entry trustRoot is the first trust root: history below it is not checked, a branch not containing it is refused', async () => {
    await w.release('v0', null);
    const v1 = await w.release('v1');
    const v2 = await w.release('v2');
    await w.writeRegister({ shop: w.entry({ trustRoot: v1 }) });
    expect(await deploy(options())).toMatchObject({ deployed: true, commit: v2 });
    const w2 = w;
    w = await deployWorld();
    await w.release('x');
    await w.writeRegister({ shop: w.entry({ trustRoot: v2 }) });
    expect((await deploy(options())).report.status).toBe('not-descendant');
    void w2;
  });
});

describe('the register', () => {
  it('a project not in the register is exit 2 and nothing is fetched or run', async () => {
    await w.release('v1');
    await w.writeRegister({ shop: w.entry() });
    await expectSiggateError(deploy(options({ project: 'shops' })), { exitCode: 2, code: 'REGISTER' });
    expect(existsSync(w.stateDir)).toBe(false);
  });

  it('a malformed entry is exit 2 naming the field, before anything is fetched (its remote does not exist)', async () => {
    await w.writeRegister({ shop: w.entry({ gitUrl: join(w.dir, 'nowhere.git'), mode: 'sometimes' }) });
    const error = await expectSiggateError(deploy(options()), { exitCode: 2, code: 'REGISTER' });
    expect(error.message).toContain('mode');
    // control: a well-formed entry with that remote gets as far as the fetch, which fails (exit 3)
    await w.writeRegister({ shop: w.entry({ gitUrl: join(w.dir, 'nowhere.git') }) });
    await expectSiggateError(deploy(options()), { exitCode: 3 });
  });

  it('relative key paths in a register file are relative to the file', async () => {
    await w.release('v1');
    await writeFile(join(w.dir, 'alice.asc'), await readFile(join(w.demo.keysDir, (await import('node:fs')).readdirSync(w.demo.keysDir).find((f) => f.startsWith('alice'))!)));
    await w.writeRegister({ shop: w.entry({ keys: ['alice.asc'] }) });
    expect((await deploy({ ...options(), register: fileRegister(w.registerPath) })).deployed).toBe(true);
  });
});

describe('two deploys of one project', () => {
  it('never run at once: the second waits for the lock, then runs from the first one’s commit', async () => {
    const go = join(w.dir, 'go');
    const v1 = await w.release('v1');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), WAIT_FOR: go } }) });
    const first = deploy(options());
    while (!existsSync(`${go}.started`)) await sleep(20);
    const second = deploy(options({ lockWaitMs: 600_000 }));
    await sleep(200);
    // the second has not started its command: it waits for the lock
    expect(await w.runs()).toHaveLength(0);
    await writeFile(go, '');
    expect(await first).toMatchObject({ deployed: true, commit: v1, previous: null });
    expect(await second).toMatchObject({ deployed: true, commit: v1, previous: v1 });
    expect(await w.runs()).toHaveLength(2);
  });

  it('the second refuses (exit 3, DEPLOY_BUSY) when the wait is over, and runs nothing', async () => {
    const go = join(w.dir, 'go');
    await w.release('v1');
    await w.writeRegister({ shop: w.entry({ env: { RECORD: join(w.dir, 'runs.jsonl'), WAIT_FOR: go } }) });
    const first = deploy(options());
    while (!existsSync(`${go}.started`)) await sleep(20);
    await expectSiggateError(deploy(options({ lockWaitMs: 100 })), { exitCode: 3, code: 'DEPLOY_BUSY' });
    await writeFile(go, '');
    await first;
    expect(await w.runs()).toHaveLength(1);
  });
});
