// bin/out with each of git-resource's put params, as its own put tests drive it: a real remote, a checkout
// in SRC/repo, JSON on stdin, and git in a container that signs its commits (git-resource's test image
// does) or does not (then siggate signs what it made with source.signing_key).
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/commands/verify-range.js';
import { allowedKeys, container, outScene, put, raceOnce, remoteRefs, secretKey, type Container, type OutScene } from '../helpers/out-world.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let keys: string[];
/** git makes unsigned commits here. */
let plain: Container;
/** git signs every commit as alice here. */
let signing: Container;

beforeAll(async () => {
  world = await demoWorld();
  keys = await allowedKeys();
  plain = await container(world);
  signing = await container(world, { signs: true });
});

const source = (scene: OutScene, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ uri: scene.uri, branch: 'main', commit_verification_keys: keys, ...extra });

/** A scene whose checkout has one commit signed by alice on top of the remote's main. */
async function ahead(): Promise<{ scene: OutScene; commit: string }> {
  const scene = await outScene(world);
  const commit = await scene.checkout.commit({ message: 'release\n', files: { 'some-file': 'x\n' }, sign: world.as('alice') });
  return { scene, commit };
}

/** ahead(), and the remote's main moved on meanwhile (a signed commit touching another file): a rebase or merge is needed. */
async function diverged(): Promise<{ scene: OutScene; commit: string; remoteTip: string }> {
  const { scene, commit } = await ahead();
  const remoteTip = await scene.upstream.commit({ message: 'meanwhile\n', files: { 'other-file': 'y\n' }, sign: world.as('bob') });
  await scene.publish();
  return { scene, commit, remoteTip };
}

const answer = (stdout: string): { version: Record<string, string>; metadata: { name: string; value: string }[] } => JSON.parse(stdout);
const signerOf = async (scene: OutScene, rev: string): Promise<string | null> => {
  const report = await verifyCommit({ repo: scene.bare.dir, keys: [world.keysDir], rev });
  return report.status === 'valid' ? report.signer!.fingerprint : report.status;
};

describe('out: where it pushes', () => {
  it('no params but repository: HEAD goes to source.branch with every local tag; version {ref}; git-resource metadata then the signer', async () => {
    const { scene, commit } = await ahead();
    await scene.checkout.git('tag', 'some-tag');
    const out = await put(plain, scene, source(scene), { repository: 'repo' });
    expect(out.code).toBe(0);
    const { version, metadata } = answer(out.stdout);
    expect(version).toEqual({ ref: commit });
    expect(await scene.bare.revParse('refs/heads/main')).toBe(commit);
    expect(await scene.bare.revParse('refs/tags/some-tag')).toBe(commit);
    expect(metadata.map((m) => m.name)).toEqual(['commit', 'author', 'author_date', 'committer', 'committer_date', 'branch', 'tags', 'message', 'signer_fingerprint', 'signer', 'verification']);
    expect(metadata.find((m) => m.name === 'branch')?.value).toBe('main');
    expect(metadata.find((m) => m.name === 'verification')?.value).toBe('valid');
  });

  it('params.branch overrides source.branch and goes into the version', async () => {
    const { scene, commit } = await ahead();
    const out = await put(plain, scene, source(scene, { branch: undefined }), { repository: 'repo', branch: 'branch-a' });
    expect(out.code).toBe(0);
    expect(answer(out.stdout).version).toEqual({ branch: 'branch-a', ref: commit });
    expect(await scene.bare.revParse('refs/heads/branch-a')).toBe(commit);
  });

  it('neither source.branch nor params.branch nor only_tag: invalid payload (missing branch), exit 2, nothing pushed', async () => {
    const { scene } = await ahead();
    const before = await remoteRefs(scene);
    const out = await put(plain, scene, source(scene, { branch: undefined }), { repository: 'repo' });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('missing branch');
    expect(await remoteRefs(scene)).toBe(before);
  });

  it('refs_prefix: HEAD goes to PREFIX/BRANCH (refs/for/main, as for Gerrit)', async () => {
    const { scene, commit } = await ahead();
    const out = await put(plain, scene, source(scene), { repository: 'repo', refs_prefix: 'refs/for' });
    expect(out.code).toBe(0);
    expect(await scene.bare.revParse('refs/for/main')).toBe(commit);
    expect(await scene.bare.revParse('refs/heads/main')).not.toBe(commit);
  });

  it('push_options: each reaches the remote as a push option', async () => {
    const { scene, commit } = await ahead();
    const seen = join(await makeTempDir('siggate-push-options-'), 'seen');
    await scene.bare.git('config', 'receive.advertisePushOptions', 'true');
    const hook = join(scene.bare.dir, 'hooks', 'pre-receive');
    await writeFile(hook, `#!/bin/sh\ncat >/dev/null\nenv | grep '^GIT_PUSH_OPTION_[0-9]' | sort > '${seen}'\n`);
    await chmod(hook, 0o755);
    const out = await put(plain, scene, source(scene), { repository: 'repo', push_options: ['option-1', 'option-2'] });
    expect(out.code).toBe(0);
    expect(await scene.bare.revParse('refs/heads/main')).toBe(commit);
    expect(await readFile(seen, 'utf8')).toBe('GIT_PUSH_OPTION_0=option-1\nGIT_PUSH_OPTION_1=option-2\n');
  });

  it('debug is accepted (and turns no git tracing on)', async () => {
    const { scene } = await ahead();
    const out = await put(plain, scene, source(scene), { repository: 'repo', debug: 'true' });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('debug mode enabled');
  });
});

