// The resource's `check` selects versions as git-resource does (paths, ignore_paths, [ci skip],
// commit_filter, version_depth, tag modes); the attacks here try to get a version yielded that the gate
// would refuse, or that the source's filters exclude: a commit hidden by a filter below a signed version,
// a tag on an unsigned commit, a moved tag, a tag name the regex was not meant to match, a tag on an
// unmerged branch, and shell or option injection through the options. Each attack comes with its control.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { allowedKeys, at, CheckRemote, type CommitSpec, type Signer } from '../helpers/check-remote.js';
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
  code: number;
  versions: { ref: string; commit?: string }[];
  stderr: string;
}

async function check(remote: CheckRemote, source: Record<string, unknown>, version?: Record<string, string>): Promise<Outcome> {
  const request = JSON.stringify({ source: { uri: remote.uri, commit_verification_keys: keys, ...source }, ...(version ? { version } : {}) });
  const result = await harness.run('check', request);
  return { code: result.code, versions: result.code === 0 ? JSON.parse(result.stdout) : [], stderr: result.stderr };
}

const refsOf = (outcome: Outcome) => outcome.versions.map((v) => v.ref);

/** How a commit is kept out of the selection, and the source option doing it. */
interface Hiding {
  name: string;
  source: Record<string, unknown>;
  /** The visible commits (R and S) and the hidden one (U). */
  visible: CommitSpec;
  hidden: CommitSpec;
}

const HIDINGS: Hiding[] = [
  { name: 'paths', source: { paths: ['app'] }, visible: { file: 'app' }, hidden: { file: 'docs/notes' } },
  { name: 'ignore_paths', source: { ignore_paths: ['docs'] }, visible: { file: 'app' }, hidden: { file: 'docs/notes' } },
  { name: '[ci skip]', source: {}, visible: { file: 'app' }, hidden: { file: 'app', message: 'tweak [ci skip]' } },
  { name: 'commit_filter.include', source: { commit_filter: { include: ['^release'] } }, visible: { message: 'release' }, hidden: { message: 'wip' } },
  { name: 'commit_filter.exclude', source: { commit_filter: { exclude: ['wip'] } }, visible: { message: 'release' }, hidden: { message: 'wip' } },
];

describe.each(HIDINGS)('a commit hidden by $name below a signed version (trust_root R, R ─ U ─ S)', (hiding) => {
  async function build(signer: Signer): Promise<{ r: CheckRemote; R: string; S: string }> {
    const r = await CheckRemote.create(world);
    const R = await r.commit({ ...hiding.visible, message: `${hiding.visible.message ?? 'release'} R` });
    await r.commit({ ...hiding.hidden, signer });
    const S = await r.commit({ ...hiding.visible, message: `${hiding.visible.message ?? 'release'} S` });
    await r.push();
    return { r, R, S };
  }

  it.each(['first-parent', 'all'])('unsigned U closes the gate for S in mode %s: S is not yielded, U is named', async (mode) => {
    const { r, R, S } = await build(null);
    const out = await check(r, { ...hiding.source, trust_root: R, mode }, { ref: R });
    expect(out.code).toBe(0);
    expect(refsOf(out)).not.toContain(S);
    expect(out.stderr).toContain(`skipping ${S}`);
    expect(out.stderr).toContain('unsigned');
    // the tip is not yielded in its place either
    expect((await check(r, { ...hiding.source, trust_root: R, mode })).versions).toEqual([]);
  });

  it('control: U signed by alice, S is yielded (and U, hidden, is not)', async () => {
    const { r, R, S } = await build('alice');
    expect(refsOf(await check(r, { ...hiding.source, trust_root: R, mode: 'first-parent' }, { ref: R }))).toEqual([R, S]);
  });

  it('U signed by mallory (unknown key) closes the gate as well', async () => {
    const { r, R, S } = await build('mallory');
    expect(refsOf(await check(r, { ...hiding.source, trust_root: R, mode: 'first-parent' }, { ref: R }))).not.toContain(S);
  });
});

