import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoKeys, demoKeysDir, importDemoKeys } from '../../fixtures/lib/demo-keys.js';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanupAll, makeTempDir } from '../../fixtures/lib/temp.js';
import type { RangeReport, TagReport } from '../../src/index.js';
import { runBin, type CliResult } from '../helpers/bin.js';

const siggate = (args: string[], cwd?: string): Promise<CliResult> => runBin('siggate', args, cwd ? { cwd } : {});

describe('bin/siggate', () => {
  let repo: Repo;
  let root: string;
  let good: string;
  let bad: string;
  let keys: string[];
  let alice: { gpg: GpgHome; key: string };

  beforeAll(async () => {
    const gpg = await GpgHome.create();
    await importDemoKeys(gpg);
    repo = await Repo.init();
    alice = { gpg, key: demoKeys.alice.fingerprint };
    const bob = { gpg, key: demoKeys.bob.fingerprint };
    root = await repo.commit({ message: 'root', sign: alice });
    await repo.commit({ message: 'second', sign: bob });
    good = await repo.commit({ message: 'third', sign: alice });
    await repo.tag('v1', { sign: alice, message: 'release 1' });
    await repo.tag('unsigned-tag', { message: 'not signed' });
    await repo.commit({ message: 'unsigned work', sign: null });
    bad = await repo.commit({ message: 'by mallory', sign: { gpg, key: demoKeys.mallory.fingerprint } });
    keys = ['--repo', repo.dir, '--keys', demoKeysDir()];
  });
  afterAll(cleanupAll);

  it('exits 0 and prints the exact JSON report for a range that passes', async () => {
    const result = await siggate(['verify', good, ...keys, '--since', root, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report).toMatchObject({ ok: true, target: good, since: root, mode: 'first-parent', checked: 2, failed: 0 });
    expect(report.commits.map((c) => c.status)).toEqual(['valid', 'valid']);
    expect(report.commits[0]!.signer).toEqual({
      fingerprint: demoKeys.alice.fingerprint,
      signingKey: demoKeys.alice.fingerprint,
      userId: demoKeys.alice.userId,
    });
    expect(Object.keys(report.commits[0]!).sort()).toEqual(['format', 'oid', 'reason', 'signedAt', 'signer', 'status', 'subject']);
    expect(report.commits[0]!.signedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('exits 1 with a table and a remedy per failure on stderr, nothing on stdout', async () => {
    const result = await siggate(['verify', bad, ...keys, '--since', root]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/unknown-key/);
    expect(result.stderr).toMatch(/unsigned/);
    expect(result.stderr.match(/fix: /g)?.length).toBe(2);
  });

  it('reports each status in JSON for a blocked range', async () => {
    const result = await siggate(['verify', bad, ...keys, '--since', root, '--mode', 'all', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.ok).toBe(false);
    expect(report.commits.map((c) => c.status)).toEqual(['unknown-key', 'unsigned', 'valid', 'valid']);
    expect(report.failed).toBe(2);
  });

  it('defaults to tip mode without a trust root and to HEAD', async () => {
    const result = await siggate(['verify', ...keys, '--json']);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.mode).toBe('tip');
    expect(report.target).toBe(bad);
    expect(result.code).toBe(1);
  });

  it('verifies a signed tag with verify-tag (exit 0) and refuses an unsigned one (exit 1)', async () => {
    const signed = await siggate(['verify-tag', 'v1', ...keys, '--json']);
    expect(signed.code).toBe(0);
    expect((JSON.parse(signed.stdout) as TagReport).signer?.fingerprint).toBe(demoKeys.alice.fingerprint);
    const unsigned = await siggate(['verify-tag', 'unsigned-tag', ...keys, '--json']);
    expect(unsigned.code).toBe(1);
    expect((JSON.parse(unsigned.stdout) as TagReport).status).toBe('unsigned');
  });

  it('accepts a signed tag as trust root', async () => {
    const result = await siggate(['verify', good, ...keys, '--since', 'v1', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as RangeReport).checked).toBe(0);
  });

  it('exits 1 with untrusted-root for a trust root that whoever can push tags could move; --allow-unsigned-root accepts it with a warning', async () => {
    const refused = await siggate(['verify', good, ...keys, '--since', 'unsigned-tag', '--json']);
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout) as RangeReport;
    expect(report).toMatchObject({ ok: false, status: 'untrusted-root', since: good, checked: 0, commits: [] });
    expect(report.remedy).toMatch(/commit id/);
    const human = await siggate(['verify', good, ...keys, '--since', 'unsigned-tag']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/untrusted-root/);
    expect(human.stderr).toMatch(/fix: /);
    const allowed = await siggate(['verify', good, ...keys, '--since', 'unsigned-tag', '--allow-unsigned-root']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/warning: .*can move it/);
  });

  it('every command that takes --since takes --allow-unsigned-root', async () => {
    for (const command of ['verify', 'fetch', 'promote']) {
      const help = await siggate([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain('--since');
      expect(help.stdout, command).toContain('--allow-unsigned-root');
    }
  });

  it('exits 1 with not-descendant when the target does not descend from the trust root', async () => {
    const result = await siggate(['verify', root, ...keys, '--since', good, '--json']);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as RangeReport).status).toBe('not-descendant');
    const allowed = await siggate(['verify', root, ...keys, '--since', good, '--allow-rewind', '--mode', 'tip']);
    expect(allowed.code).toBe(0);
  });

  it('narrows the allow list with --allow (not-allowed) and refuses short key IDs (exit 2)', async () => {
    const narrowed = await siggate(['verify', good, ...keys, '--since', root, '--allow', demoKeys.alice.fingerprint, '--json']);
    expect(narrowed.code).toBe(1);
    expect((JSON.parse(narrowed.stdout) as RangeReport).commits.map((c) => c.status)).toEqual(['valid', 'not-allowed']);
    const short = await siggate(['verify', good, ...keys, '--allow', demoKeys.alice.fingerprint.slice(-8)]);
    expect(short.code).toBe(2);
  });

  it.each([
    ['an unknown flag', ['verify', '--frobnicate']],
    ['an invalid mode', ['verify', '--mode', 'some']],
    ['an unknown revision', ['verify', 'no-such-branch']],
    ['a missing keys directory', ['verify', '--keys', '/nonexistent/keys']],
  ])('exits 2 on %s without a stack trace', async (_name, args) => {
    const result = await siggate([...args, ...(args.includes('--keys') ? ['--repo', repo.dir] : keys)]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 outside a repository and for a key file that is not a key, naming it', async () => {
    const empty = await makeTempDir('siggate-e2e-');
    const notRepo = await siggate(['verify', '--repo', empty, '--keys', demoKeysDir()]);
    expect(notRepo.code).toBe(2);
    const junk = join(empty, 'junk.asc');
    await writeFile(junk, 'this is not a key\n');
    const badKey = await siggate(['verify', '--repo', repo.dir, '--keys', junk]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('junk.asc');
  });

  it('lists the failures and a summary for a long range, every row with --verbose, every commit in the JSON', async () => {
    // unsigned commits are cheap to make: most of the range fails, one in ten passes
    const long = await Repo.init();
    const base = await long.commit({ message: 'base', sign: alice });
    const commits: { oid: string; signed: boolean }[] = [];
    for (let i = 0; i < 55; i++) {
      const signed = i % 10 === 0;
      const message = `change ${i} ${'with a subject longer than the row has room for '.repeat(2)}`;
      commits.unshift({ oid: await long.commit({ message, files: {}, sign: signed ? alice : null }), signed });
    }
    const args = ['verify', '--repo', long.dir, '--keys', demoKeysDir(), '--since', base];
    const rowsOf = (stderr: string): string[] => stderr.split('\n').filter((line) => /^ {2}[0-9a-f]{12} {2}/.test(line));
    const short = (oid: string): string => oid.slice(0, 12);
    const failures = await siggate(args);
    expect(failures.code).toBe(1);
    expect(rowsOf(failures.stderr).map((row) => row.slice(2, 14))).toEqual(commits.filter((c) => !c.signed).map((c) => short(c.oid)));
    const verbose = await siggate([...args, '--verbose']);
    expect(verbose.code).toBe(1);
    expect(rowsOf(verbose.stderr).map((row) => row.slice(2, 14))).toEqual(commits.map((c) => short(c.oid)));
    for (const row of rowsOf(verbose.stderr)) expect(row.length).toBeLessThanOrEqual(80);
    const json = await siggate([...args, '--json']);
    expect((JSON.parse(json.stdout) as RangeReport).commits.map((c) => c.oid)).toEqual(commits.map((c) => c.oid));
  });

  it('lists keys with fingerprint, algorithm, user IDs and expiry', async () => {
    const result = await siggate(['keys', '--keys', demoKeysDir(), '--json']);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as { fingerprint: string; algorithm: string; userIds: string[]; expires: string }[];
    expect(listed.map((k) => k.fingerprint).sort()).toEqual([demoKeys.alice.fingerprint, demoKeys.bob.fingerprint].sort());
    const bob = listed.find((k) => k.fingerprint === demoKeys.bob.fingerprint)!;
    expect(bob.algorithm).toMatch(/rsa.*3072/);
    expect(bob.userIds).toEqual([demoKeys.bob.userId]);
    expect(bob.expires).toBe('never');
  });
});

/** bin/siggate with its stdout closed before it writes a byte: the reader of `siggate … | head -c 10` gone. */
function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../bin/siggate'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
}

describe('bin/siggate output', () => {
  let repo: Repo;
  let revokedOid: string;
  let root: string;
  let soon: string;
  let passing: string;

  beforeAll(async () => {
    const gpg = await GpgHome.create();
    await importDemoKeys(gpg, ['alice']);
    const signed = await Repo.init();
    await signed.commit({ message: 'signed by alice\n', sign: { gpg, key: demoKeys.alice.fingerprint } });
    passing = signed.dir;
    const revoked = await gpg.generateKey({ name: 'Revoked Signer', email: 'revoked@siggate.test', algo: 'ed25519' });
    soon = await gpg.generateKey({ name: 'Expiring Signer', email: 'soon@siggate.test', algo: 'ed25519', expire: '10d' });
    repo = await Repo.init();
    revokedOid = await repo.commit({ message: 'by a key revoked since\n', sign: { gpg, key: revoked } });
    await gpg.revoke(revoked, { reason: 'compromised' });
    root = await makeTempDir('siggate-e2e-given-');
    await mkdir(join(root, 'given'));
    await writeFile(join(root, 'given', 'revoked.asc'), await gpg.exportPublic(revoked));
    await writeFile(join(root, 'given', 'soon.asc'), await gpg.exportPublic(soon));
  });
  afterAll(cleanupAll);

  it("prints siggate's own version, not the calling project's", async () => {
    const manifest = JSON.parse(await readFile(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    const result = await runBin('siggate', ['--version'], { env: { ...process.env, npm_package_version: '9.9.9-caller' } });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(manifest.version);
  });

  it.each([
    ['a passing run', () => ['verify', '--repo', passing, '--keys', demoKeysDir(), '--json'], 0],
    ['a blocked run', () => ['verify', '--repo', repo.dir, '--keys', demoKeysDir(), '--json'], 1],
    ['--help', () => ['verify', '--help'], 0],
  ])('exits quietly when stdout is closed: %s keeps its exit code', async (_name, args, code) => {
    const result = await runWithClosedStdout(args());
    expect(result.code).toBe(code);
    expect(result.stderr).toBe('');
  });

  it('names the key file as the user gave the keys path in the fix line', async () => {
    const relative = await runBin('siggate', ['verify', '--repo', repo.dir, '--keys', './given', '--json'], { cwd: root });
    expect(relative.code).toBe(1);
    const commit = (JSON.parse(relative.stdout) as RangeReport).commits[0]!;
    expect(commit).toMatchObject({ oid: revokedOid, status: 'revoked-key' });
    expect(commit.remedy).toContain('./given/revoked.asc');
    const absolute = await runBin('siggate', ['verify', '--repo', repo.dir, '--keys', `${join(root, 'given')}/`, '--json']);
    expect((JSON.parse(absolute.stdout) as RangeReport).commits[0]!.remedy).toContain(`${join(root, 'given')}/revoked.asc`);
  });

  it('prints a key about to expire once, under the key, in the human listing', async () => {
    const result = await runBin('siggate', ['keys', '--keys', join(root, 'given')]);
    expect(result.code).toBe(0);
    expect((result.stdout + result.stderr).match(new RegExp(`warning: key ${soon} expires`, 'g'))).toHaveLength(1);
  });
});
