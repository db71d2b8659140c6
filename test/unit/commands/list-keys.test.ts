import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../../../fixtures/lib/gpg.js';
import { cleanupAll, makeTempDir } from '../../../fixtures/lib/temp.js';
import { listKeys } from '../../../src/index.js';

afterAll(cleanupAll);

describe('listKeys', () => {
  it('reports algorithm, user IDs, expiry and revocation, and warns about keys expiring within 30 days', async () => {
    const gpg = await GpgHome.create();
    const soon = await gpg.generateKey({ name: 'Soon', email: 'soon@siggate.test', algo: 'ed25519', expire: '10d' });
    const later = await gpg.generateKey({ name: 'Later', email: 'later@siggate.test', algo: 'ed25519', expire: '1y' });
    const revoked = await gpg.generateKey({ name: 'Gone', email: 'gone@siggate.test', algo: 'ed25519' });
    await gpg.revoke(revoked, { reason: 'compromised' });
    const dir = await makeTempDir('siggate-keys-');
    for (const fpr of [soon, later, revoked]) await writeFile(join(dir, `${fpr}.asc`), await gpg.exportPublic(fpr));

    const keys = await listKeys({ keys: [dir] });
    const byFpr = new Map(keys.map((k) => [k.fingerprint, k]));
    expect(byFpr.get(soon)!.warnings.join()).toMatch(/within 30 days/);
    expect(byFpr.get(later)!.warnings).toEqual([]);
    expect(byFpr.get(later)!.expires).toMatch(/^\d{4}-/);
    expect(byFpr.get(later)!.userIds).toEqual(['Later <later@siggate.test>']);
    expect(byFpr.get(later)!.algorithm).toBe('ed25519');
    expect(byFpr.get(revoked)!.revoked).toBe(true);
    expect(byFpr.get(soon)!.revoked).toBe(false);
  });
});
