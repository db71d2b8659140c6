import { describe, expect, it } from 'vitest';
import { parseRepoSlug, repoSlugFromRemoteUrl } from '../../../src/github/repo-slug.js';
import { UsageError } from '../../../src/core/errors.js';

describe('repoSlugFromRemoteUrl', () => {
  it.each([
    ['https://github.com/alphagov/paas-cf.git', 'alphagov', 'paas-cf'],
    ['https://github.com/alphagov/paas-cf', 'alphagov', 'paas-cf'],
    ['https://x-access-token@github.example/api-team/deploy/', 'api-team', 'deploy'],
    ['git@github.com:alphagov/paas-cf.git', 'alphagov', 'paas-cf'],
    ['ssh://git@github.com:22/alphagov/paas-cf.git', 'alphagov', 'paas-cf'],
    ['github.com:owner/name', 'owner', 'name'],
  ])('reads %s', (url, owner, name) => {
    expect(repoSlugFromRemoteUrl(url)).toEqual({ owner, name });
  });

  it.each(['/srv/git/project.git', 'file:///srv/project.git', 'https://github.com/only-owner', ''])('has no repository for %s', (url) => {
    expect(repoSlugFromRemoteUrl(url)).toBeNull();
  });
});

describe('parseRepoSlug', () => {
  it('takes OWNER/NAME and refuses anything else', () => {
    expect(parseRepoSlug('o/n.git')).toEqual({ owner: 'o', name: 'n' });
    for (const bad of ['o', 'o/n/x', '/n', 'o/', 'o n/x']) expect(() => parseRepoSlug(bad)).toThrow(UsageError);
  });
});
