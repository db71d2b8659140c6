// The GitHub client against the fake GitHub: secondary and primary rate limits waited out (bounded, with the
// wait GitHub asks for), SAML SSO and fine-grained permission refusals that say what to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Octokit } from '@octokit/rest';
import { RemoteError } from '../../src/core/errors.js';
import { createGitHubClient } from '../../src/github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-server.js';
import { withoutProxy } from '../helpers/merge-world.js';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
let gh: FakeGitHub;
let waits: number[];
let octokit: Octokit;

beforeEach(async () => {
  gh = await startFakeGitHub({ fullName: 'acme/deploy' });
  gh.repo.permissions.set('bob', 'write');
  waits = [];
  octokit = createGitHubClient({ token: gh.token, apiUrl: gh.baseUrl, retryDelaysMs: [1], sleep: async (ms) => void waits.push(ms), now: () => NOW, env: withoutProxy(process.env) });
});
afterEach(() => gh.close());

const ask = () => octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'deploy', username: 'bob' });
const secondary = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' };

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof Error)) throw new Error('expected a failure');
  return error;
}

describe('rate limits', () => {
  it('waits out a secondary limit for retry-after seconds, then succeeds', async () => {
    gh.faults.set('permission', { status: 403, headers: { 'retry-after': '7' }, body: secondary, times: 1 });
    expect((await ask()).data.permission).toBe('write');
    expect(waits).toEqual([7000]);
  });

  it('waits a minute on a 429 secondary limit without retry-after, as GitHub documents', async () => {
    gh.faults.set('permission', { status: 429, body: secondary, times: 1 });
    expect((await ask()).data.permission).toBe('write');
    expect(waits).toEqual([60_000]);
  });

  it('waits until x-ratelimit-reset when no requests remain', async () => {
    const reset = String(NOW / 1000 + 30);
    gh.faults.set('permission', { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest' }, times: 1 });
    expect((await ask()).data.permission).toBe('write');
    expect(waits).toEqual([31_000]);
  });

  it('gives up after two waits, saying how long to wait', async () => {
    gh.faults.set('permission', { status: 403, headers: { 'retry-after': '5' }, body: secondary, times: 99 });
    const error = await failure(ask());
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toMatch(/secondary rate limit.*wait 5 s/);
    expect(waits).toEqual([5000, 5000]);
  });

  it('does not sit through a wait longer than two minutes: it stops at once and says how long', async () => {
    gh.faults.set('permission', { status: 429, headers: { 'retry-after': '900' }, body: secondary, times: 99 });
    const error = await failure(ask());
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toContain('wait 900 s');
    expect(waits).toEqual([]);
  });
});

describe('permission refusals', () => {
  it('a 403 for SAML single sign-on says so and gives the authorization URL, without retrying', async () => {
    const url = 'https://github.com/orgs/acme/sso?authorization_request=A1B2';
    gh.faults.set('permission', { status: 403, headers: { 'x-github-sso': `required; url=${url}` }, body: { message: 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.', documentation_url: 'https://docs.github.com/rest' }, times: 99 });
    const error = await failure(ask());
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toMatch(/SAML single sign-on/);
    expect(error.message).toContain(url);
    expect(waits).toEqual([]);
  });

  it('a fine-grained token without a permission is told which permissions GitHub accepts', async () => {
    gh.faults.set('permission', { status: 403, headers: { 'x-accepted-github-permissions': 'metadata=read' }, body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest' }, times: 1 });
    const error = await failure(ask());
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toContain('metadata=read');
  });
});

describe('rules the token may not see', () => {
  it('a rate-limited protection read is not taken for "not visible": it stops the run rather than falling back', async () => {
    const { loadBranchRules } = await import('../../src/github/branch-rules.js');
    gh.faults.set('protection', { status: 403, headers: { 'retry-after': '900' }, body: secondary, times: 99 });
    const error = await failure(loadBranchRules(octokit, { owner: 'acme', name: 'deploy' }, 'main'));
    expect(error).toBeInstanceOf(RemoteError);
    // control: a plain 403 (no Administration: read) falls back to the partial view and says so
    gh.faults.set('protection', { status: 403, body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest' }, times: 99 });
    const rules = await loadBranchRules(octokit, { owner: 'acme', name: 'deploy' }, 'main');
    expect(rules.blockers).toEqual([]);
  });
});