describe('out: tags', () => {
  it('tag (a file in SRC) and tag_prefix: the tag on HEAD is pushed with the branch', async () => {
    const { scene, commit } = await ahead();
    await writeFile(join(scene.src, 'some-tag-file'), '1.0\n');
    const out = await put(plain, scene, source(scene), { repository: 'repo', tag: 'some-tag-file', tag_prefix: 'v' });
    expect(out.code).toBe(0);
    expect(answer(out.stdout).version).toEqual({ ref: commit });
    expect(await scene.bare.revParse('refs/tags/v1.0')).toBe(commit);
    expect(await scene.bare.revParse('refs/heads/main')).toBe(commit);
  });

  it('annotate: an annotated tag with the file as its message', async () => {
    const { scene, commit } = await ahead();
    await writeFile(join(scene.src, 'name'), '1.0\n');
    await writeFile(join(scene.src, 'message'), 'yay\n');
    const out = await put(plain, scene, source(scene), { repository: 'repo', tag: 'name', annotate: 'message' });
    expect(out.code).toBe(0);
    expect(await scene.bare.git('cat-file', '-t', 'refs/tags/1.0')).toBe('tag');
    expect(await scene.bare.revParse('refs/tags/1.0^{commit}')).toBe(commit);
    expect(await scene.bare.git('tag', '-l', '--format=%(contents)', '1.0')).toBe('yay\n');
    expect(await scene.bare.revParse('refs/heads/main')).toBe(commit);
  });

  it('a missing tag or annotation file is exit 2 before anything is pushed', async () => {
    const { scene } = await ahead();
    const before = await remoteRefs(scene);
    await writeFile(join(scene.src, 'name'), '1.0\n');
    expect((await put(plain, scene, source(scene), { repository: 'repo', tag: 'no-such-file' })).code).toBe(2);
    expect((await put(plain, scene, source(scene), { repository: 'repo', tag: 'name', annotate: 'no-such-file' })).code).toBe(2);
    expect(await remoteRefs(scene)).toBe(before);
  });

  it('only_tag: the local tags are pushed, the branch is not (no source.branch needed)', async () => {
    const { scene, commit } = await ahead();
    const base = await scene.bare.revParse('refs/heads/main');
    await scene.checkout.git('tag', 'some-only-tag');
    const out = await put(plain, scene, source(scene, { branch: undefined }), { repository: 'repo', only_tag: true });
    expect(out.code).toBe(0);
    expect(answer(out.stdout).version).toEqual({ ref: commit });
    expect(await scene.bare.revParse('refs/tags/some-only-tag')).toBe(commit);
    expect(await scene.bare.revParse('refs/heads/main')).toBe(base);
  });

  it('only_tag with force overwrites a tag the remote has; without force the push is refused (exit 3)', async () => {
    const { scene, commit } = await ahead();
    await scene.upstream.tag('some-only-tag', { lightweight: true });
    await scene.publish('refs/tags/some-only-tag');
    const upstreamTag = await scene.bare.revParse('refs/tags/some-only-tag');
    await scene.checkout.git('tag', 'some-only-tag');
    const refused = await put(plain, scene, source(scene), { repository: 'repo', only_tag: true });
    expect(refused.code).toBe(3);
    expect(await scene.bare.revParse('refs/tags/some-only-tag')).toBe(upstreamTag);
    const forced = await put(plain, scene, source(scene), { repository: 'repo', only_tag: true, force: true });
    expect(forced.code).toBe(0);
    expect(await scene.bare.revParse('refs/tags/some-only-tag')).toBe(commit);
  });
});

