import { GpgHome } from '../../fixtures/lib/gpg.js';

/** The verdict keywords GnuPG prints on its status fd for one signature. */
export type GnupgVerdict = 'GOODSIG' | 'EXPSIG' | 'EXPKEYSIG' | 'REVKEYSIG' | 'BADSIG' | 'ERRSIG' | 'NONE';

const VERDICTS: readonly GnupgVerdict[] = ['GOODSIG', 'EXPSIG', 'EXPKEYSIG', 'REVKEYSIG', 'BADSIG', 'ERRSIG'];

/**
 * What real GnuPG says about a detached signature over `data`, with exactly `keys` imported into a fresh
 * home and its clock set to `at` (the signature's own time: how the corpus defines "valid when signed").
 * The reference the security tests hold siggate to.
 */
export async function gnupgSays(keys: readonly string[], signature: string, data: Uint8Array, at?: Date): Promise<GnupgVerdict> {
  const gpg = await GpgHome.create();
  for (const key of keys) await gpg.importKey(key);
  const status = await gpg.verifyDetached(signature, data, at ? { at } : {});
  return VERDICTS.find((verdict) => status.some((line) => line.startsWith(`${verdict} `))) ?? 'NONE';
}
