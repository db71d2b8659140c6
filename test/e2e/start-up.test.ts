// What the launchers load: the everyday paths (a tip verify, a resource check) run siggate's one bundle and
// load nothing from node_modules — no openpgp.js, no SDK — which is most of what start-up used to cost.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { runBin, type BinName } from '../helpers/bin.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const REGISTER = pathToFileURL(resolve(import.meta.dirname, '../helpers/module-log-register.mjs')).href;

/** Runs a launcher with the module log hook; returns its exit code and the modules it loaded (file URLs). */
async function loadedBy(bin: BinName, args: string[], stdin?: string): Promise<{ code: number | null; modules: string[] }> {
  const log = join(await makeTempDir('siggate-modules-'), 'modules.log');
  const env = { ...process.env, NO_COLOR: '1', SIGGATE_MODULE_LOG: log, NODE_OPTIONS: `--import=${REGISTER}` };
  const result = await runBin(bin, args, { env, ...(stdin !== undefined ? { stdin } : {}) });
  const modules = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((url) => url.startsWith('file:'));
  return { code: result.code, modules };
}

describe('start-up', () => {
  it('a tip verify loads nothing from node_modules (no openpgp.js, no commander module graph)', async () => {
    const world = await demoWorld();
    const repo = await Repo.init();
    await repo.commit({ message: 'signed', sign: world.as('alice') });
    const { code, modules } = await loadedBy('siggate', ['verify', 'HEAD', '--repo', repo.dir, '--keys', world.keysDir, '--mode', 'tip']);
    expect(code).toBe(0);
    expect(modules.filter((url) => url.includes('/dist/bundle/'))).toEqual([expect.stringMatching(/\/dist\/bundle\/cli\.cjs$/)]);
    expect(modules.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });

  it('bin/check runs the resource bundle and loads nothing from node_modules', async () => {
    const world = await demoWorld();
    const repo = await Repo.init();
    await repo.commit({ message: 'signed', sign: world.as('alice') });
    const keys = await Promise.all((await readdir(world.keysDir)).map((name) => readFile(join(world.keysDir, name), 'utf8')));
    const branch = (await repo.git('symbolic-ref', '--short', 'HEAD')).trim();
    const request = JSON.stringify({ source: { uri: repo.dir, branch, commit_verification_keys: keys } });
    const { code, modules } = await loadedBy('check', [], request);
    expect(code).toBe(0);
    expect(modules.filter((url) => url.includes('/dist/bundle/'))).toEqual([expect.stringMatching(/\/dist\/bundle\/resource\.cjs$/)]);
    expect(modules.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });
});
