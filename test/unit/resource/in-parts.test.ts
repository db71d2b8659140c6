// The pure pieces of `in`: git-resource's short_ref printf, the deepen loop's messages, submodule URLs,
// LFS pointers, the version answered, params with git-resource's defaults and string forms.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { answerVersion } from '../../../src/resource/git/in.js';
import { deepenUntilFound } from '../../../src/resource/git/in-deepen.js';
import { formatLikeAwk } from '../../../src/resource/git/in-files.js';
import { parsePointer } from '../../../src/resource/git/in-lfs.js';
import { parseInParams } from '../../../src/resource/git/in-params.js';
import { checkSubmoduleName, resolveSubmoduleUrl } from '../../../src/resource/git/in-submodule-fetch.js';
import { parseSource } from '../../../src/resource/git/source.js';

const source = parseSource({ uri: 'file:///repo', commit_verification_keys: ['k'] });

describe('short_ref_format as awk printf formats it', () => {
  it('puts the first seven characters where %s is, with widths, escapes and %%', () => {
    expect(formatLikeAwk('%s', '1a2b3c4')).toBe('1a2b3c4');
    expect(formatLikeAwk('test-%s', '0.9-pro')).toBe('test-0.9-pro');
    expect(formatLikeAwk('%-9s|', 'abc')).toBe('abc      |');
    expect(formatLikeAwk('%.3s', 'abcdef')).toBe('abc');
    expect(formatLikeAwk('v%s\\n100%%', 'abc')).toBe('vabc\n100%');
    expect(formatLikeAwk('%d', '12ab')).toBe('12');
    expect(formatLikeAwk('%s-%s', 'abc')).toBe('abc-');
  });
});

describe('the deepen loop (git-resource deepen_shallow_clone_until_ref_is_found_then_check_out)', () => {
  async function run(depth: number, reachableAt: number | null, historyDepth: number): Promise<{ lines: string[]; total: number; unshallowed: boolean }> {
    let total = depth;
    let unshallowed = false;
    const lines: string[] = [];
    await deepenUntilFound(depth, {
      shown: 'REF',
      // REF~n is there once the clone reaches `reachableAt + n + 1` commits below the tip
      has: async (n) => unshallowed || (reachableAt !== null && total >= reachableAt + n + 1),
      shallow: async () => !unshallowed && total < historyDepth,
      deepen: async (by) => void (total += by),
      unshallow: async () => void (unshallowed = true),
    }, (line) => lines.push(line));
    return { lines, total, unshallowed };
  }

  it('doubles the step from the depth until the ref is in, then falls back to a deep clone at 127', async () => {
    const { lines, unshallowed } = await run(1, 127, 1000);
    expect(lines.filter((l) => l.startsWith('Could not find')).map((l) => Number(/depth (\d+)$/.exec(l)![1]))).toEqual([1, 3, 7, 15, 31, 63, 127]);
    expect(lines.filter((l) => l.startsWith('Deepening')).map((l) => Number(/additional (\d+)/.exec(l)![1]))).toEqual([2, 4, 8, 16, 32, 64]);
    expect(lines.at(-1)).toBe('Reached depth threshold 127, falling back to deep clone...');
    expect(lines[0]).toBe('Could not find ref REF~0 in a shallow clone of depth 1');
    expect(unshallowed).toBe(true);
  });

  it('depth 3 for a ref 18 below the tip: REF~2 found at 21, still shallow', async () => {
    const { lines, total, unshallowed } = await run(3, 18, 1000);
    expect(lines).toEqual([
      'Could not find ref REF~2 in a shallow clone of depth 3',
      'Deepening the shallow clone by an additional 6...',
      'Could not find ref REF~2 in a shallow clone of depth 9',
      'Deepening the shallow clone by an additional 12...',
    ]);
    expect(total).toBe(21);
    expect(unshallowed).toBe(false);
  });

  it('stops when the whole history came over', async () => {
    const { lines } = await run(1, null, 2);
    expect(lines.at(-1)).toBe("Reached max depth of the origin repo while deepening the shallow clone, it's a deep clone now");
  });
});

