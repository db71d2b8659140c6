// A deployer's world: a bare remote with signed history, a register file, a state directory, and a deploy command
// (a node script outside the repository) that writes down what it saw — argv, cwd, environment, the file it deploys.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { demoWorld, type DemoWorld } from './world.js';

/** What the deploy command saw when it ran. */
export interface CommandRun {
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** The content of `version.txt` in the work tree. */
  version: string;
}

export interface DeployWorld {
  demo: DemoWorld;
  /** Where commits are made; pushed to `remote`. */
  work: Repo;
  remote: Repo;
  dir: string;
  registerPath: string;
  stateDir: string;
  /** argv of the recording command (node + script). */
  command: string[];
  /** Commit `version.txt` = `version` on main (signed by `signer`, or unsigned) and push it. */
  release(version: string, signer?: 'alice' | 'bob' | 'mallory' | null, options?: { parents?: string[] }): Promise<string>;
  /** Point the remote's branch at `oid` (a force-push). */
  push(oid: string, branch?: string): Promise<void>;
  /** Write the register: `entries` are merged over the default entry of project `shop`. */
  writeRegister(entries: Record<string, unknown>): Promise<string>;
  /** The default entry of `shop` (with a RECORD file the command writes to). */
  entry(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Every run the command recorded, oldest first. */
  runs(): Promise<CommandRun[]>;
  /** The state file's commit for `shop`, or null. */
  deployed(project?: string): Promise<string | null>;
}

const RECORDER = `
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
if (process.env.WAIT_FOR) {
  writeFileSync(process.env.WAIT_FOR + '.started', '');
  while (!existsSync(process.env.WAIT_FOR)) await new Promise((resolve) => setTimeout(resolve, 20));
}
const run = { args: process.argv.slice(2), cwd: process.cwd(), env: process.env, version: readFileSync('version.txt', 'utf8') };
appendFileSync(process.env.RECORD, JSON.stringify(run) + '\\n');
if (process.env.EXIT_WITH) process.exit(Number(process.env.EXIT_WITH));
`;

/** Builds a {@link DeployWorld}: an empty remote; call `release` to give it history. */
export async function deployWorld(): Promise<DeployWorld> {
  const demo = await demoWorld();
  const dir = await makeTempDir('siggate-deploy-world-');
  const work = await Repo.init();
  await mkdir(join(dir, 'shop.git'));
  const remote = await Repo.init({ bare: true, dir: join(dir, 'shop.git') });
  const script = join(dir, 'record.mjs');
  await writeFile(script, RECORDER);
  const record = join(dir, 'runs.jsonl');
  const registerPath = join(dir, 'register.json');
  const command = [process.execPath, script];
  const world: DeployWorld = {
    demo,
    work,
    remote,
    dir,
    registerPath,
    stateDir: join(dir, 'state'),
    command,
    async release(version, signer = 'alice', options = {}) {
      const oid = await work.commit({ message: `release ${version}\n`, files: { 'version.txt': `${version}\n` }, ...(signer ? { sign: demo.as(signer) } : {}), ...(options.parents ? { parents: options.parents } : {}) });
      await world.push(oid);
      return oid;
    },
    async push(oid, branch = 'main') {
      await work.git('push', '--quiet', '--force', remote.dir, `${oid}:refs/heads/${branch}`);
    },
    entry: (extra = {}) => ({ gitUrl: remote.dir, branch: 'main', command, keys: [demo.keysDir], env: { RECORD: record }, ...extra }),
    async writeRegister(entries) {
      await writeFile(registerPath, JSON.stringify(entries, null, 2));
      return registerPath;
    },
    async runs() {
      if (!existsSync(record)) return [];
      return (await readFile(record, 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as CommandRun);
    },
    async deployed(project = 'shop') {
      const file = join(world.stateDir, `${project}.json`);
      if (!existsSync(file)) return null;
      return (JSON.parse(await readFile(file, 'utf8')) as { commit: string }).commit;
    },
  };
  return world;
}
