import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { verifyConfig } from '../../fixtures/lib/repo-signing.js';
import { generateSshKey, writeAllowedSigners } from '../../fixtures/lib/ssh.js';
import { mergeSign, type MergeSignResult } from '../../src/commands/merge-sign.js';
import { verifyCommit } from '../../src/commands/verify-range.js';
import { RemoteError, SigningError, UsageError } from '../../src/core/errors.js';
import { actWhileSigning, ISOLATED_GIT, mergeWorld, type MergeWorld } from '../helpers/merge-world.js';
import { demoWorld, makeKeysDir, rejection, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  demo = await demoWorld();
});

async function expectRefused(world: MergeWorld, result: MergeSignResult, check: string | RegExp): Promise<void> {
  expect(result).toMatchObject({ ok: false, status: 'refused', pushed: false });
  if (typeof check === 'string') expect(result.checks.find((c) => c.name === check)?.ok).toBe(false);
  else expect(result.reason).toMatch(check);
  expect(await world.remote.revParse('main')).not.toBe(result.commit);
}

describe('merge-sign: an approved, green pull request', () => {
  it('is merged as a signed --no-ff merge that git verify-commit and siggate accept', async () => {
    const world = await mergeWorld(demo);
    const before = await world.clone.git('for-each-ref', '--format=%(refname) %(objectname)');
    const result = await mergeSign(world.options());
    expect(result).toMatchObject({ ok: true, status: 'merged', pushed: true, approvedBy: ['bob'] });
    expect(result.signer?.fingerprint).toBe(demo.fingerprints.alice);
    const merged = await world.remote.revParse('main');
    expect(merged).toBe(result.commit);
    expect((await world.remote.git('rev-list', '--parents', '-n1', merged)).split(' ').slice(1)).toEqual([world.base, world.head]);
    const message = await world.remote.git('log', '-1', '--format=%B', merged);
    expect(message).toMatch(/^Merge pull request #7 from acme\/feature\n\nScale the deployment up\n\nApproved-by: bob\nMerged-by: Alice Demo <alice@siggate\.test>\nSigning-key: /);
    const gitVerify = await world.remote.gitRaw([...(await verifyConfig({ gpg: demo.gpg })), 'verify-commit', merged], { allowFailure: true });
    expect(gitVerify.code).toBe(0);
    expect((await verifyCommit({ repo: world.remote.dir, keys: [demo.keysDir], rev: merged })).status).toBe('valid');
    // the reviewer's clone: same refs, clean work tree, HEAD where it was
    expect(await world.clone.git('for-each-ref', '--format=%(refname) %(objectname)')).toBe(before);
    expect(await world.clone.git('status', '--porcelain')).toBe('');
  });

  it('is merged from refs/pull/N/head when the head is in a fork', async () => {
    const world = await mergeWorld(demo, { fork: true });
    const result = await mergeSign(world.options());
    expect(result.status).toBe('merged');
    expect(await world.remote.git('log', '-1', '--format=%s', 'main')).toBe('Merge pull request #7 from carol/feature');
  });

  it('is merged after GitHub answered mergeable: null while it computed', async () => {
    const world = await mergeWorld(demo);
    world.pull.mergeableNullTimes = 2;
    const result = await mergeSign(world.options());
    expect(result.status).toBe('merged');
    expect(world.github.requests.filter((r) => /\/pulls\/7$/.test(r.split('?')[0]!)).length).toBe(3);
  });

  it('is merged when the pull request GET fails with 502 twice, then answers', async () => {
    const world = await mergeWorld(demo);
    world.github.faults.set('pull', { status: 502, times: 2 });
    expect((await mergeSign(world.options())).status).toBe('merged');
  });

  it('is merged with green check runs and no commit statuses, and with a green status and no check runs', async () => {
    const world = await mergeWorld(demo);
    expect((await mergeSign(world.options())).status).toBe('merged');
    const other = await mergeWorld(demo);
    other.github.repo.checkRuns.delete(other.head);
    other.github.repo.statuses.set(other.head, [{ context: 'ci/build', state: 'success' }]);
    expect((await mergeSign(other.options())).status).toBe('merged');
  });

  it('deletes the head branch afterwards with --delete-branch', async () => {
    const world = await mergeWorld(demo);
    const result = await mergeSign(world.options({ deleteBranch: true }));
    expect(result).toMatchObject({ status: 'merged', branchDeleted: true });
    expect(await world.remote.gitRaw(['rev-parse', '--verify', 'refs/heads/feature'], { allowFailure: true })).toMatchObject({ code: 128 });
  });

  it('does not push anything with --dry-run, yet signs and gates the merge it would push', async () => {
    const world = await mergeWorld(demo);
    const result = await mergeSign(world.options({ dryRun: true, deleteBranch: true }));
    expect(result).toMatchObject({ ok: true, status: 'dry-run', pushed: false, branchDeleted: false });
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await world.remote.revParse('main')).toBe(world.base);
    expect(await world.remote.revParse('feature')).toBe(world.head);
    expect(world.github.requests.some((r) => r.startsWith('DELETE'))).toBe(false);
  });
});

