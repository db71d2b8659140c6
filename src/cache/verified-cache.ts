import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bumped whenever verification logic changes what a verdict can be: old entries then never match.
 * 2: SSH and OpenPGP verdicts follow OpenSSH and GnuPG more closely, and git no longer honours
 * `info/grafts`, so a run before it may have stopped at a commit a graft file vouched for.
 */
const CACHE_FORMAT = 2;
/** Enough recent targets for every branch a pipeline deploys; older ones are dropped. */
const MAX_ENTRIES = 256;

/** Everything that decides a verdict. Two runs share cache entries only when all of it is equal. */
export interface CacheKey {
  keysDigest: string;
  /** Resolved allow list, or null for "every key present". */
  allow: readonly string[] | null;
  mode: string;
  since: string | null;
  ignoreExpiry: boolean;
  allowWeak: boolean;
}

export function digestCacheKey(policy: CacheKey): string {
  const canonical = JSON.stringify({
    format: CACHE_FORMAT,
    keys: policy.keysDigest,
    allow: policy.allow ? [...policy.allow].sort() : null,
    mode: policy.mode,
    since: policy.since,
    ignoreExpiry: policy.ignoreExpiry,
    allowWeak: policy.allowWeak,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

interface CacheFile {
  format: number;
  policy: string;
  verified: string[];
}

/**
 * Commits that a passing run verified under one policy, together with everything the mode required of
 * them. Lives under the repository's git directory, written atomically, mode 0600; a file with broader
 * permissions or unreadable content is ignored with a warning.
 */
export class VerifiedCache {
  private constructor(
    private readonly file: string,
    private readonly policy: string,
    private readonly entries: string[],
    private readonly warn: (message: string) => void,
  ) {}

  static async open(gitDir: string, policy: CacheKey, warn: (message: string) => void): Promise<VerifiedCache> {
    const digest = digestCacheKey(policy);
    const file = join(gitDir, 'siggate', `verified-${digest.slice(0, 32)}.json`);
    return new VerifiedCache(file, digest, await readEntries(file, digest, warn), warn);
  }

  get verified(): ReadonlySet<string> {
    return new Set(this.entries);
  }

  /** Remember `oid` as verified with everything it requires; failures to write only warn. */
  async record(oid: string): Promise<void> {
    const entries = [oid, ...this.entries.filter((e) => e !== oid)].slice(0, MAX_ENTRIES);
    const content: CacheFile = { format: CACHE_FORMAT, policy: this.policy, verified: entries };
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      await writeFile(temp, JSON.stringify(content) + '\n', { mode: 0o600, flag: 'wx' });
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      this.warn(`cannot write the verification cache ${this.file}: ${(error as Error).message}`);
    }
  }
}

async function readEntries(file: string, policy: string, warn: (message: string) => void): Promise<string[]> {
  const info = await lstat(file).catch(() => null);
  if (!info) return [];
  if (!info.isFile()) {
    warn(`ignoring the verification cache ${file}: not a regular file`);
    return [];
  }
  if ((info.mode & 0o077) !== 0) {
    warn(`ignoring the verification cache ${file}: its permissions ${(info.mode & 0o777).toString(8)} are broader than 600`);
    return [];
  }
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
    const valid =
      parsed.format === CACHE_FORMAT &&
      parsed.policy === policy &&
      Array.isArray(parsed.verified) &&
      parsed.verified.every((oid) => typeof oid === 'string' && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(oid));
    if (valid) return parsed.verified!;
  } catch {
    // fall through: unreadable JSON is treated like any other corrupt content
  }
  warn(`ignoring the verification cache ${file}: its content is corrupt`);
  return [];
}
