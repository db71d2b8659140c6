import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { verifyConfig } from '../../fixtures/lib/repo-signing.js';
import { promote, type PromoteOptions, type PromoteResult } from '../../src/commands/promote.js';
import { verifyTag } from '../../src/commands/verify-tag.js';
import { RemoteError } from '../../src/core/errors.js';
import { ISOLATED_GIT } from '../helpers/merge-world.js';
import { promoteWorld, tagsOf, type PromoteWorld } from '../helpers/promote-world.js';
import { demoWorld, rejection, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  demo = await demoWorld();
});

const run = (world: PromoteWorld, options: Partial<PromoteOptions> & Pick<PromoteOptions, 'naming'>): Promise<PromoteResult> =>
  promote({ repo: world.clone.dir, keys: [demo.keysDir], ...options });

async function gitVerifyTag(repo: PromoteWorld['clone'], tag: string): Promise<number> {
  return (await repo.gitRaw([...(await verifyConfig({ gpg: demo.gpg })), 'verify-tag', tag], { allowFailure: true })).code;
}

describe('promote --tag', () => {
  it('verifies, then creates a signed annotated tag recording what was verified', async () => {
    const world = await promoteWorld(demo);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, mode: 'all' });
    expect(result).toMatchObject({ ok: true, status: 'created', tag: 'prod-1.0.0', target: world.tip, signed: true, pushed: false });
    expect(result.signer?.fingerprint).toBe(demo.fingerprints.alice);
    expect(await tagsOf(world.clone)).toEqual([`prod-1.0.0 ${world.tip}`]);
    expect(await gitVerifyTag(world.clone, 'prod-1.0.0')).toBe(0);
    expect((await verifyTag({ repo: world.clone.dir, keys: [demo.keysDir], tag: 'prod-1.0.0' })).status).toBe('valid');
    const message = await world.clone.git('tag', '-l', '--format=%(contents:body)', 'prod-1.0.0');
    expect(message).toContain(`target: ${world.tip}`);
    expect(message).toContain('mode: all');
    expect(message).toContain('commits checked: 2');
    expect(message).toContain(demo.fingerprints.alice);
    expect(message).toContain(demo.fingerprints.bob);
  });

  it('creates nothing when the gate fails', async () => {
    const world = await promoteWorld(demo);
    await world.clone.commit({ message: 'unsigned hotfix' });
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(result).toMatchObject({ ok: false, status: 'refused', tagObject: null, pushed: false });
    expect(result.verification?.status).toBe('failed');
    expect(await tagsOf(world.clone)).toEqual([]);
    expect(await tagsOf(world.remote)).toEqual([]);
  });

  it('creates and pushes nothing after a trust root anyone who can push tags could move (untrusted-root)', async () => {
    const world = await promoteWorld(demo);
    const hidden = await world.clone.commit({ message: 'unsigned hotfix' });
    await world.clone.commit({ message: 'reviewed fix on top', sign: demo.as('bob') });
    await world.clone.tag('prod-last', { lightweight: true, target: hidden });
    const naming = { kind: 'tag', name: 'prod-1.0.0' } as const;
    const result = await run(world, { naming, since: 'prod-last', push: 'origin' });
    expect(result).toMatchObject({ ok: false, status: 'refused', tagObject: null, pushed: false });
    expect(result.verification).toMatchObject({ status: 'untrusted-root', checked: 0 });
    expect(await tagsOf(world.clone)).toEqual([`prod-last ${hidden}`]);
    expect(await tagsOf(world.remote)).toEqual([]);
    const allowed = await run(world, { naming, since: 'prod-last', allowUnsignedRoot: true });
    expect(allowed).toMatchObject({ ok: true, status: 'created' });
    expect(allowed.warnings.join('\n')).toMatch(/can move it/);
  });

  it('signs with --key through openpgp.js, accepted by git verify-tag', async () => {
    const world = await promoteWorld(demo);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, keyFile: demoKeys.bob.secretKeyPath });
    expect(result.signer?.fingerprint).toBe(demo.fingerprints.bob);
    expect(await gitVerifyTag(world.clone, 'prod-1.0.0')).toBe(0);
  });

  it('creates an unsigned annotated tag with sign: false', async () => {
    const world = await promoteWorld(demo);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, sign: false });
    expect(result).toMatchObject({ status: 'created', signed: false, signer: null });
    expect(await world.clone.git('cat-file', '-t', 'prod-1.0.0')).toBe('tag');
    expect((await verifyTag({ repo: world.clone.dir, keys: [demo.keysDir], tag: 'prod-1.0.0' })).status).toBe('unsigned');
  });

  it('refuses a signer the keys do not allow: the tag would not verify downstream', async () => {
    const world = await promoteWorld(demo);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, keyFile: demoKeys.mallory.secretKeyPath });
    expect(result.status).toBe('refused');
    expect(result.reason).toMatch(/unknown-key/);
    expect(await tagsOf(world.clone)).toEqual([]);
  });

  it('is idempotent: the same tag on the same commit is "already promoted"; on another commit it is never moved', async () => {
    const world = await promoteWorld(demo);
    await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' } });
    const object = await world.clone.revParse('refs/tags/prod-1.0.0');
    expect(await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' } })).toMatchObject({ ok: true, status: 'already-promoted' });
    const elsewhere = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, target: world.first });
    expect(elsewhere).toMatchObject({ ok: false, status: 'refused' });
    expect(elsewhere.reason).toMatch(/never moved/);
    expect(await world.clone.revParse('refs/tags/prod-1.0.0')).toBe(object);
  });

  it('--dry-run verifies and names the tag, and creates nothing', async () => {
    const world = await promoteWorld(demo);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, dryRun: true, push: 'origin' });
    expect(result).toMatchObject({ ok: true, status: 'dry-run', tag: 'prod-1.0.0', tagObject: null });
    expect(await tagsOf(world.clone)).toEqual([]);
    expect(await tagsOf(world.remote)).toEqual([]);
  });
});

