// Attacks on bin/out: getting a commit that fails the gate onto the remote through one of git-resource's
// put params — a rebase or merge that makes unsigned commits or builds on an unsigned remote tip, a race
// between attempts, a tag, force, notes, refs_prefix, only_tag. Each attack comes with its control: the
// same put with the commit signed goes through. After a refusal the remote holds exactly what it held.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allowedKeys, container, outScene, put, raceOnce, remoteRefs, secretKey, type Container, type OutScene } from '../helpers/out-world.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let keys: string[];
let plain: Container;
let signing: Container;

beforeAll(async () => {
  world = await demoWorld();
  keys = await allowedKeys();
  plain = await container(world);
  signing = await container(world, { signs: true });
});

const source = (scene: OutScene, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ uri: scene.uri, branch: 'main', commit_verification_keys: keys, ...extra });

/** The checkout one commit ahead (signed by alice unless `unsigned`); the remote moved on with a commit signed by bob unless `remoteUnsigned`. */
async function diverged(options: { unsigned?: boolean; remoteUnsigned?: boolean } = {}): Promise<{ scene: OutScene; commit: string; remoteTip: string }> {
  const scene = await outScene(world);
  const commit = await scene.checkout.commit({ message: 'release\n', files: { 'some-file': 'x\n' }, ...(options.unsigned ? {} : { sign: world.as('alice') }) });
  const remoteTip = await scene.upstream.commit({ message: 'meanwhile\n', files: { 'other-file': 'y\n' }, ...(options.remoteUnsigned ? {} : { sign: world.as('bob') }) });
  await scene.publish();
  return { scene, commit, remoteTip };
}

/** Asserts exit 1 (gate closed) and that the remote's refs did not change. */
async function expectRefused(outcome: { code: number | null; stdout: string }, scene: OutScene, before: string): Promise<void> {
  expect(outcome.code).toBe(1);
  expect(outcome.stdout).toBe('');
  expect(await remoteRefs(scene)).toBe(before);
}

describe('a rebase or merge that makes unsigned commits', () => {
  it('rebase in a container whose git does not sign, without source.signing_key: refused, nothing pushed', async () => {
    const { scene, commit } = await diverged();
    const before = await remoteRefs(scene);
    await writeFile(join(scene.src, 'tag-file'), 'v1\n');
    const out = await put(plain, scene, source(scene), { repository: 'repo', rebase: true, tag: 'tag-file' });
    await expectRefused(out, scene, before);
    expect(out.stderr).toContain('source.signing_key');
    expect(await scene.checkout.revParse('HEAD')).toBe(commit);
    // control: the same put with a signing key goes through
    expect((await put(plain, scene, source(scene, { signing_key: await secretKey('alice') }), { repository: 'repo', rebase: true, tag: 'tag-file' })).code).toBe(0);
  });

  it('merge in a container whose git does not sign, without source.signing_key: refused, nothing pushed', async () => {
    const { scene } = await diverged();
    const before = await remoteRefs(scene);
    const out = await put(plain, scene, source(scene), { repository: 'repo', merge: true });
    await expectRefused(out, scene, before);
    expect((await put(signing, scene, source(scene), { repository: 'repo', merge: true })).code).toBe(0);
  });

  it('source.signing_key that is not an allowed key (mallory): the re-signed commits fail the gate, nothing pushed', async () => {
    const { scene } = await diverged();
    const before = await remoteRefs(scene);
    const out = await put(plain, scene, source(scene, { signing_key: await secretKey('mallory') }), { repository: 'repo', rebase: true });
    await expectRefused(out, scene, before);
    expect(out.stderr).toContain('unknown-key');
  });

  it('an unsigned checkout commit is refused before any rebase: the checkout is left as it was', async () => {
    const { scene, commit } = await diverged({ unsigned: true });
    const before = await remoteRefs(scene);
    const out = await put(signing, scene, source(scene, { signing_key: await secretKey('alice') }), { repository: 'repo', rebase: true });
    await expectRefused(out, scene, before);
    // a rebase by a signing git (or siggate's key) would have laundered it into a signed commit
    expect(await scene.checkout.revParse('HEAD')).toBe(commit);
  });
});

describe("building on the remote's unsigned tip", () => {
  for (const strategy of ['rebase', 'merge'] as const) {
    it(`${strategy} onto a remote main whose tip is unsigned: refused before the ${strategy}, nothing pushed`, async () => {
      const { scene, commit } = await diverged({ remoteUnsigned: true });
      const before = await remoteRefs(scene);
      const out = await put(signing, scene, source(scene), { repository: 'repo', [strategy]: true });
      await expectRefused(out, scene, before);
      expect(out.stderr).toContain('unsigned');
      expect(await scene.checkout.revParse('HEAD')).toBe(commit);
    });
  }

  it('between two attempts someone pushes an unsigned commit: the re-fetched tip is verified again and refused', async () => {
    const { scene } = await diverged();
    const racer = await scene.upstream.commit({ message: 'sneaked in\n', files: { 'racer-file': 'r\n' } });
    await scene.publish('main:refs/heads/incoming');
    await raceOnce(scene, racer);
    const out = await put(signing, scene, source(scene), { repository: 'repo', rebase: true });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('rebasing and trying again');
    // the race itself moved main to the unsigned commit; siggate did not build on it
    expect(await scene.bare.revParse('refs/heads/main')).toBe(racer);
    expect(await scene.bare.git('rev-list', '--count', 'main')).toBe('3');
  });
});

