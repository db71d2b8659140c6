import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { git, runGit } from '../../git/run-git.js';
import { withRemote } from '../../remote/access.js';
import { parseRemote } from '../../remote/url.js';
import type { Log } from '../protocol/types.js';
import { fetchLfsContent } from './in-lfs.js';
import { CHECKOUT_ENV } from './in-layout.js';
import type { InParams } from './in-params.js';
import { checkSubmoduleName, fetchSubmoduleCommit, resolveSubmoduleUrl, submoduleRemoteSpec } from './in-submodule-fetch.js';
import type { ResourceSource } from './source.js';

/** What the submodules of a checkout are fetched with. */
export interface SubmoduleOptions {
  params: InParams;
  source: ResourceSource;
  knownHostsFile: string;
  log: Log;
}

interface Submodule {
  name: string;
  path: string;
  url: string;
}

/**
 * git-resource's submodule step on the checkout at `dir` of the verified `commit`: the submodules `params.submodules`
 * selects (`.gitmodules` paths matched as git-resource matches them), each checked out at the commit the
 * verified tree pins — its id is what the signature covers, so fetching exactly that id keeps the
 * guarantee whatever the `.gitmodules` URL serves. `submodule_remote` leaves it: logged as a warning.
 * Nested submodules follow with `submodule_recursive`.
 */
export async function updateSubmodules(dir: string, commit: string, superUrl: string, options: SubmoduleOptions, selection: InParams['submodules'] = options.params.submodules): Promise<void> {
  if (selection === 'none') return;
  for (const submodule of await selectedSubmodules(dir, commit, selection)) await updateSubmodule(dir, commit, superUrl, submodule, options);
}

/** The `.gitmodules` of the verified commit (not the work tree), filtered like `git config --get-regexp '\.path$' 'P1$|P2$'`. */
async function selectedSubmodules(dir: string, commit: string, selection: 'all' | string[]): Promise<Submodule[]> {
  const blob = `${commit}:.gitmodules`;
  if ((await runGit(['cat-file', '-e', blob], dir)).code !== 0) return [];
  // git-resource's value pattern, given to git as it gives it (an empty list is an empty pattern: every path)
  const valuePattern = selection === 'all' ? '.' : selection.map((path) => `${path}$`).join('|');
  const names = await runGit(['config', '--blob', blob, '--name-only', '--get-regexp', '\\.path$', valuePattern], dir);
  const listed = await runGit(['config', '--blob', blob, '--list', '-z'], dir);
  const values = new Map<string, string>();
  for (const item of listed.stdout.toString('utf8').split('\0')) {
    const cut = item.indexOf('\n');
    if (cut > 0) values.set(item.slice(0, cut), item.slice(cut + 1));
  }
  const submodules: Submodule[] = [];
  for (const key of names.stdout.toString('utf8').split('\n')) {
    const name = /^submodule\.(.+)\.path$/s.exec(key)?.[1];
    if (name === undefined) continue;
    submodules.push({ name, path: values.get(`submodule.${name}.path`) ?? '', url: values.get(`submodule.${name}.url`) ?? '' });
  }
  return submodules;
}

async function updateSubmodule(dir: string, commit: string, superUrl: string, submodule: Submodule, options: SubmoduleOptions): Promise<void> {
  const { params, log } = options;
  checkSubmoduleName(submodule.name);
  const work = join(dir, submodule.path);
  if (submodule.path === '' || !existsSync(work)) {
    log(`warning: skipping missing submodule: ${submodule.path}`);
    return;
  }
  const pin = await pinnedCommit(dir, commit, submodule.path);
  if (pin === null) {
    log(`warning: skipping submodule ${submodule.path}: the verified commit has no submodule commit (gitlink) there`);
    return;
  }
  const url = resolveSubmoduleUrl(superUrl, submodule.url);
  const origin = parseRemote(url).url;
  const gitDir = join((await git(['rev-parse', '--absolute-git-dir'], dir)).trim(), 'modules', submodule.name);
  await initSubmoduleRepository(work, gitDir, origin);
  const spec = await submoduleRemoteSpec(submodule.url, url, options.source, options.knownHostsFile);
  await withRemote(spec, async (remote) => {
    const checkout = await fetchSubmoduleCommit(remote, work, { gitDir, pin, depth: params.depth, remoteHead: params.submoduleRemote, log });
    if (checkout !== pin) {
      log(`warning: submodule_remote: ${submodule.path} is checked out at ${checkout}, the head of its remote, not at ${pin}, the commit the verified tree pins: that commit is outside what the gate verified`);
    }
    await git(['checkout', '--force', '--quiet', '--detach', checkout, '--'], work, { env: { ...process.env, ...CHECKOUT_ENV } });
    await git(['config', `submodule.${submodule.name}.url`, origin], dir);
    if (!params.disableGitLfs) await fetchLfsContent(work, checkout, remote.env, log);
    if (params.submoduleRecursive) await updateSubmodules(work, checkout, url, options, 'all');
  });
}

/** The commit id the verified tree records at `path` (a gitlink), or null when it records none. */
async function pinnedCommit(dir: string, commit: string, path: string): Promise<string | null> {
  const entry = (await git(['ls-tree', '-z', commit, '--', path], dir)).split('\0')[0] ?? '';
  const match = /^160000 commit ([0-9a-f]+)\t/.exec(entry);
  return match ? match[1]! : null;
}

/** `.git/modules/NAME` as git lays it out, with relative paths both ways, so that DEST can be moved as a whole. */
async function initSubmoduleRepository(work: string, gitDir: string, origin: string): Promise<void> {
  await mkdir(gitDir, { recursive: true });
  await git(['init', '--quiet', '--bare', gitDir], gitDir);
  await git(['config', '--file', join(gitDir, 'config'), 'core.bare', 'false'], gitDir);
  await git(['config', '--file', join(gitDir, 'config'), 'core.worktree', relative(gitDir, work)], gitDir);
  await writeFile(join(work, '.git'), `gitdir: ${relative(work, gitDir)}\n`);
  await git(['remote', 'add', '--', 'origin', origin], work);
}
