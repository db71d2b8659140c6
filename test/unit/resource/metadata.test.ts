// git-resource's url and message rules for the metadata of in and out.
import { describe, expect, it } from 'vitest';
import { commitUrl, truncateBytes } from '../../../src/resource/git/metadata.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('commitUrl', () => {
  it.each([
    ['git@github.com:myorg/myrepo.git', `https://github.com/myorg/myrepo/commit/${SHA}`],
    ['ssh://git@github.com/myorg/myrepo.git', `https://github.com/myorg/myrepo/commit/${SHA}`],
    ['ssh://git@github.com:443/myorg/myrepo.git', `https://github.com:443/myorg/myrepo/commit/${SHA}`],
    ['https://github.com/myorg/myrepo.git', `https://github.com/myorg/myrepo/commit/${SHA}`],
    ['https://github.company.com/myorg/myrepo.git', `https://github.company.com/myorg/myrepo/commit/${SHA}`],
    ['https://gitlab.com/myorg/mygroup/myrepo.git', `https://gitlab.com/myorg/mygroup/myrepo/-/commit/${SHA}`],
    ['ssh://git@bitbucket.com/myteam/myrepo.git', `https://bitbucket.com/myteam/myrepo/commits/${SHA}`],
    ['https://x-access-token:ghp_secret@github.com/o/r.git', `https://github.com/o/r/commit/${SHA}`],
    ['https://gogs.example.com/o/r', `https://gogs.example.com/o/r/commit/${SHA}`],
  ])('%s', (uri, url) => {
    expect(commitUrl(uri, SHA)).toBe(url);
  });

  it.each(['git@whoknows.com:some/path/repo.git', '/srv/git/repo.git', 'file:///srv/github/repo.git', 'https://github.com/', 'https://evil"host/github/x'])('no url for %s', (uri) => {
    expect(commitUrl(uri, SHA)).toBeNull();
  });
});

describe('truncateBytes', () => {
  it('keeps a short text, cuts a long one at the byte bound without splitting a character', () => {
    expect(truncateBytes('abc', 10)).toBe('abc');
    expect(truncateBytes('a'.repeat(20000), 10240)).toHaveLength(10240);
    expect(truncateBytes('aé', 2)).toBe('a');
  });
});