describe('promote --from-prefix / --to-prefix', () => {
  it('promotes the highest staging-<semver> on REV to prod-<semver>', async () => {
    const world = await promoteWorld(demo);
    await world.clone.tag('staging-1.2.0', { sign: demo.as('alice'), message: 'staging' });
    await world.clone.tag('staging-1.10.0', { sign: demo.as('alice'), message: 'staging' });
    await world.clone.tag('staging-9.0.0', { target: world.first, sign: demo.as('alice'), message: 'older commit' });
    const result = await run(world, { naming: { kind: 'prefix', from: 'staging-', to: 'prod-' }, verifySourceTag: true });
    expect(result).toMatchObject({ status: 'created', tag: 'prod-1.10.0' });
    expect(result.source).toMatchObject({ tag: 'staging-1.10.0', status: 'valid' });
  });

  it('refuses when REV carries no source tag, and with --verify-source-tag when the source tag is unsigned', async () => {
    const world = await promoteWorld(demo);
    expect((await run(world, { naming: { kind: 'prefix', from: 'staging-', to: 'prod-' } })).status).toBe('refused');
    await world.clone.tag('staging-1.0.0', { message: 'unsigned' });
    const unsigned = await run(world, { naming: { kind: 'prefix', from: 'staging-', to: 'prod-' }, verifySourceTag: true });
    expect(unsigned.status).toBe('refused');
    expect(unsigned.reason).toMatch(/source tag staging-1.0.0 is not validly signed \(unsigned/);
    expect((await run(world, { naming: { kind: 'prefix', from: 'staging-', to: 'prod-' } })).status).toBe('created');
  });
});

describe('promote --bump', () => {
  it('takes the next version after the highest prefix tag, and a second run is "already promoted"', async () => {
    const world = await promoteWorld(demo);
    await world.clone.tag('prod-1.2.3', { target: world.first, lightweight: true });
    await world.clone.tag('prod-1.10.0-rc.1', { target: world.first, lightweight: true });
    const first = await run(world, { naming: { kind: 'bump', level: 'minor', prefix: 'prod-' } });
    expect(first).toMatchObject({ status: 'created', tag: 'prod-1.10.0' });
    const again = await run(world, { naming: { kind: 'bump', level: 'minor', prefix: 'prod-' } });
    expect(again).toMatchObject({ status: 'already-promoted', tag: 'prod-1.10.0' });
    expect((await tagsOf(world.clone)).filter((t) => t.endsWith(world.tip))).toEqual([`prod-1.10.0 ${world.tip}`]);
  });

  it("counts the remote's tags when pushing, and starts at 0.0.1 / 0.1.0 / 1.0.0 without any", async () => {
    const world = await promoteWorld(demo);
    await world.remote.tag('prod-3.0.0', { target: world.first, lightweight: true });
    expect((await run(world, { naming: { kind: 'bump', level: 'patch', prefix: 'prod-' }, push: 'origin' })).tag).toBe('prod-3.0.1');
    const fresh = await promoteWorld(demo);
    expect((await run(fresh, { naming: { kind: 'bump', level: 'major', prefix: 'v' }, dryRun: true })).tag).toBe('v1.0.0');
  });
});

describe('promote --push', () => {
  it('pushes the signed tag, then creates it locally', async () => {
    const world = await promoteWorld(demo);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(result).toMatchObject({ status: 'created', pushed: true });
    expect(await tagsOf(world.remote)).toEqual([`prod-1.0.0 ${world.tip}`]);
    expect(await world.remote.revParse('refs/tags/prod-1.0.0')).toBe(await world.clone.revParse('refs/tags/prod-1.0.0'));
    expect(await gitVerifyTag(world.remote, 'prod-1.0.0')).toBe(0);
    expect(await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' })).toMatchObject({ status: 'already-promoted' });
  });

  it('pushes a tag made earlier without --push instead of making a second one', async () => {
    const world = await promoteWorld(demo);
    const local = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' } });
    const pushed = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(pushed).toMatchObject({ status: 'created', pushed: true, tagObject: local.tagObject });
    expect(await world.remote.revParse('refs/tags/prod-1.0.0')).toBe(local.tagObject);
  });

  it('leaves no tag anywhere when the remote rejects the push (a hook)', async () => {
    const world = await promoteWorld(demo);
    const hook = join(world.remote.dir, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "tags are frozen" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(result).toMatchObject({ ok: false, status: 'refused', pushed: false });
    expect(result.reason).toMatch(/pre-receive hook declined/);
    expect(await tagsOf(world.clone)).toEqual([]);
    expect(await tagsOf(world.remote)).toEqual([]);
  });

  it('refuses a name the remote already has on another commit, and an unreachable remote is a RemoteError', async () => {
    const world = await promoteWorld(demo);
    await world.remote.tag('prod-1.0.0', { target: world.first, lightweight: true });
    const result = await run(world, { naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(result.reason).toMatch(/already exists on .* in origin/);
    expect(await tagsOf(world.clone)).toEqual([]);
    await world.clone.git('remote', 'set-url', 'origin', join(world.remote.dir, 'gone.git'));
    expect(await rejection(run(world, { naming: { kind: 'tag', name: 'prod-2.0.0' }, push: 'origin' }))).toBeInstanceOf(RemoteError);
    expect(await tagsOf(world.clone)).toEqual([]);
  });
});
