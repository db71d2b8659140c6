import { RemoteError } from '../errors.js';
import { redact, redactUrl } from './redact.js';
import { gitEnv, runGit } from './run-git.js';

/** How git reaches a remote: an environment carrying credentials, and the strings to keep out of messages. */
export interface RemoteGitAccess {
  env: NodeJS.ProcessEnv;
  secrets: readonly string[];
}

/** One ref's line of `git push --porcelain`: pushed (`ok`), already there (`upToDate`), or refused with git's reason. */
export type RefPush = { ok: true; upToDate: boolean } | { ok: false; reason: string };

/**
 * Pushes one `src:refs/…` refspec, never forced (a `lease` makes it a compare-and-swap on that ref).
 * A refusal of the ref is a result; a push that never got that far (network, authentication) is a RemoteError.
 */
export async function pushRef(repo: string, remote: string, refspec: string, options: { lease?: string; access?: RemoteGitAccess } = {}): Promise<RefPush> {
  const ref = refspec.slice(refspec.indexOf(':') + 1);
  const lease = options.lease ? [`--force-with-lease=${ref}:${options.lease}`] : [];
  const secrets = options.access?.secrets ?? [];
  const result = await runGit(['push', '--porcelain', '--quiet', ...lease, '--end-of-options', remote, refspec], repo, { env: options.access?.env ?? gitEnv() });
  const line = result.stdout.toString('utf8').split('\n').find((l) => l.includes(`:${ref}\t`)) ?? '';
  const [flag, , summary = ''] = line.split('\t');
  if (result.code === 0 && flag !== '!') return { ok: true, upToDate: flag === '=' };
  if (flag === '!') return { ok: false, reason: redact(summary || lastLine(result.stderr), secrets) };
  throw new RemoteError(redact(`cannot push ${ref} to ${redactUrl(remote)}: ${lastLine(result.stderr)}`, secrets));
}

/** The last non-empty line of git's stderr, for messages. */
export const lastLine = (text: string): string => text.trim().split('\n').filter(Boolean).at(-1) ?? 'no message';

/** Reasons git gives when the remote ref is no longer what the pusher saw: it moved, or was created, meanwhile. */
export const REF_CHANGED = /stale info|non-fast-forward|fetch first|already exists|failed to update ref|cannot lock ref|failed to lock/i;
