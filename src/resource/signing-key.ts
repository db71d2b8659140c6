import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The source's signing key in a 0600 file of a 0700 temp dir (openpgp.js reads it from there), removed by `dispose`. */
export async function writeSigningKey(armored: string | null): Promise<{ path: string; dispose(): Promise<void> } | null> {
  if (!armored) return null;
  const dir = await mkdtemp(join(tmpdir(), 'siggate-resource-signing-'));
  const path = join(dir, 'signing-key.asc');
  await writeFile(path, armored.endsWith('\n') ? armored : `${armored}\n`, { mode: 0o600 });
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
