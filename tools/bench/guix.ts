/**
 * The Guix-channel row of `npm run bench`: `siggate verify --policy guix` over the public nonguix channel
 * (introduction to master, ~2,200 commits) as a cold process, when a copy of it is present; skipped
 * otherwise (CI has none). The cost of reading `.guix-authorizations` (cached by blob id) is included.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../fixtures/lib/demo-keys.js';
import { median, repeatRuns, timeProcess } from './measure.js';
import { failureOf, type RatioRow } from './ratio.js';
import { formatMs } from './table.js';

const INTRO = '897c1a470da759236cc11798f4e0a5f7d4d59fbc';
const SIGNER = '2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5';
const TARGET_MS_PER_COMMIT = 0.25;
/** Guix's own, as published: 14,000 commits in about 20 s. */
const GUIX_MS_PER_COMMIT = 1.4;

/** Where a copy of nonguix may be: SIGGATE_NONGUIX, the session mirror, ../shared/nonguix. */
export function findNonguix(): string | null {
  const candidates = [process.env['SIGGATE_NONGUIX'], '/work/.mirror/nonguix+nonguix/repo', resolve(projectRoot(), '..', 'shared', 'nonguix')];
  return candidates.find((path): path is string => typeof path === 'string' && existsSync(path)) ?? null;
}

/**
 * Times the channel's authentication (median of `runs` cold processes) as a goal row in ms per commit, or
 * null (with a note) when no copy of nonguix is present.
 */
export async function measureGuixChannel(root: string, runs: number, notes: string[]): Promise<RatioRow[]> {
  const repo = findNonguix();
  if (!repo) {
    notes.push('nonguix channel row skipped: no copy of nonguix (set SIGGATE_NONGUIX to a clone of github.com/nonguix/nonguix)');
    return [];
  }
  const args = [join(root, 'bin', 'siggate'), 'verify', 'refs/heads/master', '--repo', repo, '--policy', 'guix', '--since', INTRO, '--intro-signer', SIGNER, '--no-cache', '--json'];
  const reportFile = join(tmpdir(), `siggate-bench-guix-${process.pid}.json`);
  const timed = await repeatRuns(runs, () => timeProcess(process.execPath, args, { cwd: root, stdoutFile: reportFile }));
  const ms = median(timed.map((run) => run.ms));
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { checked: number; status: string };
  const perCommit = ms / report.checked;
  notes.push(`nonguix (${repo}): runs ${timed.map((run) => Math.round(run.ms)).join(', ')} ms; ${report.checked} commits, ${report.status}`);
  return [{
    workload: `nonguix channel (${report.checked} commits), \`--policy guix\` intro → master, cold process`,
    siggate: `${formatMs(ms)} (median of ${timed.length})`,
    reference: `Guix ~${GUIX_MS_PER_COMMIT} ms/commit (published): ${(GUIX_MS_PER_COMMIT / perCommit).toFixed(1)}× faster`,
    ratio: perCommit,
    ratioText: `${perCommit.toFixed(3)} ms/commit`,
    goal: { op: '≤', value: TARGET_MS_PER_COMMIT, unit: ' ms/commit' },
    failure: failureOf(timed),
  }];
}
