import type { CommitReport, RangeReport } from '../../core/report.js';
import { git } from '../../git/run-git.js';
import type { Metadata } from '../protocol/types.js';

/** git-resource truncates the message metadata to this many bytes. */
const MESSAGE_MAX_BYTES = 10240;

/** A metadata entry; `type` only where git-resource sets it (dates, message). */
export type MetadataEntry = Metadata[number] & { type?: 'time' | 'message' };

/**
 * The `metadata` array of `in` and `out`, as git-resource's `git_metadata` builds it in `repo` (same
 * names, order and conditions), then siggate's own: `signer_fingerprint`, `signer`, `verification`.
 * `url` comes from the source's uri (credentials removed), never from a remote a checkout claims.
 */
export async function gitMetadata(repo: string, commit: string, options: { uri: string | null; report?: RangeReport | null }): Promise<MetadataEntry[]> {
  const format = ['%an', '%ai', '%cn', '%ci', '%B'].join('%x00');
  const [author = '', authorDate = '', committer = '', committerDate = '', message = ''] = (
    await git(['log', '-1', '--no-show-signature', `--format=${format}`, commit, '--'], repo)
  ).split('\0');
  const metadata: MetadataEntry[] = [
    { name: 'commit', value: commit },
    { name: 'author', value: author },
    { name: 'author_date', value: authorDate, type: 'time' },
  ];
  // git-resource adds the committer only when it is the author at the same time (its common.sh; kept as is)
  if (author === committer && authorDate === committerDate) {
    metadata.push({ name: 'committer', value: committer }, { name: 'committer_date', value: committerDate, type: 'time' });
  }
  const branches = await refsAt(repo, commit, 'refs/heads');
  if (branches.length > 0) metadata.push({ name: 'branch', value: branches.join(',') });
  const tags = (await git(['tag', '--points-at', commit], repo)).split('\n').filter(Boolean);
  if (tags.length > 0) metadata.push({ name: 'tags', value: tags.join(',') });
  // `%B` ends with the newline `git log` adds after each entry's format: drop that one
  metadata.push({ name: 'message', value: truncateBytes(message.replace(/\n$/, ''), MESSAGE_MAX_BYTES), type: 'message' });
  const url = options.uri ? commitUrl(options.uri, commit) : null;
  if (url) metadata.push({ name: 'url', value: url });
  return [...metadata, ...verificationMetadata(commit, options.report ?? null)];
}

/** siggate's entries: who signed the commit and the gate's verdict on it. */
export function verificationMetadata(commit: string, report: RangeReport | null): MetadataEntry[] {
  if (!report) return [];
  const entry: CommitReport | undefined = report.commits.find((c) => c.oid === commit);
  const metadata: MetadataEntry[] = [];
  if (entry?.signer) metadata.push({ name: 'signer_fingerprint', value: entry.signer.fingerprint }, { name: 'signer', value: entry.signer.userId ?? '' });
  metadata.push({ name: 'verification', value: entry?.status ?? (report.ok ? 'valid' : report.status) });
  return metadata;
}

/** Short names of the refs under `prefix` that point at `commit`, in refname order. */
async function refsAt(repo: string, commit: string, prefix: string): Promise<string[]> {
  const out = await git(['for-each-ref', '--format=%(objectname) %(refname:short)', '--sort=refname', prefix], repo);
  return out.split('\n').filter((line) => line.startsWith(`${commit} `)).map((line) => line.slice(commit.length + 1));
}

/** The first `max` bytes of `text`, never cutting a UTF-8 sequence in two. */
export function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * The commit's web page on a known host, as git-resource derives it: `https://HOST/PATH/commit/SHA` on a
 * github or gogs host, `/-/commit/` on gitlab, `/commits/` on bitbucket; null for any other uri (a local
 * path, an unknown host). Credentials never reach the url.
 */
export function commitUrl(uri: string, commit: string): string | null {
  const scp = /^([^@/:]+@)?([^/:]+):(?!\/)(.+)$/.exec(uri);
  let host: string;
  let path: string;
  const match = /^(https?:\/\/|ssh:\/\/)([^/]+)\/(.*)$/.exec(uri);
  if (match) {
    // a port stays, as in git-resource (ssh://git@github.com:443/… → https://github.com:443/…)
    host = match[2]!.replace(/^[^@]*@/, '');
    path = match[3]!;
  } else if (scp && !uri.includes('://')) {
    host = scp[2]!;
    path = scp[3]!;
  } else {
    return null;
  }
  path = path.replace(/\.git\/?$/, '').replace(/\/$/, '');
  if (!path || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return null;
  const lower = host.toLowerCase();
  if (lower.includes('github') || lower.includes('gogs')) return `https://${host}/${path}/commit/${commit}`;
  if (lower.includes('gitlab')) return `https://${host}/${path}/-/commit/${commit}`;
  if (lower.includes('bitbucket')) return `https://${host}/${path}/commits/${commit}`;
  return null;
}
