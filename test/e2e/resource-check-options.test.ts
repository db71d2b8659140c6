// `check` against real repositories, one git-resource source option per test, JSON on stdin as Concourse
// writes it (in-process through runResource; bin/check itself where a test says so): which versions git-resource would give, oldest first. Every commit here is signed by alice (an
// allowed key) unless a test says otherwise, so what is asserted is the selection; the gate's own cases
// are in test/security/resource-check.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { allowedKeys, at, CheckRemote } from '../helpers/check-remote.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let keys: string[];
let harness: ResourceHarness;

beforeAll(async () => {
  world = await demoWorld();
  keys = await allowedKeys();
  harness = await resourceHarness();
});

interface Outcome {
  code: number | null;
  versions: unknown;
  stderr: string;
}

/**
 * `check` with `source` (uri and keys added) and `version`, the request as JSON text: in-process through
 * runResource, as bin/check runs it (`viaBin` runs bin/check itself, a subprocess).
 */
async function check(remote: CheckRemote, source: Record<string, unknown>, version?: Record<string, string>, viaBin = false): Promise<Outcome> {
  const request = JSON.stringify({ source: { uri: remote.uri, commit_verification_keys: keys, ...source }, ...(version ? { version } : {}) });
  const result = viaBin ? await harness.runBin('check', request) : await harness.run('check', request);
  return { code: result.code, versions: result.code === 0 ? JSON.parse(result.stdout) : null, stderr: result.stderr };
}

const refs = (...oids: string[]) => oids.map((ref) => ({ ref }));

async function newRemote(): Promise<CheckRemote> {
  const remote = await CheckRemote.create(world);
  await remote.commit({ file: null, message: 'init' });
  return remote;
}

