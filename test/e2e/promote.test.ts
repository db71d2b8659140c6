import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { PromoteResult } from '../../src/index.js';
import { ISOLATED_GIT, runBin, signingCloneOf } from '../helpers/merge-world.js';
import { promoteWorld, tagsOf } from '../helpers/promote-world.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  demo = await demoWorld();
});

const env = { ...process.env, ...ISOLATED_GIT, NO_COLOR: '1' };

describe('siggate promote', () => {
  it('prints JSON for a created and pushed tag, and exits 0 again with "already promoted"', async () => {
    const world = await promoteWorld(demo);
    const args = ['promote', '--tag', 'prod-1.0.0', '--keys', demo.keysDir, '--push', 'origin', '--json'];
    const cli = await runBin('siggate', args, { cwd: world.clone.dir, env });
    expect(cli.code).toBe(0);
    const result = JSON.parse(cli.stdout) as PromoteResult;
    expect(result).toMatchObject({ status: 'created', tag: 'prod-1.0.0', target: world.tip, pushed: true, signed: true });
    const again = await runBin('siggate', args.slice(0, -1), { cwd: world.clone.dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already promoted');
  });

  it('exits 1 and creates nothing when the gate fails, showing the failing commit', async () => {
    const world = await promoteWorld(demo);
    await world.clone.commit({ message: 'unsigned hotfix' });
    const cli = await runBin('siggate', ['promote', '--bump', 'patch', '--prefix', 'prod-', '--keys', demo.keysDir], { cwd: world.clone.dir, env });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/unsigned/);
    expect(cli.stderr).toContain('nothing was tagged or pushed');
    expect(await tagsOf(world.clone)).toEqual([]);
  });

  it('exits 2 for conflicting or incomplete naming flags and a bad tag name', async () => {
    const world = await promoteWorld(demo);
    for (const args of [
      ['--tag', 'a', '--bump', 'patch', '--prefix', 'p'],
      ['--bump', 'patch'],
      ['--from-prefix', 'staging-'],
      ['--bump', 'huge', '--prefix', 'p'],
      ['--tag', 'bad..name'],
      [],
    ]) {
      const cli = await runBin('siggate', ['promote', ...args, '--keys', demo.keysDir], { cwd: world.clone.dir, env });
      expect(cli.code, args.join(' ')).toBe(2);
    }
    expect(await tagsOf(world.clone)).toEqual([]);
  });

  it('two processes racing for the same name: exactly one tag on the remote, the loser exits 1 and keeps no tag', async () => {
    const world = await promoteWorld(demo);
    // another release manager: a different tagger and key, so the two tag objects differ
    const other = await signingCloneOf(world.remote, demo);
    await other.git('config', 'user.name', 'Bob Demo');
    await other.git('config', 'user.email', 'bob@siggate.test');
    await other.git('config', 'user.signingkey', demo.fingerprints.bob);
    const barrier = await makeTempDir('siggate-barrier-');
    // each side signs only once both have checked that the tag does not exist yet: a true race
    for (const [side, clone] of [['a', world.clone], ['b', other]] as const) {
      const real = (await clone.git('config', 'gpg.program')).trim();
      const script = join(barrier, `gpg-${side}.sh`);
      await writeFile(
        script,
        `#!/bin/sh\ntouch '${barrier}/${side}'\ni=0\nwhile [ ! -e '${barrier}/a' ] || [ ! -e '${barrier}/b' ]; do sleep 0.05; i=$((i+1)); [ $i -gt 400 ] && break; done\nexec '${real}' "$@"\n`,
        { mode: 0o755 },
      );
      await clone.git('config', 'gpg.program', script);
    }
    const args = ['promote', '--tag', 'prod-2.0.0', '--keys', demo.keysDir, '--push', 'origin', '--json'];
    const [a, b] = await Promise.all([runBin('siggate', args, { cwd: world.clone.dir, env }), runBin('siggate', args, { cwd: other.dir, env })]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    const [winner, loser] = a.code === 0 ? [world.clone, other] : [other, world.clone];
    const loserResult = JSON.parse((a.code === 0 ? b : a).stdout) as PromoteResult;
    expect(loserResult.reason).toMatch(/created on origin meanwhile/);
    expect(await tagsOf(world.remote)).toEqual([`prod-2.0.0 ${world.tip}`]);
    expect(await world.remote.revParse('refs/tags/prod-2.0.0')).toBe(await winner.revParse('refs/tags/prod-2.0.0'));
    expect(await tagsOf(loser)).toEqual([]);
  });
});

describe('a protected --key', () => {
  const hasScript = (() => {
    try {
      return execFileSync('script', ['--version'], { encoding: 'utf8' }).includes('util-linux');
    } catch {
      return false;
    }
  })();
  if (!hasScript) console.warn('skipping the terminal passphrase test: util-linux script(1) is not installed');

  it.skipIf(!hasScript)('asks for the passphrase on the terminal without echoing it, and signs', async () => {
    const world = await promoteWorld(demo);
    const { readPrivateKey, encryptKey } = await import('openpgp');
    const key = await readPrivateKey({ armoredKey: await readFile(demoKeys.alice.secretKeyPath, 'utf8') });
    const keyFile = join(await makeTempDir('siggate-tty-'), 'alice-protected.asc');
    await writeFile(keyFile, (await encryptKey({ privateKey: key, passphrase: 'tty secret' })).armor());
    const bin = resolve(import.meta.dirname, '../../bin/siggate');
    const command = [process.execPath, bin, 'promote', '--tag', 'prod-9.0.0', '--keys', demo.keysDir, '--key', keyFile].map((w) => `'${w}'`).join(' ');
    // script(1) gives siggate a pseudo-terminal; the passphrase is typed once the prompt shows
    const ttyEnv: NodeJS.ProcessEnv = { ...env };
    delete ttyEnv.SIGGATE_KEY_PASSPHRASE;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: world.clone.dir, env: ttyEnv });
    let output = '';
    let typed = false;
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!typed && output.includes('passphrase for')) {
          typed = true;
          child.stdin.write('tty secret\r');
        }
      });
      child.on('close', done);
    });
    expect(output).toContain('passphrase for');
    expect(output).not.toContain('tty secret');
    expect(code).toBe(0);
    expect((await tagsOf(world.clone)).map((t) => t.split(' ')[0])).toEqual(['prod-9.0.0']);
  });
});
