/** Where GitHub looks for CODEOWNERS on the base branch, in this order; the first file found is used. */
export const CODEOWNERS_PATHS: readonly string[] = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

/** One line of a CODEOWNERS file: a pattern and its owners (`@user`, `@org/team`, or an email address). */
export interface OwnerRule {
  pattern: RegExp;
  owners: string[];
}

/** Parses CODEOWNERS; a line GitHub would not accept makes the whole file unusable, as on GitHub, and is reported. */
export function parseCodeOwners(text: string): { rules: OwnerRule[]; errors: string[] } {
  const rules: OwnerRule[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\s#.*$/, '').replace(/^#.*$/, '').trim();
    if (!line) return;
    const [pattern, ...owners] = line.split(/\s+/);
    if (!pattern || pattern.startsWith('!') || /[[\]]/.test(pattern) || pattern.includes('\\#')) {
      errors.push(`line ${index + 1}: unsupported pattern ${JSON.stringify(pattern)}`);
      return;
    }
    const bad = owners.find((o) => !/^@[A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?$/.test(o) && !/^[^@\s]+@[^@\s]+$/.test(o));
    if (bad) errors.push(`line ${index + 1}: not an owner: ${JSON.stringify(bad)}`);
    else rules.push({ pattern: globToRegExp(pattern), owners });
  });
  return { rules, errors };
}

/** The owners of `path`: those of the last matching line (none when it names no one or nothing matches). */
export function ownersOf(rules: readonly OwnerRule[], path: string): string[] {
  let owners: string[] = [];
  for (const rule of rules) if (rule.pattern.test(path)) owners = rule.owners;
  return owners;
}

/**
 * gitignore-style as GitHub documents it: anchored when the pattern has a `/` before its end, a trailing `/`
 * matches a directory's contents, a name without wildcards also everything under it.
 */
function globToRegExp(glob: string): RegExp {
  const directory = glob.endsWith('/');
  const trimmed = glob.replace(/\/+$/, '');
  const anchored = trimmed.includes('/');
  const body = trimmed.replace(/^\//, '');
  let source = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (body.startsWith('**/', i)) [source, i] = [`${source}(?:.*/)?`, i + 2];
    else if (body.startsWith('/**', i) && i + 3 === body.length) [source, i] = [`${source}(?:/.*)?`, i + 2];
    else if (body.startsWith('**', i)) [source, i] = [`${source}.*`, i + 1];
    else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // GitHub: `docs/*` owns docs/a.md but not docs/deep/a.md — a wildcard last segment does not reach into directories
  const last = body.split('/').at(-1) ?? '';
  const suffix = directory ? '/.*' : /\*/.test(last) && !last.includes('**') ? '' : '(?:/.*)?';
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${source}${suffix}$`);
}

/** Whether an approver is an owner: a `@user` owner by login, a `@org/team` owner by membership. */
export type IsMember = (team: { org: string; slug: string }, login: string) => Promise<boolean>;

/**
 * For each changed path with owners, at least one counted approver must own it (any one owner suffices, as on
 * GitHub). Returns one line per path that lacks an owner's approval, naming its owners.
 */
export async function unapprovedOwnedPaths(rules: readonly OwnerRule[], paths: readonly string[], approvers: readonly string[], isMember: IsMember): Promise<string[]> {
  const missing: string[] = [];
  const verdicts = new Map<string, boolean>();
  for (const path of paths) {
    const owners = ownersOf(rules, path);
    if (owners.length === 0) continue;
    let approved = false;
    for (const owner of owners) {
      if (!verdicts.has(owner)) verdicts.set(owner, await ownerApproved(owner, approvers, isMember));
      if (verdicts.get(owner)) approved = true;
      if (approved) break;
    }
    if (!approved) missing.push(`${path} (owners ${owners.join(' ')})`);
  }
  return missing;
}

async function ownerApproved(owner: string, approvers: readonly string[], isMember: IsMember): Promise<boolean> {
  if (!owner.startsWith('@')) return false;
  const [org, slug] = owner.slice(1).split('/');
  if (slug === undefined) return approvers.some((a) => a.toLowerCase() === org!.toLowerCase());
  for (const login of approvers) if (await isMember({ org: org!, slug }, login)) return true;
  return false;
}
