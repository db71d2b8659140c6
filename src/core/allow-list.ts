import { KeyConfigError } from './errors.js';

/** The fingerprints whose signatures pass: every key present, or the subset named by `--allow`. */
export interface AllowList {
  /** null: every key present is allowed. */
  readonly fingerprints: ReadonlySet<string> | null;
  allows(fingerprint: string): boolean;
}

/** What the allow list needs to know about the keys present. */
export interface KeyLookup {
  /** Primary fingerprints (OpenPGP, 40/64 hex upper) and `SHA256:` fingerprints (SSH). */
  fingerprints(): ReadonlySet<string>;
  /** The primary fingerprints of every key or subkey with this 16-hex key ID. */
  primariesWithKeyId(keyId: string): ReadonlySet<string>;
}

/** One allow-list entry as written, classified. */
export type AllowEntry =
  | { kind: 'fingerprint'; value: string }
  | { kind: 'long-id'; value: string }
  | { kind: 'short-id'; value: string }
  | { kind: 'invalid'; value: string };

/** Classify an entry: spaces and a `0x` prefix are dropped, hex is upper-cased; SSH fingerprints are kept as they are. */
export function classifyAllowEntry(raw: string): AllowEntry {
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(raw)) return { kind: 'fingerprint', value: raw };
  const hex = raw.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  if (/^[0-9A-F]{40}$|^[0-9A-F]{64}$/.test(hex)) return { kind: 'fingerprint', value: hex };
  if (/^[0-9A-F]{16}$/.test(hex)) return { kind: 'long-id', value: hex };
  if (/^[0-9A-F]{8}$/.test(hex)) return { kind: 'short-id', value: hex };
  return { kind: 'invalid', value: raw };
}

/** The refusal of a 32-bit key ID, wherever one is given: they collide ("evil32"). */
export function shortKeyIdError(where: string, id: string): KeyConfigError {
  return new KeyConfigError(`${where}: short key ID ${id} is refused: 32-bit IDs collide; use the full fingerprint`);
}

/**
 * Resolve allow-list entries against the keys present. Full fingerprints are taken as they are; a 16-hex
 * long key ID only when it names exactly one key present (with a warning); short IDs are refused.
 */
export function buildAllowList(entries: readonly string[], keys: KeyLookup, onWarning: (message: string) => void): AllowList {
  if (entries.length === 0) return { fingerprints: null, allows: () => true };
  const present = keys.fingerprints();
  const allowed = new Set<string>();
  for (const raw of entries) {
    const fingerprint = resolveEntry(raw, keys, onWarning);
    if (!present.has(fingerprint)) onWarning(`--allow ${raw} names no key in the keys; it allows nothing`);
    allowed.add(fingerprint);
  }
  return { fingerprints: allowed, allows: (fingerprint) => allowed.has(fingerprint) };
}

function resolveEntry(raw: string, keys: KeyLookup, onWarning: (message: string) => void): string {
  const entry = classifyAllowEntry(raw);
  switch (entry.kind) {
    case 'fingerprint':
      return entry.value;
    case 'long-id': {
      const primaries = keys.primariesWithKeyId(entry.value);
      if (primaries.size !== 1) {
        throw new KeyConfigError(
          `long key ID ${entry.value} ${primaries.size === 0 ? 'matches no key' : `matches ${primaries.size} keys`} in the keys; use the full fingerprint`,
        );
      }
      const [fingerprint] = primaries;
      onWarning(`long key ID ${entry.value} resolved to ${fingerprint}; write the full fingerprint in the allow list`);
      return fingerprint!;
    }
    case 'short-id':
      throw shortKeyIdError('allow list', entry.value);
    case 'invalid':
      throw new KeyConfigError(`allow-list entry "${raw}" is not a fingerprint (40 or 64 hex), a long key ID or an SSH SHA256: fingerprint`);
  }
}
