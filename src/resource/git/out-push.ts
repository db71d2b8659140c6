import { RemoteError } from '../../core/errors.js';
import { requireCommit } from '../../git/refs.js';
import { git, runGit } from '../../git/run-git.js';
import type { RemoteAccess } from '../../remote/access.js';
import { fetchRefs, lastLine, listRemoteRefs } from '../../remote/transfer.js';
import type { OutParams } from './out-params.js';
import { identityArgs } from './out-tags.js';

/** The notes ref git-resource's `git notes add` writes and `out` pushes. */
const NOTES_REF = 'refs/notes/commits';
/** Where `out` builds the notes commit: the remote's notes, and this one note added. */
const WORK_NOTES_REF = 'refs/notes/siggate-out';

/**
 * The notes commit to push for params.notes: the remote's own notes history with one note added on
 * `head` (`git notes add -F FILE`). Built on what the remote has, never on a local notes ref, so the push
 * carries no commit but this one notes commit (notes annotate; they are never a version of the resource).
 */
export async function buildNotesCommit(remote: RemoteAccess, repo: string, head: string, notesFile: string): Promise<string> {
  const remoteNotes = (await listRemoteRefs(remote, repo, [NOTES_REF])).get(NOTES_REF);
  if (remoteNotes) await fetchRefs(remote, repo, [`+${NOTES_REF}:${WORK_NOTES_REF}`]);
  else await runGit(['update-ref', '-d', WORK_NOTES_REF], repo);
  try {
    await git([...(await identityArgs(repo)), 'notes', `--ref=${WORK_NOTES_REF}`, 'add', '-F', notesFile, head], repo);
    return await requireCommit(repo, WORK_NOTES_REF);
  } finally {
    await runGit(['update-ref', '-d', WORK_NOTES_REF], repo);
  }
}

/** What `pushVersion` sends: the head to the branch (unless only_tag), every local tag, and a notes commit. */
export interface PushPlan {
  head: string;
  /** `PREFIX/BRANCH`, or null when only tags are pushed. */
  target: string | null;
  notesCommit: string | null;
}

/** How a push ended: pushed; refused because the remote branch (or its notes) moved, which a rebase or merge can retry; or failed. */
export type PushOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

/** git's words for a ref that moved since it was read: another commit first, or a lost race for its lock. */
const MOVED = /non-fast-forward|fetch first|cannot lock ref|failed to lock|stale info|failed to update ref/i;

/**
 * `git push` of the plan, atomically where the remote can: the head as a pinned commit id (not `HEAD`,
 * which could move after it was verified), `refs/tags/*` (git-resource's `--tags`) and the notes commit.
 * params.force forces the branch and the tags, never the notes (git-resource pushes notes unforced).
 */
export async function pushVersion(remote: RemoteAccess, repo: string, plan: PushPlan, params: OutParams): Promise<PushOutcome> {
  const force = params.force ? '+' : '';
  const refspecs = [
    ...(plan.target ? [`${force}${plan.head}:${plan.target}`] : []),
    `${force}refs/tags/*:refs/tags/*`,
    ...(plan.notesCommit ? [`${plan.notesCommit}:${NOTES_REF}`] : []),
  ];
  const options = params.pushOptions.map((option) => `--push-option=${option}`);
  const push = (atomic: boolean): Promise<{ code: number; stdout: Buffer; stderr: string }> =>
    remote.git(['push', '--porcelain', ...(atomic ? ['--atomic'] : []), ...options, '--end-of-options', remote.url, ...refspecs], repo);
  let result = await push(true);
  // a server without atomic pushes (old ones, some Gerrit setups) gets git-resource's plain push
  if (result.code !== 0 && /does not support --atomic/i.test(result.stderr)) result = await push(false);
  if (result.code === 0) return { ok: true };
  const lines = result.stdout.toString('utf8').split('\n').filter((line) => line.startsWith('!\t'));
  if (lines.length === 0) throw new RemoteError(remote.redact(`pushing to ${remote.shown} failed: ${lastLine(result.stderr)}`));
  // in an atomic push every ref that was not itself refused says so; the server names the ref that moved on stderr
  const refused = lines.filter((line) => !/atomic (push|transaction) failed/.test(line));
  const movable = [plan.target, plan.notesCommit ? NOTES_REF : null].filter((ref): ref is string => ref !== null);
  const movedOnServer = movable.some((ref) => result.stderr.includes(`cannot lock ref '${ref}'`));
  // only a branch or notes ref that moved is worth another rebase or merge; a refused tag would be refused again
  const retry = (refused.length > 0 || movedOnServer) && refused.every((line) => MOVED.test(line) && movable.some((ref) => line.includes(`:${ref}\t`)));
  const reason = refused.map((line) => line.split('\t').slice(1).join(' ')).join('; ') || lastLine(result.stderr.replace(/^error: failed to push some refs.*$/gm, ''));
  return { ok: false, retry, reason: remote.redact(reason) };
}