describe('out: force', () => {
  it('force pushes over commits the remote has; without force a non-fast-forward push is refused (exit 3)', async () => {
    const { scene, commit, remoteTip } = await diverged();
    const refused = await put(plain, scene, source(scene), { repository: 'repo' });
    expect(refused.code).toBe(3);
    expect(await scene.bare.revParse('refs/heads/main')).toBe(remoteTip);
    const forced = await put(plain, scene, source(scene), { repository: 'repo', force: 'true' });
    expect(forced.code).toBe(0);
    expect(await scene.bare.revParse('refs/heads/main')).toBe(commit);
  });
});

describe('out: rebase', () => {
  it('rebase, git signing in the container: the rebased commit is pushed as git signed it, and reported', async () => {
    const { scene, remoteTip } = await diverged();
    await writeFile(join(scene.src, 'tag-file'), 'rebased\n');
    const out = await put(signing, scene, source(scene), { repository: 'repo', rebase: true, tag: 'tag-file' });
    expect(out.stderr).not.toContain('internal error');
    expect(out.code).toBe(0);
    const rebased = await scene.checkout.revParse('HEAD');
    expect(answer(out.stdout).version).toEqual({ ref: rebased });
    expect(await scene.bare.revParse('refs/heads/main')).toBe(rebased);
    expect(await scene.bare.revParse('refs/tags/rebased')).toBe(rebased);
    expect(await scene.bare.revParse('refs/heads/main~1')).toBe(remoteTip);
    expect(await signerOf(scene, rebased)).toBe(world.fingerprints.alice);
    expect(out.stderr).not.toContain('source.signing_key (');
  });

  it('rebase, git not signing: siggate signs the rebased commits with source.signing_key', async () => {
    const { scene, remoteTip } = await diverged();
    await scene.checkout.commit({ message: 'second\n', files: { 'second-file': 'z\n' }, sign: world.as('bob') });
    const out = await put(plain, scene, source(scene, { signing_key: await secretKey('bob') }), { repository: 'repo', rebase: true });
    expect(out.code).toBe(0);
    const rebased = await scene.checkout.revParse('HEAD');
    expect(answer(out.stdout).version).toEqual({ ref: rebased });
    expect(await scene.bare.revParse('refs/heads/main')).toBe(rebased);
    expect(await scene.bare.revParse('refs/heads/main~2')).toBe(remoteTip);
    expect(await signerOf(scene, 'main')).toBe(world.fingerprints.bob);
    expect(await signerOf(scene, 'main~1')).toBe(world.fingerprints.bob);
    expect(await scene.bare.git('show', '-s', '--format=%s|%an', 'main~1')).toBe('release|Siggate Tester');
  });

  it('rebase_strategy and rebase_strategy_option as a string: -X theirs resolves a conflict', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'local change\n', files: { 'conflict-file': 'local\n' }, sign: world.as('alice') });
    await scene.upstream.commit({ message: 'remote change\n', files: { 'conflict-file': 'remote\n' }, sign: world.as('alice') });
    await scene.publish();
    const out = await put(signing, scene, source(scene), { repository: 'repo', rebase: true, rebase_strategy: 'ort', rebase_strategy_option: 'theirs ignore-space-change' });
    expect(out.code).toBe(0);
    expect(await scene.bare.git('show', 'main:conflict-file')).toBe('local');
  });

  it('rebase_strategy_option as a list', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'local change\n', files: { 'conflict-file': 'local\n' }, sign: world.as('alice') });
    await scene.upstream.commit({ message: 'remote change\n', files: { 'conflict-file': 'remote\n' }, sign: world.as('alice') });
    await scene.publish();
    const withoutOption = await put(signing, scene, source(scene), { repository: 'repo', rebase: true });
    expect(withoutOption.code).toBe(3);
    expect(await scene.checkout.git('status', '--porcelain')).toBe('');
    const out = await put(signing, scene, source(scene), { repository: 'repo', rebase: true, rebase_strategy_option: ['theirs', 'ignore-space-change'] });
    expect(out.code).toBe(0);
    expect(await scene.bare.git('show', 'main:conflict-file')).toBe('local');
  });

  it('rebase onto a branch the remote does not have yet pushes the checkout as it is', async () => {
    const { scene, commit } = await ahead();
    const out = await put(plain, scene, source(scene, { branch: 'fresh' }), { repository: 'repo', rebase: true });
    expect(out.code).toBe(0);
    expect(await scene.bare.revParse('refs/heads/fresh')).toBe(commit);
  });

  it('the retry loop: a push that lost the race for the branch is fetched, verified, rebased and pushed again', async () => {
    const { scene, remoteTip } = await diverged();
    const racer = await scene.upstream.commit({ message: 'racer\n', files: { 'racer-file': 'r\n' }, sign: world.as('bob') });
    await scene.publish('main:refs/heads/incoming');
    await raceOnce(scene, racer);
    const out = await put(signing, scene, source(scene), { repository: 'repo', rebase: true });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('rebasing and trying again');
    const rebased = await scene.checkout.revParse('HEAD');
    expect(await scene.bare.revParse('refs/heads/main')).toBe(rebased);
    expect(await scene.bare.revParse('refs/heads/main~1')).toBe(racer);
    expect(await scene.bare.revParse('refs/heads/main~2')).toBe(remoteTip);
  });
});

