// `npm run demo` (dist/tools/demo.js) and the README's deploy quick start, run as the README writes it: the
// commands are read from README.md ("Deployer: `siggate deploy`", its first sh block), so the test fails when
// the README drifts from what works. `npm ci` is not run (the tests run on an installed tree); `npm run demo`
// runs its script's program (the build is the test run's own), and `npx siggate` this checkout's bin.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../fixtures/lib/demo-keys.js';
import { run, type RunResult } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const root = projectRoot();

/** The command lines of the first sh block of the README section `heading`, comments and blank lines left out. */
async function readmeCommands(heading: string): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}`));
  const block = /```sh\n([^]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)))?.[1];
  if (block === undefined) throw new Error(`no sh block under ${heading}`);
  return block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** One README command as argv for this checkout; only the forms the quick start uses, plain words (no quoting, no shell). */
function argvsOf(line: string): string[][] {
  return line.split(' && ').flatMap((command) => {
    expect(command).toMatch(/^[\w ./:=-]+$/);
    const words = command.split(/\s+/);
    if (words.join(' ') === 'npm ci') return [];
    if (words.join(' ') === 'npm run demo') return [[process.execPath, join(root, 'dist', 'tools', 'demo.js')]];
    expect(words.slice(0, 2)).toEqual(['npx', 'siggate']);
    return [[process.execPath, join(root, 'bin', 'siggate'), ...words.slice(2)]];
  });
}

async function runIn(cwd: string, argv: readonly string[]): Promise<RunResult> {
  return run(argv[0]!, argv.slice(1), { cwd, allowFailure: true, env: { ...process.env, NO_COLOR: '1' } });
}

describe('the demo and the deploy quick start', () => {
  it("runs the README's deploy quick start from a clean directory: the demo passes, then the deploy does", async () => {
    const lines = await readmeCommands('Deployer: `siggate deploy`');
    expect(lines).toHaveLength(2);
    const cwd = await makeTempDir('siggate-quick-start-');
    const results: RunResult[] = [];
    for (const argv of lines.flatMap(argvsOf)) results.push(await runIn(cwd, argv));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    // the demo's own output is what it was: the verify range passed and the tampered one was blocked
    expect(results[0]!.stdout.toString('utf8')).toMatch(/exit code: 0[^]*exit code: 1/);
    const state = JSON.parse(await readFile(join(cwd, 'demo', 'state', 'shop.json'), 'utf8')) as { commit: string };
    const main = (await run('git', ['rev-parse', 'main'], { cwd: join(cwd, 'demo', 'shop.git') })).stdout.toString('utf8').trim();
    expect(state.commit).toBe(main);
  });

  it('the tampered branch of the demo is refused (exit 1, nothing recorded); a second demo run replaces demo/', async () => {
    const cwd = await makeTempDir('siggate-quick-start-');
    const demo = [process.execPath, join(root, 'dist', 'tools', 'demo.js')];
    expect((await runIn(cwd, demo)).code).toBe(0);
    const tampered = await runIn(cwd, [process.execPath, join(root, 'bin', 'siggate'), 'deploy', 'shop', '--branch', 'tampered', '--register', 'demo/deploy.json', '--state', 'demo/state']);
    expect(tampered.code).toBe(1);
    expect(existsSync(join(cwd, 'demo', 'state', 'shop.json'))).toBe(false);
    expect((await runIn(cwd, demo)).code).toBe(0);
    expect(existsSync(join(cwd, 'demo', 'deploy.json'))).toBe(true);
  });
});
