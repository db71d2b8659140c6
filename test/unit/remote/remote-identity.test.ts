// When is a checkout's origin the remote a fetch names? Spellings of one repository are the same remote;
// another scheme, host, port, user or path is another.
import { describe, expect, it } from 'vitest';
import { isSameRemote } from '../../../src/remote/remote-identity.js';

const same = (a: string, b: string): boolean => isSameRemote(a, '/base', b, '/base');

describe('isSameRemote', () => {
  it.each([
    ['https://git.example.org/infra.git', 'https://git.example.org/infra'],
    ['https://git.example.org/infra.git', 'https://git.example.org/infra/'],
    ['https://git.example.org/infra.git', 'https://ci:tok-secret@git.example.org/infra.git'],
    ['https://git.example.org/infra.git', 'HTTPS://Git.Example.ORG:443/infra.git/'],
    ['https://git.example.org//org/infra.git', 'https://git.example.org/org/infra'],
    ['git@github.com:org/infra.git', 'ssh://git@github.com/org/infra'],
    ['git@github.com:org/infra.git', 'git+ssh://git@github.com:22/org/infra.git'],
    ['ssh://git@host/~/infra', 'git@host:infra'],
    ['/base/repo.git', 'file:///base/repo.git'],
    ['../base/repo', '/base/repo/'],
  ])('%s is %s', (a, b) => {
    expect(same(a, b)).toBe(true);
  });

  it.each([
    ['https://git.example.org/infra.git', 'http://git.example.org/infra.git'],
    ['https://git.example.org/infra.git', 'git@git.example.org:infra.git'],
    ['https://git.example.org/infra.git', 'https://git.example.org:8443/infra.git'],
    ['https://git.example.org/infra.git', 'https://git.example.org/Infra.git'],
    ['https://git.example.org/infra.git', 'https://other.example.org/infra.git'],
    ['git@github.com:org/infra.git', 'deploy@github.com:org/infra.git'],
    ['/base/repo', '/base/other'],
  ])('%s is not %s', (a, b) => {
    expect(same(a, b)).toBe(false);
  });

  it('resolves a relative path from its own base', () => {
    expect(isSameRemote('../repo', '/srv/checkout', '/srv/repo', '/elsewhere')).toBe(true);
  });
});
