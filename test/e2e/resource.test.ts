// bin/check, bin/in and bin/out run as Concourse runs them: a subprocess, JSON on stdin, the destination as argv[1].
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { CliResult } from '../helpers/bin.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const script = (name: 'check' | 'in' | 'out', stdin: string, args: string[] = []): Promise<CliResult> => harness.runBin(name, stdin, args);

let harness: ResourceHarness;
let uri: string;
let good: string;
let unsigned: string;
let keys: string[];

beforeAll(async () => {
  const world = await demoWorld();
  harness = await resourceHarness();
  const work = await Repo.init();
  const bare = await Repo.init({ bare: true });
  good = await work.commit({ message: 'signed\n', sign: world.as('alice') });
  unsigned = await work.commit({ message: 'not signed\n' });
  await work.tag('deployed-light', { lightweight: true, target: good });
  await work.git('push', '--quiet', bare.dir, 'main', 'refs/tags/deployed-light');
  uri = `file://${bare.dir}`;
  keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
});

describe('resource scripts', () => {
  it('check prints only the JSON versions on stdout, oldest first, and logs the skipped tip', async () => {
    const result = await script('check', JSON.stringify({ source: { uri, branch: 'main', commit_verification_keys: keys }, version: { ref: good } }));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ ref: good }]);
    expect(result.stderr).toContain(unsigned);
  });

  it('in checks out a signed version and exits 0; an unsigned one exits 1 with DEST empty', async () => {
    const request = (ref: string) => JSON.stringify({ source: { uri, branch: 'main', commit_verification_keys: keys }, version: { ref }, params: {} });
    const dest = await makeTempDir('siggate-dest-');
    const ok = await script('in', request(good), [dest]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).version).toEqual({ ref: good });
    expect(await readdir(join(dest, '.git'))).toContain('siggate-report.json');
    const refused = await makeTempDir('siggate-dest-');
    const bad = await script('in', request(unsigned), [refused]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(await readdir(refused)).toEqual([]);
  });

  it('in exits 1 with DEST empty when trust_root is a lightweight tag, and 0 with allow_unsigned_root', async () => {
    const request = (extra: Record<string, unknown>) =>
      JSON.stringify({ source: { uri, branch: 'main', commit_verification_keys: keys, trust_root: 'deployed-light', ...extra }, version: { ref: good } });
    const refused = await makeTempDir('siggate-dest-');
    const bad = await script('in', request({}), [refused]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('untrusted-root');
    expect(await readdir(refused)).toEqual([]);
    const allowed = await script('in', request({ allow_unsigned_root: true }), [await makeTempDir('siggate-dest-')]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).version).toEqual({ ref: good });
  });

  it('malformed JSON on stdin and an unknown source key exit 2', async () => {
    expect((await script('check', '{"source":')).code).toBe(2);
    const unknown = await script('out', JSON.stringify({ source: { uri, commit_verification_keys: keys, tag_fliter: 'v*' }, params: {} }), ['/tmp']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('tag_fliter');
  });
});