describe('an unsigned commit on a merged branch that paths hide (R ─ S1 ─ M(signed, U) ─ S2)', () => {
  let r: CheckRemote;
  let R: string;
  let S1: string;
  let S2: string;

  beforeAll(async () => {
    r = await CheckRemote.create(world);
    R = await r.commit({ file: 'app' });
    await r.onBranch('side');
    await r.commit({ file: 'docs/notes', signer: null });
    await r.onBranch('main');
    S1 = await r.commit({ file: 'app' });
    await r.merge('side');
    S2 = await r.commit({ file: 'app' });
    await r.push();
  });

  it('mode all: S2 is not yielded (U is reachable and unsigned)', async () => {
    const out = await check(r, { paths: ['app'], trust_root: R, mode: 'all' }, { ref: R });
    expect(refsOf(out)).toEqual([R, S1]);
    expect(out.stderr).toContain(`skipping ${S2}`);
    expect((await check(r, { paths: ['app'], trust_root: R, mode: 'all' })).versions).toEqual([]);
  });

  it('control, mode first-parent: the signed merge vouches for U, S2 is yielded (the merge, not changing app, is not)', async () => {
    expect(refsOf(await check(r, { paths: ['app'], trust_root: R, mode: 'first-parent' }, { ref: R }))).toEqual([R, S1, S2]);
  });
});

describe('tags', () => {
  it('a tag (even one signed by alice) on an unsigned commit is never a version, with or without verify_tags', async () => {
    const r = await CheckRemote.create(world);
    const good = await r.commit();
    await r.tag('v1', { signer: 'alice', date: at(1) });
    await r.commit({ signer: null });
    await r.tag('v2', { signer: 'alice', date: at(2) });
    await r.push();
    for (const extra of [{}, { verify_tags: true }]) {
      const out = await check(r, { tag_filter: 'v*', version_depth: 5, ...extra });
      expect(out.versions).toEqual([{ ref: 'v1', commit: good }]);
      expect(out.stderr).toContain('skipping tag v2');
    }
    // newest only (the default depth): v2 is dropped, v1 does not take its place
    expect((await check(r, { tag_filter: 'v*' })).versions).toEqual([]);
  });

  it('a tag moved onto an unsigned (or mallory-signed) commit is not yielded, and its old commit is not yielded instead', async () => {
    const r = await CheckRemote.create(world);
    const good = await r.commit();
    await r.tag('prod', { signer: 'alice', date: at(1) });
    await r.push();
    expect((await check(r, { tag_filter: 'prod' })).versions).toEqual([{ ref: 'prod', commit: good }]);
    for (const signer of [null, 'mallory'] as const) {
      await r.commit({ signer });
      await r.tag('prod', { signer: 'alice', date: at(2) });
      await r.push();
      const out = await check(r, { tag_filter: 'prod' }, { ref: 'prod', commit: good });
      expect(out.code).toBe(0);
      expect(out.versions).toEqual([]);
    }
  });

  it('tag_regex prod-.* never selects not-prod-1, a valid signed tag the regex does not match as a whole (bug 2)', async () => {
    const r = await CheckRemote.create(world);
    const prod = await r.commit();
    await r.tag('prod-1', { signer: 'alice', date: at(1) });
    await r.commit();
    await r.tag('not-prod-1', { signer: 'alice', date: at(2) });
    await r.tag('prod-1x', { lightweight: true, target: prod });
    await r.push();
    // a JavaScript RegExp finds the pattern inside the name: the attack works wherever one decides
    expect(new RegExp('prod-.*').test('not-prod-1')).toBe(true);
    expect((await check(r, { tag_regex: 'prod-.*', version_depth: 10 })).versions.map((v) => v.ref)).not.toContain('not-prod-1');
    expect((await check(r, { tag_regex: 'prod-.*' })).versions.map((v) => v.ref)).not.toContain('not-prod-1');
    // offered as the version (a pinned version, a version from another source), it is still not yielded
    expect((await check(r, { tag_regex: 'prod-.*', version_depth: 10 }, { ref: 'not-prod-1' })).versions).toEqual([]);
    expect((await check(r, { tag_filter: 'prod-*', version_depth: 10 }, { ref: 'not-prod-1' })).versions).toEqual([]);
    // control: the names the regex matches whole are versions
    expect((await check(r, { tag_regex: 'prod-.*', version_depth: 10 })).versions.map((v) => v.ref).sort()).toEqual(['prod-1', 'prod-1x']);
  });

  it('with source.branch, a tag on an unmerged branch is not a version, even behind a tag named like the branch', async () => {
    const r = await CheckRemote.create(world);
    await r.commit();
    await r.onBranch('experiment');
    const experiment = await r.commit();
    await r.tag('v9', { signer: 'alice', date: at(9) });
    // a tag named "main" at the experiment: `git tag --merged main` would take it for the branch
    await r.tag('main', { lightweight: true });
    await r.onBranch('main');
    await r.push();
    expect((await check(r, { branch: 'main', tag_filter: 'v*' })).versions).toEqual([]);
    expect((await check(r, { branch: 'main', tag_regex: 'v[0-9]+' }, { ref: 'v9' })).versions).toEqual([]);
    // control: merged, it is a version
    await r.merge('experiment');
    await r.push();
    expect((await check(r, { branch: 'main', tag_filter: 'v*' })).versions).toEqual([{ ref: 'v9', commit: experiment }]);
  });

  it('match_tag_ancestors: an unsigned commit a tag contains is selected by the paths but not yielded', async () => {
    const r = await CheckRemote.create(world);
    await r.commit({ file: 'app' });
    const unsigned = await r.commit({ file: 'lib', signer: null });
    await r.commit({ file: 'docs' });
    await r.tag('v1', { signer: 'alice', date: at(1) });
    await r.push();
    const out = await check(r, { tag_filter: 'v*', tag_behaviour: 'match_tag_ancestors', paths: ['lib'] });
    expect(out.versions).toEqual([]);
    expect(out.stderr).toContain(`skipping ${unsigned}`);
  });
});

