// What every resource script does before it looks at the remote, as git-resource's common.sh does it:
// unlock the private key, write ~/.ssh/config, apply git_config; and tag_regex's grep -Ex semantics.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { generateSshKey } from '../../fixtures/lib/ssh.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { matchTagRegex } from '../../src/resource/git/tag-regex.js';
import { PASSPHRASE_MISSING, unlockKey } from '../../src/resource/git/setup.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let harness: ResourceHarness;
let keys: string[];
let plainKey: string;
let lockedKey: string;

beforeAll(async () => {
  harness = await resourceHarness();
  keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
  const dir = await makeTempDir('siggate-setup-keys-');
  plainKey = await readFile((await generateSshKey(dir, 'ed25519', { name: 'plain' })).privateKeyPath, 'utf8');
  const locked = await generateSshKey(dir, 'ed25519', { name: 'locked' });
  await run('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'open sesame', '-f', locked.privateKeyPath], { env: cleanEnv() });
  lockedKey = await readFile(locked.privateKeyPath, 'utf8');
});

/** A check against a remote that does not exist: setup runs first, then the fetch fails (exit 3). */
const checkWith = (extra: Record<string, unknown>) =>
  harness.run('check', { source: { uri: 'file:///nowhere/repo', commit_verification_keys: keys, ...extra } });

describe('private_key and private_key_passphrase', () => {
  it('an unencrypted key is used as it is', async () => {
    expect(await unlockKey(plainKey, null, 'source.private_key')).toBe(plainKey);
  });

  it('an encrypted key is unlocked with its passphrase, and the result has none', async () => {
    const unlocked = await unlockKey(lockedKey, 'open sesame', 'source.private_key');
    expect(unlocked).toMatch(/PRIVATE KEY/);
    expect(unlocked).not.toBe(lockedKey);
    expect(await unlockKey(unlocked, null, 'x')).toBe(unlocked);
  });

  it("an encrypted key without a passphrase fails with git-resource's message, whatever the uri, before any fetch", async () => {
    const out = await checkWith({ private_key: lockedKey });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(PASSPHRASE_MISSING);
  });

  it('a wrong passphrase and a key that is not one are configuration errors naming the key', async () => {
    const wrong = await checkWith({ private_key: lockedKey, private_key_passphrase: 'wrong' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/private_key_passphrase does not unlock the key/);
    const garbage = await checkWith({ private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all\n-----END OPENSSH PRIVATE KEY-----\n' });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/source.private_key is not a private key ssh can read/);
  });

  it('the passphrase and the key never reach the log', async () => {
    const out = await checkWith({ private_key: lockedKey, private_key_passphrase: 'open sesame' });
    expect(out.code).toBe(3);
    expect(out.stderr).not.toContain('open sesame');
    for (const line of lockedKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-'))) expect(out.stderr).not.toContain(line);
  });
});

describe('~/.ssh/config', () => {
  it('is written as git-resource writes it (User, ForwardAgent, a Host block for a port), never disabling host-key checks', async () => {
    await checkWith({ private_key: plainKey, private_key_user: 'someuser', forward_agent: 'true', uri: 'ssh://git@example.invalid:2222/repo.git' });
    const config = await readFile(join(harness.home, '.ssh', 'config'), 'utf8');
    expect(config).toContain('\nHost example.invalid\n  Port 2222\n');
    expect(config).toMatch(/^User someuser$/m);
    expect(config).toMatch(/^ForwardAgent yes$/m);
    expect(config).not.toMatch(/StrictHostKeyChecking/);
    await checkWith({ private_key: plainKey });
    const plain = await readFile(join(harness.home, '.ssh', 'config'), 'utf8');
    expect(plain).not.toMatch(/^User |ForwardAgent/m);
  });

  it('a config siggate did not write is left as it is', async () => {
    const own = await resourceHarness();
    await mkdir(join(own.home, '.ssh'), { recursive: true });
    await writeFile(join(own.home, '.ssh', 'config'), 'Host *\n  User mine\n');
    const out = await own.run('check', { source: { uri: 'file:///nowhere', commit_verification_keys: keys, private_key: plainKey, private_key_user: 'other' } });
    expect(out.stderr).toMatch(/was not written by siggate: leaving it as it is/);
    expect(await readFile(join(own.home, '.ssh', 'config'), 'utf8')).toBe('Host *\n  User mine\n');
  });

  it('nothing is written without a private key, and a user name that is not one word is refused', async () => {
    const own = await resourceHarness();
    await own.run('check', { source: { uri: 'file:///nowhere', commit_verification_keys: keys, forward_agent: true } });
    expect(existsSync(join(own.home, '.ssh', 'config'))).toBe(false);
    const out = await checkWith({ private_key: plainKey, private_key_user: 'evil\nProxyCommand sh' });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/private_key_user is not a user name ssh accepts/);
  });
});

describe('git_config', () => {
  it('is applied to the global git config in order, before the remote is reached', async () => {
    const out = await checkWith({ git_config: [{ name: 'core.pager', value: 'less -R' }, { name: 'credential.helper', value: '!true long value' }] });
    expect(out.code).toBe(3);
    const config = await readFile(harness.globalGitConfig, 'utf8');
    expect(config).toContain('pager = less -R');
    expect(config).toContain('helper = !true long value');
  });

  it('a name that is not a configuration key is refused before anything is written', async () => {
    for (const name of ['--file=/etc/passwd', 'core', 'a.b\nc.d', '']) {
      const out = await checkWith({ git_config: [{ name, value: 'x' }] });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/git_config\[0\]\.name must be a git configuration key/);
    }
  });
});

describe('tag_regex', () => {
  it('matches whole names as grep -Ex does, POSIX classes included', async () => {
    const names = ['prod-1', 'not-prod-1', 'prod-1-rc', 'v1.2.3', 'v10.0.0'];
    expect(await matchTagRegex(names, 'prod-.*')).toEqual(['prod-1', 'prod-1-rc']);
    expect(await matchTagRegex(names, 'v[[:digit:]]\\.[0-9]+\\.[0-9]+')).toEqual(['v1.2.3']);
    expect(await matchTagRegex(names, 'nothing')).toEqual([]);
  });

  it('an invalid expression is a configuration error', async () => {
    await expect(matchTagRegex(['a'], 'a[')).rejects.toThrow(/not a valid POSIX extended regular expression/);
  });
});