describe('merge-sign: signing', () => {
  it('signs with an armored key file through openpgp.js (--key), and git verify-commit accepts it', async () => {
    const world = await mergeWorld(demo);
    const result = await mergeSign(world.options({ keyFile: demoKeys.bob.secretKeyPath }));
    expect(result.status).toBe('merged');
    expect(result.signer?.fingerprint).toBe(demo.fingerprints.bob);
    const gitVerify = await world.remote.gitRaw([...(await verifyConfig({ gpg: demo.gpg })), 'verify-commit', 'main'], { allowFailure: true });
    expect(gitVerify.code).toBe(0);
    expect(await world.remote.git('log', '-1', '--format=%B', 'main')).toContain(`Signing-key: ${demo.fingerprints.bob}`);
  });

  it('unlocks a protected key file with SIGGATE_KEY_PASSPHRASE and refuses a wrong one', async () => {
    const world = await mergeWorld(demo);
    const protectedKey = join(await makeKeysDir({}), 'alice-protected.asc');
    const { readPrivateKey, encryptKey } = await import('openpgp');
    const key = await readPrivateKey({ armoredKey: await readFile(demoKeys.alice.secretKeyPath, 'utf8') });
    await writeFile(protectedKey, (await encryptKey({ privateKey: key, passphrase: 'correct horse' })).armor());
    process.env.SIGGATE_KEY_PASSPHRASE = 'wrong';
    try {
      expect(await rejection(mergeSign(world.options({ keyFile: protectedKey })))).toBeInstanceOf(SigningError);
      expect(await world.remote.revParse('main')).toBe(world.base);
      process.env.SIGGATE_KEY_PASSPHRASE = 'correct horse';
      expect((await mergeSign(world.options({ keyFile: protectedKey }))).status).toBe('merged');
    } finally {
      delete process.env.SIGGATE_KEY_PASSPHRASE;
    }
  });

  it("signs with git's SSH signing (gpg.format ssh) and both git and siggate verify it", async () => {
    const world = await mergeWorld(demo);
    const key = await generateSshKey(await makeKeysDir({}), 'ed25519', { comment: 'alice@siggate.test' });
    await world.clone.git('config', 'gpg.format', 'ssh');
    await world.clone.git('config', 'user.signingkey', key.privateKeyPath);
    const keysDir = await makeKeysDir({});
    const signers = await writeAllowedSigners(join(keysDir, 'allowed_signers'), [{ principal: 'alice@siggate.test', key }]);
    const result = await mergeSign(world.options({ keys: [keysDir] }));
    expect(result.status).toBe('merged');
    const gitVerify = await world.remote.gitRaw([...(await verifyConfig({ allowedSigners: signers })), 'verify-commit', 'main'], { allowFailure: true });
    expect(gitVerify.code).toBe(0);
  });

  it('refuses to push a merge the gate would refuse: signed by a key that is not allowed', async () => {
    const world = await mergeWorld(demo);
    const result = await mergeSign(world.options({ keyFile: demoKeys.mallory.secretKeyPath }));
    await expectRefused(world, result, /would not pass the gate: unknown-key/);
    expect(await world.remote.revParse('main')).toBe(world.base);
  });

  it('stops with exit 2 when git has no identity to sign with', async () => {
    const world = await mergeWorld(demo);
    await world.clone.git('config', '--unset', 'user.email');
    const error = await rejection(mergeSign(world.options()));
    expect(error).toBeInstanceOf(UsageError);
    expect(world.github.requests).toEqual([]);
  });

  it('stops with a signing error, nothing pushed, when gpg cannot sign', async () => {
    const world = await mergeWorld(demo);
    await world.clone.git('config', 'user.signingkey', 'DEADBEEFDEADBEEFDEADBEEFDEADBEEFDEADBEEF');
    expect(await rejection(mergeSign(world.options()))).toBeInstanceOf(SigningError);
    expect(await world.remote.revParse('main')).toBe(world.base);
  });
});

