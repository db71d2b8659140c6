// Attacks on the S3 artifact gate: signatures over other bytes, signed messages posing as detached signatures,
// namespace confusion, oversized or garbage signature objects, and a valid-looking signature next to a bad one.
import { beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { s3Verify } from '../../src/commands/s3-artifact.js';
import { BUCKET, s3World, type S3World } from '../helpers/s3-world.js';
import { demoWorld, useFixtureCleanup } from '../helpers/world.js';
import { describeRgw as describe } from '../helpers/rgw.js';

useFixtureCleanup();

let world: S3World;
beforeAll(async () => {
  world = await s3World(await demoWorld());
});

const verify = (key: string) => s3Verify({ ...world.access, keys: [world.keysDir], object: `s3://${BUCKET}/${key}` });

describe('artifact signature attacks', () => {
  it("a valid signature of another artifact, copied next to this one, is bad-signature", async () => {
    await world.putSigned('swap/good-1.0.tgz', 'the audited 1.0 release');
    const signature = await world.demo.gpg.signDetached(world.demo.fingerprints.alice, 'the audited 1.0 release');
    await world.s3.put(BUCKET, 'swap/evil-1.1.tgz', 'an unaudited build');
    await world.s3.put(BUCKET, 'swap/evil-1.1.tgz.asc', signature);
    expect((await verify('swap/evil-1.1.tgz')).status).toBe('bad-signature');
  });

  it('an inline-signed message (gpg --sign) posing as the detached signature is never valid', async () => {
    const inline = (await world.demo.gpg.gpg(['--armor', '--local-user', world.demo.fingerprints.alice, '--sign'], { input: 'other content' })).stdout;
    await world.s3.put(BUCKET, 'inline/app.tgz', 'the artifact');
    await world.s3.put(BUCKET, 'inline/app.tgz.asc', inline);
    expect((await verify('inline/app.tgz')).ok).toBe(false);
    const inlineSame = (await world.demo.gpg.gpg(['--armor', '--local-user', world.demo.fingerprints.alice, '--sign'], { input: 'the artifact' })).stdout;
    await world.s3.put(BUCKET, 'inline/app.tgz.asc', inlineSame);
    expect((await verify('inline/app.tgz')).ok).toBe(false);
  });

  it('a clearsigned message is not a detached signature', async () => {
    const clear = (await world.demo.gpg.gpg(['--local-user', world.demo.fingerprints.alice, '--clearsign'], { input: 'the artifact' })).stdout;
    await world.s3.put(BUCKET, 'clear/app.tgz', 'the artifact');
    await world.s3.put(BUCKET, 'clear/app.tgz.asc', clear);
    expect((await verify('clear/app.tgz')).status).toBe('malformed');
  });

  it('an SSH signature made for git (a commit signature) does not sign a file', async () => {
    await world.putSshSigned('ns/app.tgz', 'the artifact', 'git');
    expect((await verify('ns/app.tgz')).status).toBe('bad-signature');
  });

  it('garbage, empty and oversized signature objects are malformed, never valid', async () => {
    await world.s3.put(BUCKET, 'junk/app.tgz', 'the artifact');
    for (const body of ['not a signature at all', '', 'x'.repeat(70 * 1024), '\u0089\u0001\u0002garbage-packet']) {
      await world.s3.put(BUCKET, 'junk/app.tgz.sig', body);
      const report = await verify('junk/app.tgz');
      expect(report.ok, JSON.stringify(body.slice(0, 20))).toBe(false);
      expect(['malformed', 'bad-signature']).toContain(report.status);
    }
  });

  it('a garbage .sig next to a signature by a key that is not allowed does not add up to a pass', async () => {
    await world.putSigned('pair/app.tgz', 'the artifact', 'mallory');
    await world.s3.put(BUCKET, 'pair/app.tgz.sig', 'garbage');
    const report = await verify('pair/app.tgz');
    expect(report.ok).toBe(false);
  });

  it('an SSH signature by a key outside allowed_signers is not valid', async () => {
    const other = join(await makeTempDir('siggate-intruder-'), 'intruder');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ci@siggate.test', '-f', other]);
    const signature = (await run('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', other], { input: 'the artifact' })).stdout;
    await world.s3.put(BUCKET, 'intruder/app.tgz', 'the artifact');
    await world.s3.put(BUCKET, 'intruder/app.tgz.sig', signature);
    expect((await verify('intruder/app.tgz')).status).toBe('unknown-key');
  });
});
