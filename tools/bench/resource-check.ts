/**
 * The `bin/check` workload: a Concourse check that finds one new commit on a remote, against what a
 * pipeline without siggate runs for the same news — `git fetch` into an existing clone, then
 * `git verify-commit` of the fetched tip. Both sides see one new gpg-signed commit per round.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { BenchData, Dataset } from './generate.js';
import { buildPayload, git, gitEnv, LooseObjectWriter, writeSignedCommit } from './history.js';
import { timeProcess } from './measure.js';
import type { TimedRun } from './measure.js';
import { interleave, slowdownRow, type RatioRow } from './ratio.js';

const FETCH_AND_VERIFY = 'git -C "$1" fetch -q origin main && git -C "$1" verify-commit FETCH_HEAD >/dev/null 2>&1';

/** Times `bin/check` with one new commit against `git fetch` + `git verify-commit`, `rounds` times each, interleaved. */
export async function measureCheck(root: string, set: Dataset, data: BenchData, rounds: number, notes: string[]): Promise<RatioRow> {
  const dir = await makeTempDir('siggate-bench-check-');
  const remote = join(dir, 'remote.git');
  const clone = join(dir, 'clone.git');
  await run('git', ['clone', '-q', '--bare', set.gitDir, remote], { env: gitEnv() });
  await run('git', ['clone', '-q', '--bare', remote, clone], { env: gitEnv() });
  await git(clone, ['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
  const keys = await Promise.all((await readdir(set.keysDir)).map((name) => readFile(join(set.keysDir, name), 'utf8')));
  // the resource keeps its mirror under TMPDIR: a private one, warmed by a first check
  const env = { ...process.env, TMPDIR: dir };
  let tip = set.tip;
  const request = (version: string): string => JSON.stringify({ source: { uri: remote, branch: 'main', commit_verification_keys: keys }, version: { ref: version } });
  const check = (version: string): Promise<TimedRun> => timeProcess(process.execPath, [join(root, 'bin', 'check')], { cwd: root, env, stdin: request(version), stdoutFile: join(dir, 'check.out') });
  const fetchAndVerify = (): Promise<TimedRun> => timeProcess('sh', ['-c', FETCH_AND_VERIFY, 'fetch-verify', clone], { env: gitEnv({ GNUPGHOME: data.keys.home.dir }) });
  const warm = await check(tip);
  if (warm.code !== 0) throw new Error(`bin/check failed on the bench remote (exit ${warm.code}): ${warm.stderr}`);
  await fetchAndVerify();
  let found = 0;
  // each side sees exactly one new commit: a new one is pushed before siggate's turn and before git's
  let previous = tip;
  const newCommit = async (): Promise<void> => {
    previous = tip;
    tip = await addCommit(remote, tip, data);
  };
  const runs = await interleave(
    rounds,
    async () => {
      await newCommit();
      const run = await check(previous);
      if ((await readFile(join(dir, 'check.out'), 'utf8')).includes(tip)) found++;
      return run;
    },
    async () => {
      await newCommit();
      return fetchAndVerify();
    },
    0,
  );
  notes.push(`bin/check: ${rounds} runs, ${found} of them yielded the new commit; git fetch + verify-commit runs ${runs.b.map((run) => Math.round(run.ms)).join(', ')} ms (exit ${runs.b.map((run) => run.code).join(',')})`);
  return slowdownRow('`bin/check`, one new commit, whole process', runs, '`git fetch` + `git verify-commit`', 3);
}

/** Pushes one gpg-signed commit on `main` of `remote` on top of `parent`; returns its oid. */
async function addCommit(remote: string, parent: string, data: BenchData): Promise<string> {
  const payload = buildPayload(parent, 0, new Date(), `bench check commit ${Date.now()}`);
  const oid = writeSignedCommit(new LooseObjectWriter(remote), payload, await data.keys.home.signDetached(data.keys.ed25519, payload));
  await git(remote, ['update-ref', 'refs/heads/main', oid]);
  return oid;
}