describe('merge-sign refuses', () => {
  it('a pull request nobody approved', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.reviews.set(7, []);
    await expectRefused(world, await mergeSign(world.options()), 'approvals');
  });

  it('fewer approvals than --required-approvals, and counts only --approvers', async () => {
    const world = await mergeWorld(demo);
    await expectRefused(world, await mergeSign(world.options({ requiredApprovals: 2 })), 'approvals');
    await expectRefused(world, await mergeSign(world.options({ approvers: ['dave', 'erin'] })), 'approvals');
    expect((await mergeSign(world.options({ approvers: ['BOB'] }))).status).toBe('merged');
  });

  it('a failing check run, a pending one, and a missing required check, naming each', async () => {
    const failing = await mergeWorld(demo);
    failing.github.repo.checkRuns.set(failing.head, [{ name: 'test', status: 'completed', conclusion: 'failure' }]);
    const result = await mergeSign(failing.options());
    await expectRefused(failing, result, 'ci');
    expect(result.reason).toContain('"test" concluded failure');

    const pending = await mergeWorld(demo);
    pending.github.repo.checkRuns.set(pending.head, [{ name: 'test', status: 'in_progress', conclusion: null }]);
    pending.github.repo.statuses.set(pending.head, [{ context: 'ci/lint', state: 'pending' }]);
    const pendingResult = await mergeSign(pending.options());
    await expectRefused(pending, pendingResult, 'ci');
    expect(pendingResult.reason).toMatch(/ci\/lint.*pending.*"test" is in progress/);

    const missing = await mergeWorld(demo);
    missing.github.repo.protection.set('main', ['test', 'security-scan']);
    const missingResult = await mergeSign(missing.options({ requireChecks: ['e2e'] }));
    await expectRefused(missing, missingResult, 'ci');
    expect(missingResult.reason).toMatch(/"security-scan" has not run.*"e2e" has not run/);
  });

  it('a head no CI reported on at all', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.checkRuns.delete(world.head);
    await expectRefused(world, await mergeSign(world.options()), 'ci');
  });

  it('a draft, a closed and a merged pull request', async () => {
    const world = await mergeWorld(demo);
    world.pull.draft = true;
    await expectRefused(world, await mergeSign(world.options()), 'state');
    world.pull.draft = false;
    world.pull.state = 'closed';
    await expectRefused(world, await mergeSign(world.options()), 'state');
    world.pull.merged = true;
    await expectRefused(world, await mergeSign(world.options()), 'state');
  });

  it('mergeable false, and mergeable still null when polling gives up', async () => {
    const world = await mergeWorld(demo);
    world.pull.mergeable = false;
    world.pull.mergeable_state = 'dirty';
    await expectRefused(world, await mergeSign(world.options()), 'mergeable');
    world.pull.mergeable = true;
    world.pull.mergeableNullTimes = 10;
    const result = await mergeSign(world.options());
    await expectRefused(world, result, 'mergeable');
    expect(result.reason).toContain('still computing');
  });

  it('a pull request for another base branch than --base', async () => {
    const world = await mergeWorld(demo);
    await expectRefused(world, await mergeSign(world.options({ base: 'production' })), 'base');
  });

  it('a merge conflict, pushing nothing', async () => {
    const world = await mergeWorld(demo, { conflict: true });
    const moved = await world.remote.revParse('main');
    const result = await mergeSign(world.options());
    await expectRefused(world, result, /merge conflict .* in deploy\.yml/);
    expect(await world.remote.revParse('main')).toBe(moved);
    // as GitHub reports it: mergeable false, dirty — refused before signing, the conflict still named
    world.pull.mergeable = false;
    world.pull.mergeable_state = 'dirty';
    const dirty = await mergeSign(world.options());
    await expectRefused(world, dirty, /merge conflict .* in deploy\.yml/);
    expect(dirty.commit).toBeNull();
  });

  it('a push when the base moved meanwhile: "base moved, run again", and the other push stays', async () => {
    const world = await mergeWorld(demo);
    const theirs = await world.other.commit({ message: 'hotfix', files: { 'other.txt': 'x\n' }, sign: demo.as('bob') });
    await actWhileSigning(world, `git push -q origin ${theirs}:refs/heads/main`);
    const result = await mergeSign(world.options());
    await expectRefused(world, result, /^base moved: .*run again/);
    expect(await world.remote.revParse('main')).toBe(theirs);
  });

  it('a push the remote rejects (a pre-receive hook), reporting its reason', async () => {
    const world = await mergeWorld(demo);
    const hook = join(world.remote.dir, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "main is frozen" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    await expectRefused(world, await mergeSign(world.options()), /the remote refused the push/);
    expect(await world.remote.revParse('main')).toBe(world.base);
  });
});

