import { readFile } from 'node:fs/promises';
import { KeyConfigError } from '../errors.js';
import type { Keyring } from '../trust/keyring.js';

/** The fingerprints whose signatures pass: every key present, or the subset named by `--allow`. */
export interface AllowList {
  /** null: every key in the keyring is allowed. */
  readonly fingerprints: ReadonlySet<string> | null;
  allows(fingerprint: string): boolean;
}

/** Read `--allow-file` files: one entry a line, `#` starts a comment. */
export async function readAllowFiles(files: readonly string[]): Promise<string[]> {
  const entries: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new KeyConfigError(`cannot read allow file ${file}: ${(error as Error).message}`, { cause: error });
    });
    for (const line of text.split('\n')) {
      const entry = line.replace(/#.*/, '').trim();
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/**
 * Resolve allow-list entries against the keyring. Full fingerprints are taken as they are; a 16-hex long
 * key ID only when it names exactly one key present (with a warning); short IDs collide ("evil32") and
 * are refused.
 */
export function buildAllowList(entries: readonly string[], keyring: Keyring, onWarning: (message: string) => void): AllowList {
  if (entries.length === 0) return { fingerprints: null, allows: () => true };
  const present = keyring.allFingerprints();
  const allowed = new Set<string>();
  for (const raw of entries) {
    const fingerprint = resolveEntry(raw, keyring, onWarning);
    if (!present.has(fingerprint)) onWarning(`--allow ${raw} names no key in the keys directory; it allows nothing`);
    allowed.add(fingerprint);
  }
  return { fingerprints: allowed, allows: (fingerprint) => allowed.has(fingerprint) };
}

function resolveEntry(raw: string, keyring: Keyring, onWarning: (message: string) => void): string {
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(raw)) return raw;
  const hex = raw.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  if (/^[0-9A-F]{40}$|^[0-9A-F]{64}$/.test(hex)) return hex;
  if (/^[0-9A-F]{16}$/.test(hex)) {
    const primaries = new Set((keyring.byKeyId.get(hex) ?? []).map((c) => c.entry.fingerprint));
    if (primaries.size !== 1) {
      throw new KeyConfigError(
        `long key ID ${hex} ${primaries.size === 0 ? 'matches no key' : `matches ${primaries.size} keys`} in the keys directory; use the full fingerprint`,
      );
    }
    const [fingerprint] = primaries;
    onWarning(`long key ID ${hex} resolved to ${fingerprint}; write the full fingerprint in the allow list`);
    return fingerprint!;
  }
  if (/^[0-9A-F]{8}$/.test(hex)) {
    throw new KeyConfigError(`short key ID ${hex} is refused: 32-bit IDs collide; use the full fingerprint`);
  }
  throw new KeyConfigError(`allow-list entry "${raw}" is not a fingerprint (40 or 64 hex), a long key ID or an SSH SHA256: fingerprint`);
}
