import { describe, expect, it } from 'vitest';
import { ownersOf, parseCodeOwners, unapprovedOwnedPaths } from '../../../src/github/code-owners.js';

const owners = (text: string, path: string): string[] => ownersOf(parseCodeOwners(text).rules, path);

describe('CODEOWNERS', () => {
  it('the last matching line wins; a line without owners un-owns', () => {
    const text = '* @all\n*.js @js-owner # inline comment\n/build/logs/ @ops\napps/ @apps\ndocs/* @docs\n/vendor/ \n';
    expect(owners(text, 'README.md')).toEqual(['@all']);
    expect(owners(text, 'src/a/b.js')).toEqual(['@js-owner']);
    expect(owners(text, 'build/logs/x/y.txt')).toEqual(['@ops']);
    expect(owners(text, 'sub/build/logs/y.txt')).toEqual(['@all']);
    expect(owners(text, 'x/apps/y/z.txt')).toEqual(['@apps']);
    expect(owners(text, 'docs/a.md')).toEqual(['@docs']);
    expect(owners(text, 'docs/deep/a.md')).toEqual(['@all']);
    expect(owners(text, 'vendor/lib.c')).toEqual([]);
  });

  it('** spans directories; a plain name matches at any depth', () => {
    expect(owners('src/**/deploy.yml @d\n', 'src/a/b/deploy.yml')).toEqual(['@d']);
    expect(owners('src/**/deploy.yml @d\n', 'src/deploy.yml')).toEqual(['@d']);
    expect(owners('deploy.yml @d\n', 'k8s/prod/deploy.yml')).toEqual(['@d']);
    expect(owners('/deploy.yml @d\n', 'k8s/deploy.yml')).toEqual([]);
  });

  it('reports what GitHub rejects: negation, ranges, bad owners', () => {
    expect(parseCodeOwners('!x @a\n').errors).toHaveLength(1);
    expect(parseCodeOwners('[ab].txt @a\n').errors).toHaveLength(1);
    expect(parseCodeOwners('x not-an-owner\n').errors).toHaveLength(1);
    expect(parseCodeOwners('x @user @org/team me@example.com\n').errors).toEqual([]);
  });

  it('any one owner of a path suffices; teams through membership; an e-mail owner matches no login', async () => {
    const { rules } = parseCodeOwners('a.txt @dave @acme/ops\nb.txt dave@example.com\n');
    const isMember = async (team: { org: string; slug: string }, login: string) => team.slug === 'ops' && login === 'bob';
    expect(await unapprovedOwnedPaths(rules, ['a.txt', 'c.txt'], ['bob'], isMember)).toEqual([]);
    expect(await unapprovedOwnedPaths(rules, ['a.txt'], ['Dave'], isMember)).toEqual([]);
    expect(await unapprovedOwnedPaths(rules, ['a.txt', 'b.txt'], ['erin'], isMember)).toHaveLength(2);
  });
});
