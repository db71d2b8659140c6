// The resource over a real ssh transport (OpenSSH's sshd on 127.0.0.1): private_key with and without a
// passphrase, private_key_user, the host-key policy (first contact remembered, a changed key refused),
// and https_tunnel through an HTTP CONNECT proxy with proxytunnel.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { resourceHarness } from '../helpers/resource.js';
import { sshdUnavailable, startConnectProxy, startSshd, type ConnectProxy, type Sshd } from '../helpers/sshd.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const unavailable = sshdUnavailable() ?? (existsSync('/usr/bin/proxytunnel') ? null : 'proxytunnel is not installed (apt-get install proxytunnel)');
if (unavailable) console.warn(`skipping the ssh transport tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('the resource over ssh', () => {
  let sshd: Sshd;
  let world: DemoWorld;
  let keys: string[];
  let bare: Repo;
  let tip: string;

  beforeAll(async () => {
    sshd = await startSshd();
    world = await demoWorld();
    keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
    const work = await Repo.init();
    bare = await Repo.init({ bare: true });
    await work.commit({ message: 'one\n', sign: world.as('alice') });
    tip = await work.commit({ message: 'two\n', sign: world.as('alice') });
    await work.git('push', '--quiet', bare.dir, 'main');
  });

  afterAll(async () => {
    await sshd?.close();
  });

  const source = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    uri: sshd.url(bare.dir),
    branch: 'main',
    commit_verification_keys: keys,
    private_key: sshd.clientKey,
    ...extra,
  });

  it('check and in fetch over ssh with source.private_key, remembering the host key on first contact', async () => {
    const harness = await resourceHarness();
    const check = await harness.run('check', { source: source() });
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([{ ref: tip }]);
    // ssh may hash the names it remembers: ask ssh-keygen
    const known = await run('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', join(harness.cacheDir, 'known_hosts')], { env: cleanEnv() });
    expect(known.stdout.toString()).toMatch(/ssh-ed25519/);
    const dest = await makeTempDir('siggate-ssh-in-');
    const get = await harness.run('in', { source: source(), version: { ref: tip } }, [dest]);
    expect(get.code, get.stderr).toBe(0);
    expect((await run('git', ['rev-parse', 'HEAD'], { cwd: dest, env: cleanEnv() })).stdout.toString().trim()).toBe(tip);
  });

  it('an encrypted key is unlocked with private_key_passphrase', async () => {
    const dir = await makeTempDir('siggate-ssh-locked-');
    const file = join(dir, 'key');
    await writeFile(file, sshd.clientKey, { mode: 0o600 });
    await run('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'tunnel vision', '-f', file], { env: cleanEnv() });
    const locked = await readFile(file, 'utf8');
    const harness = await resourceHarness();
    const out = await harness.run('check', { source: source({ private_key: locked, private_key_passphrase: 'tunnel vision' }) });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([{ ref: tip }]);
    expect(out.stderr).not.toContain('tunnel vision');
  });

  it('private_key_user is the user ssh logs in as when the uri names none', async () => {
    const harness = await resourceHarness();
    const ok = await harness.run('check', { source: source({ uri: sshd.url(bare.dir, null), private_key_user: sshd.user }) });
    expect(ok.code, ok.stderr).toBe(0);
    const wrong = await harness.run('check', { source: source({ uri: sshd.url(bare.dir, null), private_key_user: 'siggate-nosuchuser' }) });
    expect(wrong.code).toBe(3);
    expect(sshd.log()).toMatch(/[Ii]nvalid user siggate-nosuchuser/);
  });

  it('a host key that changed since the first contact closes the connection (exit 3), nothing is yielded', async () => {
    const harness = await resourceHarness();
    expect((await harness.run('check', { source: source() })).code).toBe(0);
    await sshd.replaceHostKey();
    const out = await harness.run('check', { source: source() });
    expect(out.code).toBe(3);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/host key|HOST IDENTIFICATION/i);
  });

  describe('https_tunnel', () => {
    let proxy: ConnectProxy;
    beforeAll(async () => {
      proxy = await startConnectProxy({ user: 'tunnel-user', password: 'tunnel-secret' });
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('goes through the proxy with its credentials, which never reach the log', async () => {
      const harness = await resourceHarness();
      const tunnel = { proxy_host: '127.0.0.1', proxy_port: proxy.port, proxy_user: 'tunnel-user', proxy_password: 'tunnel-secret' };
      const before = proxy.connects.length;
      const out = await harness.run('check', { source: source({ https_tunnel: tunnel }) });
      expect(out.code, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout)).toEqual([{ ref: tip }]);
      const asked = proxy.connects.slice(before);
      expect(asked).toContain(`127.0.0.1:${sshd.port} Basic ${Buffer.from('tunnel-user:tunnel-secret').toString('base64')}`);
      expect(out.stderr).not.toContain('tunnel-secret');
    });

    it('a proxy refusing the credentials is a remote error (exit 3)', async () => {
      const harness = await resourceHarness();
      const tunnel = { proxy_host: '127.0.0.1', proxy_port: proxy.port, proxy_user: 'tunnel-user', proxy_password: 'wrong' };
      const out = await harness.run('check', { source: source({ https_tunnel: tunnel }) });
      expect(out.code).toBe(3);
      expect(out.stdout).toBe('');
    });
  });
});
