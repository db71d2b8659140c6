import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CryptoPool, type CryptoJob } from '../../../../src/trust/crypto/pool.js';

const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

type Work = { key: typeof ed.publicKey; job: CryptoJob; expected: boolean };

/** Signatures of all three schemes, every fifth one tampered. */
function jobs(count: number): Work[] {
  return Array.from({ length: count }, (_, i) => {
    const data = randomBytes(64);
    const scheme = (['rsa', 'eddsa', 'ecdsa'] as const)[i % 3]!;
    const signature =
      scheme === 'rsa'
        ? sign('sha256', data, rsa.privateKey)
        : scheme === 'eddsa'
          ? sign(null, createHash('sha256').update(data).digest(), ed.privateKey)
          : sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'der' });
    const tampered = i % 5 === 0;
    if (tampered) signature[signature.length - 1]! ^= 1;
    const key = scheme === 'rsa' ? rsa.publicKey : scheme === 'eddsa' ? ed.publicKey : ec.publicKey;
    return { key, job: { scheme, hash: 'sha256', data, signature }, expected: !tampered };
  });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('CryptoPool', () => {
  it('answers exactly like the inline check, valid and tampered alike, for RSA, EdDSA and ECDSA', async () => {
    const pool = new CryptoPool();
    const work = jobs(300);
    expect(work.every(({ job }) => pool.wants(job))).toBe(true);
    const answers = await Promise.all(work.map(({ key, job }) => pool.verify(key, job)));
    await pool.close();
    expect(answers).toEqual(work.map((w) => w.expected));
    expect(work.map(({ key, job }) => CryptoPool.run(key, job))).toEqual(work.map((w) => w.expected));
    expect(answers.filter((ok) => !ok).length).toBe(60);
  });

  it('answers jobs whose bytes are views into a shared buffer, each over its own bytes only', async () => {
    const pool = new CryptoPool();
    const work = jobs(100);
    // the way parsed objects arrive: small views into one larger buffer, neighbours right next to them
    const shared = Buffer.concat(work.flatMap(({ job }) => [Buffer.from(job.data), Buffer.from(job.signature)]));
    let at = 0;
    const views = work.map(({ key, job }) => {
      const data = shared.subarray(at, (at += job.data.length));
      const signature = shared.subarray(at, (at += job.signature.length));
      return { key, job: { ...job, data, signature } };
    });
    const answers = await Promise.all(views.map(({ key, job }) => pool.verify(key, job)));
    expect(answers).toEqual(work.map((w) => w.expected));
  });

  it('queues what is over its limit and answers every check, in any order of completion', async () => {
    const pool = new CryptoPool(3);
    const work = jobs(60);
    const running = (): number => (pool as unknown as { running: number }).running;
    const pending = work.map(({ key, job }) => pool.verify(key, job));
    expect(running()).toBe(3);
    expect(await Promise.all(pending)).toEqual(work.map((w) => w.expected));
    expect(running()).toBe(0);
  });

  it('refuses, never throws or hangs, on a signature node:crypto cannot even start to check', async () => {
    const pool = new CryptoPool();
    const [rsaWork, edWork, ecWork] = jobs(3).slice(0);
    const broken: [typeof ed.publicKey, CryptoJob][] = [
      // a key of the wrong kind for the scheme
      [ed.publicKey, rsaWork!.job],
      [rsa.publicKey, edWork!.job],
      // a hash node:crypto does not know
      [rsa.publicKey, { ...rsaWork!.job, hash: 'no-such-hash' }],
      // signatures of the wrong length or encoding
      [ed.publicKey, { ...edWork!.job, signature: new Uint8Array(12) }],
      [ec.publicKey, { ...ecWork!.job, signature: new Uint8Array([0x30, 0x02, 0x02, 0x00]) }],
      [rsa.publicKey, { ...rsaWork!.job, signature: new Uint8Array(0) }],
    ];
    expect(await Promise.all(broken.map(([key, job]) => pool.verify(key, job)))).toEqual(broken.map(() => false));
    expect(broken.map(([key, job]) => CryptoPool.run(key, job))).toEqual(broken.map(() => false));
  });

  it('checks inline after close, and still answers what was queued before', async () => {
    const pool = new CryptoPool(1);
    const work = jobs(6);
    const pending = work.map(({ key, job }) => pool.verify(key, job));
    await pool.close();
    expect(pool.wants(work[0]!.job)).toBe(false);
    expect(await Promise.all(pending)).toEqual(work.map((w) => w.expected));
    expect(await pool.verify(work[1]!.key, work[1]!.job)).toBe(work[1]!.expected);
  });

  it('checks everything inline with SIGGATE_WORKERS=0, on the thread pool otherwise', () => {
    const job = jobs(2)[1]!.job;
    vi.stubEnv('SIGGATE_WORKERS', '0');
    expect(new CryptoPool().wants(job)).toBe(false);
    vi.stubEnv('SIGGATE_WORKERS', '2');
    expect(new CryptoPool().wants(job)).toBe(true);
    vi.stubEnv('SIGGATE_WORKERS', '');
    expect(new CryptoPool().wants(job)).toBe(true);
    expect(new CryptoPool(0).wants(job)).toBe(false);
  });
});
