import { beforeAll, describe, expect, it } from 'vitest';
import { mergeWorld, runBin, SLUG } from '../helpers/merge-world.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';
import type { MergeSignResult } from '../../src/index.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  demo = await demoWorld();
});

const apiArgs = (baseUrl: string): string[] => ['--api-url', baseUrl, '--keys', demo.keysDir];

describe('github-merge-sign / siggate merge-sign', () => {
  it('merges with github-merge-sign --pr N and prints the commit, signer and pull request URL as JSON', async () => {
    const world = await mergeWorld(demo);
    const cli = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, ...apiArgs(world.github.baseUrl), '--json'], { cwd: world.clone.dir, env: world.env });
    expect(cli.code).toBe(0);
    const result = JSON.parse(cli.stdout) as MergeSignResult;
    expect(result).toMatchObject({ ok: true, status: 'merged', pushed: true });
    expect(result.commit).toBe(await world.remote.revParse('main'));
    expect(result.signer?.fingerprint).toBe(demo.fingerprints.alice);
    expect(result.pullRequest?.url).toBe('https://github.example/acme/deploy/pull/7');
  });

  it('reads the repository from the remote URL and reports in words on stderr', async () => {
    const world = await mergeWorld(demo);
    // origin names GitHub; insteadOf sends git to the local bare repository
    await world.clone.git('remote', 'set-url', 'origin', 'https://github.example/acme/deploy.git');
    await world.clone.git('config', `url.${world.remote.dir}.insteadOf`, 'https://github.example/acme/deploy.git');
    const cli = await runBin('siggate', ['merge-sign', '7', ...apiArgs(world.github.baseUrl)], { cwd: world.clone.dir, env: world.env });
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain('merged #7 into main as ');
    expect(cli.stderr).toContain('https://github.example/acme/deploy/pull/7');
    expect(cli.stderr).toContain(demo.fingerprints.alice);
    expect(world.github.requests.some((r) => r.startsWith('GET /repos/acme/deploy/pulls/7'))).toBe(true);
  });

  it('exits 1 naming the failed check, and pushes nothing', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.reviews.set(7, []);
    const cli = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, ...apiArgs(world.github.baseUrl)], { cwd: world.clone.dir, env: world.env });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/FAIL approvals/);
    expect(cli.stderr).toContain('nothing was pushed');
    expect(await world.remote.revParse('main')).toBe(world.base);
  });

  it('a bot approval exits 1; --allow-bot-approvals counts it', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.permissions.set('renovate[bot]', 'write');
    world.github.repo.reviews.set(7, [{ user: { login: 'renovate[bot]', type: 'Bot' }, state: 'APPROVED', commit_id: world.head }]);
    const args = ['--pr', '7', '--repo', SLUG, '--dry-run', ...apiArgs(world.github.baseUrl)];
    expect((await runBin('github-merge-sign', args, { cwd: world.clone.dir, env: world.env })).code).toBe(1);
    expect((await runBin('github-merge-sign', [...args, '--allow-bot-approvals'], { cwd: world.clone.dir, env: world.env })).code).toBe(0);
  });

  it('--dry-run exits 0 and leaves the remote untouched', async () => {
    const world = await mergeWorld(demo);
    const cli = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, '--dry-run', '--delete-branch', ...apiArgs(world.github.baseUrl)], { cwd: world.clone.dir, env: world.env });
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain('dry run: would push');
    expect(await world.remote.git('for-each-ref', '--format=%(refname) %(objectname)')).toBe(`refs/heads/feature ${world.head}\nrefs/heads/main ${world.base}`);
  });

  it('exits 3 on a refused token without printing it, and on an exhausted rate limit', async () => {
    const world = await mergeWorld(demo);
    const wrong = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, ...apiArgs(world.github.baseUrl)], {
      cwd: world.clone.dir,
      env: { ...world.env, GITHUB_TOKEN: 'ghp_wrongwrongwrong' },
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/401/);
    expect(wrong.stderr + wrong.stdout).not.toContain('ghp_wrongwrongwrong');

    world.github.faults.set('*', { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' }, body: { message: 'API rate limit exceeded' }, times: 99 });
    const limited = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, ...apiArgs(world.github.baseUrl)], { cwd: world.clone.dir, env: world.env });
    expect(limited.code).toBe(3);
    expect(limited.stderr).toMatch(/rate limit/);
  });

  it('exits 2 without a token, without a pull request number, and on a bad flag value', async () => {
    const world = await mergeWorld(demo);
    const env = { ...world.env };
    delete env.GITHUB_TOKEN;
    delete env.GH_TOKEN;
    const noToken = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, ...apiArgs(world.github.baseUrl)], { cwd: world.clone.dir, env });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/GITHUB_TOKEN or GH_TOKEN/);
    const noPr = await runBin('github-merge-sign', ['--repo', SLUG], { cwd: world.clone.dir, env: world.env });
    expect(noPr.code).toBe(2);
    const badCount = await runBin('github-merge-sign', ['--pr', '7', '--required-approvals', 'many'], { cwd: world.clone.dir, env: world.env });
    expect(badCount.code).toBe(2);
    const zero = await runBin('github-merge-sign', ['--pr', '7', '--repo', SLUG, '--required-approvals', '0', ...apiArgs(world.github.baseUrl)], { cwd: world.clone.dir, env: world.env });
    expect(zero.code).toBe(2);
    expect(world.github.requests).toEqual([]);
  });
});