describe('version_depth', () => {
  it('the commits git-resource walks into for version_depth > 1 (a merged side commit) pass the gate like any other', async () => {
    const r = await CheckRemote.create(world);
    await r.commit({ file: 'app', date: at(10) });
    await r.onBranch('side');
    const side = await r.commit({ file: 'lib', signer: null, date: at(30) });
    await r.onBranch('main');
    await r.commit({ file: 'docs', date: at(20) });
    await r.work.merge('side', { sign: world.as('alice'), date: at(40) });
    const tip = await r.commit({ file: 'app', date: at(50) });
    await r.push();
    const out = await check(r, { version_depth: 3, paths: ['app'] });
    expect(out.versions.map((v) => v.ref)).toEqual([await r.work.revParse('HEAD~1'), tip]);
    expect(out.stderr).toContain(`skipping ${side}`);
  });
});

describe('options reach git as data, never through a shell or as options', () => {
  it('$(…) in commit_filter, tag_regex, paths and a version starting with -- run nothing and write nothing', async () => {
    const r = await CheckRemote.create(world);
    const tip = await r.commit();
    await r.tag('v1', { date: at(1) });
    await r.push();
    const dir = await makeTempDir('siggate-injection-');
    const marker = (name: string) => join(dir, name);
    const shell = (name: string) => `$(touch ${marker(name)})`;
    expect((await check(r, { commit_filter: { include: [shell('include')], exclude: [`\`touch ${marker('exclude')}\``] } })).code).toBe(0);
    expect((await check(r, { tag_regex: `${shell('regex')}|v1` })).versions).toEqual([{ ref: 'v1', commit: tip }]);
    expect((await check(r, { paths: [shell('paths'), '.'] })).versions).toEqual([{ ref: tip }]);
    expect((await check(r, { paths: [`--output=${marker('option-path')}`, '.'] })).code).toBe(0);
    expect((await check(r, {}, { ref: `--output=${marker('option-version')}` })).versions).toEqual([{ ref: tip }]);
    expect((await check(r, { tag_filter: `--output=${marker('option-filter')}` })).versions).toEqual([]);
    for (const name of ['include', 'exclude', 'regex', 'paths', 'option-path', 'option-version', 'option-filter']) expect(existsSync(marker(name))).toBe(false);
  });
});
