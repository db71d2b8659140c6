/** One commit status of the combined status (`GET /repos/{o}/{r}/commits/{ref}/status`). */
export interface CommitStatus {
  context: string;
  state: string;
}

/** One check run (`GET /repos/{o}/{r}/commits/{ref}/check-runs`, latest per name). */
export interface CheckRun {
  name: string;
  status: string;
  conclusion: string | null;
  /** The GitHub App that created the run (null when GitHub does not say). */
  app?: { id: number; slug?: string } | null;
}

/** A required status check: its name, and the GitHub App that must provide it (null or -1: any source). */
export interface RequiredCheck {
  context: string;
  appId: number | null;
}

/** The combined status of a commit over all its pages. */
export interface CombinedStatus {
  /** GitHub's verdict over every context: `success`, `pending` or `failure`. */
  state: string;
  totalCount: number;
  statuses: CommitStatus[];
}

export interface CiJudgement {
  ok: boolean;
  /** One line per status or check run that is not green, and per required check that never ran. */
  problems: string[];
  /** Contexts and check names that passed. */
  passed: string[];
}

const GREEN_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

/**
 * CI is green when every commit status is `success` and GitHub's combined state agrees, every check run
 * completed with success, neutral or skipped, every required check is among them — from its app when
 * protection pins one, which a commit status (anyone with `statuses:write` can post one) never proves —
 * and at least one of them exists: a head that no CI looked at is not green.
 */
export function judgeCi(combined: CombinedStatus, checkRuns: readonly CheckRun[], required: readonly RequiredCheck[]): CiJudgement {
  const problems: string[] = [];
  const passed: string[] = [];
  const statuses = combined.statuses;
  for (const status of latestStatuses(statuses)) {
    if (status.state === 'success') passed.push(status.context);
    else problems.push(`status "${status.context}" is ${status.state}`);
  }
  if (combined.totalCount > 0 && combined.state !== 'success') problems.push(`GitHub's combined status of the ${combined.totalCount} contexts is ${combined.state}`);
  if (latestStatuses(statuses).length < combined.totalCount) problems.push(`GitHub listed ${statuses.length} of ${combined.totalCount} statuses`);
  for (const run of checkRuns) {
    if (run.status !== 'completed') problems.push(`check "${run.name}" is ${run.status.replace('_', ' ')}`);
    else if (run.conclusion && GREEN_CONCLUSIONS.has(run.conclusion)) passed.push(run.name);
    else problems.push(`check "${run.name}" concluded ${run.conclusion ?? 'without a conclusion'}`);
  }
  const seen = new Set([...statuses.map((s) => s.context), ...checkRuns.map((r) => r.name)]);
  for (const check of required) {
    const problem = requiredCheckProblem(check, statuses, checkRuns);
    if (problem) problems.push(problem);
  }
  if (seen.size === 0) problems.push('no status or check run reported on the head: nothing shows CI passed');
  return { ok: problems.length === 0, problems, passed };
}

function requiredCheckProblem(check: RequiredCheck, statuses: readonly CommitStatus[], checkRuns: readonly CheckRun[]): string | null {
  const runs = checkRuns.filter((r) => r.name === check.context);
  if (check.appId === null || check.appId === -1) {
    return runs.length > 0 || statuses.some((s) => s.context === check.context) ? null : `required check "${check.context}" has not run on the head`;
  }
  if (runs.some((r) => r.app?.id === check.appId)) return null;
  const others = [...runs.map((r) => `a check run from app ${r.app?.id ?? 'unknown'}`), ...statuses.filter((s) => s.context === check.context).map(() => 'a commit status')];
  return `required check "${check.context}" must come from app ${check.appId}${others.length > 0 ? `, found only ${[...new Set(others)].join(' and ')}` : ' and has not run on the head'}`;
}

/** GitHub lists the newest status of each context first; older ones for the same context are history. */
function latestStatuses(statuses: readonly CommitStatus[]): CommitStatus[] {
  const latest = new Map<string, CommitStatus>();
  for (const status of statuses) if (!latest.has(status.context)) latest.set(status.context, status);
  return [...latest.values()];
}
