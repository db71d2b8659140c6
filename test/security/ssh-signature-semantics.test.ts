// SSH signatures built the way no honest tool builds them, judged as OpenSSH 9 judges them: the reserved
// field, the SHA-1 ssh-rsa algorithm, RSA keys OpenSSH will not load. Real ssh-keygen signs where it can;
// node:crypto signs the exact signed data where no tool makes the case. Each case also asks the real
// `ssh-keygen -Y verify` and git, so the test proves agreement with them.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { generateSshKey, sshSign, sshVerify, writeAllowedSigners } from '../../fixtures/lib/ssh.js';
import type { SshKey } from '../../fixtures/lib/ssh.js';
import { makeHandSshKey, signSshsigByHand, withSshsigFields } from '../../fixtures/lib/sshsig.js';
import type { HandSignOptions, HandSshKey } from '../../fixtures/lib/sshsig.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/index.js';
import type { VerdictStatus } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { gitSshVerdict } from '../helpers/ssh-reference.js';
import { makeKeysDir, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const PRINCIPAL = 'dev@siggate.test';

let repo: Repo;
let dir: string;
let keysDir: string;
let allowedSigners: string;
let real: { ed25519: SshKey; rsa: SshKey };
let hand: { ed25519: HandSshKey; rsa3072: HandSshKey; rsa1024: HandSshKey; rsa768: HandSshKey };

/** One signed commit, what siggate says with and without --allow-weak, and what OpenSSH and git say. */
interface Judged {
  status: VerdictStatus;
  statusAllowWeak: VerdictStatus;
  openssh: boolean;
  git: boolean;
}

async function judge(message: string, sign: (payload: Buffer) => Promise<string> | string): Promise<Judged> {
  const payload = await unsignedPayload(repo, message);
  const signature = await sign(payload);
  const oid = await repo.writeRawCommit(addSignatureHeader(payload, signature));
  const check = (allowWeak: boolean) => verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oid, allowWeak });
  return {
    status: (await check(false)).status,
    statusAllowWeak: (await check(true)).status,
    openssh: await sshVerify({ allowedSigners, principal: PRINCIPAL, signature, data: payload, dir }),
    git: (await gitSshVerdict(repo, oid, allowedSigners)).accepted,
  };
}

const byHand = (key: () => HandSshKey, options: HandSignOptions = {}) => (payload: Buffer) => signSshsigByHand(key(), payload, options);
const X = Buffer.from('x');

beforeAll(async () => {
  dir = await makeTempDir('siggate-sshsig-');
  real = { ed25519: await generateSshKey(dir, 'ed25519', { name: 'ed' }), rsa: await generateSshKey(dir, 'rsa', { name: 'rsa' }) };
  hand = {
    ed25519: makeHandSshKey('ed25519'),
    rsa3072: makeHandSshKey({ rsaBits: 3072 }),
    rsa1024: makeHandSshKey({ rsaBits: 1024 }),
    rsa768: makeHandSshKey({ rsaBits: 768 }),
  };
  keysDir = await makeKeysDir({});
  allowedSigners = join(keysDir, 'allowed_signers');
  const keys = [real.ed25519, real.rsa, ...Object.values(hand).map((k) => k.publicKey)];
  await writeAllowedSigners(allowedSigners, keys.map((key) => ({ principal: PRINCIPAL, key })));
  repo = await Repo.init();
  await repo.commit({ message: 'base\n' });
});

describe('the SSHSIG reserved field', () => {
  it('a real ssh-keygen signature verifies, and so does an empty-reserved one made by hand (controls)', async () => {
    const expected = { status: 'valid', openssh: true, git: true };
    expect(await judge('real\n', (p) => sshSign(real.ed25519, p))).toMatchObject(expected);
    expect(await judge('by hand\n', byHand(() => hand.ed25519))).toMatchObject(expected);
  });

  it('a signature over a non-empty reserved field, carried in the blob too, is refused', async () => {
    const judged = await judge('reserved signed\n', byHand(() => hand.ed25519, { signedReserved: X }));
    expect(judged).toMatchObject({ status: 'bad-signature', statusAllowWeak: 'bad-signature', openssh: false, git: false });
  });

  it('a real signature whose blob reserved field was filled in afterwards still verifies, as OpenSSH ignores it', async () => {
    const judged = await judge('reserved added\n', async (p) => withSshsigFields(await sshSign(real.ed25519, p), { reserved: X }));
    expect(judged).toMatchObject({ status: 'valid', openssh: true, git: true });
  });
});

describe('the SHA-1 ssh-rsa signature algorithm', () => {
  it('rsa-sha2-512 from ssh-keygen and rsa-sha2-256 by hand verify (controls)', async () => {
    const expected = { status: 'valid', openssh: true, git: true };
    expect(await judge('rsa real\n', (p) => sshSign(real.rsa, p))).toMatchObject(expected);
    expect(await judge('rsa-sha2-256\n', byHand(() => hand.rsa3072, { sigType: 'rsa-sha2-256' }))).toMatchObject(expected);
  });

  it('an ssh-rsa (SHA-1) signature by an allowed 3072-bit key is never valid, even with --allow-weak', async () => {
    const judged = await judge('ssh-rsa\n', byHand(() => hand.rsa3072, { sigType: 'ssh-rsa' }));
    expect(judged).toMatchObject({ status: 'bad-signature', statusAllowWeak: 'bad-signature', openssh: false, git: false });
  });
});

describe('RSA keys OpenSSH refuses to load', () => {
  it('a 1024-bit key is weak, and valid with --allow-weak, as OpenSSH accepts it (control)', async () => {
    const judged = await judge('rsa 1024\n', byHand(() => hand.rsa1024));
    expect(judged).toMatchObject({ status: 'weak-algorithm', statusAllowWeak: 'valid', openssh: true, git: true });
  });

  it('a 768-bit key signature is never valid, even with --allow-weak', async () => {
    const judged = await judge('rsa 768\n', byHand(() => hand.rsa768));
    expect(judged).toMatchObject({ status: 'weak-algorithm', statusAllowWeak: 'weak-algorithm', openssh: false, git: false });
  });
});