describe('tags', () => {
  it('params.tag on an unsigned HEAD: neither the tag nor the branch is pushed', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'unsigned\n', files: { 'some-file': 'x\n' } });
    const before = await remoteRefs(scene);
    await writeFile(join(scene.src, 'tag-file'), 'v1\n');
    await expectRefused(await put(plain, scene, source(scene), { repository: 'repo', tag: 'tag-file' }), scene, before);
  });

  it('a local tag on an unsigned commit outside the pushed history is not carried by --tags: nothing is pushed', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'release\n', files: { 'some-file': 'x\n' }, sign: world.as('alice') });
    const side = await scene.checkout.commit({ message: 'side\n', files: { 'side-file': 's\n' }, parents: [await scene.checkout.revParse('HEAD~1')], update: false });
    await scene.checkout.git('tag', 'planted', side);
    const before = await remoteRefs(scene);
    const out = await put(plain, scene, source(scene), { repository: 'repo' });
    await expectRefused(out, scene, before);
    expect(out.stderr).toContain('planted');
    // control: signed, the side commit may go with its tag
    const signed = await scene.checkout.commit({ message: 'side\n', files: { 'side-file': 's\n' }, parents: [await scene.checkout.revParse('HEAD~1')], update: false, sign: world.as('bob') });
    await scene.checkout.git('tag', '-f', 'planted', signed);
    expect((await put(plain, scene, source(scene), { repository: 'repo' })).code).toBe(0);
    expect(await scene.bare.revParse('refs/tags/planted')).toBe(signed);
  });

  it('only_tag with an unsigned HEAD: no tag is pushed', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'unsigned\n', files: { 'some-file': 'x\n' } });
    await scene.checkout.git('tag', 'release');
    const before = await remoteRefs(scene);
    await expectRefused(await put(plain, scene, source(scene), { repository: 'repo', only_tag: true, force: true }), scene, before);
  });
});

describe('force, notes and refs_prefix never bypass the gate', () => {
  it('force push of an unsigned commit over the remote main: refused, the remote keeps its history', async () => {
    const { scene } = await diverged({ unsigned: true });
    const before = await remoteRefs(scene);
    await expectRefused(await put(plain, scene, source(scene), { repository: 'repo', force: true }), scene, before);
  });

  it('notes with an unsigned HEAD: no note, no branch', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'unsigned\n', files: { 'some-file': 'x\n' } });
    await writeFile(join(scene.src, 'notes-file'), 'approved\n');
    const before = await remoteRefs(scene);
    await expectRefused(await put(plain, scene, source(scene), { repository: 'repo', notes: 'notes-file' }), scene, before);
  });

  it('a local refs/notes/commits pointing at an unsigned code commit is never pushed: the note goes on the remote notes', async () => {
    const scene = await outScene(world);
    const commit = await scene.checkout.commit({ message: 'release\n', files: { 'some-file': 'x\n' }, sign: world.as('alice') });
    const smuggled = await scene.checkout.commit({ message: 'backdoor\n', files: { 'backdoor': 'b\n' }, parents: [], update: false });
    await scene.checkout.setRef('refs/notes/commits', smuggled);
    await writeFile(join(scene.src, 'notes-file'), 'approved\n');
    const out = await put(plain, scene, source(scene), { repository: 'repo', notes: 'notes-file' });
    expect(out.code).toBe(0);
    expect(await scene.bare.git('notes', 'show', commit)).toBe('approved');
    expect((await scene.bare.gitRaw(['cat-file', '-e', smuggled], { allowFailure: true })).code).not.toBe(0);
  });

  it('refs_prefix with an unsigned HEAD: nothing under refs/for', async () => {
    const scene = await outScene(world);
    await scene.checkout.commit({ message: 'unsigned\n', files: { 'some-file': 'x\n' } });
    const before = await remoteRefs(scene);
    await expectRefused(await put(plain, scene, source(scene), { repository: 'repo', refs_prefix: 'refs/for' }), scene, before);
  });

  it('refs_prefix cannot smuggle a refspec (a colon, a +): exit 2', async () => {
    const scene = await outScene(world);
    const before = await remoteRefs(scene);
    for (const prefix of ['refs/heads/x:refs/heads', '+refs/heads', 'heads']) {
      const out = await put(plain, scene, source(scene), { repository: 'repo', refs_prefix: prefix });
      expect(out.code).toBe(2);
    }
    expect(await remoteRefs(scene)).toBe(before);
  });
});