describe('branch mode', () => {
  it('no version: the tip only; a version: it and every first-parent commit after it, oldest first', async () => {
    const r = await newRemote();
    const a = await r.commit();
    const b = await r.commit();
    const c = await r.commit();
    await r.push();
    expect((await check(r, {}, undefined, true)).versions).toEqual(refs(c));
    expect((await check(r, {}, { ref: a }, true)).versions).toEqual(refs(a, b, c));
  });

  it('a merge is a version, the commits it brings in are not (first parent only)', async () => {
    const r = await newRemote();
    const a = await r.commit();
    await r.onBranch('feature');
    await r.commit({ file: 'feature-file' });
    await r.onBranch('main');
    const b = await r.commit();
    const merge = await r.merge('feature');
    await r.push();
    expect((await check(r, {}, { ref: a })).versions).toEqual(refs(a, b, merge));
  });

  it('a version the remote does not have (bogus-ref, an unknown commit id) is ignored: the tip only', async () => {
    const r = await newRemote();
    await r.commit();
    const tip = await r.commit();
    await r.push();
    expect((await check(r, {}, { ref: 'bogus-ref' })).versions).toEqual(refs(tip));
    expect((await check(r, {}, { ref: '0123456789abcdef0123456789abcdef01234567' })).versions).toEqual(refs(tip));
  });

  it('a version on a root commit gives the whole first-parent history, also for a second root merged in', async () => {
    const r = await newRemote();
    const first = await r.work.revParse('HEAD');
    const a = await r.commit();
    const orphan = await r.work.commit({ message: 'second root\n', parents: [], update: false, sign: world.as('alice') });
    const merge = await r.work.commit({ message: 'merge commit\n', parents: [a, orphan], files: {}, sign: world.as('alice') });
    await r.push();
    expect((await check(r, {}, { ref: first })).versions).toEqual(refs(first, a, merge));
    expect((await check(r, {}, { ref: orphan })).versions).toEqual(refs(first, a, merge));
    // a root commit the branch does not reach: git-resource's REF~1 fails and it yields nothing
    const unrelated = await r.work.commit({ message: 'unrelated root\n', parents: [], update: false, sign: world.as('alice') });
    await r.work.git('branch', 'unrelated', unrelated);
    await r.push();
    expect((await check(r, { branch: 'main' }, { ref: unrelated })).versions).toEqual([]);
  });

  it('a version on another branch of the remote still bounds the check (REF~1..tip): git-resource fetches it by id', async () => {
    const r = await newRemote();
    await r.commit();
    await r.onBranch('side');
    const onSide = await r.commit({ file: 'side-file' });
    await r.onBranch('main');
    const b = await r.commit();
    const c = await r.commit();
    await r.push();
    // onSide's parent is on main: every commit of main above it (not the tip alone, as for an unknown version)
    expect((await check(r, { branch: 'main' }, { ref: onSide })).versions).toEqual(refs(b, c));
    // a version a force-push left behind (c, on b): the commits above b
    await r.work.git('reset', '--hard', '-q', b);
    const r1 = await r.commit({ file: 'other-file' });
    const r2 = await r.commit({ file: 'other-file' });
    await r.push();
    expect((await check(r, { branch: 'main' }, { ref: c })).versions).toEqual(refs(r1, r2));
  });

  it('without branch: the remote default branch', async () => {
    const r = await newRemote();
    const mainTip = await r.commit();
    await r.onBranch('trunk');
    const trunkTip = await r.commit();
    await r.push();
    await r.bare.git('symbolic-ref', 'HEAD', 'refs/heads/trunk');
    expect((await check(r, {})).versions).toEqual(refs(trunkTip));
    expect((await check(r, { branch: 'main' })).versions).toEqual(refs(mainTip));
  });

  it('a mistyped branch is exit 2 naming it (bug 4), in branch and tag mode', async () => {
    const r = await newRemote();
    await r.commit();
    await r.push();
    const branchMode = await check(r, { branch: 'mian' }, undefined, true);
    expect(branchMode.code).toBe(2);
    expect(branchMode.stderr).toContain('mian');
    expect((await check(r, { branch: 'mian', tag_filter: '*' }, undefined, true)).code).toBe(2);
  });

  it('paths: only commits changing them (git globs: * and ** cross /), a version that does not is dropped', async () => {
    const r = await newRemote();
    const a = await r.commit({ file: 'file-a' });
    await r.commit({ file: 'file-b' });
    const c = await r.commit({ file: 'dir/sub/file-c' });
    await r.commit({ file: 'file-b' });
    await r.push();
    expect((await check(r, { paths: ['dir'] })).versions).toEqual(refs(c));
    expect((await check(r, { paths: ['**/file-c'] })).versions).toEqual(refs(c));
    expect((await check(r, { paths: ['dir*c'] })).versions).toEqual(refs(c));
    expect((await check(r, { paths: ['file-a', 'dir'] }, { ref: a })).versions).toEqual(refs(a, c));
    expect((await check(r, { paths: ['dir'] }, { ref: a })).versions).toEqual(refs(c));
  });

  it('paths: a merge is compared with its first parent only', async () => {
    const r = await newRemote();
    const a = await r.commit({ file: 'app' });
    await r.onBranch('feature');
    await r.commit({ file: 'lib' });
    await r.onBranch('main');
    const b = await r.commit({ file: 'app' });
    const merge = await r.merge('feature');
    await r.push();
    expect((await check(r, { paths: ['app', 'lib'] }, { ref: a })).versions).toEqual(refs(a, b, merge));
    expect((await check(r, { paths: ['lib'] }, { ref: a })).versions).toEqual(refs(merge));
  });

  it('ignore_paths: commits changing only ignored paths are not versions, alone or with paths', async () => {
    const r = await newRemote();
    const a = await r.commit({ file: 'file-a' });
    const b = await r.commit({ file: 'file-b' });
    const both = await r.work.commit({ message: 'a and c\n', files: { 'file-a': 'x\n', 'file-c': 'y\n' }, sign: world.as('alice') });
    await r.commit({ file: 'docs/readme' });
    await r.push();
    expect((await check(r, { ignore_paths: ['docs'] })).versions).toEqual(refs(both));
    expect((await check(r, { ignore_paths: ['docs', 'file-*'] }, { ref: a })).versions).toEqual([]);
    expect((await check(r, { paths: ['file-*'], ignore_paths: ['file-a'] }, { ref: a })).versions).toEqual(refs(b, both));
  });

  it('[ci skip] and [skip ci] anywhere in the message are skipped, [ci  skip] is not; disable_ci_skip keeps them', async () => {
    const r = await newRemote();
    const a = await r.commit();
    const skip = await r.commit({ message: 'docs [ci skip]' });
    const skip2 = await r.commit({ message: 'x\n\nbody [skip\tci]' });
    const twoSpaces = await r.commit({ message: 'wip [ci  skip]' });
    const skipTip = await r.commit({ message: 'fmt [skip ci]' });
    await r.push();
    expect((await check(r, {}, { ref: a })).versions).toEqual(refs(a, twoSpaces));
    expect((await check(r, {})).versions).toEqual(refs(twoSpaces));
    expect((await check(r, { disable_ci_skip: true }, { ref: a })).versions).toEqual(refs(a, skip, skip2, twoSpaces, skipTip));
    expect((await check(r, { disable_ci_skip: 'true' })).versions).toEqual(refs(skipTip));
  });

  it('commit_filter.include: git basic regexps, any of them; include_all_match: all of them', async () => {
    const r = await newRemote();
    const a = await r.commit();
    const b = await r.commit({ message: 'not skipped commit' });
    const c = await r.commit({ message: 'not skipped commit number_two' });
    await r.commit({ message: 'chore(release): 1.0' });
    await r.commit();
    await r.push();
    expect((await check(r, { commit_filter: { include: ['not skipped'] } }, { ref: a })).versions).toEqual(refs(b, c));
    expect((await check(r, { commit_filter: { include: ['number_two', 'chore(release):'] } }, { ref: a })).versions).toHaveLength(2);
    expect((await check(r, { commit_filter: { include: ['not', 'skipped', 'number_two'], include_all_match: 'true' } }, { ref: a })).versions).toEqual(refs(c));
    expect((await check(r, { commit_filter: { include: ['^not.*two$'] } })).versions).toEqual(refs(c));
  });

  it('commit_filter.exclude: parentheses are literal (conventional commits); exclude_all_match', async () => {
    const r = await newRemote();
    const a = await r.commit();
    const b = await r.commit({ message: 'chore: update a thing' });
    await r.commit({ message: 'chore(release): auto-publish' });
    const d = await r.commit({ message: 'fix: a bug' });
    await r.push();
    expect((await check(r, { commit_filter: { exclude: ['chore(release):'] } }, { ref: a })).versions).toEqual(refs(a, b, d));
    expect((await check(r, { commit_filter: { exclude: ['chore', 'fix'] } }, { ref: a })).versions).toEqual(refs(a));
    // exclude_all_match is git's --all-match beside --invert-grep: whatever that git makes of it (2.39 drops any match)
    const gitSays = (await r.work.git('rev-list', '--first-parent', '--reverse', '--grep=chore', '--grep=release', '--all-match', '--invert-grep', `${a}~1..main`)).split('\n');
    expect((await check(r, { commit_filter: { exclude: ['chore', 'release'], exclude_all_match: true } }, { ref: a })).versions).toEqual(refs(...gitSays));
    expect((await check(r, { commit_filter: { include: ['chore'], exclude: ['release'] } }, { ref: a })).versions).toEqual(refs(b));
  });

  it('commit_filter with a string instead of a list is a configuration error (exit 2)', async () => {
    const r = await newRemote();
    await r.commit();
    await r.push();
    expect((await check(r, { commit_filter: { include: 'a string, not an array' } })).code).toBe(2);
  });

  it('version_depth: without a version the newest N (as a string too); with a version it does not apply', async () => {
    const r = await newRemote();
    const a = await r.commit();
    const b = await r.commit();
    const c = await r.commit();
    await r.push();
    expect((await check(r, { version_depth: 2 })).versions).toEqual(refs(b, c));
    expect((await check(r, { version_depth: '3' })).versions).toEqual(refs(a, b, c));
    expect((await check(r, { version_depth: 1 }, { ref: a })).versions).toEqual(refs(a, b, c));
    expect((await check(r, { version_depth: 0 })).code).toBe(2);
  });

  it('version_depth above 1 without a version walks every parent before the newest candidate, as git-resource does', async () => {
    const r = await newRemote();
    await r.commit({ file: 'app', date: at(10) });
    await r.onBranch('feature');
    const side = await r.commit({ file: 'lib', date: at(30) });
    await r.onBranch('main');
    await r.commit({ file: 'docs', date: at(20) });
    await r.work.merge('feature', { sign: world.as('alice'), date: at(40) });
    const tip = await r.commit({ file: 'app', date: at(50) });
    await r.push();
    // git-resource's `rev-list --no-walk=unsorted -3` walks: tip, the merge, then the newer of its parents
    const merge = await r.work.revParse('HEAD~1');
    expect((await check(r, { version_depth: 3, paths: ['app'] })).versions).toEqual(refs(side, merge, tip));
  });

  it('search_remote_refs is accepted and does not change what check yields', async () => {
    const r = await newRemote();
    const tip = await r.commit();
    await r.push();
    expect((await check(r, { search_remote_refs: true })).versions).toEqual(refs(tip));
  });
});

