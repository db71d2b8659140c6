import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoPool, type CryptoJob } from '../../../../src/trust/crypto/pool.js';

const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jobs(count: number): { key: typeof ed.publicKey; job: CryptoJob; expected: boolean }[] {
  return Array.from({ length: count }, (_, i) => {
    const data = randomBytes(64);
    const useRsa = i % 3 === 0;
    const signature = useRsa ? sign('sha256', data, rsa.privateKey) : sign(null, createHash('sha256').update(data).digest(), ed.privateKey);
    const tampered = i % 5 === 0;
    if (tampered) signature[signature.length - 1]! ^= 1;
    const job: CryptoJob = useRsa ? { scheme: 'rsa', hash: 'sha256', data, signature } : { scheme: 'eddsa', hash: 'sha256', data, signature };
    return { key: useRsa ? rsa.publicKey : ed.publicKey, job, expected: !tampered };
  });
}

describe('CryptoPool', () => {
  it('answers exactly like the inline check, valid and tampered alike', async () => {
    const pool = new CryptoPool(2, 0);
    const work = jobs(300);
    const answers = await Promise.all(work.map(({ key, job }) => (pool.wants() ? pool.verify(key, job) : Promise.resolve(CryptoPool.run(key, job)))));
    await pool.close();
    expect(answers).toEqual(work.map((w) => w.expected));
    expect(work.map(({ key, job }) => CryptoPool.run(key, job))).toEqual(work.map((w) => w.expected));
  });

  it('still answers every job correctly when a worker dies mid-way', async () => {
    const pool = new CryptoPool(1, 0);
    const work = jobs(200);
    const pending = work.map(({ key, job }) => pool.verify(key, job));
    await new Promise((resolve) => setImmediate(resolve));
    const workers = (pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers;
    expect(workers.length).toBe(1);
    await workers[0]!.worker.terminate();
    expect(await Promise.all(pending)).toEqual(work.map((w) => w.expected));
    expect(pool.wants()).toBe(false);
  });

  it('answers jobs whose bytes are views into a shared pool buffer, each over its own bytes only', async () => {
    const pool = new CryptoPool(1, 0);
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
    await pool.close();
    expect(answers).toEqual(work.map((w) => w.expected));
  });

  it('starts its workers when told a long range is coming, and checks inline before that', async () => {
    const pool = new CryptoPool(1, 1000);
    const workers = (): unknown[] => (pool as unknown as { workers: unknown[] }).workers;
    pool.expect(999);
    // a short range stays inline all along
    expect([workers().length, ...Array.from({ length: 999 }, () => pool.wants()).filter(Boolean)]).toEqual([0]);
    pool.expect(5000);
    expect([workers().length, pool.wants()]).toEqual([1, true]);
    await pool.close();
  });

  it('does not use workers when SIGGATE_WORKERS-style size is 0', () => {
    expect(new CryptoPool(0, 0).wants()).toBe(false);
  });
});