describe('out: merge', () => {
  it('merge: the merge commit git made (and signed) is pushed and reported', async () => {
    const { scene, commit, remoteTip } = await diverged();
    const out = await put(signing, scene, source(scene), { repository: 'repo', merge: true });
    expect(out.code).toBe(0);
    const merged = await scene.checkout.revParse('HEAD');
    expect(answer(out.stdout).version).toEqual({ ref: merged });
    expect(await scene.bare.revParse('refs/heads/main')).toBe(merged);
    expect(await scene.bare.git('show', '-s', '--format=%P', 'main')).toBe(`${commit} ${remoteTip}`);
    expect(await signerOf(scene, merged)).toBe(world.fingerprints.alice);
  });

  it('returning: unmerged reports the checkout commit; the remote gets the merge', async () => {
    const { scene, commit } = await diverged();
    const out = await put(plain, scene, source(scene, { signing_key: await secretKey('alice') }), { repository: 'repo', merge: true, returning: 'unmerged' });
    expect(out.code).toBe(0);
    expect(answer(out.stdout).version).toEqual({ ref: commit });
    const merged = await scene.bare.revParse('refs/heads/main');
    expect(merged).toBe(await scene.checkout.revParse('HEAD'));
    expect(await scene.bare.git('show', '-s', '--format=%P', 'main')).toContain(commit);
    expect(await signerOf(scene, merged)).toBe(world.fingerprints.alice);
  });

  it('merge and rebase together: invalid push strategy, exit 2, nothing pushed', async () => {
    const { scene } = await diverged();
    const before = await remoteRefs(scene);
    const out = await put(signing, scene, source(scene), { repository: 'repo', merge: true, rebase: true });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('invalid push strategy');
    expect(await remoteRefs(scene)).toBe(before);
  });
});

describe('out: notes', () => {
  it('notes: the note (a file beside the repository) is added to HEAD and refs/notes/commits is pushed', async () => {
    const { scene, commit } = await ahead();
    await writeFile(join(scene.src, 'notes-file'), 'some-notes\n');
    const out = await put(plain, scene, source(scene), { repository: 'repo', notes: 'notes-file' });
    expect(out.code).toBe(0);
    expect(await scene.bare.revParse('refs/heads/main')).toBe(commit);
    expect(await scene.bare.git('notes', 'show', commit)).toBe('some-notes');
  });

  it('notes with rebase: the note is on the rebased commit, on top of the notes the remote already had', async () => {
    const { scene, remoteTip } = await diverged();
    await scene.upstream.git('notes', 'add', '-m', 'upstream note', remoteTip);
    await scene.publish('refs/notes/commits');
    await writeFile(join(scene.src, 'notes-file'), 'rebased-notes\n');
    const out = await put(signing, scene, source(scene), { repository: 'repo', rebase: true, notes: 'notes-file' });
    expect(out.code).toBe(0);
    const rebased = await scene.checkout.revParse('HEAD');
    expect(await scene.bare.git('notes', 'show', rebased)).toBe('rebased-notes');
    expect(await scene.bare.git('notes', 'show', remoteTip)).toBe('upstream note');
  });
});