describe('merge-sign: GitHub and configuration failures', () => {
  it('a revoked token is a RemoteError (exit 3) that never shows the token', async () => {
    const world = await mergeWorld(demo);
    world.github.revokeToken();
    const error = await rejection(mergeSign(world.options()));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/401/);
    expect((error as Error).message).not.toContain(world.github.token);
  });

  it('an exhausted rate limit (403) is a RemoteError saying when it resets', async () => {
    const world = await mergeWorld(demo);
    const reset = Math.floor(Date.UTC(2030, 0, 1) / 1000);
    world.github.faults.set('*', { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: { message: 'API rate limit exceeded for user ID 1.' }, times: 99 });
    const error = await rejection(mergeSign(world.options()));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toMatch(/rate limit.*2030-01-01T00:00:00/);
  });

  it('a GitHub that keeps answering 503 is a RemoteError after the retries', async () => {
    const world = await mergeWorld(demo);
    world.github.faults.set('reviews', { status: 503, times: 99 });
    const error = await rejection(mergeSign(world.options()));
    expect(error).toBeInstanceOf(RemoteError);
    expect(world.github.requests.filter((r) => r.includes('/reviews')).length).toBe(4);
  });

  it('an unknown pull request is a usage error naming --repo and the number', async () => {
    const world = await mergeWorld(demo);
    expect(await rejection(mergeSign(world.options({ pr: 99 })))).toBeInstanceOf(UsageError);
  });

  it('a remote that cannot be fetched is a RemoteError, with nothing left behind', async () => {
    const world = await mergeWorld(demo);
    await world.clone.git('remote', 'set-url', 'origin', join(world.remote.dir, 'missing.git'));
    expect(await rejection(mergeSign(world.options()))).toBeInstanceOf(RemoteError);
  });
});

describe('merge-sign: answers that are not what they claim', () => {
  it('a 200 whose body is not JSON is a RemoteError, not a crash', async () => {
    const world = await mergeWorld(demo);
    world.github.faults.set('pull', { status: 200, body: '<html>proxy error</html>', times: 1 });
    const error = await rejection(mergeSign(world.options()));
    expect(error).toBeInstanceOf(RemoteError);
    expect(await world.remote.revParse('main')).toBe(world.base);
  });
});
