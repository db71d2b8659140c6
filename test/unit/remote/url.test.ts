// Remote URLs: which transport, and credentials split off before anything is printed or stored.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { redactUrl } from '../../../src/remote/redact.js';
import { parseRemote, scrubSecrets } from '../../../src/remote/url.js';

describe('parseRemote', () => {
  it('sends http(s) through isomorphic-git and moves userinfo into auth', () => {
    expect(parseRemote('https://ci:s3cret@git.example/org/repo.git')).toEqual({
      kind: 'http',
      url: 'https://git.example/org/repo.git',
      auth: { username: 'ci', password: 's3cret' },
    });
  });

  it('lets explicit credentials win over the URL and ignores empty ones', () => {
    const remote = parseRemote('http://a:b@127.0.0.1:8080/r.git', { token: 'tkn', username: '' });
    expect(remote.auth).toEqual({ username: 'a', password: 'b', token: 'tkn' });
    expect(remote.url).toBe('http://127.0.0.1:8080/r.git');
  });

  it.each(['ssh://git@host/r.git', 'git@github.com:org/r.git'])('classifies %s as ssh, where siggate may hand ssh its key', (url) => {
    expect(parseRemote(url)).toEqual({ kind: 'ssh', url, auth: {} });
  });

  it.each(['file:///srv/r.git', 'git://host/r.git'])('classifies %s as another transport, with no credentials', (url) => {
    expect(parseRemote(url)).toEqual({ kind: 'other', url, auth: {} });
  });

  it('makes a relative local path absolute', () => {
    expect(parseRemote('some/repo.git')).toEqual({ kind: 'other', url: resolve('some/repo.git'), auth: {} });
  });

  it.each(['', '--upload-pack=touch /tmp/x', 'ftp://host/r.git'])('refuses %j', (url) => {
    expect(() => parseRemote(url)).toThrow(UsageError);
  });
});

describe('redaction', () => {
  it('removes the password from a URL and keeps the user', () => {
    expect(redactUrl('https://ci:s3cret@host/r.git')).toBe('https://ci:***@host/r.git');
    expect(redactUrl('ssh://git@host/r.git')).toBe('ssh://git@host/r.git');
    expect(redactUrl('https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/o/r.git')).toBe('https://***@github.com/o/r.git');
  });

  it('scrubs secrets from text', () => {
    expect(scrubSecrets('bad token abcd1234 for x', { token: 'abcd1234' })).toBe('bad token *** for x');
  });
});
