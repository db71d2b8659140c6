// git-resource's pathspec rule (check:L181-185): none for the default `.`, else the paths then `:!` exclusions.
import { describe, expect, it } from 'vitest';
import { pathspecOf } from '../../../src/resource/git/check-commits.js';
import { parseSource } from '../../../src/resource/git/source.js';

const source = (extra: Record<string, unknown>) => parseSource({ uri: 'file:///repo', commit_verification_keys: ['key'], ...extra });

describe('pathspecOf', () => {
  it('is empty for no paths, for paths ["."], and for an empty list: every commit, empty ones too', () => {
    expect(pathspecOf(source({}))).toEqual([]);
    expect(pathspecOf(source({ paths: ['.'] }))).toEqual([]);
    expect(pathspecOf(source({ paths: [] }))).toEqual([]);
  });

  it('lists the paths, one pathspec each (spaces kept), then each ignored path as a :! exclusion', () => {
    expect(pathspecOf(source({ paths: ['file-*', 'a b'], ignore_paths: ['file-b'] }))).toEqual(['file-*', 'a b', ':!file-b']);
    expect(pathspecOf(source({ paths: ['.', '.'] }))).toEqual(['.', '.']);
  });

  it('keeps "." beside ignored paths: without it git would see only exclusions (it adds "." itself, the same)', () => {
    expect(pathspecOf(source({ ignore_paths: ['docs'] }))).toEqual(['.', ':!docs']);
    expect(pathspecOf(source({ paths: ['.'], ignore_paths: ['docs', 'ci'] }))).toEqual(['.', ':!docs', ':!ci']);
  });
});
