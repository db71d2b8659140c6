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
 * CI is green when every commit status is `success`, every check run completed with success, neutral
 * or skipped, every required check is among them, and at least one of them exists: a head that no CI
 * looked at is not green (GitHub reports "pending" for it, older tools read it as success).
 */
export function judgeCi(statuses: readonly CommitStatus[], checkRuns: readonly CheckRun[], required: readonly string[]): CiJudgement {
  const problems: string[] = [];
  const passed: string[] = [];
  for (const status of latestStatuses(statuses)) {
    if (status.state === 'success') passed.push(status.context);
    else problems.push(`status "${status.context}" is ${status.state}`);
  }
  for (const run of checkRuns) {
    if (run.status !== 'completed') problems.push(`check "${run.name}" is ${run.status.replace('_', ' ')}`);
    else if (run.conclusion && GREEN_CONCLUSIONS.has(run.conclusion)) passed.push(run.name);
    else problems.push(`check "${run.name}" concluded ${run.conclusion ?? 'without a conclusion'}`);
  }
  const seen = new Set([...statuses.map((s) => s.context), ...checkRuns.map((r) => r.name)]);
  for (const name of required) if (!seen.has(name)) problems.push(`required check "${name}" has not run on the head`);
  if (seen.size === 0) problems.push('no status or check run reported on the head: nothing shows CI passed');
  return { ok: problems.length === 0, problems, passed };
}

/** GitHub lists the newest status of each context first; older ones for the same context are history. */
function latestStatuses(statuses: readonly CommitStatus[]): CommitStatus[] {
  const latest = new Map<string, CommitStatus>();
  for (const status of statuses) if (!latest.has(status.context)) latest.set(status.context, status);
  return [...latest.values()];
}