describe('submodule URLs', () => {
  it('resolves ./ and ../ against the superproject remote as git does', () => {
    expect(resolveSubmoduleUrl('https://host/org/app.git', '../lib.git')).toBe('https://host/org/lib.git');
    expect(resolveSubmoduleUrl('https://host/org/app.git/', './sub')).toBe('https://host/org/app.git/sub');
    expect(resolveSubmoduleUrl('git@host:org/app.git', '../lib.git')).toBe('git@host:org/lib.git');
    expect(resolveSubmoduleUrl('git@host:app.git', '../lib.git')).toBe('git@host:lib.git');
    expect(resolveSubmoduleUrl('file:///srv/a/app', '../../b/lib')).toBe('file:///srv/b/lib');
    expect(resolveSubmoduleUrl('https://host/org/app.git', 'https://other/x.git')).toBe('https://other/x.git');
  });

  it('refuses submodule names git refuses (a way out of .git/modules)', () => {
    for (const name of ['../../hooks', 'a/../../b', '/abs', '']) expect(() => checkSubmoduleName(name)).toThrow(UsageError);
    expect(() => checkSubmoduleName('lib/sub.name')).not.toThrow();
  });
});

describe('LFS pointers', () => {
  const oid = 'a'.repeat(64);
  it('reads the oid and size of a pointer, nothing from other text', () => {
    expect(parsePointer(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 12\n`)).toEqual({ oid, size: 12 });
    expect(parsePointer(`oid sha256:${oid}\nsize 12\n`)).toBeNull();
    expect(parsePointer('version https://git-lfs.github.com/spec/v1\nsize 12\n')).toBeNull();
  });
});

describe('the version in answers', () => {
  const commit = 'c'.repeat(40);
  it('echoes the version given: ref verbatim, HEAD as the commit, commit when check gave one, never branch', () => {
    expect(answerVersion(null, commit)).toEqual({ ref: commit });
    expect(answerVersion({ ref: 'HEAD' }, commit)).toEqual({ ref: commit });
    expect(answerVersion({ ref: '1.0-staging' }, commit)).toEqual({ ref: '1.0-staging' });
    expect(answerVersion({ ref: commit, branch: 'feature' }, commit)).toEqual({ ref: commit });
    expect(answerVersion({ ref: 'v1', commit: 'd'.repeat(40) }, commit)).toEqual({ ref: 'v1', commit: 'd'.repeat(40) });
  });
});

describe('in params', () => {
  it("git-resource's defaults", () => {
    expect(parseInParams({}, source)).toMatchObject({
      depth: 0, fetch: [], fetchTags: null, submodules: 'all', submoduleRecursive: true, submoduleRemote: false, disableGitLfs: false,
      cleanTags: false, shortRefFormat: '%s', timestampFormat: 'iso8601', describeRefOptions: ['--always', '--dirty', '--broken'], allBranches: false,
    });
  });

  it('takes the string forms jq -r gives, and fetch_tags from the source when params leave it unset', () => {
    const params = parseInParams({ depth: '2', fetch_tags: 'false', submodule_recursive: 'false', all_branches: 'TRUE', clean_tags: 'true' }, source);
    expect(params).toMatchObject({ depth: 2, fetchTags: false, submoduleRecursive: false, allBranches: true, cleanTags: true });
    expect(parseInParams({}, parseSource({ uri: 'file:///r', commit_verification_keys: ['k'], fetch_tags: true })).fetchTags).toBe(true);
  });

  it('refuses what git-resource could not use: a submodules string, a branch name git refuses, a timestamp format on two lines', () => {
    expect(() => parseInParams({ submodules: 'some' }, source)).toThrow(UsageError);
    expect(() => parseInParams({ fetch: ['-x'] }, source)).toThrow(UsageError);
    expect(() => parseInParams({ timestamp_format: 'iso\nrfc' }, source)).toThrow(UsageError);
  });
});
