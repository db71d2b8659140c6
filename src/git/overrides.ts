/**
 * What makes plain git show another history, or other content, than the objects' own bytes. siggate
 * ignores all of it (see `gitEnv`, and the isomorphic-git reader reads objects only), so it is reported,
 * never used: whoever runs plain git in this repository afterwards does see it.
 */
export interface HistoryOverrides {
  /** `refs/replace/*` refs: plain git reads another object in place of each (`git checkout` included). */
  replaceRefs: readonly string[];
  /** The path of `info/grafts` when it exists: plain git rewrites the parents it lists. */
  graftFile: string | null;
  /** The repository is shallow: the parents of its boundary commits are missing. */
  shallow: boolean;
}

/** Warnings for the overrides that change what plain git shows (a shallow boundary only hides: it is reported where it bites). */
export function describeOverrides(overrides: HistoryOverrides): string[] {
  const warnings: string[] = [];
  const count = overrides.replaceRefs.length;
  if (count > 0) {
    const shown = overrides.replaceRefs.slice(0, 3).join(', ') + (count > 3 ? ', …' : '');
    warnings.push(
      `the repository has ${count} replace ref${count === 1 ? '' : 's'} (${shown}): siggate verified the original objects, ` +
        'but a plain git checkout or git log here uses the replacements; remove them (git replace -d) or run git with GIT_NO_REPLACE_OBJECTS=1',
    );
  }
  if (overrides.graftFile) {
    warnings.push(
      `${overrides.graftFile} exists: siggate ignored it and read every commit's parents from the commit itself, ` +
        'but plain git log, rev-list and merge-base here rewrite the history with it; remove it',
    );
  }
  return warnings;
}
