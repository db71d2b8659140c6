/**
 * What `npm run demo` leaves behind for the deployer's quick start (README, "Deployer: `siggate deploy`"):
 * `demo/` in the current directory (the project root under npm) holding the demo history as a bare
 * repository (`main` signed, `tampered` not), the TEST-ONLY allowed keys, and a register `deploy.json`.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { demoKeysDir } from '../fixtures/lib/demo-keys.js';
import { Repo } from '../fixtures/lib/repo.js';

/** The marker that lets a later demo replace `demo/` (and nothing it did not make). */
const MARKER = '.siggate-demo';

/** What the deploy demo is made of: the demo history's first commit (the trust root), its signed and tampered tips. */
export interface DeployDemoHistory {
  repo: Repo;
  root: string;
  good: string;
  bad: string;
}

/** Writes `dir` (default `./demo`): `shop.git`, `keys/`, `deploy.json`. Returns the directory, or null when it exists and is not the demo's. */
export async function leaveDeployDemo(history: DeployDemoHistory, dir = resolve('demo')): Promise<string | null> {
  if (existsSync(dir)) {
    if (!existsSync(join(dir, MARKER))) return null;
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(join(dir, 'shop.git'), { recursive: true });
  await writeFile(join(dir, MARKER), 'made by npm run demo: replaced by the next run\n');
  const remote = await Repo.init({ bare: true, dir: join(dir, 'shop.git') });
  await history.repo.git('push', '--quiet', remote.dir, `${history.good}:refs/heads/main`, `${history.bad}:refs/heads/tampered`);
  await mkdir(join(dir, 'keys'));
  for (const name of await readdir(demoKeysDir())) await copyFile(join(demoKeysDir(), name), join(dir, 'keys', name));
  const shop = { gitUrl: remote.dir, branch: 'main', command: ['sh', 'deploy.sh'], keys: ['keys'], trustRoot: history.root };
  await writeFile(join(dir, 'deploy.json'), `${JSON.stringify({ shop }, null, 2)}\n`);
  return dir;
}

/** The demo's deploy script, committed with the first commit: what a real one would apply, it prints. */
export const DEPLOY_SCRIPT = '#!/bin/sh\necho "deploying main.tf $(cat main.tf) from branch $1 (commit $SIGGATE_DEPLOY_COMMIT)"\n';
