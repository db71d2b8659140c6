import { GateClosedError, GitError } from '../../core/errors.js';
import type { RangeReport } from '../../core/report.js';
import { isAncestor, requireCommit } from '../../git/refs.js';
import { git, runGit } from '../../git/run-git.js';
import type { RemoteAccess } from '../../remote/access.js';
import { redactUrl } from '../../remote/redact.js';
import { fetchRefs, listRemoteRefs } from '../../remote/transfer.js';
import type { KeyFileSigner } from '../../signing/key-file.js';
import { resignCommit } from '../../signing/resign-commit.js';
import type { TrustSession } from '../../trust/session.js';
import type { Log } from '../protocol/types.js';
import type { OutParams } from './out-params.js';
import { identityArgs } from './out-tags.js';
import { describeFailures } from './report-lines.js';
import { verifyCommits } from './verify-for-push.js';

/** Where the remote branch is fetched to in the checkout, while `out` works. */
export const REMOTE_TIP_REF = 'refs/siggate/out/remote';

/** What `out` works with while it rebases or merges. */
export interface IntegrationContext {
  repo: string;
  params: OutParams;
  /** The checkout's HEAD when `out` started: it passed the gate before anything was changed. */
  original: string;
  uri: string;
  trust: TrustSession;
  log: Log;
  /** `commit` (named by `ref` in the checkout) under the source's range. */
  verify(commit: string, ref: string): Promise<RangeReport>;
  /** source.signing_key, unlocked; null when the source has none. */
  signingKey(): Promise<KeyFileSigner | null>;
}

/**
 * git-resource's `git pull --rebase=merges` or `git pull --no-edit`, with the gate around it: the remote's
 * branch tip must pass the gate before anything is built on it (after the push it is an ancestor of the
 * version `out` reports); every commit the rebase or merge made must pass the gate as it is (git signed
 * it) or once siggate has signed it with source.signing_key. Returns the new HEAD; throws
 * GateClosedError, having pushed nothing, when any of that fails.
 */
export async function integrateRemote(context: IntegrationContext, remote: RemoteAccess): Promise<string> {
  const { repo, params, log } = context;
  const branch = params.branch!;
  const verb = params.strategy === 'rebase' ? 'rebase onto' : 'merge';
  if (params.strategy === 'merge') await git(['reset', '--quiet', '--hard', context.original], repo);
  const current = await requireCommit(repo, 'HEAD');
  const advertised = (await listRemoteRefs(remote, repo, [`refs/heads/${branch}`])).get(`refs/heads/${branch}`);
  if (!advertised) {
    log(`${branch} is not on the remote yet: nothing to ${verb}`);
    return current;
  }
  await fetchRefs(remote, repo, [`+refs/heads/${branch}:${REMOTE_TIP_REF}`]);
  const remoteTip = await requireCommit(repo, REMOTE_TIP_REF);
  if (await isAncestor(repo, remoteTip, current)) return current;
  const remoteReport = await context.verify(remoteTip, REMOTE_TIP_REF);
  if (!remoteReport.ok) {
    for (const line of describeFailures(remoteReport)) log(line);
    throw new GateClosedError(`the remote's ${branch} (${remoteTip}) does not pass the gate (${remoteReport.status}): siggate does not ${verb} it; nothing was pushed`);
  }
  log(params.strategy === 'rebase' ? `rebasing onto ${branch} (${remoteTip.slice(0, 12)})...` : `merging ${branch} (${remoteTip.slice(0, 12)})...`);
  await runIntegration(context, remoteTip, branch);
  const head = await requireCommit(repo, 'HEAD');
  const created = await createdCommits(repo, head, [remoteTip, context.original]);
  return signCreatedCommits(context, created, head);
}