describe('tag modes', () => {
  /** Tags 1.0-staging … on main, dated in order; returns the commits by tag name. */
  async function taggedRemote(): Promise<{ r: CheckRemote; commit: Record<string, string> }> {
    const r = await newRemote();
    const commit: Record<string, string> = {};
    let second = 0;
    for (const name of ['1.0-staging', '1.0-production', '2.0-staging', '2.0-production', '3.0-staging']) {
      commit[name] = await r.commit({ date: at(++second) });
      await r.tag(name, { date: at(++second) });
    }
    await r.commit();
    await r.push();
    return { r, commit };
  }

  it('tag_filter: a git tag --list glob, newest matching tag only, {ref: tag, commit}', async () => {
    const { r, commit } = await taggedRemote();
    expect((await check(r, { tag_filter: '*-staging' })).versions).toEqual([{ ref: '3.0-staging', commit: commit['3.0-staging'] }]);
    expect((await check(r, { tag_filter: '1.*' })).versions).toEqual([{ ref: '1.0-production', commit: commit['1.0-production'] }]);
    expect((await check(r, { tag_filter: 'nothing*' })).versions).toEqual([]);
  });

  it('tag_filter: * matches / too (release* matches release/2.0), as git tag --list does', async () => {
    const r = await newRemote();
    const a = await r.commit();
    await r.tag('release/2.0', { date: at(1) });
    await r.push();
    expect((await check(r, { tag_filter: 'release*' })).versions).toEqual([{ ref: 'release/2.0', commit: a }]);
  });

  it('tag_regex: a POSIX ERE matching the whole name (staging does not match 1.0-staging)', async () => {
    const { r, commit } = await taggedRemote();
    expect((await check(r, { tag_regex: '.*-staging' })).versions).toEqual([{ ref: '3.0-staging', commit: commit['3.0-staging'] }]);
    expect((await check(r, { tag_regex: 'staging' })).versions).toEqual([]);
    expect((await check(r, { tag_regex: '[0-9]+\\.0-production' })).versions).toEqual([{ ref: '2.0-production', commit: commit['2.0-production'] }]);
    expect((await check(r, { tag_regex: '(' })).code).toBe(2);
  });

  it('tag_filter and tag_regex together, or an unknown tag_behaviour, are configuration errors', async () => {
    const { r } = await taggedRemote();
    expect((await check(r, { tag_filter: '*', tag_regex: '.*' })).code).toBe(2);
    expect((await check(r, { tag_filter: '*', tag_behaviour: 'match_everything' })).code).toBe(2);
  });

  it('a tag version is the cursor: the newest version_depth tags from it on', async () => {
    const { r, commit } = await taggedRemote();
    const two = { ref: '2.0-staging', commit: commit['2.0-staging'] };
    const three = { ref: '3.0-staging', commit: commit['3.0-staging'] };
    expect((await check(r, { tag_filter: '*-staging' }, { ref: '2.0-staging' })).versions).toEqual([three]);
    expect((await check(r, { tag_filter: '*-staging', version_depth: 2 }, { ref: '2.0-staging' })).versions).toEqual([two, three]);
    expect((await check(r, { tag_regex: '.*-staging', version_depth: '5' }, { ref: '2.0-staging' })).versions).toEqual([two, three]);
    expect((await check(r, { tag_filter: '*-staging', branch: 'main', version_depth: 5 }, { ref: '2.0-staging' })).versions).toEqual([two, three]);
    // a version that is no tag of the repository is ignored; one that the filter does not match gives nothing
    expect((await check(r, { tag_filter: '*-staging' }, { ref: 'bogus-ref' })).versions).toEqual([three]);
    expect((await check(r, { tag_filter: '*-staging' }, { ref: '1.0-production' })).versions).toEqual([]);
  });

  it('version_depth without a version: the newest N matching tags', async () => {
    const { r, commit } = await taggedRemote();
    expect((await check(r, { tag_filter: '*-production', version_depth: 2 })).versions).toEqual([
      { ref: '1.0-production', commit: commit['1.0-production'] },
      { ref: '2.0-production', commit: commit['2.0-production'] },
    ]);
  });

  it('with source.branch only tags merged into it; without, tags on any branch, merged or not', async () => {
    const r = await newRemote();
    await r.onBranch('branch-a');
    const onA = await r.commit();
    await r.tag('test.tag.1', { date: at(1) });
    await r.onBranch('main');
    await r.push();
    expect((await check(r, { tag_filter: 'test.tag.*', branch: 'main' })).versions).toEqual([]);
    expect((await check(r, { tag_filter: 'test.tag.*' })).versions).toEqual([{ ref: 'test.tag.1', commit: onA }]);
    const onMain = await r.commit();
    await r.tag('test.tag.2', { date: at(2) });
    await r.push();
    expect((await check(r, { tag_regex: 'test\\.tag\\..*', branch: 'main' })).versions).toEqual([{ ref: 'test.tag.2', commit: onMain }]);
    expect((await check(r, { tag_filter: 'test.tag.*', branch: 'branch-a' })).versions).toEqual([{ ref: 'test.tag.1', commit: onA }]);
  });

  it('a moved tag is yielded at its new commit; a lightweight tag is a version too', async () => {
    const r = await newRemote();
    const a = await r.commit();
    await r.tag('staging', { date: at(1) });
    await r.push();
    expect((await check(r, { tag_filter: 'staging' })).versions).toEqual([{ ref: 'staging', commit: a }]);
    const b = await r.commit();
    await r.tag('staging', { lightweight: true });
    await r.push();
    expect((await check(r, { tag_filter: 'staging' }, { ref: 'staging' })).versions).toEqual([{ ref: 'staging', commit: b }]);
  });

  it('match_tagged with paths: tags whose commit changes the paths', async () => {
    const r = await newRemote();
    const c: string[] = [];
    let second = 0;
    for (const [file, tag] of [['file-a', 'v1'], ['file-b', 'v2'], ['file-c', 'v3'], ['file-b', null]] as const) {
      c.push(await r.commit({ file, date: at(++second) }));
      if (tag) await r.tag(tag, { date: at(++second) });
    }
    await r.push();
    expect((await check(r, { tag_filter: 'v*', paths: ['file-b'], tag_behaviour: 'match_tagged' })).versions).toEqual([{ ref: 'v2', commit: c[1] }]);
    expect((await check(r, { tag_filter: 'v*', paths: ['file-b', 'file-a'], version_depth: 3 })).versions).toEqual([
      { ref: 'v1', commit: c[0] },
      { ref: 'v2', commit: c[1] },
    ]);
    expect((await check(r, { tag_filter: 'v*', paths: ['file-f'] })).versions).toEqual([]);
  });

  it('match_tag_ancestors: commits changing the paths that a matching tag points at or contains, as {ref: commit}', async () => {
    const r = await newRemote();
    const c: string[] = [];
    let second = 0;
    for (const [file, tag] of [['file-a', '1.0'], ['file-b', null], ['file-c', '2.0'], ['file-b', null]] as const) {
      c.push(await r.commit({ file, date: at(++second) }));
      if (tag) await r.tag(tag, { date: at(++second) });
    }
    await r.push();
    const ancestors = (source: Record<string, unknown>) => check(r, { tag_behaviour: 'match_tag_ancestors', ...source });
    // the newest commit changing file-b under a 2.* tag is c[1]; c[3] is after every tag
    expect((await ancestors({ tag_filter: '2.*', paths: ['file-b'] })).versions).toEqual(refs(c[1]!));
    expect((await ancestors({ tag_filter: '*', paths: ['file-a', 'file-b'], version_depth: 2 })).versions).toEqual(refs(c[0]!, c[1]!));
    expect((await ancestors({ tag_filter: '1.*', paths: ['file-c'] })).versions).toEqual([]);
    expect((await ancestors({ tag_regex: '[0-9.]+' })).versions).toEqual(refs(c[2]!));
  });

  it('git_config that changes how git prints (column.ui=always) does not change the tags found', async () => {
    const { r, commit } = await taggedRemote();
    const out = await check(r, { tag_filter: '*-staging', version_depth: 2, git_config: [{ name: 'column.ui', value: 'always' }] }, undefined, true);
    expect(out.versions).toEqual([
      { ref: '2.0-staging', commit: commit['2.0-staging'] },
      { ref: '3.0-staging', commit: commit['3.0-staging'] },
    ]);
  });

  it('[ci skip] and commit_filter apply to the tagged commits too', async () => {
    const r = await newRemote();
    const a = await r.commit({ date: at(1) });
    await r.tag('v1', { date: at(2) });
    const skipped = await r.commit({ message: 'release [ci skip]', date: at(3) });
    await r.tag('v2', { date: at(4) });
    await r.push();
    // v2's commit is not a candidate: the newest tag that is, v1, is the version
    expect((await check(r, { tag_filter: 'v*' })).versions).toEqual([{ ref: 'v1', commit: a }]);
    expect((await check(r, { tag_filter: 'v*', disable_ci_skip: true })).versions).toEqual([{ ref: 'v2', commit: skipped }]);
    expect((await check(r, { tag_filter: 'v*', commit_filter: { exclude: ['release'] }, disable_ci_skip: true })).versions).toEqual([{ ref: 'v1', commit: a }]);
  });
});
