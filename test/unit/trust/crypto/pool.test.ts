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
    // 4 cores: RSA checks go to the workers too
    const pool = new CryptoPool(2, 0, 4);
    const work = jobs(300);
    expect(work.every(({ job }) => pool.wants(job))).toBe(true);
    const answers = await Promise.all(work.map(({ key, job }) => pool.verify(key, job)));
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
    expect(pool.wants(work[1]!.job)).toBe(false);
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

  it('hands checks to the workers once a long range is announced, checks inline before that', async () => {
    const pool = new CryptoPool(1, 1000, 2);
    const workers = (): unknown[] => (pool as unknown as { workers: unknown[] }).workers;
    const eddsa = jobs(2)[1]!;
    pool.expect(999);
    // a short range stays inline all along, and no worker starts
    expect(Array.from({ length: 999 }, () => pool.wants(eddsa.job)).filter(Boolean)).toEqual([]);
    pool.expect(5000);
    expect(pool.wants(eddsa.job)).toBe(true);
    expect(workers().length).toBe(0);
    expect(await pool.verify(eddsa.key, eddsa.job)).toBe(eddsa.expected);
    expect(workers().length).toBe(1);
    await pool.close();
  });

  it('keeps RSA checks inline on fewer than 4 cores, however long the range', async () => {
    const rsaJob = jobs(1)[0]!.job;
    expect(rsaJob.scheme).toBe('rsa');
    const twoCores = new CryptoPool(2, 0, 2);
    twoCores.expect(100_000);
    expect(twoCores.wants(rsaJob)).toBe(false);
    const fourCores = new CryptoPool(2, 0, 4);
    expect(fourCores.wants(rsaJob)).toBe(true);
    await Promise.all([twoCores.close(), fourCores.close()]);
  });

  it('does not use workers when SIGGATE_WORKERS-style size is 0', () => {
    expect(jobs(3).map(({ job }) => new CryptoPool(0, 0, 8).wants(job))).toEqual([false, false, false]);
  });
});