/** Run the rebase or the merge; on a conflict, undo it and fail (git-resource stops there too). */
async function runIntegration(context: IntegrationContext, remoteTip: string, branch: string): Promise<void> {
  const { repo, params } = context;
  const identity = await identityArgs(repo);
  const args =
    params.strategy === 'rebase'
      ? ['rebase', '--rebase-merges', ...(params.rebaseStrategy ? [`--strategy=${params.rebaseStrategy}`] : []), ...params.rebaseStrategyOptions.map((o) => `-X${o}`), remoteTip]
      : ['merge', '--no-edit', '-m', `Merge branch '${branch}' of ${redactUrl(context.uri)}`, remoteTip];
  const result = await runGit([...identity, ...args], repo);
  if (result.code === 0) return;
  await runGit([params.strategy === 'rebase' ? 'rebase' : 'merge', '--abort'], repo);
  const detail = `${result.stdout.toString('utf8')}\n${result.stderr}`.split('\n').filter((line) => /CONFLICT|error|fatal/.test(line)).slice(0, 5).join('; ');
  throw new GitError(`git ${args[0]} onto the remote's ${branch} failed, and was undone: ${detail || 'no message'}; nothing was pushed`, args, result.stderr);
}

/** A commit the rebase or merge made, with its parents. */
interface CreatedCommit {
  oid: string;
  parents: string[];
}

/** Commits reachable from `head` and from none of `known`, parents before children. */
async function createdCommits(repo: string, head: string, known: readonly string[]): Promise<CreatedCommit[]> {
  const out = await git(['rev-list', '--topo-order', '--reverse', '--parents', head, ...known.map((oid) => `^${oid}`), '--'], repo);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [oid, ...parents] = line.split(' ');
      return { oid: oid!, parents };
    });
}

/**
 * The commits a rebase or merge made, each passing the gate: unsigned ones (and, since their parents
 * change, their descendants) signed with source.signing_key; without one, refused. Returns the new HEAD.
 */
async function signCreatedCommits(context: IntegrationContext, created: CreatedCommit[], head: string): Promise<string> {
  const { repo, log, trust } = context;
  if (created.length === 0) return head;
  const what = context.params.strategy === 'rebase' ? 'rebase' : 'merge';
  const verdicts = await verifyCommits(repo, created.map((c) => c.oid), trust);
  const unsigned = new Set(verdicts.filter((v) => v.status === 'unsigned').map((v) => v.oid));
  const rewritten = new Map<string, string>();
  if (unsigned.size > 0) {
    const key = await context.signingKey();
    if (!key) {
      throw new GateClosedError(
        `the ${what} made ${unsigned.size} unsigned commit(s) (${[...unsigned].map((oid) => oid.slice(0, 12)).join(', ')}) and source.signing_key is not set: ` +
          'set source.signing_key to an allowed OpenPGP secret key for siggate to sign them (or configure git in the container to sign commits); nothing was pushed',
      );
    }
    const at = new Date();
    for (const commit of created) {
      if (unsigned.has(commit.oid) || commit.parents.some((parent) => rewritten.has(parent))) {
        rewritten.set(commit.oid, await resignCommit(repo, commit.oid, rewritten, key, at));
      }
    }
    const signedHead = rewritten.get(head) ?? head;
    await git(['update-ref', '-m', `siggate: ${what} signed with source.signing_key`, 'HEAD', signedHead, head], repo);
    log(`signed ${rewritten.size} commit(s) of the ${what} with source.signing_key (${key.fingerprint})`);
    head = signedHead;
  }
  const final = await verifyCommits(repo, created.map((c) => rewritten.get(c.oid) ?? c.oid), trust);
  const failing = final.filter((v) => v.status !== 'valid');
  if (failing.length > 0) {
    for (const v of failing) log(`${v.oid.slice(0, 12)} ${v.status}${v.signer ? ` by ${v.signer.fingerprint}` : ''}: ${v.reason ?? ''} (${v.subject})`);
    throw new GateClosedError(`${failing.length} commit(s) the ${what} made do not pass the gate (${failing[0]!.status}); nothing was pushed`);
  }
  return head;
}
